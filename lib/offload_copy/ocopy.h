/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

#ifndef OCOPY_H
#define OCOPY_H

/**
 * @file
 * offload_copy: one asynchronous copy call that picks a DMA engine or the
 * CPU for each copy.
 *
 * Model:
 *
 *   lcore 0 ── queue 0 ──┬── vchan 0 ── engine A (any dmadev)
 *                        └── vchan 0 ── engine B
 *   lcore 1 ── queue 1 ──┬── vchan 1 ── engine A
 *                        └── vchan 1 ── engine B
 *
 * An instance (struct ocopy) owns the engines it was given: it configures
 * them with one vchan per queue, starts them at ocopy_create() and stops
 * them at ocopy_destroy(). Each queue belongs to one lcore at a time; the
 * fast-path calls on a queue are not thread-safe (like a dmadev vchan),
 * different queues need no locking.
 *
 * Call order on a queue:
 *   ocopy_copy() / ocopy_fill() / ocopy_copy_sg() ... (accepted: an index)
 *   ocopy_flush()            one doorbell per engine for the whole burst
 *   ocopy_poll()             reap engine completions, call callbacks
 *
 * Guarantees:
 *   - every accepted op gets exactly one completion (callback, or a status
 *     from ocopy_completed_status()), with an rte_dma_status_code;
 *   - completions are delivered in submission order on a queue, whichever
 *     path (CPU, engine, split) each op took;
 *   - an op with OCOPY_F_FENCE starts only after every older op of its
 *     queue has completed (successfully or not; behind ops aborted at
 *     teardown it is not attempted: RTE_DMA_STATUS_NOT_ATTEMPTED);
 *   - a refused op (negative return) was not accepted: no completion.
 *
 * Addresses are virtual addresses: engines are used with IOVA as VA
 * (EAL --iova-mode=va). Memory an engine touches must be registered with
 * ocopy_mem_register*() so every engine that needs an IOMMU mapping has it.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_dmadev.h>

#include "ocopy_core.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * DPDK 22.11 marks the dmadev fast path (rte_dma_copy(), rte_dma_fill(),
 * rte_dma_submit()) experimental: without ALLOW_EXPERIMENTAL_API, each
 * call warns, an error under -Werror. The inline fast path below calls it
 * for the application, which should not have to opt in to all of DPDK's
 * experimental API to include this header: the warning is off within it
 * (the application's own rte_dma_*() calls still warn). What it means
 * still holds: an application built with this header depends on that
 * release's dmadev fast path, as liboffload_copy does (rebuild both
 * against a new DPDK).
 */
#ifndef ALLOW_EXPERIMENTAL_API
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif

/** How each copy is placed. */
enum ocopy_policy {
	OCOPY_POLICY_AUTO = 0,	/**< by size, engine backlog and health */
	OCOPY_POLICY_CPU,	/**< always the CPU (a baseline) */
	OCOPY_POLICY_ENGINE,	/**< an engine whenever one accepts, whatever the size */
};

/** Whether the CPU may take copies a busy engine could take (auto policy). */
enum ocopy_cpu_help {
	OCOPY_CPU_HELP_AUTO = 0,	/**< while it raises what the queue moves (measured) */
	OCOPY_CPU_HELP_ON,		/**< by the backlog rule and splits, always */
	OCOPY_CPU_HELP_OFF,		/**< never: only what no engine can take */
};

/**
 * Where a queue places its copies now (ocopy_queue_rates.placement), from
 * the fewest copies on the submitting core to all of them. The auto policy
 * with cpu_help=off places by threshold, with cpu_help=on with CPU help;
 * with cpu_help=auto it measures the queue under each placement in turn
 * and keeps the one that moves the most bytes.
 */
enum ocopy_placement {
	OCOPY_PLACE_ENGINES = 0,	/**< engines take every copy they accept */
	OCOPY_PLACE_THRESHOLD,		/**< engines from their threshold on */
	OCOPY_PLACE_HELP,		/**< by threshold, and the CPU helps busy
					 * engines (backlog rule, splits) */
	OCOPY_PLACE_CPU,		/**< the CPU copies everything */
	OCOPY_PLACE_MAX
};

/** Op flags. FENCE and FLUSH have rte_dma_op flag values. */
#define OCOPY_F_FENCE	RTE_DMA_OP_FLAG_FENCE	/**< start after all older ops completed */
#define OCOPY_F_FLUSH	RTE_DMA_OP_FLAG_SUBMIT	/**< ring the doorbell now */
#define OCOPY_F_CPU	RTE_BIT64(8)		/**< run on the CPU */
/** Every op flag: others are refused (-EINVAL). */
#define OCOPY_F_MASK	(OCOPY_F_FENCE | OCOPY_F_FLUSH | OCOPY_F_CPU)

#define OCOPY_QUEUE_SIZE_MAX	32768	/**< op ring indexes fit 16 bits, as dmadev's */
/**
 * The longest op, in bytes: UINT32_MAX marks thresholds that are off
 * (split=off, the CPU policy), which a copy of that length would cross.
 */
#define OCOPY_MAX_LEN		(UINT32_MAX - 1)
#define OCOPY_MAX_QUEUES	64	/**< queues of an instance (conf.nb_queues) */
#define OCOPY_NAME_LEN		32	/**< an instance's name, NUL included */
/**
 * Room for any string ocopy_conf_format() writes, NUL included: every
 * engine by its longest dmadev name with "\@node" and a separator, every
 * other key at its longest value.
 */
#define OCOPY_CONF_STR_LEN	(OCOPY_MAX_ENGINES * (RTE_DEV_NAME_MAX_LEN + 8) + 256)

/** Instance configuration. Zero means "default" for every numeric field. */
struct ocopy_conf {
	const char *name;		/**< unique; telemetry and logs ("ocopy" if NULL) */
	uint16_t nb_engines;		/**< entries of engines[] */
	int16_t engines[OCOPY_MAX_ENGINES];	/**< dmadev ids */
	bool all_engines;		/**< every dmadev but dma_offload ones;
					 * those started by someone else (their
					 * configure says EBUSY) are left out,
					 * then the first OCOPY_MAX_ENGINES by
					 * id are taken (a warning counts the
					 * rest) */
	uint16_t nb_queues;		/**< one per lcore using the instance, >= 1 */
	uint32_t queue_size;		/**< ops in flight per queue, power of 2 (1024) */
	uint16_t ring_size;		/**< descriptors per vchan, clamped to the
					 * engine's range (1024) */
	enum ocopy_policy policy;	/**< how each copy is placed (auto) */
	int socket_id;			/**< memory of the queues, a node EAL knows
					 * (SOCKET_ID_ANY: 0 is socket 0!) */
	uint32_t threshold;		/**< engine from this size on; 0: calibrated at create */
	uint32_t split_threshold;	/**< split copies from this size on
					 * (256 KiB); UINT32_MAX: never */
	uint32_t depth_slack;		/**< percent: engine while it finishes no
					 * later than the CPU x slack (1000) */
	uint32_t stall_us;		/**< no progress this long with work in
					 * flight: stalled (10000) */
	uint32_t degrade_errors;	/**< consecutive errors that degrade an engine (4) */
	uint32_t reprobe_ms;		/**< a degraded engine is tried again after this (100) */
	bool no_learn;			/**< keep the calibrated rates (learn=off); default:
					 * each queue learns the CPU's and engines' rates
					 * from its own copies */
	enum ocopy_cpu_help cpu_help;	/**< auto policy: cpu_help=auto|on|off (auto) */
	uint32_t engine_node_set;	/**< bit i: engine_node[i] gives engines[i]'s
					 * NUMA node (engines=name\@node); otherwise
					 * its driver's (rte_dma_info.numa_node) */
	int16_t engine_node[OCOPY_MAX_ENGINES];	/**< see engine_node_set */
};

