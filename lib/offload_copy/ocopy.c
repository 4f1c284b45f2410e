/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * Instances: create (check the configuration, set up the engines and the
 * queues, calibrate), destroy (drain, abort what never finishes, stop the
 * engines, undo the mappings), and the list of live instances.
 */

#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_spinlock.h>
#include <rte_string_fns.h>

#include "ocopy_internal.h"

RTE_LOG_REGISTER_DEFAULT(oc_logtype, INFO);

static TAILQ_HEAD(, ocopy) oc_instances = TAILQ_HEAD_INITIALIZER(oc_instances);
rte_spinlock_t oc_instances_lock = RTE_SPINLOCK_INITIALIZER;

void
ocopy_conf_init(struct ocopy_conf *conf)
{
	if (conf == NULL)
		return;
	memset(conf, 0, sizeof(*conf));
	conf->nb_queues = 1;
	conf->socket_id = SOCKET_ID_ANY;
}

/* Whether EAL knows NUMA node socket (memory can be asked of it). */
static bool
oc_socket_known(int socket)
{
	unsigned int i;

	for (i = 0; i < rte_socket_count(); i++)
		if (rte_socket_id_by_idx(i) == socket)
			return true;
	return false;
}

/* Defaults for zero fields, then range checks. 0 or -EINVAL (logged). */
static int
oc_conf_check(struct ocopy_conf *c, const char *name)
{
	uint16_t i, j;

	if (c->nb_queues == 0 || c->nb_queues > OCOPY_MAX_QUEUES) {
		OC_LOG(ERR, "%s: %u queues: 1..%u", name, c->nb_queues,
			OCOPY_MAX_QUEUES);
		return -EINVAL;
	}
	if (c->queue_size == 0)
		c->queue_size = OC_DEFAULT_QUEUE_SIZE;
	if (!rte_is_power_of_2(c->queue_size) || c->queue_size < 2 ||
			c->queue_size > OCOPY_QUEUE_SIZE_MAX) {
		OC_LOG(ERR, "%s: queue size %u: a power of 2 in 2..%u", name,
			c->queue_size, OCOPY_QUEUE_SIZE_MAX);
		return -EINVAL;
	}
	if (c->ring_size == 0)
		c->ring_size = OC_DEFAULT_RING_SIZE;
	if (c->policy > OCOPY_POLICY_ENGINE) {
		OC_LOG(ERR, "%s: unknown policy %d", name, c->policy);
		return -EINVAL;
	}
	if (c->cpu_help > OCOPY_CPU_HELP_OFF) {
		OC_LOG(ERR, "%s: unknown cpu_help %d", name, c->cpu_help);
		return -EINVAL;
	}
	if (c->nb_engines > OCOPY_MAX_ENGINES) {
		OC_LOG(ERR, "%s: %u engines: at most %u", name, c->nb_engines,
			OCOPY_MAX_ENGINES);
		return -EINVAL;
	}
	for (i = 0; i < c->nb_engines; i++) {
		if (!rte_dma_is_valid(c->engines[i])) {
			OC_LOG(ERR, "%s: engine %d: no such dmadev", name,
				c->engines[i]);
			return -EINVAL;
		}
		for (j = 0; j < i; j++)
			if (c->engines[j] == c->engines[i]) {
				OC_LOG(ERR, "%s: dmadev %d given twice", name,
					c->engines[i]);
				return -EINVAL;
			}
	}
	if (c->engine_node_set >> c->nb_engines != 0) {
		OC_LOG(ERR, "%s: NUMA node given for engine %u of %u", name,
			(unsigned int)(31 - __builtin_clz(c->engine_node_set)),
			c->nb_engines);
		return -EINVAL;
	}
	for (i = 0; i < c->nb_engines; i++)
		if ((c->engine_node_set & RTE_BIT32(i)) &&
				(c->engine_node[i] < 0 ||
				 c->engine_node[i] >= RTE_MAX_NUMA_NODES)) {
			OC_LOG(ERR, "%s: engine %u: NUMA node %d: 0..%d", name,
				i, c->engine_node[i], RTE_MAX_NUMA_NODES - 1);
			return -EINVAL;
		}
	/* The queues' memory is asked of it. */
	if (c->socket_id != SOCKET_ID_ANY && !oc_socket_known(c->socket_id)) {
		OC_LOG(ERR, "%s: socket %d: EAL knows no such NUMA node (%u known)",
			name, c->socket_id, rte_socket_count());
		return -EINVAL;
	}
	if (c->split_threshold == 0)
		c->split_threshold = OC_DEFAULT_SPLIT;
	if (c->depth_slack == 0)
		c->depth_slack = OC_DEFAULT_SLACK;
	if (c->depth_slack > 100000) {
		OC_LOG(ERR, "%s: depth slack %u%%: at most 100000", name,
			c->depth_slack);
		return -EINVAL;
	}
	if (c->stall_us == 0)
		c->stall_us = OC_DEFAULT_STALL_US;
	if (c->degrade_errors == 0)
		c->degrade_errors = OC_DEFAULT_DEGRADE;
	if (c->reprobe_ms == 0)
		c->reprobe_ms = OC_DEFAULT_REPROBE_MS;
	return 0;
}

