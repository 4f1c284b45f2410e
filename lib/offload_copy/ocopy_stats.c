/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * Counters and the dump. The queues' counters are plain 64-bit fields
 * written by their lcore only: read here from another thread they are
 * approximate, never torn, and read again (up to 8 times) while they show
 * more ops placed or delivered than submitted (oc_queue_stats_read()).
 * Reset them while the queues are idle.
 */

#include <inttypes.h>
#include <string.h>

#include "ocopy_internal.h"

static void
oc_queue_stats_add(struct ocopy_queue_stats *sum,
		const struct ocopy_queue_stats *st)
{
	sum->submitted += st->submitted;
	sum->completed += st->completed;
	sum->cpu += st->cpu;
	sum->engine += st->engine;
	sum->split += st->split;
	sum->deferred += st->deferred;
	sum->bytes += st->bytes;
	sum->cpu_bytes += st->cpu_bytes;
	sum->errors += st->errors;
	sum->failovers += st->failovers;
	sum->refused += st->refused;
}

/* Reads of a queue's counters that may show an impossible state: retries. */
#define OC_STATS_READ_TRIES	8

#define OC_LOAD(x)	__atomic_load_n(&(x), __ATOMIC_ACQUIRE)

/*
 * A queue's counters, read from any thread. Its lcore raises submitted
 * (and bytes) before the counters that follow from an op (its path, the
 * CPU's bytes, then completed at delivery): those are read first and
 * submitted last, each load in that order (acquire). A read is taken
 * again, a few times, while it still shows more ops placed or delivered
 * than submitted (a store the compiler moved; the lcore preempted between
 * two stores could keep it so for every try): a snapshot copied field by
 * field, submitted first, showed completed above submitted, and a
 * monitor's submitted - completed wrapped to some 1.8e19.
 */
static void
oc_queue_stats_read(const struct ocopy_queue *q, struct ocopy_queue_stats *st)
{
	const struct ocopy_queue_stats *s = &q->stats;
	unsigned int tries = 0;

	do {
		st->completed = OC_LOAD(s->completed);
		st->errors = OC_LOAD(s->errors);
		/* deferred first: a skipped fenced op moves from engine to it. */
		st->deferred = OC_LOAD(s->deferred);
		st->cpu = OC_LOAD(s->cpu);
		st->engine = OC_LOAD(s->engine);
		st->split = OC_LOAD(s->split);
		st->failovers = OC_LOAD(s->failovers);
		st->cpu_bytes = OC_LOAD(s->cpu_bytes);
		st->refused = OC_LOAD(s->refused);
		st->submitted = OC_LOAD(s->submitted);
		st->bytes = OC_LOAD(s->bytes);
	} while ((st->completed > st->submitted ||
			st->cpu + st->engine + st->split + st->deferred >
			st->submitted || st->cpu_bytes > st->bytes) &&
			++tries < OC_STATS_READ_TRIES);
}

int
ocopy_queue_stats_get(const struct ocopy_queue *q, struct ocopy_queue_stats *st)
{
	if (q == NULL || st == NULL)
		return -EINVAL;
	oc_queue_stats_read(q, st);
	return 0;
}

int
ocopy_queue_rates_get(const struct ocopy_queue *q, struct ocopy_queue_rates *r)
{
	uint16_t i;

	if (q == NULL || r == NULL)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->cpu_cyc_per_kib = q->cpu_cyc_per_kib;
	r->cpu_samples = q->cpu_samples;
	r->placement = (enum ocopy_placement)q->adapt.place;
	r->placement_kept = (enum ocopy_placement)q->adapt.kept;
	r->cpu_help = r->placement == OCOPY_PLACE_HELP;
	r->help_epochs = q->adapt.epochs;
	r->help_changes = q->adapt.changes;
	r->help_set_aside = q->adapt.set_aside;
	r->engines_bytes_per_mcyc = q->adapt.tput[OCOPY_PLACE_ENGINES];
	r->alone_bytes_per_mcyc = q->adapt.tput[OCOPY_PLACE_THRESHOLD];
	r->help_bytes_per_mcyc = q->adapt.tput[OCOPY_PLACE_HELP];
	r->cpu_bytes_per_mcyc = q->adapt.tput[OCOPY_PLACE_CPU];
	r->help_probe_in = q->adapt.probing ? 0 : q->adapt.left;
	r->nb_engines = q->oc->nb_engines;
	for (i = 0; i < q->nb_qe; i++) {
		r->engine_cyc_per_kib[q->qe[i].engine] = q->qe[i].cyc_per_kib;
		r->engine_samples[q->qe[i].engine] = q->qe[i].learn_samples;
		r->engine_threshold[q->qe[i].engine] = q->qe[i].threshold;
	}
	return 0;
}