/**
 * Fill a configuration from a string of key=value pairs, separated by
 * commas, on top of what conf holds:
 *
 *     engines=NAME_OR_ID[\@NODE][:NAME_OR_ID[\@NODE]...] | all
 *     queues=N  queue_size=N  ring_size=N  policy=auto|cpu|engine
 *     threshold=BYTES  split=BYTES|off  slack=PERCENT
 *     stall_us=N  degrade_errors=N  reprobe_ms=N  socket=N
 *     learn=on|off  cpu_help=auto|on|off
 *
 * EAL must be initialised (engine names are resolved to dmadev ids).
 * A key given twice, an empty item and an empty engine are errors.
 *
 * @return 0, or -EINVAL with a log line naming the key (conf unchanged).
 */
int ocopy_conf_parse(struct ocopy_conf *conf, const char *args);

/**
 * Write a configuration as the string ocopy_conf_parse() reads back into
 * the same configuration (name aside): the engines by dmadev name (and
 * \@node where given), queues, policy, cpu_help and learn always, every
 * other key where its field is not 0 (the default). An instance's own
 * configuration (ocopy_dump()) has its defaults filled in.
 * @return the string's length; -EINVAL for a NULL conf, a NULL buf with a
 *   size, or an enum out of range; -ENOSPC when size is too small (buf then
 *   holds as much as fits, NUL-terminated). OCOPY_CONF_STR_LEN is always
 *   enough.
 */
int ocopy_conf_format(const struct ocopy_conf *conf, char *buf, size_t size);

/**
 * The configuration string's word for a policy ("auto", "cpu", "engine"),
 * or "unknown" for a value outside the enum.
 */
const char *ocopy_policy_name(enum ocopy_policy policy);

/** The same for cpu_help ("auto", "on", "off"). */
const char *ocopy_cpu_help_name(enum ocopy_cpu_help help);

/** A placement's name: "engines", "threshold", "help", "cpu". */
const char *ocopy_placement_name(enum ocopy_placement place);

/** Set every field of conf to its default (no engines, one queue). */
void ocopy_conf_init(struct ocopy_conf *conf);

/**
 * Create an instance: check, configure and start the engines, calibrate
 * them (the auto policy, unless conf->threshold is set), allocate the
 * queues.
 *
 * @return the instance, or NULL with rte_errno set (EINVAL: bad
 *   configuration; EBUSY: an engine is in use, or was left started by an
 *   ocopy_destroy() that gave up on it: rte_dma_stop() it once it moves
 *   again; ENOTSUP: engines with IOVA as PA, unless the policy is cpu;
 *   EEXIST: name taken; ENOMEM).
 */
struct ocopy *ocopy_create(const struct ocopy_conf *conf);

/**
 * Drain every queue (for twice the stall time, plus 1 ms), deliver what
 * is left with RTE_DMA_STATUS_USER_ABORT, stop the engines, undo every
 * mapping and free the instance. Call it with no lcore using the queues.
 * NULL is a no-op. To wait longer for engines with a long backlog, drain
 * the queues first (ocopy_queue_drain()).
 *
 * An engine that never finished is left started (stopping it could wait
 * forever), and still holds the aborted ops: should it resume, it runs
 * them. Undoing the mappings stops it where it honours them (an IOMMU,
 * dma_sw's strict domain); elsewhere keep the aborted ops' buffers until
 * that engine is stopped (rte_dma_stop(), which also frees it for a new
 * instance).
 *
 * Callbacks may submit on their queue meanwhile, aborted ones too: those
 * ops are drained (or aborted) as well, in up to 8 rounds, on the CPU or
 * on engines that finished (an engine whose ops were aborted takes no
 * more); past that, a callback still submitting has its ops dropped,
 * logged as an error.
 */
void ocopy_destroy(struct ocopy *oc);

/**
 * The instance named name, or NULL. One being made (in ocopy_create()) or
 * destroyed is not found, nor shown by telemetry; its name stays taken.
 */
struct ocopy *ocopy_find(const char *name);

/** Queue qid of the instance (NULL if out of range). */
struct ocopy_queue *ocopy_queue_get(struct ocopy *oc, uint16_t qid);

/** The instance's number of queues (conf.queues), 0 for NULL. */
uint16_t ocopy_queue_count(const struct ocopy *oc);
/** The instance's number of engines, 0 for NULL. */
uint16_t ocopy_engine_count(const struct ocopy *oc);
/** dmadev id of the instance's engine idx, or -1. */
int ocopy_engine_dev_id(const struct ocopy *oc, uint16_t idx);

/** Engine properties as measured (or configured). */
struct ocopy_engine_info {
	int16_t dev_id;		/**< its dmadev id */
	const char *name;	/**< its dmadev name */
	uint16_t nb_vchans;	/**< vchans configured: one per queue it serves */
	uint16_t ring_size;	/**< descriptors per vchan */
	uint32_t threshold;	/**< engine from this size on */
	uint32_t op_cycles;	/**< submitter cycles per 64-byte op through the
				 * library's engine path (calibration) */
	uint32_t cyc_per_kib;	/**< engine time per KiB (calibration) */
	bool calibrated;	/**< threshold and costs measured at create */
	int numa_node;		/**< engines=name\@node, else the driver's; -1: unknown */
	uint16_t batch;		/**< ops it takes between doorbells: its idle
				 * vchan's rte_dma_burst_capacity(), below
				 * ring_size where it bounds a batch (Intel
				 * DSA's max_batch_size); 0: not reported */
};
/** Engine idx's properties into *info. @return 0, or -EINVAL (NULL, idx out of range). */
int ocopy_engine_info_get(const struct ocopy *oc, uint16_t idx,
		struct ocopy_engine_info *info);

/**
 * The rates a queue decides with, in cycles per KiB: calibrated at
 * create, then learned from the queue's own copies (unless learn=off):
 * the CPU's from timed samples of its copies, each engine's from its
 * completions while it had work queued. Each engine's threshold follows
 * the CPU's rate (unless the configuration sets threshold=).
 */