/*
 * Every dmadev except dma_offload devices (ourselves), for the checks
 * before any is touched; oc_engines_setup() takes them again, passing
 * over those in use by someone else (they refuse configuration).
 */
static void
oc_conf_all_engines(struct ocopy_conf *c)
{
	int16_t id;

	c->nb_engines = 0;
	c->engine_node_set = 0;	/* nodes go with names */
	RTE_DMA_FOREACH_DEV(id) {
		if (c->nb_engines == OCOPY_MAX_ENGINES)
			break;
		if (!oc_engine_candidate(id))
			continue;
		c->engines[c->nb_engines++] = id;
	}
}

/* rte_zmalloc_socket(), cache aligned, with a line naming what failed. */
static void *
oc_zalloc(const char *name, const char *what, size_t size, int socket_id)
{
	void *p = rte_zmalloc_socket(what, size, RTE_CACHE_LINE_SIZE,
			socket_id);

	if (p == NULL)
		OC_LOG(ERR, "%s: cannot allocate %s: %zu bytes on socket %d",
			name, what, size, socket_id);
	return p;
}

static int
oc_queue_init(struct ocopy *oc, uint16_t qid)
{
	struct ocopy_queue *q = &oc->queues[qid];
	const struct ocopy_conf *c = &oc->conf;
	uint64_t hz = rte_get_tsc_hz();
	int16_t node;
	uint16_t i;

	q->oc = oc;
	q->qid = qid;
	q->mask = c->queue_size - 1;
	q->policy = (uint8_t)c->policy;
	q->socket_id = (int16_t)c->socket_id;
	q->split_threshold = c->policy == OCOPY_POLICY_AUTO ?
			c->split_threshold : UINT32_MAX;
	q->depth_slack_q8 = (uint32_t)((uint64_t)c->depth_slack * 256 / 100);
	q->split_cpu_q16 = 65536 / 2;
	q->learn = !c->no_learn && c->policy == OCOPY_POLICY_AUTO;
	oc_adapt_init(q);	/* policy and split threshold, with cpu_help */
	/* Not learning: counting down from 0 wraps, it never samples. */
	q->cpu_sample_left = q->learn ? OC_CPU_SAMPLE_EVERY : 0;
	q->stall_cyc = hz / 1000000 * c->stall_us;
	q->reprobe_cyc = hz / 1000 * c->reprobe_ms;
	q->degrade_errors = c->degrade_errors;
	q->ops = oc_zalloc(oc->name, "ocopy_ops",
			sizeof(*q->ops) * c->queue_size, c->socket_id);
	if (q->ops == NULL)
		return -ENOMEM;
	q->deferred = oc_zalloc(oc->name, "ocopy_deferred",
			sizeof(*q->deferred) * c->queue_size, c->socket_id);
	if (q->deferred == NULL)
		return -ENOMEM;

	for (i = 0; i < oc->nb_engines; i++) {
		struct oc_engine *e = &oc->engines[i];
		struct ocopy_qengine *qe;

		if (qid >= e->nb_vchans)
			continue;
		qe = &q->qe[q->nb_qe++];
		qe->dev_id = e->dev_id;
		qe->vchan = qid;
		qe->engine = i;
		qe->max_inflight = e->ring_size;
		/*
		 * What an idle vchan takes between doorbells (read when the
		 * engine started): the ring, or less where the engine bounds
		 * a batch (Intel DSA). 0 from a driver that does not say: no
		 * bound known.
		 */
		qe->batch_room = e->batch != 0 ? e->batch : UINT32_MAX;
		qe->fifo_mask = rte_align32pow2(e->ring_size) - 1;
		qe->fifo = oc_zalloc(oc->name, "ocopy_fifo",
				sizeof(*qe->fifo) * (qe->fifo_mask + 1),
				c->socket_id);
		if (qe->fifo == NULL)
			return -ENOMEM;
		qe->socket_ok = e->socket_id < 0 || c->socket_id < 0 ||
				e->socket_id == c->socket_id;
		qe->node = e->socket_id;
		qe->fill_ok = (e->capa & RTE_DMA_CAPA_OPS_FILL) != 0;
	}
	/*
	 * Engines on two nodes or more, whatever their order and those of
	 * unknown node among them: each copy looks at its buffer's.
	 */
	for (i = 0, node = -1; i < q->nb_qe; i++) {
		if (q->qe[i].node < 0)
			continue;
		if (node >= 0 && q->qe[i].node != node)
			q->numa_pick = 1;
		node = q->qe[i].node;
	}
	q->node_cached = -1;
	return 0;
}

