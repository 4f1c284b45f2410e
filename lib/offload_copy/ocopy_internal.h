/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

#ifndef OCOPY_INTERNAL_H
#define OCOPY_INTERNAL_H

/*
 * Cross-file internals of lib/offload_copy. Names here use the oc_ prefix,
 * never the public ocopy_ one.
 */

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/queue.h>

#include <rte_log.h>

#include "ocopy.h"

extern int oc_logtype;
#define OC_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, oc_logtype, "offload_copy: " fmt "\n", \
		##__VA_ARGS__)

#define OC_DEFAULT_QUEUE_SIZE	1024
/* Teardown rounds (drain, abort) for ops that callbacks submit meanwhile. */
#define OC_DESTROY_ROUNDS	8
#define OC_DEFAULT_RING_SIZE	1024
#define OC_DEFAULT_SPLIT	(256 * 1024)
#define OC_DEFAULT_SLACK	1000
#define OC_DEFAULT_STALL_US	10000
#define OC_DEFAULT_DEGRADE	4
#define OC_DEFAULT_REPROBE_MS	100
/*
 * Online rates: one CPU copy in OC_CPU_SAMPLE_EVERY that the policy sends
 * to the CPU (from half the smallest engine threshold up) is timed; engine
 * completions are timed while the engine still has work queued. Each
 * OC_LEARN_WINDOW bytes of samples are folded into the rate with weight
 * 1/OC_LEARN_WEIGHT.
 */
#define OC_CPU_SAMPLE_EVERY	16
#define OC_LEARN_WINDOW		(64 * 1024)
#define OC_LEARN_WEIGHT		4
#define OC_LEARN_OUTLIER	16
#define OC_LEARN_OUTLIER_RUN	4
/* Largest rate ocopy_queue_rates_set() takes: 1 MiB/s at 4 GHz. */
#define OC_RATE_MAX		(4000000u)
/* Calibration: its buffer holds a source and a destination of this size. */
#define OC_CAL_LARGE		(64 * 1024)
#define OC_CAL_BUF		(2 * OC_CAL_LARGE)
/* The per-op cost of each path is measured on ops of this size. */
#define OC_PATH_LEN		64
/* Engine thresholds when calibration cannot run. */
#define OC_FALLBACK_THRESHOLD	2048

struct rte_device;
struct oc_map_state;

/* One dmadev the instance drives. */
struct oc_engine {
	int16_t dev_id;
	int16_t socket_id;
	uint16_t nb_vchans;	/* = min(nb_queues, max_vchans) */
	uint16_t ring_size;
	uint16_t batch;		/* rte_dma_burst_capacity() once started */
	uint16_t max_sges;
	uint64_t capa;
	bool started;
	bool calibrated;
	uint32_t threshold;
	uint32_t op_cycles;	/* per op through the library (engine path) */
	uint32_t raw_op_cycles;	/* ... with rte_dma_* alone */
	uint32_t cyc_per_kib;
	char name[64];
	/* Device for rte_dev_dma_map(); NULL when none was found. */
	struct rte_device *dev;
};

struct ocopy {
	char name[OCOPY_NAME_LEN];
	struct ocopy_conf conf;		/* as given, defaults applied */
	uint16_t nb_engines;
	uint16_t nb_queues;
	struct oc_engine engines[OCOPY_MAX_ENGINES];
	struct ocopy_queue *queues;	/* nb_queues, cache aligned */
	struct oc_map_state *map;	/* ocopy_map.c */
	uint32_t cpu_op_cycles;		/* the CPU's copy cost (calibrated) */
	uint32_t cpu_cyc_per_kib;
	uint32_t cpu_path_cycles;	/* a 64-byte op on the library's CPU path */
	bool calib_leftover;		/* calibration ops left on a stalled engine */
	void *calib_buf;		/* ... and the buffer they use (freed at
					 * destroy unless an engine is left
					 * started: it may still write there) */
	bool ready;			/* made: ocopy_find() and telemetry see it
					 * (set and cleared under oc_instances_lock;
					 * on the list before, for its name) */
	TAILQ_ENTRY(ocopy) next;	/* instance list (telemetry, find) */
};