struct ocopy_queue_rates {
	uint32_t cpu_cyc_per_kib;	/**< the CPU's copy rate */
	uint16_t nb_engines;	/**< entries of the engine arrays, by engine index */
	uint32_t engine_cyc_per_kib[OCOPY_MAX_ENGINES];	/**< 0: the queue has no vchan there */
	uint64_t cpu_samples;	/**< timed CPU copies so far */
	uint64_t engine_samples[OCOPY_MAX_ENGINES];	/**< completion windows used */
	uint32_t engine_threshold[OCOPY_MAX_ENGINES];	/**< the queue's current
							 * thresholds (get only) */
	/* cpu_help (get only): whether the CPU helps busy engines now, and
	 * where the queue places its copies. With cpu_help=auto what was
	 * measured: epochs (and those set aside, the traffic having paused
	 * in them), placement changes kept after a probe, and the
	 * queue's bytes per million TSC cycles last seen under each placement
	 * (0: not measured yet); epochs of the kept placement before the next
	 * probe of another (0: probing now; probes back off while the
	 * kept placement wins them).
	 */
	bool cpu_help;			/**< the CPU helps busy engines now */
	enum ocopy_placement placement;	/**< where the queue places copies now */
	uint64_t help_epochs;		/**< epochs measured (cpu_help=auto) */
	uint64_t help_changes;		/**< placement changes kept after a probe */
	uint64_t help_set_aside;	/**< epochs set aside: under half the kept
					 * placement's mean (the traffic paused),
					 * or a kept one over twice it */
	uint64_t engines_bytes_per_mcyc;	/**< OCOPY_PLACE_ENGINES */
	uint64_t alone_bytes_per_mcyc;	/**< by threshold (OCOPY_PLACE_THRESHOLD) */
	uint64_t help_bytes_per_mcyc;	/**< OCOPY_PLACE_HELP */
	uint64_t cpu_bytes_per_mcyc;	/**< OCOPY_PLACE_CPU */
	uint32_t help_probe_in;		/**< kept epochs before the next probe */
	/** The placement kept between probes: placement, but while a probe
	 * tries another one (help_probe_in 0), the one it returns to.
	 */
	enum ocopy_placement placement_kept;
};
/** A queue's rates, thresholds and placement now. @return 0, or -EINVAL (NULL). */
int ocopy_queue_rates_get(const struct ocopy_queue *q, struct ocopy_queue_rates *r);

/**
 * Set the rates a queue decides with, e.g. those ocopy_queue_rates_get()
 * gave at the end of an earlier run, to start from where it left off; the
 * thresholds are derived again from the CPU's rate. Learning (learn=on)
 * goes on from these figures. Call it from the lcore that uses the queue,
 * or while no lcore does.
 *
 * @param q
 *   The queue.
 * @param r
 *   nb_engines must be the instance's engine count; cpu_cyc_per_kib
 *   1..4000000; each engine_cyc_per_kib 0 (keep the queue's) or
 *   1..4000000. Samples and thresholds are ignored.
 * @return 0, or -EINVAL with a log line (the queue unchanged).
 */
int ocopy_queue_rates_set(struct ocopy_queue *q, const struct ocopy_queue_rates *r);

/**
 * Wait until every op accepted on the queue is delivered, polling it, or
 * until timeout_us passes. Ops its callbacks submit meanwhile are waited
 * for too: the stage is handed over and the engines rung at each round.
 * @return 0, or -ETIMEDOUT (ops left in flight).
 */
int ocopy_queue_drain(struct ocopy_queue *q, uint64_t timeout_us);

/* ---- statistics ---------------------------------------------------- */

/** Sum of the queue counters of the instance. */
int ocopy_stats_get(const struct ocopy *oc, struct ocopy_queue_stats *st);
/** The counters of one queue. @return 0, or -EINVAL (NULL). */
int ocopy_queue_stats_get(const struct ocopy_queue *q, struct ocopy_queue_stats *st);
/** Counters of one engine, summed over the queues. */
int ocopy_engine_stats_get(const struct ocopy *oc, uint16_t idx,
		struct ocopy_qengine_stats *st);
/**
 * Reset the queues' and engines' counters (not the map counters of
 * ocopy_map_stats_get(), which count the instance's lifetime). Call while
 * the queues are idle, nothing in flight (ocopy_queue_drain()).
 * @return 0, or -EINVAL (NULL), -EBUSY (a queue has ops in flight:
 *   nothing reset).
 */
int ocopy_stats_reset(struct ocopy *oc);
/** Print the instance: engines, thresholds, health, counters, mappings. */
int ocopy_dump(const struct ocopy *oc, FILE *f);

/* ---- memory registration and IOMMU mappings ------------------------ */

/** Mapping counters of one engine device (each call is a trap under a hypervisor). */
struct ocopy_map_stats {
	uint64_t maps;		/**< successful rte_dev_dma_map() calls */
	uint64_t unmaps;	/**< successful rte_dev_dma_unmap() calls */
	uint64_t errors;	/**< failed map or unmap calls */
	uint64_t mapped_bytes;	/**< currently mapped */
	uint32_t segments;	/**< currently mapped segments */
	bool needs_map;		/**< false: the device has no dma_map (nothing to do) */
};

/**
 * Register [addr, addr + len) for DMA with every engine: EAL memory or
 * memory already registered with rte_extmem_register(). Ranges contiguous
 * in VA and IOVA are mapped as one segment; parts already mapped by another
 * registration are shared (reference counted), never mapped twice.
 *
 * @return a registration id (>= 0) for ocopy_mem_unregister(), or -errno.
 */
int ocopy_mem_register(struct ocopy *oc, void *addr, size_t len);

struct rte_mempool;
/** Register every memory chunk of a mempool (coalesced). @return id or -errno. */
int ocopy_mem_register_mempool(struct ocopy *oc, struct rte_mempool *mp);

/**
 * Register external memory (e.g. a vhost guest region): registers it with
 * rte_extmem_register() if it is not yet (IOVA = VA), then maps it.
 * Unregistering undoes the rte_extmem_register() it did.
 * @return id or -errno.
 */
int ocopy_mem_register_external(struct ocopy *oc, void *addr, size_t len,
		size_t page_sz);

/**
 * Undo one registration: unmap exactly the segments no other registration
 * still uses. No op in flight may use the memory (ocopy_queue_drain()).
 * Ids are unique in the process: another instance's id is unknown here.
 * @return 0, or -ENOENT (unknown id).
 */
int ocopy_mem_unregister(struct ocopy *oc, int reg_id);

/**
 * Engine engine_idx's map and unmap calls and what they cover.
 * @return 0, or -EINVAL (NULL, engine_idx out of range).
 */
int ocopy_map_stats_get(const struct ocopy *oc, uint16_t engine_idx,
		struct ocopy_map_stats *st);

/* ---- fast path ----------------------------------------------------- */

/** Most segments on either side of ocopy_copy_sg(). */
#define OCOPY_MAX_SGES	64

/** Scatter-gather element: a virtual address and a length. */
struct ocopy_sge {
	void *addr;	/**< virtual address of the segment */
	uint32_t len;	/**< its length in bytes */
};

/* Out-of-line parts of the fast path (not to be called directly). */
int oc_submit_slow(struct ocopy_queue *q, void *dst, const void *src,
		uint64_t pattern, uint32_t len, ocopy_cb_t cb, void *arg,
		uint64_t flags);
