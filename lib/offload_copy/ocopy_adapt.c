/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * Whether the CPU helps busy engines (cpu_help=auto, the default).
 *
 * The auto policy lets the submitting core take a copy an engine could
 * take when the engine's backlog would finish it much later (the slack
 * rule), and cuts large copies between them (split). That adds copying
 * power only while the core has nothing better to do: its own work (its
 * datapath; in dpdk-test-offload, checking each copy) waits meanwhile, and
 * where memory is the limit a core's memcpy() moves a byte with three
 * memory transfers where an engine streaming its stores uses two (see the
 * programmer's guide). Which case holds depends on the machine, the data
 * and the application, so the queue measures it: it alternates between
 * the CPU helping (HELP) and not (ALONE), and keeps HELP only while it
 * moves more bytes per second by a margin. Ties go to ALONE, which leaves
 * the core free.
 *
 *   - An epoch is a measuring phase of at least OC_ADAPT_PHASE_US and
 *     OC_ADAPT_MIN_OPS ops, after a settling phase when the mode changed:
 *     until every op placed under the old mode has been delivered.
 *   - The mode kept is measured for some epochs, then the other one for
 *     one epoch (a probe): the probe's measure against the kept mode's
 *     running mean (an epoch weighs 1/8), the better wins. An epoch with
 *     too little traffic tells nothing. An epoch of the kept
 *     mode lasts at least as long as the last probe did, settling
 *     included (with large copies the ops in flight take a while to
 *     drain).
 *   - Probes back off: OC_ADAPT_STAY epochs after a change of mode, twice
 *     as many after each probe the kept mode wins, up to
 *     OC_ADAPT_STAY_MAX. A probe of the worse mode costs throughput; in a
 *     steady state the worse mode runs one epoch in OC_ADAPT_STAY_MAX + 1,
 *     and never more than one in OC_ADAPT_STAY + 1.
 *   - The kept mode's running mean (single epochs are noisy) moving by
 *     OC_ADAPT_SHIFT_PCT from what it was when its last probe ended means
 *     the machine or the work changed: the back-off starts again, so the
 *     next probe comes within OC_ADAPT_STAY epochs.
 *   - ALONE is applied through the queue's fields the fast path already
 *     reads (policy, split threshold): it costs the fast path nothing.
 *
 * Called from oc_reap() on the queue's lcore.
 */

#include <string.h>

#include <rte_cycles.h>

#include "ocopy_internal.h"

#define OC_ADAPT_PHASE_US	2000
#define OC_ADAPT_MIN_OPS	32
#define OC_ADAPT_STAY		8
#define OC_ADAPT_STAY_MAX	64
#define OC_ADAPT_SHIFT_PCT	10
#define OC_ADAPT_AVG_SHIFT	3	/* running mean: an epoch weighs 1/8 */
#define OC_ADAPT_MARGIN_PCT	5
#define OC_ADAPT_MIN_BYTES	(256 * 1024)

/* Has the rate t moved from ref by OC_ADAPT_SHIFT_PCT or more? */
static bool
oc_adapt_shifted(uint64_t t, uint64_t ref)
{
	return t * 100 >= ref * (100 + OC_ADAPT_SHIFT_PCT) ||
			t * (100 + OC_ADAPT_SHIFT_PCT) <= ref * 100;
}

bool
oc_adapt_epoch(struct oc_adapt *a, uint64_t bytes, uint64_t cyc)
{
	uint64_t t;

	if (bytes < OC_ADAPT_MIN_BYTES || cyc == 0)
		return a->help;	/* too little traffic to tell */
	a->epochs++;
	t = bytes * 1000000 / cyc;
	a->tput[a->help] = t;
	if (a->probing) {
		bool help;

		/*
		 * The probe's epoch against the kept mode's running mean: one
		 * noisy epoch less in the comparison.
		 */
		if (a->kept_avg != 0)
			a->tput[!a->help] = a->kept_avg;
		help = a->tput[1] * 100 > a->tput[0] * (100 + OC_ADAPT_MARGIN_PCT);

		/* The probe ends: back, or the probed mode won. */
		a->probing = 0;
		if (help == a->help) {
			a->changes++;
			a->stay = OC_ADAPT_STAY;
		} else {
			a->stay = RTE_MIN(a->stay * 2, (uint32_t)OC_ADAPT_STAY_MAX);
		}
		a->left = a->stay;
		a->help = help;
		a->kept_avg = a->tput[help];
		a->ref = a->kept_avg;
		return a->help;
	}
	/* The kept mode's running mean: each epoch weighs 1/8. */
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
		a->left = RTE_MIN(a->left, (uint32_t)OC_ADAPT_STAY);
		a->ref = a->kept_avg;
	}
	if (a->left > 0)
		a->left--;
	if (a->left == 0) {
		a->probing = 1;
		a->help = !a->help;
	}
	return a->help;
}