/* After calibration: copy the engines' figures into the queues. */
static void
oc_queue_policy(struct ocopy *oc, struct ocopy_queue *q)
{
	uint16_t i;

	q->cpu_op_cyc = oc->cpu_op_cycles;
	q->cpu_cyc_per_kib = oc->cpu_cyc_per_kib;
	for (i = 0; i < q->nb_qe; i++)
		q->qe[i].cyc_per_kib = oc->engines[q->qe[i].engine].cyc_per_kib;
	oc_queue_thresholds(q);
}

static void
oc_free(struct ocopy *oc)
{
	uint16_t qid, i;

	if (oc->queues != NULL) {
		for (qid = 0; qid < oc->nb_queues; qid++) {
			struct ocopy_queue *q = &oc->queues[qid];

			for (i = 0; i < q->nb_qe; i++)
				rte_free(q->qe[i].fifo);
			rte_free(q->ops);
			rte_free(q->deferred);
		}
		rte_free(oc->queues);
	}
	rte_free(oc);
}

struct ocopy *
ocopy_create(const struct ocopy_conf *conf)
{
	const char *name;
	struct ocopy *oc;
	uint16_t i;
	int ret;

	if (conf == NULL) {
		OC_LOG(ERR, "ocopy_create: no configuration (NULL)");
		rte_errno = EINVAL;
		return NULL;
	}
	name = conf->name != NULL ? conf->name : "ocopy";
	if (name[0] == '\0' || strlen(name) >= OCOPY_NAME_LEN) {
		OC_LOG(ERR, "instance name '%s': 1..%u characters", name,
			OCOPY_NAME_LEN - 1);
		rte_errno = EINVAL;
		return NULL;
	}
	oc = oc_zalloc(name, "ocopy", sizeof(*oc), SOCKET_ID_ANY);
	if (oc == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	rte_strlcpy(oc->name, name, sizeof(oc->name));
	oc->conf = *conf;
	oc->conf.name = oc->name;
	if (oc->conf.all_engines)
		oc_conf_all_engines(&oc->conf);
	ret = oc_conf_check(&oc->conf, name);
	if (ret < 0)
		goto free;
	if (oc->conf.nb_engines != 0 && oc->conf.policy != OCOPY_POLICY_CPU &&
			rte_eal_iova_mode() != RTE_IOVA_VA) {
		OC_LOG(ERR, "%s: engines need IOVA as VA: start EAL with --iova-mode=va",
			name);
		ret = -ENOTSUP;
		goto free;
	}

	/* On the list from now on, for its name; found only once made. */
	rte_spinlock_lock(&oc_instances_lock);
	if (oc_find_any(name) != NULL) {
		rte_spinlock_unlock(&oc_instances_lock);
		OC_LOG(ERR, "%s: an instance of that name exists", name);
		ret = -EEXIST;
		goto free;
	}
	TAILQ_INSERT_TAIL(&oc_instances, oc, next);
	rte_spinlock_unlock(&oc_instances_lock);

	oc->nb_queues = oc->conf.nb_queues;
	oc->nb_engines = oc->conf.nb_engines;
	for (i = 0; i < oc->nb_engines; i++)
		oc->engines[i].dev_id = oc->conf.engines[i];

	ret = oc_engines_setup(oc);
	if (ret < 0)
		goto stop;
	oc->queues = oc_zalloc(name, "ocopy_queues",
			sizeof(*oc->queues) * oc->nb_queues, oc->conf.socket_id);
	if (oc->queues == NULL) {
		ret = -ENOMEM;
		goto stop;
	}
	for (i = 0; i < oc->nb_queues; i++) {
		ret = oc_queue_init(oc, i);
		if (ret < 0)
			goto stop;
	}
	ret = oc_map_init(oc);
	if (ret < 0)
		goto stop;
	oc_calibrate(oc);
	for (i = 0; i < oc->nb_queues; i++)
		oc_queue_policy(oc, &oc->queues[i]);
	rte_spinlock_lock(&oc_instances_lock);
	oc->ready = true;
	rte_spinlock_unlock(&oc_instances_lock);
	OC_LOG(INFO, "%s: %u queues, %u engines, policy %s", name,
		oc->nb_queues, oc->nb_engines,
		oc->conf.policy == OCOPY_POLICY_AUTO ? "auto" :
		oc->conf.policy == OCOPY_POLICY_CPU ? "cpu" : "engine");
	return oc;

stop:
	oc_engines_stop(oc);
	rte_spinlock_lock(&oc_instances_lock);
	TAILQ_REMOVE(&oc_instances, oc, next);
	rte_spinlock_unlock(&oc_instances_lock);
free:
	oc_free(oc);
	rte_errno = -ret;
	return NULL;
}

void
ocopy_destroy(struct ocopy *oc)
{
	unsigned int left_started;
	uint64_t timeout_us;
	uint32_t removed;
	uint16_t qid;

	if (oc == NULL)
		return;
	/*
	 * Out of sight first: telemetry (which holds the lock while it reads
	 * an instance) and ocopy_find() no longer see it. Its name stays
	 * taken until it is gone.
	 */
	rte_spinlock_lock(&oc_instances_lock);
	oc->ready = false;
	rte_spinlock_unlock(&oc_instances_lock);
	/*
	 * Twice the stall time, plus 1 ms: what an engine has not finished
	 * by then (stalled, or behind a longer backlog) is aborted. An
	 * application that would wait longer drains its queues first
	 * (ocopy_queue_drain()).
	 */
	timeout_us = 2 * (uint64_t)oc->conf.stall_us + 1000;
	removed = oc_engines_removed(oc);
	for (qid = 0; qid < oc->nb_queues; qid++) {
		struct ocopy_queue *q = &oc->queues[qid];
		unsigned int round;

		/*
		 * What removed engines held first: gone with them (a stop may
		 * have run it, nothing can say), and a removed device is not
		 * to be polled (each call through its freed slot logs an
		 * error: some 900 lines at an rte_eal_cleanup() that removed
		 * the engines before the dma_offload device over them).
		 */
		if (removed != 0)
			oc_queue_abort_removed(q, removed);

		/*
		 * Callbacks of the aborted ops may submit: those ops are the
		 * queue's too (on the CPU, the engines being stuck: done at
		 * once). Again, up to OC_DESTROY_ROUNDS times.
		 */
		round = 0;
		do {
			if (ocopy_queue_drain(q, timeout_us) < 0)
				OC_LOG(WARNING, "%s: queue %u: %u ops never completed: reported as aborted",
					oc->name, qid, ocopy_queue_inflight(q));
			else
				/*
				 * Calibration's leftovers: reaped once the
				 * engine ran them, so it is stopped and the
				 * buffer they use freed.
				 */
				oc_queue_engines_done(q, timeout_us);
			oc_queue_abort(q, UINT32_MAX);
		} while (ocopy_queue_inflight(q) != 0 && ++round < OC_DESTROY_ROUNDS);
		if (ocopy_queue_inflight(q) != 0)
			OC_LOG(ERR, "%s: queue %u: callbacks still submitting after %u rounds of teardown: %u op(s) dropped without completion",
				oc->name, qid, OC_DESTROY_ROUNDS, ocopy_queue_inflight(q));
	}
	left_started = oc_engines_stop(oc);
	oc_map_fini(oc);
	rte_spinlock_lock(&oc_instances_lock);
	TAILQ_REMOVE(&oc_instances, oc, next);
	rte_spinlock_unlock(&oc_instances_lock);
	/*
	 * An engine left started (stuck) may still write the calibration
	 * buffer: keep it. Leftovers an engine ran since are no reason: it
	 * is stopped now.
	 */
	if (left_started == 0)
		rte_free(oc->calib_buf);
	oc_free(oc);
}

/* Any instance of that name, made or not. Callers hold oc_instances_lock. */
struct ocopy *
oc_find_any(const char *name)
{
	struct ocopy *oc;

	TAILQ_FOREACH(oc, &oc_instances, next)
		if (strcmp(oc->name, name) == 0)
			return oc;
	return NULL;
}

/* Callers hold oc_instances_lock, or accept a racy answer. */
struct ocopy *
ocopy_find(const char *name)
{
	struct ocopy *oc;

	if (name == NULL)
		return NULL;
	oc = oc_find_any(name);
	return oc != NULL && oc->ready ? oc : NULL;
}

/* The made instance after prev (NULL: the first). Under oc_instances_lock. */
struct ocopy *
oc_instance_next(struct ocopy *prev)
{
	struct ocopy *oc = prev == NULL ? TAILQ_FIRST(&oc_instances) :
			TAILQ_NEXT(prev, next);

	while (oc != NULL && !oc->ready)
		oc = TAILQ_NEXT(oc, next);
	return oc;
}

struct ocopy_queue *
ocopy_queue_get(struct ocopy *oc, uint16_t qid)
{
	if (oc == NULL || qid >= oc->nb_queues)
		return NULL;
	return &oc->queues[qid];
}

uint16_t
ocopy_queue_count(const struct ocopy *oc)
{
	return oc == NULL ? 0 : oc->nb_queues;
}

uint16_t
ocopy_engine_count(const struct ocopy *oc)
{
	return oc == NULL ? 0 : oc->nb_engines;
}

int
ocopy_engine_dev_id(const struct ocopy *oc, uint16_t idx)
{
	if (oc == NULL || idx >= oc->nb_engines)
		return -1;
	return oc->engines[idx].dev_id;
}

int
ocopy_engine_info_get(const struct ocopy *oc, uint16_t idx,
		struct ocopy_engine_info *info)
{
	const struct oc_engine *e;

	if (oc == NULL || info == NULL || idx >= oc->nb_engines)
		return -EINVAL;
	e = &oc->engines[idx];
	info->dev_id = e->dev_id;
	info->name = e->name;
	info->nb_vchans = e->nb_vchans;
	info->ring_size = e->ring_size;
	info->threshold = e->threshold;
	info->op_cycles = e->op_cycles;
	info->cyc_per_kib = e->cyc_per_kib;
	info->calibrated = e->calibrated;
	info->numa_node = e->socket_id;
	info->batch = e->batch;
	return 0;
}
