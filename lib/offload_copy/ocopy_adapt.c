/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * Where a queue places its copies (cpu_help=auto, the default).
 *
 * The auto policy places each copy by size (an engine from its threshold
 * on), and with the CPU's help lets the submitting core take a copy an
 * engine could take when the engine's backlog would finish it much later
 * (the slack rule), and cuts large copies between them (split). Whether
 * the core's copies raise what the queue moves depends on what else that
 * core does: its own work (its datapath; in dpdk-test-offload, checking
 * each copy) waits while it copies, where memory is the limit a core's
 * memcpy() moves a byte with three memory transfers where an engine
 * streaming its stores uses two (see the programmer's guide), and an
 * engine that is a thread on a sibling core (dma_sw) slows the core's own
 * work while it copies. No placement per copy sees those costs, so the
 * queue measures its whole traffic under four placements, in order of how
 * much the core copies (enum ocopy_placement): ENGINES (every copy an
 * engine accepts), THRESHOLD, HELP and CPU (every copy). It keeps one and
 * now and then tries another (a probe), and moves when that moves more
 * bytes per second by a margin. Ties go towards THRESHOLD, the
 * placement each copy's own costs choose.
 *
 *   - An epoch is a measuring phase of at least OC_ADAPT_PHASE_US and
 *     OC_ADAPT_MIN_OPS ops, after a settling phase when the placement
 *     changed: until every op placed under the old one has been
 *     delivered. It counts the bytes moved: accepted, less those still
 *     on an engine (oc_adapt_moved()).
 *   - The kept placement is measured for some epochs, then another one
 *     for one epoch: the probe's measure against the kept one's running
 *     mean (an epoch weighs 1/8), the better wins. A probe that wins is
 *     tried again after one epoch of the kept placement, and the queue
 *     moves only if it wins again: one lucky epoch (a slow spell of the
 *     host just ended) does not move it. Probes try the other
 *     placements in turn. An epoch with too little traffic tells nothing.
 *     An epoch of the kept placement lasts at least as long as the last
 *     probe did, settling included (with large copies the ops in flight
 *     take a while to drain), up to OC_ADAPT_STRETCH_MAX_US: a probe
 *     that spans a slow spell not set aside (below) lasts as long.
 *   - An epoch under half the kept placement's running mean is set
 *     aside (an outlier): the traffic paused within it (the application
 *     waited or did other work, its core was taken away), and wall time
 *     counts the pause as if the placement moved nothing. Folded into the
 *     mean, one such kept epoch took an eighth off it, and the next two
 *     probes won against a mean the placement never had; a probe that
 *     spanned one lost without having been measured. A kept epoch set
 *     aside is not counted; OC_ADAPT_OUTLIER_RUN in a row are the
 *     machine or the traffic having changed, and the mean starts again
 *     from the last. A kept epoch over twice the mean is set aside the
 *     same way: after a lull long enough to set a new level, the traffic
 *     comes back, and a mean climbing back an eighth an epoch lost every
 *     probe's comparison. A probe's epoch set aside is measured again,
 *     once: a placement that moves less than half stays a loss (so such a
 *     placement's probes take two epochs).
 *   - Probes back off: OC_ADAPT_STAY epochs apart after a move, twice as
 *     far apart once the kept placement has won against each of the
 *     others at that pace, up to OC_ADAPT_STAY_MAX. A probe of a worse
 *     placement costs throughput; in a steady state one runs one epoch in
 *     OC_ADAPT_STAY_MAX + 1, and never more than one in OC_ADAPT_STAY + 1
 *     (twice that for one under half the kept placement, measured again).
 *   - The kept placement's running mean (single epochs are noisy) moving
 *     by OC_ADAPT_SHIFT_PCT from what it was when its last probe ended
 *     means the machine or the work changed: the back-off starts again,
 *     so the next probe comes within OC_ADAPT_STAY epochs.
 *   - A placement is applied through the queue's fields the fast path
 *     already reads (policy, split threshold, thresholds): it costs the
 *     fast path nothing. While no engine has work (every copy on the CPU,
 *     by size or by placement) the completion calls take the full path
 *     once per OC_ADAPT_TICK_BYTES moved, which reads the clock for the
 *     epochs (oc_adapt_tick_idle()); otherwise each reap that found an
 *     engine busy reads it anyway.
 *
 * Called from oc_reap() on the queue's lcore.
 */

#include <string.h>

#include <rte_cycles.h>

#include "ocopy_internal.h"

#define OC_ADAPT_PHASE_US	2000
/* A kept epoch is stretched to the last probe's length up to this. */
#define OC_ADAPT_STRETCH_MAX_US	100000
#define OC_ADAPT_MIN_OPS	32
#define OC_ADAPT_STAY		8
#define OC_ADAPT_STAY_MAX	64
#define OC_ADAPT_SHIFT_PCT	10
#define OC_ADAPT_AVG_SHIFT	3	/* running mean: an epoch weighs 1/8 */
#define OC_ADAPT_MARGIN_PCT	5
#define OC_ADAPT_MIN_BYTES	(256 * 1024)
#define OC_ADAPT_TICK_BYTES	(64 * 1024)	/* clock reads, no engine working */
/*
 * An epoch under 1/OC_ADAPT_OUTLIER_DIV of the kept mean is set aside, and
 * a kept one over OC_ADAPT_OUTLIER_DIV times it.
 */
#define OC_ADAPT_OUTLIER_DIV	2
/* This many kept epochs set aside in a row: a new level. */
#define OC_ADAPT_OUTLIER_RUN	3

/* Has the rate t moved from ref by OC_ADAPT_SHIFT_PCT or more? */
static bool
oc_adapt_shifted(uint64_t t, uint64_t ref)
{
	return oc_moved(t, ref, 100 + OC_ADAPT_SHIFT_PCT, 100);
}

/* How far a placement is from THRESHOLD, where ties go. */
static unsigned int
oc_adapt_dist(unsigned int place)
{
	return place >= OCOPY_PLACE_THRESHOLD ?
			place - OCOPY_PLACE_THRESHOLD :
			OCOPY_PLACE_THRESHOLD - place;
}

/*
 * Does the probed placement p, measured at tp, beat the kept one k at tk?
 * Towards THRESHOLD it wins unless it moves less by the margin; otherwise
 * it must move more by the margin.
 */
static bool
oc_adapt_wins(unsigned int p, uint64_t tp, unsigned int k, uint64_t tk)
{
	if (oc_adapt_dist(p) < oc_adapt_dist(k))
		return tp * (100 + OC_ADAPT_MARGIN_PCT) >= tk * 100;
	return tp * 100 > tk * (100 + OC_ADAPT_MARGIN_PCT);
}

/*
 * The placement the next probe tries: each other one in turn, from the
 * one after the last probe's. Not only the kept one's neighbours: what
 * the queue moves is not always best at one end and worse step by step
 * (a core that checks every copy can move the most copying them all, the
 * least copying the small ones while an engine takes the large ones).
 */
static uint8_t
oc_adapt_next(struct oc_adapt *a)
{
	uint8_t p = a->next_probe;

	if (p == a->kept)
		p = (p + 1) % OC_PLACE_NB;
	a->next_probe = (p + 1) % OC_PLACE_NB;
	return p;
}

uint8_t
oc_adapt_epoch(struct oc_adapt *a, uint64_t bytes, uint64_t cyc)
{
	uint64_t t;
	bool wins;

	RTE_BUILD_BUG_ON(OC_PLACE_NB != OCOPY_PLACE_MAX);
	if (bytes < OC_ADAPT_MIN_BYTES || cyc == 0)
		return a->place;	/* too little traffic to tell */
	a->epochs++;
	/* 128 bits: bytes * 1e6 wraps from 1.8e13 bytes (an hour at 5 GB/s). */
	t = (uint64_t)RTE_MIN((unsigned __int128)bytes * 1000000 / cyc,
			(unsigned __int128)UINT64_MAX);
	if (a->kept_avg != 0 && t < a->kept_avg / OC_ADAPT_OUTLIER_DIV &&
			a->probing) {
		if (!a->reprobe) {
			a->reprobe = 1;	/* measured again, once */
			a->set_aside++;
			return a->place;
		}
	} else if (a->kept_avg != 0 && !a->probing &&
			(t < a->kept_avg / OC_ADAPT_OUTLIER_DIV ||
			 t / OC_ADAPT_OUTLIER_DIV > a->kept_avg)) {
		/*
		 * Under half the mean (a pause) or over twice it (the traffic
		 * back after a level set in a pause): set aside, unless it is
		 * the third in a row.
		 */
		if (++a->outlier_run < OC_ADAPT_OUTLIER_RUN) {
			a->set_aside++;
			return a->place;
		}
		/* A new level: the mean starts again from it. */
		a->kept_avg = t;
		a->ref = t;
		a->stay = OC_ADAPT_STAY;
		a->lost = 0;
		a->left = RTE_MIN(a->left, (uint32_t)OC_ADAPT_STAY);
	}
	a->outlier_run = 0;
	a->tput[a->place] = t;
	if (a->probing) {
		const uint8_t p = a->place, k = a->kept;

		a->reprobe = 0;

		/*
		 * The probe's epoch against the kept placement's running mean:
		 * one noisy epoch less in the comparison.
		 */
		if (a->kept_avg != 0)
			a->tput[k] = a->kept_avg;
		a->probing = 0;
		wins = oc_adapt_wins(p, t, k, a->tput[k]);
		if (wins && a->won != p + 1) {
			/*
			 * A first win may be one lucky epoch: back to the kept
			 * placement for an epoch, then the same probe again.
			 */
			a->won = p + 1;
			a->next_probe = p;
			a->place = k;
			a->left = 1;
			return a->place;
		}
		if (wins) {	/* the second in a row */
			a->changes++;
			a->stay = OC_ADAPT_STAY;
			a->lost = 0;
			a->kept = p;
		} else if (++a->lost == OC_PLACE_NB - 1) {
			/* Each other one lost at this pace: slower. */
			a->stay = RTE_MIN(a->stay * 2, (uint32_t)OC_ADAPT_STAY_MAX);
			a->lost = 0;
		}
		a->won = 0;
		a->left = a->stay;
		a->place = a->kept;
		a->kept_avg = a->tput[a->kept];
		a->ref = a->kept_avg;
		return a->place;
	}
	/* The kept placement's running mean: each epoch weighs 1/8. */
	if (a->kept_avg == 0)
		a->kept_avg = t;
	else if (t >= a->kept_avg)
		a->kept_avg += (t - a->kept_avg) >> OC_ADAPT_AVG_SHIFT;
	else
		a->kept_avg -= (a->kept_avg - t) >> OC_ADAPT_AVG_SHIFT;
	/*
	 * Backed off, and that mean moved (one epoch alone is too noisy to
	 * tell): something changed. Probe soon, and back off from there.
	 */
	if (a->stay > OC_ADAPT_STAY && oc_adapt_shifted(a->kept_avg, a->ref)) {
		a->stay = OC_ADAPT_STAY;
		a->lost = 0;
		a->left = RTE_MIN(a->left, (uint32_t)OC_ADAPT_STAY);
		a->ref = a->kept_avg;
	}
	if (a->left > 0)
		a->left--;
	if (a->left == 0) {
		a->probing = 1;
		a->place = oc_adapt_next(a);
	}
	return a->place;
}

/*
 * The placement through the fields the fast path reads. Not the engines'
 * thresholds: the caller derives them again (oc_queue_thresholds()) once
 * the queue has engines.
 */
static void
oc_adapt_apply(struct ocopy_queue *q, uint8_t place)
{
	static const uint8_t policy[OC_PLACE_NB] = {
		[OCOPY_PLACE_ENGINES] = OCOPY_POLICY_ENGINE,
		[OCOPY_PLACE_THRESHOLD] = OC_POLICY_AUTO_ALONE,
		[OCOPY_PLACE_HELP] = OCOPY_POLICY_AUTO,
		[OCOPY_PLACE_CPU] = OCOPY_POLICY_CPU,
	};

	q->policy = policy[place];
	q->split_threshold = place == OCOPY_PLACE_HELP ?
			q->oc->conf.split_threshold : UINT32_MAX;
}

void
oc_adapt_reset(struct oc_adapt *a, enum ocopy_cpu_help cpu_help)
{
	memset(a, 0, sizeof(*a));
	a->on = cpu_help == OCOPY_CPU_HELP_AUTO;
	a->place = cpu_help == OCOPY_CPU_HELP_OFF ? OCOPY_PLACE_THRESHOLD :
			OCOPY_PLACE_HELP;
	a->kept = a->place;
	a->left = 1;	/* measure the first placement once, then probe */
	a->stay = OC_ADAPT_STAY;
	/* From HELP: THRESHOLD is tried first, then CPU, then ENGINES. */
	a->next_probe = OCOPY_PLACE_THRESHOLD;
}

void
oc_adapt_init(struct ocopy_queue *q)
{
	const struct ocopy_conf *c = &q->oc->conf;
	struct oc_adapt *a = &q->adapt;

	memset(a, 0, sizeof(*a));
	q->adapt_at = UINT64_MAX;
	if (c->policy != OCOPY_POLICY_AUTO) {
		a->place = c->policy == OCOPY_POLICY_CPU ? OCOPY_PLACE_CPU :
				OCOPY_PLACE_ENGINES;
		a->kept = a->place;
		return;
	}
	oc_adapt_reset(a, c->cpu_help);
	oc_adapt_apply(q, a->place);
	if (a->on)
		q->adapt_at = 0;
}

void
oc_adapt_restart(struct ocopy_queue *q)
{
	struct oc_adapt *a = &q->adapt;

	/* The counters the phases are marked on start again from 0. */
	if (a->on)
		q->adapt_at = 0;
	a->measuring = 0;
	a->mark_ops = 0;
	a->mark_moved = 0;
	a->mark_tsc = 0;
}

void
oc_adapt_tick_idle(struct ocopy_queue *q)
{
	q->adapt_at = q->stats.bytes + OC_ADAPT_TICK_BYTES;
	oc_adapt_tick(q, rte_get_tsc_cycles());
}

/*
 * The bytes the queue has moved: those accepted less those still on an
 * engine (given, not yet reaped). Accepted bytes alone count an engine's
 * backlog as moved: an epoch that starts with the engines idle (a probe
 * after a placement that kept them so) and ends with a queue's worth of
 * ops in flight gains that queue's bytes, some 3 MB of IMIX copies, 12%
 * of a 2 ms epoch on the development machine; the application's work on
 * them falls in later epochs. That bias made engine-heavy placements win
 * their probes where they move less.
 */
static uint64_t
oc_adapt_moved(const struct ocopy_queue *q)
{
	uint64_t backlog = 0;
	uint16_t i;

	for (i = 0; i < q->nb_qe; i++)
		backlog += oc_qe_backlog(&q->qe[i]);
	return q->stats.bytes - backlog;
}

void
oc_adapt_tick(struct ocopy_queue *q, uint64_t now)
{
	struct oc_adapt *a = &q->adapt;
	uint64_t phase_cyc = rte_get_tsc_hz() / 1000000 * OC_ADAPT_PHASE_US;
	uint64_t moved;
	uint8_t place;

	/*
	 * A kept epoch as long as the last probe, settling included, but
	 * not as long as a probe that spanned an idle hour: the next probe
	 * would come 8 to 64 such epochs later.
	 */
	if (!a->probing)
		phase_cyc = RTE_MAX(phase_cyc, RTE_MIN(a->probe_cyc,
				rte_get_tsc_hz() / 1000000 * OC_ADAPT_STRETCH_MAX_US));
	if (!a->measuring) {
		/* Settling: ops placed under the old mode still in flight. */
		if (q->stats.completed < a->mark_ops)
			return;
		a->measuring = 1;
	} else {
		bool probed = a->probing;
		uint8_t before = a->place;

		if (now - a->mark_tsc < phase_cyc ||
				q->stats.submitted - a->mark_ops < OC_ADAPT_MIN_OPS)
			return;
		/*
		 * Too little moved to tell: the epoch goes on (marks kept)
		 * until it has. Thrown away and begun again, it never ends
		 * at low traffic, nor a probe with it: the queue stayed in
		 * the probe's placement.
		 */
		moved = oc_adapt_moved(q) - a->mark_moved;
		if (moved < OC_ADAPT_MIN_BYTES)
			return;
		place = oc_adapt_epoch(a, moved, now - a->mark_tsc);
		if (probed && !a->probing)
			a->probe_cyc = now - a->switch_tsc;
		else if (probed)	/* set aside: not the probe's length */
			a->switch_tsc += now - a->mark_tsc;
		else if (a->probing)
			a->switch_tsc = now;	/* a probe starts */
		if (place != before) {
			OC_LOG(DEBUG, "%s: queue %u: placement %s (%s; %" PRIu64
				" / %" PRIu64 " / %" PRIu64 " / %" PRIu64
				" bytes per Mcycle by engines / threshold / help / cpu)",
				q->oc->name, q->qid, ocopy_placement_name(place),
				a->probing ? "probe" : "kept",
				a->tput[OCOPY_PLACE_ENGINES],
				a->tput[OCOPY_PLACE_THRESHOLD],
				a->tput[OCOPY_PLACE_HELP], a->tput[OCOPY_PLACE_CPU]);
			oc_adapt_apply(q, place);
			oc_queue_thresholds(q);
			/* Settle until the ops accepted so far are delivered. */
			a->measuring = 0;
			a->mark_ops = q->stats.submitted;
			return;
		}
	}
	a->mark_ops = q->stats.submitted;
	a->mark_moved = oc_adapt_moved(q);
	a->mark_tsc = now;
}