/*
 * Ops in a queue's ring that its lcore may be running (dump, telemetry):
 * tail read first, then head; head only grows and tail never passes it,
 * so the difference cannot wrap (read the other way, a tail that moved
 * past a stale head gave some 4.29 billion). A reader held up between the
 * two reads sees ops that came and went meanwhile: read again, and at
 * most the ring's size. *plain: those without a slot, clamped (the
 * recorded range is read apart).
 */
static inline uint32_t
oc_queue_ring_ops(const struct ocopy_queue *q, uint32_t *plain)
{
	uint32_t tail, head, n, rec, tries = 0;

	do {
		tail = __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE);
		head = __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);
		n = head - tail;
	} while (n > q->mask + 1 && ++tries < 4);
	n = RTE_MIN(n, q->mask + 1);
	rec = q->rec_end - q->rec_start;
	if (plain != NULL)
		*plain = rec > n ? 0 : n - rec;
	return n;
}

/* ocopy_engine.c: configure, start, stop the engines. */
int oc_engines_setup(struct ocopy *oc);
/* engines=all: whether dmadev id is one to take (not a dma_offload device). */
bool oc_engine_candidate(int16_t id);
unsigned int oc_engines_stop(struct ocopy *oc);
uint32_t oc_engines_removed(const struct ocopy *oc);

/* ocopy_policy.c: per-engine threshold and rates; the CPU's rate. */
void oc_calibrate(struct ocopy *oc);
void oc_cpu_rate(uint32_t *op_cycles, uint32_t *cyc_per_kib);

/* ocopy_map.c: memory registrations and IOMMU mappings. */
int oc_map_init(struct ocopy *oc);
/* Unmap and free every registration still held. */
void oc_map_fini(struct ocopy *oc);
/* Lines for ocopy_dump(). */
void oc_map_dump(const struct ocopy *oc, FILE *f);
/*
 * Whether engine e is still the device the instance set up: its dmadev id
 * names it, and its struct rte_device is the one found at create. An
 * application may remove an engine (rte_vdev_uninit()) under an instance,
 * and another device may then take its id: neither is to be touched.
 */
bool oc_engine_present(const struct oc_engine *e);

/*
 * ocopy_policy.c: n ops of len bytes that calibration left on queue 0's
 * engine qe (it stopped answering): queue 0 reaps and ignores their
 * completions (ocopy_qengine.leftovers).
 */
void oc_calib_leftovers(struct ocopy *oc, struct ocopy_qengine *qe,
		uint32_t n, uint32_t len);

/*
 * Fold a window of samples into a rate (cycles per KiB). A window far off
 * the rate (more than OC_LEARN_OUTLIER times slower or faster: the thread
 * was preempted, an interrupt) is dropped; others count for at most twice
 * or half the rate, so one odd window moves it by a quarter at most.
 * Outliers are isolated events: OC_LEARN_OUTLIER_RUN windows in a row that
 * far off say the rate itself is wrong (a calibration preempted, a rate
 * set from another machine), and the last of them replaces it. The mean
 * rounds toward the sample: rounded down, a rate below its true value by
 * less than OC_LEARN_WEIGHT never rose (16 stayed 16 against 19, 1 stayed
 * 1 against 15).
 */
static inline uint32_t
oc_rate_fold(uint32_t rate, uint64_t cyc, uint64_t bytes, uint8_t *outliers)
{
	uint64_t sample, r = RTE_MAX(rate, 1u);

	if (bytes == 0)
		return rate;
	sample = RTE_MAX(cyc * 1024 / bytes, (uint64_t)1);
	if (sample > r * OC_LEARN_OUTLIER || sample * OC_LEARN_OUTLIER < r) {
		if (++*outliers < OC_LEARN_OUTLIER_RUN)
			return rate;
		*outliers = 0;
		return (uint32_t)RTE_MIN(sample, (uint64_t)OC_RATE_MAX);
	}
	*outliers = 0;
	sample = RTE_MIN(RTE_MAX(sample, r / 2), r * 2);
	return (uint32_t)RTE_MIN((r * (OC_LEARN_WEIGHT - 1) + sample +
			(sample > r ? OC_LEARN_WEIGHT - 1 : 0)) / OC_LEARN_WEIGHT,
			(uint64_t)OC_RATE_MAX);
}