bool oc_qe_usable(struct ocopy_queue *q, struct ocopy_qengine *qe);
void oc_cpu_fill(void *dst, uint64_t pattern, uint32_t len);

int oc_cpu_copy_timed(struct ocopy_queue *q, uint32_t slot, void *dst,
		const void *src, uint32_t len, ocopy_cb_t cb, void *arg);
void oc_doorbells_before_cpu(struct ocopy_queue *q);
bool oc_qe_batch_renew(struct ocopy_queue *q, struct ocopy_qengine *qe);
void oc_rec_extend(struct ocopy_queue *q, uint32_t slot);
void oc_stage_flush(struct ocopy_queue *q);

/*
 * Before any other submission, and before a doorbell or a completion
 * call: the staged plain copies go first, in the order they were given.
 */
static __rte_always_inline void
oc_stage_hand_over(struct ocopy_queue *q)
{
	if (unlikely(q->nb_staged != 0))
		oc_stage_flush(q);
}

/* Is op slot s recorded, the recorded ops being [rs, re) (ocopy_core.h)? */
static __rte_always_inline bool
oc_in_rec(uint32_t s, uint32_t rs, uint32_t re)
{
	return s - rs < re - rs;
}

/*
 * Op slot (the head) is to be recorded: the recorded ops end there, or
 * start there when there are none; else the plain ops between them and
 * it get slots first (out of line: a recorded op behind recorded ops
 * still in flight, with plain ones between).
 */
static __rte_always_inline void
oc_rec_open(struct ocopy_queue *q, uint32_t slot)
{
	if (q->rec_end == slot) {
		q->rec_end = slot + 1;
	} else if (q->rec_start == q->rec_end) {
		q->rec_start = slot;
		q->rec_end = slot + 1;
	} else {
		oc_rec_extend(q, slot);
	}
}

/*
 * Whether the engine takes one more op before its next doorbell: its
 * batch (qe->batch_room) not full, or rung and renewed (ocopy_fp.c).
 */
static __rte_always_inline bool
oc_qe_batch_ok(struct ocopy_queue *q, struct ocopy_qengine *qe)
{
	return likely(qe->unsubmitted < qe->batch_room) ||
			oc_qe_batch_renew(q, qe);
}

/*
 * The CPU's copy. From 16 to 64 bytes, two overlapping moves of 16 or 32
 * bytes, inline: no call and no size dispatch, the cost of a plain burst
 * of 64-byte copies comes to that of a loop of memcpy() calls
 * (bench_ocopy_overhead). Other sizes: libc's memcpy(), which glibc picks
 * at run time for this CPU (AVX-512, AVX2, ERMS). rte_memcpy() is
 * compiled for the build's -march, corei7 (SSE) with Debian's DPDK, and
 * is slower from a few hundred bytes up (see the programmer's guide).
 */
static __rte_always_inline void
oc_cpu_copy(void *dst, const void *src, uint32_t len)
{
	uint8_t *d = (uint8_t *)dst;
	const uint8_t *s = (const uint8_t *)src;

	if (len - 16 <= 64 - 16) {	/* 16 <= len <= 64, one comparison */
		if (len <= 32) {
			memcpy(d, s, 16);
			memcpy(d + len - 16, s + len - 16, 16);
		} else {
			memcpy(d, s, 32);
			memcpy(d + len - 32, s + len - 32, 32);
		}
		return;
	}
	memcpy(dst, src, len);
}

int16_t oc_buf_node_lookup(struct ocopy_queue *q, uintptr_t va);

/* The NUMA node of the buffer at p, or -1 if unknown (ocopy_numa.c). */
static __rte_always_inline int16_t
oc_buf_node(struct ocopy_queue *q, const void *p)
{
	uintptr_t va = (uintptr_t)p;

	if (likely(va - q->node_lo < q->node_len))
		return q->node_cached;
	return oc_buf_node_lookup(q, va);
}

/*
 * Is the engine away from the data? Against the buffer's node when it is
 * known and so is the engine's, else against the queue's node.
 */
static __rte_always_inline bool
oc_qe_remote(const struct ocopy_qengine *qe, int16_t node)
{
	if (node >= 0 && qe->node >= 0)
		return qe->node != node;
	return !qe->socket_ok;
}

/*
 * a x b, or UINT64_MAX past it: the rule's products of bytes, rates
 * (up to 4,000,000 cycles/KiB) and slack (up to 256,000 / 256) wrap
 * around at legal extremes, and a wrapped side reverses the decision.
 */