static void
oc_adapt_apply(struct ocopy_queue *q, bool help)
{
	q->policy = help ? OCOPY_POLICY_AUTO : OC_POLICY_AUTO_ALONE;
	q->split_threshold = help ? q->oc->conf.split_threshold : UINT32_MAX;
}

void
oc_adapt_reset(struct oc_adapt *a, enum ocopy_cpu_help cpu_help)
{
	memset(a, 0, sizeof(*a));
	a->on = cpu_help == OCOPY_CPU_HELP_AUTO;
	a->help = cpu_help != OCOPY_CPU_HELP_OFF;
	a->left = 1;	/* measure the first mode once, then probe */
	a->stay = OC_ADAPT_STAY / 2;	/* OC_ADAPT_STAY after the probe */
}

void
oc_adapt_init(struct ocopy_queue *q)
{
	const struct ocopy_conf *c = &q->oc->conf;
	struct oc_adapt *a = &q->adapt;

	memset(a, 0, sizeof(*a));
	if (c->policy != OCOPY_POLICY_AUTO)
		return;
	oc_adapt_reset(a, c->cpu_help);
	oc_adapt_apply(q, a->help);
}

void
oc_adapt_restart(struct ocopy_queue *q)
{
	struct oc_adapt *a = &q->adapt;

	/* The counters the phases are marked on start again from 0. */
	a->measuring = 0;
	a->mark_ops = 0;
	a->mark_bytes = 0;
	a->mark_tsc = 0;
}

void
oc_adapt_tick(struct ocopy_queue *q, uint64_t now)
{
	struct oc_adapt *a = &q->adapt;
	uint64_t phase_cyc = rte_get_tsc_hz() / 1000000 * OC_ADAPT_PHASE_US;
	bool help;

	if (!a->probing)
		phase_cyc = RTE_MAX(phase_cyc, a->probe_cyc);
	if (!a->measuring) {
		/* Settling: ops placed under the old mode still in flight. */
		if (q->stats.completed < a->mark_ops)
			return;
		a->measuring = 1;
	} else {
		bool probed = a->probing, before = a->help;

		if (now - a->mark_tsc < phase_cyc ||
				q->stats.submitted - a->mark_ops < OC_ADAPT_MIN_OPS)
			return;
		help = oc_adapt_epoch(a, q->stats.bytes - a->mark_bytes,
				now - a->mark_tsc);
		if (probed && !a->probing)
			a->probe_cyc = now - a->switch_tsc;
		else if (a->probing)
			a->switch_tsc = now;	/* a probe starts */
		if (help != before) {
			OC_LOG(DEBUG, "%s: queue %u: CPU help %s (%s; %" PRIu64
				" / %" PRIu64 " bytes per Mcycle without / with)",
				q->oc->name, q->qid, help ? "on" : "off",
				a->probing ? "probe" : "kept", a->tput[0],
				a->tput[1]);
			oc_adapt_apply(q, help);
			/* Settle until the ops accepted so far are delivered. */
			a->measuring = 0;
			a->mark_ops = q->stats.submitted;
			return;
		}
	}
	a->mark_ops = q->stats.submitted;
	a->mark_bytes = q->stats.bytes;
	a->mark_tsc = now;
}