/* Whether v moved from ref by the ratio num/den (> 1) or more, either way. */
static inline bool
oc_moved(uint64_t v, uint64_t ref, uint64_t num, uint64_t den)
{
	return v * den >= ref * num || v * num <= ref * den;
}

/*
 * Whether a learned rate moved from old by an eighth or more: only then
 * is the update logged (debug level). Windows close thousands of times a
 * second; a line for each cost the placements that use an engine half
 * their throughput, enough to change which one the queue keeps.
 */
static inline bool
oc_rate_moved(uint32_t old, uint32_t rate)
{
	return oc_moved(rate, old, 9, 8);
}
/* ocopy_policy.c: re-derive the queue's engine thresholds from its rates. */
void oc_queue_thresholds(struct ocopy_queue *q);

/*
 * ocopy_map.c: the node of the registered segment holding va, and its
 * range: 0, or -ENOENT (not registered) / -EBUSY (tables being changed).
 */
int oc_map_node(struct ocopy *oc, uintptr_t va, uintptr_t *lo, size_t *len,
		int *node);

/*
 * ocopy_adapt.c: where a queue places its copies (cpu_help=auto).
 * oc_adapt_epoch(): the placement (enum ocopy_placement) after an epoch
 * that moved bytes in cyc cycles (pure: the unit test drives it);
 * oc_adapt_tick(): from oc_reap().
 */
uint8_t oc_adapt_epoch(struct oc_adapt *a, uint64_t bytes, uint64_t cyc);
/* The controller's state for cpu_help, before its first epoch (pure). */
void oc_adapt_reset(struct oc_adapt *a, enum ocopy_cpu_help cpu_help);
void oc_adapt_init(struct ocopy_queue *q);
/* After ocopy_stats_reset(): the phase marks are stale. */
void oc_adapt_restart(struct ocopy_queue *q);
void oc_adapt_tick(struct ocopy_queue *q, uint64_t now);
/* The same, when no engine works: once per OC_ADAPT_TICK_BYTES moved. */
void oc_adapt_tick_idle(struct ocopy_queue *q);

/*
 * ocopy_path_cost.c: the submitter's cycles per 64-byte op through the
 * library, on engine idx's path and on the CPU path (buf: OC_CAL_BUF
 * bytes, registered). 0, or -errno.
 */
int oc_path_cost_engine(struct ocopy *oc, uint16_t idx, uint8_t *buf,
		uint32_t *cycles);
int oc_path_cost_cpu(struct ocopy *oc, uint8_t *buf, uint32_t *cycles);

/* ocopy_numa.c: the node [va, va + len) lies on, or -1 (unknown, mixed). */
int oc_va_node(uintptr_t va, size_t len);

/* ocopy_stats.c: "ok", "stalled", ... */
const char *oc_health_name(uint8_t h);

/* ocopy_fp.c: out-of-line fast path. */
void oc_reap(struct ocopy_queue *q);
void oc_queue_abort(struct ocopy_queue *q, uint32_t engines);
void oc_queue_abort_removed(struct ocopy_queue *q, uint32_t engines);
bool oc_queue_engines_done(struct ocopy_queue *q, uint64_t timeout_us);

/* ocopy.c: instance list, for telemetry (hold the lock while using one). */
#include <rte_spinlock.h>
extern rte_spinlock_t oc_instances_lock;
struct ocopy *oc_instance_next(struct ocopy *prev);
struct ocopy *oc_find_any(const char *name);

#endif /* OCOPY_INTERNAL_H */