int
ocopy_stats_get(const struct ocopy *oc, struct ocopy_queue_stats *st)
{
	uint16_t qid;

	if (oc == NULL || st == NULL)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	for (qid = 0; qid < oc->nb_queues; qid++) {
		struct ocopy_queue_stats qs;

		oc_queue_stats_read(&oc->queues[qid], &qs);
		oc_queue_stats_add(st, &qs);
	}
	return 0;
}

int
ocopy_engine_stats_get(const struct ocopy *oc, uint16_t idx,
		struct ocopy_qengine_stats *st)
{
	uint16_t qid, i;

	if (oc == NULL || st == NULL || idx >= oc->nb_engines)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	for (qid = 0; qid < oc->nb_queues; qid++) {
		const struct ocopy_queue *q = &oc->queues[qid];

		for (i = 0; i < q->nb_qe; i++) {
			const struct ocopy_qengine_stats *s = &q->qe[i].stats;

			if (q->qe[i].engine != idx)
				continue;
			st->ops += s->ops;
			st->bytes += s->bytes;
			st->errors += s->errors;
			st->full += s->full;
			st->doorbells += s->doorbells;
			st->stalls += s->stalls;
			st->degrades += s->degrades;
			st->remote += s->remote;
			st->batch_full += s->batch_full;
		}
	}
	return 0;
}

int
ocopy_stats_reset(struct ocopy *oc)
{
	uint16_t qid, i;

	if (oc == NULL)
		return -EINVAL;
	/*
	 * Ops in flight would be counted completed (and deferred ones their
	 * CPU bytes) on counters that no longer hold their submission: the
	 * counts would never agree again.
	 */
	for (qid = 0; qid < oc->nb_queues; qid++)
		if (ocopy_queue_inflight(&oc->queues[qid]) != 0) {
			OC_LOG(ERR, "%s: stats reset refused: queue %u has %u op(s) in flight"
				" (ocopy_queue_drain() it first)", oc->name, qid,
				ocopy_queue_inflight(&oc->queues[qid]));
			return -EBUSY;
		}
	for (qid = 0; qid < oc->nb_queues; qid++) {
		struct ocopy_queue *q = &oc->queues[qid];

		memset(&q->stats, 0, sizeof(q->stats));
		q->burst_cpu_base = 0;	/* the policy's burst count */
		oc_adapt_restart(q);	/* cpu_help's epochs are marked on them */
		for (i = 0; i < q->nb_qe; i++)
			memset(&q->qe[i].stats, 0, sizeof(q->qe[i].stats));
	}
	return 0;
}

const char *
oc_health_name(uint8_t h)
{
	switch (h) {
	case OCOPY_HEALTH_OK: return "ok";
	case OCOPY_HEALTH_STALLED: return "stalled";
	case OCOPY_HEALTH_DEGRADED: return "degraded";
	case OCOPY_HEALTH_PROBING: return "probing";
	default: return "?";
	}
}