static __rte_always_inline uint64_t
oc_mul_sat(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

/* Bytes given to the engine and not yet completed. */
static __rte_always_inline uint64_t
oc_qe_backlog(const struct ocopy_qengine *qe)
{
	return qe->bytes_in - qe->bytes_out;
}

/*
 * When would the engine be done with a len-byte op (cycles x 1024), one
 * away from the data counting double (*remote)? UINT64_MAX when it cannot
 * take it; *unusable set when only its health stops it, *full when only
 * its ring (the op would go to the CPU for it: a failover).
 */
static __rte_always_inline uint64_t
oc_qe_finish(struct ocopy_queue *q, struct ocopy_qengine *qe, uint32_t len,
		const bool fill, int16_t node, bool *unusable, bool *full,
		bool *remote)
{
	uint64_t t;

	if (len < qe->threshold || (fill && !qe->fill_ok))
		return UINT64_MAX;
	if (unlikely(qe->inflight >= qe->max_inflight)) {
		*full = true;
		return UINT64_MAX;
	}
	if (unlikely(qe->health != OCOPY_HEALTH_OK) && !oc_qe_usable(q, qe)) {
		*unusable = true;
		return UINT64_MAX;
	}
	if (!oc_qe_batch_ok(q, qe))
		return UINT64_MAX;
	t = oc_mul_sat(oc_qe_backlog(qe) + len, qe->cyc_per_kib);
	*remote = oc_qe_remote(qe, node);
	/* Saturated (an engine that cannot take it) only past any real time. */
	t = RTE_MIN(t, UINT64_MAX - 1);
	return unlikely(*remote) ? RTE_MIN(oc_mul_sat(t, 2), UINT64_MAX - 1) : t;
}

/*
 * The auto policy's rule: would the CPU be done sooner (x slack) than an
 * engine done at eng_t (cycles x 1024)? cpu_bytes: this op's and those
 * the CPU already copied since the last doorbell, so that over a burst
 * the bytes are shared between the CPU and the engines in proportion to
 * their rates. cpu_op: the CPU's cost per copy, x 1024.
 */
static __rte_always_inline bool
oc_cpu_sooner(uint64_t eng_t, uint64_t cpu_bytes, uint64_t cpu_rate,
		uint64_t cpu_op, uint64_t slack_q8)
{
	uint64_t cpu = oc_mul_sat(cpu_bytes, cpu_rate);

	cpu = cpu > UINT64_MAX - cpu_op ? UINT64_MAX : cpu + cpu_op;
	return oc_mul_sat(eng_t, 256) > oc_mul_sat(cpu, slack_q8);
}

/*
 * Choose the engine for a len-byte op (a fill when fill) writing to buf,
 * or NULL for the CPU. *remote: whether it is away from the data; the
 * caller counts it once the engine has taken the op.
 */
static __rte_always_inline struct ocopy_qengine *
oc_pick(struct ocopy_queue *q, uint32_t len, const bool fill, const void *buf,
		bool *remote)
{
	struct ocopy_qengine *best = NULL;
	uint64_t best_t = UINT64_MAX;
	bool unusable = false, full = false, best_remote = false;
	int16_t node = -1;
	uint16_t i;

	if (unlikely(q->numa_pick))
		node = oc_buf_node(q, buf);
	if (likely(q->nb_qe == 1)) {
		/* The common case, without the loop. */
		best_t = oc_qe_finish(q, &q->qe[0], len, fill, node, &unusable,
				&full, &best_remote);
		if (best_t != UINT64_MAX)
			best = &q->qe[0];
	} else {
		for (i = 0; i < q->nb_qe; i++) {
			bool qe_remote = false;
			uint64_t t = oc_qe_finish(q, &q->qe[i], len, fill, node,
					&unusable, &full, &qe_remote);

			if (t < best_t) {
				best_t = t;
				best = &q->qe[i];
				best_remote = qe_remote;
			}
		}
	}
	/*
	 * A copy an engine would take but for its health (stalled,
	 * degraded) or its full ring is a failover (the engine policy counts
	 * its own), and a full ring counts in that engine's full.
	 */
	if (unlikely(unusable || full) && best == NULL) {
		if (full)
			for (i = 0; i < q->nb_qe; i++)
				if (q->qe[i].inflight >= q->qe[i].max_inflight)
					q->qe[i].stats.full++;
		if (q->policy != OCOPY_POLICY_ENGINE)
			q->stats.failovers++;
	}
	/* Auto: the CPU if it would be done sooner. */
	if (best != NULL && q->policy == OCOPY_POLICY_AUTO &&
			oc_cpu_sooner(best_t, q->stats.cpu_bytes -
				q->burst_cpu_base + len, q->cpu_cyc_per_kib,
				(uint64_t)q->cpu_op_cyc * 1024,
				q->depth_slack_q8))
		return NULL;
	*remote = best_remote;
	return best;
}

/*
 * Record an op given to an engine, without the driver's SUBMIT flag:
 * every doorbell is oc_qe_doorbell()'s, which first sees whether the
 * engine went idle (its stall clock, its rate samples).
 */
static __rte_always_inline void
oc_qe_push(struct ocopy_queue *q, struct ocopy_qengine *qe, uint32_t slot,
		uint32_t len)
{
	qe->bytes_in += len;
	qe->fifo[qe->fifo_head++ & qe->fifo_mask] = (qe->bytes_in << 32) | slot;
	qe->stats.ops++;
	qe->stats.bytes += len;
	qe->unsubmitted++;
	qe->inflight++;
	q->dirty = 1;
	q->engine_work = 1;
}

/*
 * Write an op's slot in one go: a whole-struct store (two 16-byte stores)
 * costs the submitter less than a store per field (bench_ocopy_overhead,
 * CPU path: 12 -> 10 cycles per op over memcpy()).
 */
static __rte_always_inline void
oc_op_init(struct ocopy_op *op, ocopy_cb_t cb, void *arg, uint32_t len,
		uint16_t pending, enum ocopy_path path)
{
	*op = (struct ocopy_op){
		.cb = cb,
		.arg = arg,
		.len = len,
		.pending = pending,
		.status = RTE_DMA_STATUS_SUCCESSFUL,
		.path = (uint8_t)path,
		.fenced = 0,
		.rsvd = { 0 },
	};
}

/* Count an op the CPU runs and take its slot (its op already written). */
static __rte_always_inline void
oc_book_cpu(struct ocopy_queue *q, uint32_t slot, uint32_t len)
{
	q->stats.cpu++;
	q->stats.cpu_bytes += len;
	q->head = slot + 1;
}

/*
 * Write an op's slot (slot: the head), or nothing for a plain op: no
 * callback (ocopy_core.h).
 */
static __rte_always_inline void
oc_slot_record(struct ocopy_queue *q, uint32_t slot, struct ocopy_op *op,
		ocopy_cb_t cb, void *arg, uint32_t len, uint16_t pending,
		enum ocopy_path path)
{
	if (cb == NULL)
		return;
	oc_rec_open(q, slot);
	oc_op_init(op, cb, arg, len, pending, path);
}

/*
 * Book an op given to an engine, its slot written or plain: the engine's
 * FIFO, the counts (remote: oc_pick() chose it away from the data); its
 * index.
 */
static __rte_always_inline int
oc_book_engine(struct ocopy_queue *q, struct ocopy_qengine *qe, uint32_t slot,
		uint32_t len, bool remote)
{
	oc_qe_push(q, qe, slot, len);
	if (unlikely(remote))
		qe->stats.remote++;
	q->stats.engine++;
	q->head = slot + 1;
	return (uint16_t)slot;
}

/* The same for a slot already opened (slow paths): it stays written. */
static __rte_always_inline int
oc_slot_engine(struct ocopy_queue *q, struct ocopy_qengine *qe, uint32_t slot,
		struct ocopy_op *op, uint32_t len, bool remote)
{
	oc_op_init(op, op->cb, op->arg, len, 1, OCOPY_PATH_ENGINE);
	return oc_book_engine(q, qe, slot, len, remote);
}

/* Ring an engine holding unsubmitted ops (*now: the clock, 0 if unread). */
static __rte_always_inline void
oc_qe_doorbell(struct ocopy_queue *q, struct ocopy_qengine *qe, uint64_t *now)
{
	/*
	 * Learning: it may have gone idle since its last progress, which the
	 * next sample must not count. The next reap tells: where the work
	 * doorbelled before this doorbell ends (the first such doorbell since
	 * its last progress; oc_reap_engine()).
	 */
	if (q->learn && qe->inflight != qe->unsubmitted && !qe->learn_blind) {
		qe->learn_blind = 1;
		qe->blind_mark = qe->fifo_head - qe->unsubmitted;
	}
	/* Idle until now: its stall clock and next sample start here. */
	if (qe->inflight == qe->unsubmitted) {
		qe->last_progress = *now != 0 ? *now : rte_get_tsc_cycles();
		qe->learn_blind = 0;
	}
	rte_dma_submit(qe->dev_id, qe->vchan);
	qe->unsubmitted = 0;
	qe->stats.doorbells++;
}

/* Ring the doorbell of every engine with unsubmitted ops. */
static __rte_always_inline void
oc_doorbells(struct ocopy_queue *q)
{
	uint64_t now = 0;
	uint16_t i;

	for (i = 0; i < q->nb_qe; i++)
		if (q->qe[i].unsubmitted != 0)
			oc_qe_doorbell(q, &q->qe[i], &now);
	q->dirty = 0;
}

/*
 * The end of a burst: ring every engine with unsubmitted ops. Inside the
 * library, after a submission (nothing is staged then).
 */
static __rte_always_inline void
oc_ring_engines(struct ocopy_queue *q)
{
	q->burst_cpu_base = q->stats.cpu_bytes;
	if (q->dirty)
		oc_doorbells(q);
}

/**
 * Ring the doorbell of every engine with unsubmitted ops; ends a burst.
 * OCOPY_F_FLUSH on a submission does the same after that submission. (A
 * CPU copy of a size the engines take also rings them first, so that
 * they do not wait while this core copies.) Staged plain copies (see
 * ocopy_copy()) are given to the engines or copied first.
 */
static inline void
ocopy_flush(struct ocopy_queue *q)
{
	if (unlikely(q->nb_staged != 0))
		oc_stage_flush(q);	/* its burst rings the engines */
	else
		oc_ring_engines(q);
}

/* A CPU copy, timed for the CPU's rate (learning). */
static __rte_always_inline int
oc_submit_cpu_timed(struct ocopy_queue *q, uint32_t slot, void *dst,
		const void *src, uint32_t len, ocopy_cb_t cb, void *arg,
		uint64_t flags)
{
	int ret = oc_cpu_copy_timed(q, slot, dst, src, len, cb, arg);

	if (flags & OCOPY_F_FLUSH)
		oc_ring_engines(q);
	return ret;
}

static __rte_always_inline int
oc_submit(struct ocopy_queue *q, void *dst, const void *src, uint64_t pattern,
		uint32_t len, ocopy_cb_t cb, void *arg, uint64_t flags,
		const bool fill)
{
	uint32_t slot = q->head;
	struct ocopy_op *op;
	struct ocopy_qengine *qe;
	bool remote = false;
	int ret;

	if (unlikely(slot - q->tail > q->mask)) {
		q->stats.refused++;
		return -ENOSPC;
	}
	if (unlikely(dst == NULL || (!fill && src == NULL) || len > OCOPY_MAX_LEN ||
			(flags & ~OCOPY_F_MASK) != 0))
		return -EINVAL;
	if (unlikely(len >= q->split_threshold ||
			(flags & (OCOPY_F_FENCE | OCOPY_F_CPU)) != 0)) {
		ret = oc_submit_slow(q, dst, src, pattern, len, cb, arg,
				flags | (fill ? RTE_BIT64(63) : 0));
		if (flags & OCOPY_F_FLUSH)
			oc_ring_engines(q);
		return ret;
	}

	op = &q->ops[slot & q->mask];
	q->stats.submitted++;
	q->stats.bytes += len;

	if (len >= q->min_threshold) {
		qe = oc_pick(q, len, fill, dst, &remote);
		if (qe != NULL) {
			if (fill)
				ret = rte_dma_fill(qe->dev_id, qe->vchan, pattern,
						(rte_iova_t)(uintptr_t)dst, len, 0);
			else
				ret = rte_dma_copy(qe->dev_id, qe->vchan,
						(rte_iova_t)(uintptr_t)src,
						(rte_iova_t)(uintptr_t)dst, len, 0);
			if (likely(ret >= 0)) {
				/* Plain: its engine's FIFO is all there is. */
				oc_slot_record(q, slot, op, cb, arg, len, 1,
						OCOPY_PATH_ENGINE);
				ret = oc_book_engine(q, qe, slot, len, remote);
				if (flags & OCOPY_F_FLUSH)
					oc_ring_engines(q);
				return ret;
			}
			/* Ring full (or refused): the CPU takes it. */
			qe->stats.full++;
			q->stats.failovers++;
		} else if (q->policy == OCOPY_POLICY_ENGINE) {
			/* Any op on the CPU is one no engine could take. */
			q->stats.failovers++;
		} else if (!fill && unlikely(--q->cpu_sample_left == 0)) {
			/*
			 * Now and then a CPU copy the policy chose is timed
			 * (fills do not count: one reaching 0 untimed would
			 * leave the count to wrap).
			 */
			return oc_submit_cpu_timed(q, slot, dst, src, len, cb,
					arg, flags);
		}
	} else if (!fill && unlikely(len >= q->sample_floor) &&
			--q->cpu_sample_left == 0) {
		/*
		 * Just below the threshold too: a CPU slower than calibrated
		 * (data out of cache) brings the threshold down.
		 */
		return oc_submit_cpu_timed(q, slot, dst, src, len, cb, arg,
				flags);
	}
	/*
	 * The CPU copies it. Book it first: the copy is a call the compiler
	 * cannot see through (dst might alias the queue), so nothing of the
	 * queue is reloaded after it.
	 */
	oc_slot_record(q, slot, op, cb, arg, len, 0, OCOPY_PATH_CPU);
	oc_book_cpu(q, slot, len);
	/*
	 * A copy the engines could have taken keeps this core busy a while:
	 * ring their doorbells first, so that the ops of this burst they
	 * already hold run meanwhile instead of waiting for the flush.
	 */
	if (unlikely(q->dirty) && len >= q->min_threshold)
		oc_doorbells_before_cpu(q);
	if (fill)
		oc_cpu_fill(dst, pattern, len);
	else
		oc_cpu_copy(dst, src, len);
	if (flags & OCOPY_F_FLUSH)
		oc_ring_engines(q);
	return (uint16_t)slot;
}

static inline uint32_t ocopy_queue_room(const struct ocopy_queue *q);

/*
 * A plain copy given alone: onto the stage, its index the one it gets
 * when the stage is handed over (the head plus those before it). A full
 * stage is handed over first; OCOPY_F_FLUSH hands it over at once.
 */
static __rte_always_inline int
oc_stage(struct ocopy_queue *q, void *dst, const void *src, uint32_t len,
		uint64_t flags)
{
	uint16_t n = q->nb_staged;
	int idx;

	if (unlikely(ocopy_queue_room(q) == 0)) {
		q->stats.refused++;
		return -ENOSPC;
	}
	if (unlikely(dst == NULL || src == NULL || len > OCOPY_MAX_LEN))
		return -EINVAL;
	if (unlikely(n == OC_STAGE_SIZE)) {
		oc_stage_flush(q);
		n = 0;
	}
	q->stage_dst[n] = dst;
	q->stage_src[n] = src;
	q->stage_len[n] = len;
	q->nb_staged = n + 1;
	idx = (uint16_t)(q->head + n);
	if (flags & OCOPY_F_FLUSH)
		oc_stage_flush(q);
	return idx;
}

/**
 * Copy len bytes from src to dst, on an engine or on the CPU.
 *
 * A plain copy (no callback, no flag but OCOPY_F_FLUSH) is staged: it is
 * given to an engine or copied, with the other plain copies given since,
 * as one ocopy_copy_burst() would, by the next ocopy_flush(), completion
 * call or other submission on the queue, or once OC_STAGE_SIZE of them
 * wait (OCOPY_F_FLUSH: at once). Until then it counts in the queue's
 * ops, as accepted; its data must stay until its completion, as always.
 *
 * @param q
 *   The queue of the calling lcore.
 * @param dst
 *   Where to copy (a virtual address in registered memory).
 * @param src
 *   What to copy (the same).
 * @param len
 *   Bytes to copy, at most OCOPY_MAX_LEN.
 * @param cb
 *   Called from ocopy_poll() with arg and the op's status; may be NULL.
 * @param arg
 *   The callback's argument.
 * @param flags
 *   OCOPY_F_* (0: batched doorbell, see ocopy_flush()).
 * @return
 *   The op's index (uint16_t, increments by one per accepted op, as a
 *   dmadev ring index), or -ENOSPC (queue full: poll and retry) or -EINVAL.
 */
static inline int
ocopy_copy(struct ocopy_queue *q, void *dst, const void *src, uint32_t len,
		ocopy_cb_t cb, void *arg, uint64_t flags)
{
	if (cb == NULL && (flags & ~OCOPY_F_FLUSH) == 0)
		return oc_stage(q, dst, src, len, flags);
	oc_stage_hand_over(q);
	return oc_submit(q, dst, src, 0, len, cb, arg, flags, false);
}

/** Fill len bytes at dst with the 64-bit pattern (little-endian, repeated). */
static inline int
ocopy_fill(struct ocopy_queue *q, void *dst, uint64_t pattern, uint32_t len,
		ocopy_cb_t cb, void *arg, uint64_t flags)
{
	oc_stage_hand_over(q);
	return oc_submit(q, dst, NULL, pattern, len, cb, arg, flags, true);
}

/**
 * Gather nb_src segments into nb_dst segments (same total length): an
 * engine with COPY_SG and enough SGEs, or the CPU. One completion.
 * With OCOPY_F_FENCE and older ops in flight, waits for them first (up to
 * twice stall_us, plus 1 ms).
 * @return the op's index, or -ENOSPC (queue full), -EINVAL (bad
 *   arguments, lengths that differ, more than OCOPY_MAX_SGES segments) or
 *   -EBUSY (fenced: the older ops did not complete in that time; nothing
 *   done, retry).
 */
int ocopy_copy_sg(struct ocopy_queue *q, const struct ocopy_sge *src,
		uint16_t nb_src, const struct ocopy_sge *dst, uint16_t nb_dst,
		ocopy_cb_t cb, void *arg, uint64_t flags);

/**
 * Submit n copies (dst[i], src[i], len[i]), each with its own callback
 * argument (args may be NULL), then one doorbell. They take consecutive
 * indexes from ocopy_queue_next_index(). Without a callback (cb NULL),
 * runs of copies that go to the CPU, or to the queue's only engine, are
 * booked together: the cheapest way to submit.
 * @return the number accepted, in order: fewer than n if the queue filled
 *   up (the refusal counted) or at an op with a NULL address or a length
 *   over OCOPY_MAX_LEN (that op and the ones after it neither copied nor
 *   counted).
 */
static inline uint16_t
ocopy_copy_burst(struct ocopy_queue *q, void *const *dst,
		const void *const *src, const uint32_t *len, uint16_t n,
		ocopy_cb_t cb, void *const *args);

/* Book a run of n plain ops of a burst, bytes in all, from the head. */
static __rte_always_inline void
oc_book_plain_run(struct ocopy_queue *q, uint32_t n, uint64_t bytes)
{
	q->head += n;
	q->stats.submitted += n;
	q->stats.bytes += bytes;
}

/*
 * A run of ops i.. of a burst without callback that the CPU takes
 * whatever happens (below every threshold): each is copied, and they are
 * booked together as plain ops. Copies from the sample floor on count
 * down to the next timed one, which the run leaves to the per-op path
 * (oc_submit() times it). The first op not copied.
 */
static __rte_always_inline uint16_t
oc_copy_plain_run(struct ocopy_queue *q, void *const *dst,
		const void *const *src, const uint32_t *len, uint16_t i,
		uint16_t n)
{
	const uint32_t floor = q->sample_floor;
	uint32_t small, room, left = q->cpu_sample_left;
	uint64_t bytes = 0;
	uint16_t k;

	small = RTE_MIN(q->min_threshold, q->split_threshold);
	room = ocopy_queue_room(q);
	if ((uint32_t)(n - i) > room)
		n = (uint16_t)(i + room);
	for (k = i; k < n; k++) {
		const uint32_t l = len[k];

		if (l >= small || dst[k] == NULL || src[k] == NULL)
			break;
		if (unlikely(l >= floor)) {
			if (left <= 1)
				break;	/* the one to time */
			left--;
		}
		oc_cpu_copy(dst[k], src[k], l);
		bytes += l;
	}
	q->cpu_sample_left = left;
	if (k == i)
		return i;
	oc_book_plain_run(q, k - i, bytes);
	q->stats.cpu += k - i;
	q->stats.cpu_bytes += bytes;
	return k;
}

/*
 * A run of ops i.. of a burst without callback that the queue's only
 * engine takes, as oc_pick() would choose it (healthy, on the queue's
 * node, room, threshold, not split, and under the auto policy done
 * sooner there than on the CPU): each is given to the engine, and they
 * are booked together as plain ops. The first op not given; the per-op
 * path decides for it.
 */
static __rte_always_inline uint16_t
oc_engine_plain_run(struct ocopy_queue *q, void *const *dst,
		const void *const *src, const uint32_t *len, uint16_t i,
		uint16_t n)
{
	struct ocopy_qengine *const qe = &q->qe[0];
	const uint32_t first = q->head;
	/*
	 * What the loop reads, in locals: the driver call could change any
	 * memory as far as the compiler knows, and would have each one
	 * loaded again after it.
	 */
	const int16_t dev_id = qe->dev_id;
	const uint16_t vchan = qe->vchan;
	uint64_t *const fifo = qe->fifo;
	const uint32_t fifo_mask = qe->fifo_mask;
	const bool rule = q->policy == OCOPY_POLICY_AUTO;
	const uint64_t eng_rate = qe->cyc_per_kib;
	const uint64_t cpu_rate = q->cpu_cyc_per_kib;
	const uint64_t cpu_op = (uint64_t)q->cpu_op_cyc * 1024;
	const uint64_t slack = q->depth_slack_q8;
	uint32_t fh, room, lo, hi, done;
	uint64_t in, in0, out, bytes, cpu_base;
	uint16_t k, m;

	if (q->nb_qe != 1 || q->numa_pick || qe->health != OCOPY_HEALTH_OK ||
			!qe->socket_ok || q->policy == OCOPY_POLICY_CPU)
		return i;
	/*
	 * Its batch full (the run before stopped there): ring it and go on,
	 * unless it takes nothing more, or what the doorbell reaped changed
	 * its health.
	 */
	if (!oc_qe_batch_ok(q, qe) || qe->health != OCOPY_HEALTH_OK)
		return i;
	lo = RTE_MAX(q->min_threshold, qe->threshold);
	hi = q->split_threshold;
	room = RTE_MIN(ocopy_queue_room(q), qe->max_inflight - qe->inflight);
	/* No further than its batch (not full here): the next run rings it. */
	room = RTE_MIN(room, qe->batch_room - qe->unsubmitted);
	if ((uint32_t)(n - i) > room)
		n = (uint16_t)(i + room);
	/*
	 * First the ops it takes, ops i to m - 1, and their FIFO entries
	 * (op k's entry and slot follow from k alone): no call in the loop,
	 * its values stay in registers. Then the driver calls, with little
	 * live across them. The entries are within the room: past the
	 * FIFO's head, counted only up to the last op the driver took.
	 */
	fh = qe->fifo_head - i;
	in0 = in = qe->bytes_in;
	out = qe->bytes_out;
	/* The CPU's side of oc_pick()'s comparison, in this burst. */
	cpu_base = q->stats.cpu_bytes - q->burst_cpu_base;
	for (m = i; m < n; m++) {
		const uint32_t l = len[m];

		if (l < lo || l >= hi || dst[m] == NULL || src[m] == NULL)
			break;
		if (rule && oc_cpu_sooner(oc_mul_sat(in - out + l, eng_rate),
				cpu_base + l, cpu_rate, cpu_op, slack))
			break;
		in += l;
		fifo[(fh + m) & fifo_mask] = (in << 32) |
				(first + (uint32_t)(m - i));
	}
	for (k = i; k < m; k++)
		if (rte_dma_copy(dev_id, vchan, (rte_iova_t)(uintptr_t)src[k],
				(rte_iova_t)(uintptr_t)dst[k], len[k], 0) < 0)
			break;
	if (k == i)
		return i;
	if (unlikely(k != m)) {
		/* The driver refused op k (its ring full): bytes up to it. */
		in = in0;
		for (m = i; m < k; m++)
			in += len[m];
	}
	done = k - i;
	bytes = in - in0;
	qe->fifo_head = fh + k;
	qe->bytes_in = in;
	qe->inflight += done;
	qe->unsubmitted += done;
	qe->stats.ops += done;
	qe->stats.bytes += bytes;
	q->dirty = 1;
	q->engine_work = 1;
	oc_book_plain_run(q, done, bytes);
	q->stats.engine += done;
	return k;
}

/* ocopy_copy_burst() past the stage's hand-over: the stage's too. */
static __rte_always_inline uint16_t
oc_burst(struct ocopy_queue *q, void *const *dst, const void *const *src,
		const uint32_t *len, uint16_t n, ocopy_cb_t cb,
		void *const *args)
{
	uint16_t i = 0, k;

	while (i < n) {
		/* Runs of copies for the CPU, or for the engine, booked as one. */
		if (cb == NULL) {
			i = oc_copy_plain_run(q, dst, src, len, i, n);
			if (i == n)
				break;
			k = oc_engine_plain_run(q, dst, src, len, i, n);
			if (k != i) {
				i = k;
				continue;
			}
		}
		if (oc_submit(q, dst[i], src[i], 0, len[i], cb,
				args != NULL ? args[i] : NULL, 0, false) < 0)
			break;
		i++;
	}
	oc_ring_engines(q);
	return i;
}

static inline uint16_t
ocopy_copy_burst(struct ocopy_queue *q, void *const *dst,
		const void *const *src, const uint32_t *len, uint16_t n,
		ocopy_cb_t cb, void *const *args)
{
	oc_stage_hand_over(q);
	return oc_burst(q, dst, src, len, n, cb, args);
}

uint16_t oc_poll(struct ocopy_queue *q, uint16_t max);
uint16_t oc_completed(struct ocopy_queue *q, uint16_t nb, uint16_t *last_idx,
		bool *has_error);
uint16_t oc_completed_status(struct ocopy_queue *q, uint16_t nb,
		uint16_t *last_idx, uint16_t *status);

/* dmadev's last_idx: the index of the last op delivered (or before). */
static __rte_always_inline void
oc_last_idx(const struct ocopy_queue *q, uint16_t *last_idx)
{
	if (last_idx != NULL)
		*last_idx = (uint16_t)(q->tail - 1);
}

/*
 * Delivery when it is only counting: no engine holds work of the queue
 * and every op in it is plain (no callback; each copied by the CPU, since
 * no engine holds any), so all are done and successful. Inline: the calls
 * below (ocopy_poll(), ocopy_completed*()) then cost no call into the
 * library, whose saved registers would be stores behind the CPU copies
 * just made. False when the full delivery (ocopy_fp.c) is needed;
 * otherwise *n delivered, and *last_idx set (if not NULL).
 */
static __rte_always_inline bool
oc_deliver_counted(struct ocopy_queue *q, uint16_t max, uint16_t *n,
		uint16_t *last_idx)
{
	uint32_t k;

	if (q->engine_work || q->rec_start != q->rec_end ||
			q->stats.bytes >= q->adapt_at)
		return false;
	k = RTE_MIN(q->head - q->tail, (uint32_t)max);
	q->tail += k;
	q->stats.completed += k;
	*n = (uint16_t)k;
	oc_last_idx(q, last_idx);
	return true;
}

/**
 * Reap engine completions and deliver up to max ops in order, calling
 * their callbacks (a callback may submit on the same queue).
 * @return the number delivered.
 */
static inline uint16_t
ocopy_poll(struct ocopy_queue *q, uint16_t max)
{
	uint16_t n;

	oc_stage_hand_over(q);
	if (oc_deliver_counted(q, max, &n, NULL))
		return n;
	return oc_poll(q, max);
}

/**
 * dmadev-style completion: deliver up to nb ops in order, stopping before
 * the first failed one (*has_error set). Callbacks are called too.
 * *last_idx: index of the last op delivered (or of the last one before).
 */
static inline uint16_t
ocopy_completed(struct ocopy_queue *q, uint16_t nb, uint16_t *last_idx,
		bool *has_error)
{
	uint16_t n;

	oc_stage_hand_over(q);
	if (!oc_deliver_counted(q, nb, &n, last_idx))
		return oc_completed(q, nb, last_idx, has_error);
	if (has_error != NULL)
		*has_error = false;
	return n;
}

/** Deliver up to nb ops in order with each one's status. */
static inline uint16_t
ocopy_completed_status(struct ocopy_queue *q, uint16_t nb, uint16_t *last_idx,
		uint16_t *status)
{
	uint16_t n;

	oc_stage_hand_over(q);
	if (!oc_deliver_counted(q, nb, &n, last_idx))
		return oc_completed_status(q, nb, last_idx, status);
	if (status != NULL)
		memset(status, 0, n * sizeof(*status));
	return n;
}

/**
 * The index the next accepted op gets (as ocopy_copy() returns it): where
 * a dmadev-style caller's job ids stand, across the queue's lifetime.
 */
static inline uint16_t
ocopy_queue_next_index(const struct ocopy_queue *q)
{
	return (uint16_t)(q->head + q->nb_staged);
}

/** Ops accepted and not yet delivered (staged ones included). */
static inline uint32_t
ocopy_queue_inflight(const struct ocopy_queue *q)
{
	return q->head + q->nb_staged - q->tail;
}

/** Ops that can still be accepted before -ENOSPC. */
static inline uint32_t
ocopy_queue_room(const struct ocopy_queue *q)
{
	return q->mask + 1 - (q->head + q->nb_staged - q->tail);
}

#ifndef ALLOW_EXPERIMENTAL_API
#pragma GCC diagnostic pop
#endif

#ifdef __cplusplus
}
#endif

#endif /* OCOPY_H */