int
ocopy_dump(const struct ocopy *oc, FILE *f)
{
	char conf[OCOPY_CONF_STR_LEN];
	struct ocopy_queue_stats st;
	uint16_t qid, i;

	if (oc == NULL || f == NULL)
		return -EINVAL;
	ocopy_stats_get(oc, &st);
	fprintf(f, "offload_copy instance %s: %u queues, %u engines, policy %s\n",
		oc->name, oc->nb_queues, oc->nb_engines,
		ocopy_policy_name(oc->conf.policy));
	/* The configuration, defaults filled in, as ocopy_conf_parse() reads it. */
	if (ocopy_conf_format(&oc->conf, conf, sizeof(conf)) >= 0)
		fprintf(f, "  config: %s\n", conf);
	fprintf(f, "  cpu: %u cycles per copy + %u per KiB; split from %u bytes, slack %u%%\n",
		oc->cpu_op_cycles, oc->cpu_cyc_per_kib,
		oc->conf.split_threshold, oc->conf.depth_slack);
	for (i = 0; i < oc->nb_engines; i++) {
		const struct oc_engine *e = &oc->engines[i];
		struct ocopy_qengine_stats es;

		ocopy_engine_stats_get(oc, i, &es);
		fprintf(f, "  engine %u: dmadev %d %s, NUMA node %d, %u vchans x %u",
			i, e->dev_id, e->name, e->socket_id, e->nb_vchans,
			e->ring_size);
		/* A bounded batch (Intel DSA): rung every that many ops. */
		if (e->batch != 0 && e->batch < e->ring_size)
			fprintf(f, " (batches of %u)", e->batch);
		fprintf(f, ", threshold %u%s, %u cycles/op, %u cycles/KiB\n",
			e->threshold, e->calibrated ? " (calibrated)" : "",
			e->op_cycles, e->cyc_per_kib);
		fprintf(f, "    ops %" PRIu64 " bytes %" PRIu64 " errors %" PRIu64
			" full %" PRIu64 " doorbells %" PRIu64 " stalls %" PRIu64
			" degrades %" PRIu64 " remote %" PRIu64
			" batch_full %" PRIu64 "\n", es.ops,
			es.bytes, es.errors, es.full, es.doorbells, es.stalls,
			es.degrades, es.remote, es.batch_full);
	}
	fprintf(f, "  total: submitted %" PRIu64 " completed %" PRIu64
		" cpu %" PRIu64 " engine %" PRIu64 " split %" PRIu64
		" deferred %" PRIu64 " bytes %" PRIu64 " cpu_bytes %" PRIu64
		" errors %" PRIu64 " failovers %" PRIu64 " refused %" PRIu64 "\n",
		st.submitted, st.completed, st.cpu, st.engine, st.split,
		st.deferred, st.bytes, st.cpu_bytes, st.errors, st.failovers,
		st.refused);
	for (qid = 0; qid < oc->nb_queues; qid++) {
		const struct ocopy_queue *q = &oc->queues[qid];

		/* Plain ops: those without a slot (ocopy_core.h); the staged
		 * ones are not in the ring yet.
		 */
		uint32_t plain, n = oc_queue_ring_ops(q, &plain);

		const struct oc_adapt *a = &q->adapt;

		fprintf(f, "  queue %u: in flight %u (%u plain, %u staged), split cpu share %u/65536, cpu %u cycles/KiB (%s, %" PRIu64 " samples)\n",
			qid, n, plain, q->nb_staged,
			q->split_cpu_q16,
			q->cpu_cyc_per_kib, q->learn ? "learning" : "fixed",
			q->cpu_samples);
		fprintf(f, "    placement %s", ocopy_placement_name(a->place));
		if (a->on && a->probing)
			fprintf(f, " (probe; %s kept)",
				ocopy_placement_name((enum ocopy_placement)a->kept));
		else if (a->on)
			fprintf(f, " (%u epochs before the next probe)", a->left);
		if (a->on)
			fprintf(f, ", %" PRIu64 " epochs (%" PRIu64 " set aside), %" PRIu64
				" moves, bytes/Mcycle engines %" PRIu64
				" threshold %" PRIu64 " help %" PRIu64 " cpu %" PRIu64,
				a->epochs, a->set_aside, a->changes,
				a->tput[OCOPY_PLACE_ENGINES],
				a->tput[OCOPY_PLACE_THRESHOLD],
				a->tput[OCOPY_PLACE_HELP],
				a->tput[OCOPY_PLACE_CPU]);
		fprintf(f, "\n");
		for (i = 0; i < q->nb_qe; i++)
			fprintf(f, "    engine %u vchan %u: %s, %u in flight, backlog %" PRIu64 " bytes, %u cycles/KiB (%" PRIu64 " windows), %u before a doorbell\n",
				q->qe[i].engine, q->qe[i].vchan,
				oc_health_name(q->qe[i].health),
				q->qe[i].inflight, oc_qe_backlog(&q->qe[i]),
				q->qe[i].cyc_per_kib, q->qe[i].learn_samples,
				q->qe[i].unsubmitted);
	}
	oc_map_dump(oc, f);
	return 0;
}
