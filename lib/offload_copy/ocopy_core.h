/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

#ifndef OCOPY_CORE_H
#define OCOPY_CORE_H

/**
 * @file
 * The fast-path objects behind ocopy.h's inline functions.
 *
 * Do not include this file directly, and do not touch these fields: they
 * are laid out for the fast path and change between releases.
 *
 * A queue is owned by one lcore (no locks, no atomics on the fast path).
 * It holds
 *   - an op ring: one slot per op accepted and not yet delivered, in
 *     submission order; head is the next slot to fill, tail the next to
 *     deliver. A slot is delivered (its callback called) once its pending
 *     part count is zero and every older slot was delivered: that is the
 *     in-order guarantee, whichever path each op took;
 *   - one "queue engine" per engine it uses: its own vchan there, and a
 *     FIFO of the op slots it was given, in the order it was given them.
 *     dmadev completes a vchan's ops in order, so each completion pops
 *     exactly one FIFO entry.
 */

#include <stdint.h>

#include <rte_common.h>
#include <rte_dmadev.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ocopy;

/** Completion callback: arg as given at submission, status an rte_dma_status_code. */
typedef void (*ocopy_cb_t)(void *arg, uint16_t status);

/** Where an op (or its first part) ran; kept for statistics and tests. */
enum ocopy_path {
	OCOPY_PATH_CPU = 0,	/**< copied by the submitting lcore */
	OCOPY_PATH_ENGINE,	/**< by one engine */
	OCOPY_PATH_SPLIT,	/**< cut between the CPU and engine(s) */
	OCOPY_PATH_DEFERRED,	/**< fenced: run by the CPU once older ops completed */
};

/** One accepted op, in the queue's op ring. 32 bytes. */
struct ocopy_op {
	ocopy_cb_t cb;
	void *arg;
	uint32_t len;
	uint16_t pending;	/**< parts still in flight on engines */
	uint16_t status;	/**< first failure among the parts */
	uint8_t path;		/**< enum ocopy_path */
	uint8_t fenced;		/**< fenced, on an engine: its op is in the
				 * deferred table too, for the CPU to run if
				 * the engine does not attempt it */
	uint8_t rsvd[6];
};

/** An op the CPU runs later (fence behind work in flight). */
struct ocopy_deferred {
	void *dst;
	const void *src;	/**< NULL for a fill */
	uint64_t pattern;
	uint32_t len;
};

/** Engine health, as one queue sees it. */
enum ocopy_health {
	OCOPY_HEALTH_OK = 0,
	OCOPY_HEALTH_STALLED,	/**< work in flight, no progress for stall time */
	OCOPY_HEALTH_DEGRADED,	/**< failing: avoided until its re-probe time */
	OCOPY_HEALTH_PROBING,	/**< one op allowed to see whether it works again */
};

/** Per queue and engine counters (see struct ocopy_queue_stats for meanings). */
struct ocopy_qengine_stats {
	uint64_t ops;		/**< ops given to it (a fenced one it skipped
				 * included: the CPU ran that one) */
	uint64_t bytes;
	uint64_t errors;
	uint64_t full;		/**< ring full (the driver refused the op, or
				 * its ops in flight filled the ring): op went
				 * to the CPU */
	uint64_t doorbells;
	uint64_t stalls;
	uint64_t degrades;
	uint64_t remote;	/**< ops it took while the buffer is on
				 * another NUMA node (no engine on that node could
				 * take them as soon) */
	uint64_t batch_full;	/**< doorbells rung early: the batch it takes
				 * between doorbells was full (Intel DSA's
				 * max_batch_size, in rte_dma_burst_capacity()) */
};

/** A queue's vchan on one engine. */
struct ocopy_qengine {
	/* Hot: read by every decision. */
	int16_t dev_id;
	uint16_t vchan;
	uint8_t health;		/**< enum ocopy_health */
	uint8_t socket_ok;	/**< engine on the queue's NUMA node */
	uint8_t fill_ok;	/**< the engine can fill (RTE_DMA_CAPA_OPS_FILL) */
	uint8_t learn_blind;	/**< a doorbell gave it work unseen whether it
				 * was idle: blind_mark says (learning) */
	uint16_t engine;	/**< index in the instance */
	int16_t node;		/**< the engine's NUMA node, -1: unknown */
	uint32_t threshold;	/**< smallest size sent to this engine */
	uint32_t inflight;	/**< ops given, not yet completed */
	uint32_t unsubmitted;	/**< ops given since the last doorbell */
	/* Bytes given to the engine since the queue was made; less
	 * bytes_out, its backlog (oc_qe_backlog()).
	 */
	uint64_t bytes_in;
	uint32_t cyc_per_kib;	/**< engine throughput, cycles per KiB */
	uint32_t max_inflight;	/**< never more than this many (ring size) */
	uint32_t batch_room;	/**< ops it takes between doorbells, from its
				 * rte_dma_burst_capacity() (Intel DSA bounds
				 * a batch); UINT32_MAX: no bound known */

	/* FIFO, one entry per op given to the engine, in order: the op's
	 * slot (low 32 bits) and bytes_in once it was given, modulo 2^32
	 * (high 32 bits). An op's bytes are its entry's count less the
	 * previous one's; a run of plain ops is reaped with one subtraction.
	 */
	uint64_t *fifo;
	uint32_t fifo_mask;
	uint32_t fifo_head;
	uint32_t fifo_tail;
	uint32_t leftovers;	/**< the oldest entries: ops calibration left
				 * on the engine (queue 0), not of the queue */
	uint64_t bytes_out;	/**< bytes completed (reaped) since the queue
				 * was made */

	/* Health bookkeeping (slow path). */
	uint32_t consec_errors;
	uint8_t stuck;		/**< aborted at teardown with work in flight */
	uint64_t last_progress;	/**< tsc of the last completion, or of the
				 * doorbell that gave an idle engine work */
	uint64_t reprobe_at;	/**< tsc when a degraded engine is probed */

	/* Online rate (slow path): the current window of completions. */
	uint64_t learn_cyc;
	uint64_t learn_bytes;
	uint64_t learn_samples;	/**< windows folded into cyc_per_kib */
	uint32_t blind_mark;	/**< learn_blind: the FIFO position past the
				 * work doorbelled before that doorbell. Still
				 * running at the next progress (fifo_tail
				 * before it), the engine was busy all along;
				 * done, it may have sat idle: no sample */
	uint8_t learn_outliers;	/**< windows dropped in a row */

	struct ocopy_qengine_stats stats;
} __rte_cache_aligned;

/** Per queue counters; ocopy_stats_get() sums them per instance. */
struct ocopy_queue_stats {
	uint64_t submitted;	/**< ops accepted */
	uint64_t completed;	/**< callbacks delivered */
	uint64_t cpu;		/**< ops run entirely on the CPU */
	uint64_t engine;	/**< ops run entirely on an engine (counted when
				 * given; a fenced op the engine then skips,
				 * NOT_ATTEMPTED, moves to deferred: the one
				 * counter that can go down) */
	uint64_t split;		/**< ops cut between CPU and engine(s) */
	uint64_t deferred;	/**< fenced ops run by the CPU after older ones */
	uint64_t bytes;		/**< bytes of accepted ops */
	uint64_t cpu_bytes;	/**< of which copied by the CPU */
	uint64_t errors;	/**< ops delivered with a failure status */
	uint64_t failovers;	/**< ops an engine should have taken, run on the CPU */
	uint64_t refused;	/**< submissions refused: op ring full (-ENOSPC) */
};

#define OCOPY_MAX_ENGINES	16
/*
 * Plain copies given one at a time (ocopy_copy() without callback or
 * flag but OCOPY_F_FLUSH) wait on their queue's stage, up to this many,
 * and are handed to ocopy_copy_burst()'s runs together (oc_stage_flush()).
 */
#define OC_STAGE_SIZE		32
/*
 * struct ocopy_queue.policy while the auto policy keeps the CPU from
 * helping busy engines (cpu_help, ocopy_adapt.c): copies an engine can
 * take go to it however long its backlog, and nothing is split.
 */
#define OC_POLICY_AUTO_ALONE	3
/* Placements (enum ocopy_placement, which ocopy.h defines after this file). */
#define OC_PLACE_NB		4

/*
 * cpu_help=auto: where the queue places its copies (enum ocopy_placement),
 * measured in epochs (ocopy_adapt.c). Slow path only.
 */
struct oc_adapt {
	uint8_t on;		/**< the queue adapts (auto policy, cpu_help=auto) */
	uint8_t place;		/**< the placement now (a probe's, while probing) */
	uint8_t kept;		/**< the placement kept between probes */
	uint8_t measuring;	/**< 0: settling after a change, 1: measuring */
	uint8_t probing;	/**< this epoch tries a placement next to the kept one */
	uint8_t next_probe;	/**< the placement the next probe tries (or
				 * the one after it, if kept) */
	uint8_t lost;		/**< probes lost at this pace (stay) */
	uint8_t won;		/**< 1 + the placement whose last probe won
				 * once: probed again at once, it moves only
				 * if it wins again (0: none) */
	uint8_t reprobe;	/**< the probe's epoch was set aside: this
				 * one measures it again */
	uint8_t outlier_run;	/**< kept epochs set aside in a row */
	uint32_t left;		/**< epochs kept before the next probe */
	uint32_t stay;		/**< epochs between probes (backs off while
				 * the kept one wins) */
	uint64_t ref;		/**< the kept placement's rate when its last
				 * probe ended (a shift restarts the back-off) */
	uint64_t kept_avg;	/**< the kept placement's running mean rate */
	uint64_t mark_ops;	/**< stats.submitted when the phase began
				 * (settling: when the placement changed) */
	uint64_t mark_moved;	/**< bytes moved (accepted, less the engines'
				 * backlog) when the phase began */
	uint64_t mark_tsc;	/**< when the phase began */
	uint64_t switch_tsc;	/**< when the last probe began */
	uint64_t probe_cyc;	/**< how long it lasted, settling included */
	uint64_t tput[OC_PLACE_NB];	/**< bytes per million cycles under
				 * each placement (enum ocopy_placement): the
				 * last epoch's; when a probe ends, the kept
				 * one's running mean */
	uint64_t epochs;	/**< epochs measured */
	uint64_t changes;	/**< placement changes kept after a probe
				 * (ocopy_queue_rates_get(), telemetry) */
	uint64_t set_aside;	/**< epochs set aside: under half the kept
				 * mean (the traffic paused in them), or kept
				 * ones over twice it */
};

/** One lcore's queue: everything the fast path touches. */
struct ocopy_queue {
	/* Hot, submitter side. */
	uint32_t head;		/**< next op slot to fill (free-running) */
	uint32_t tail;		/**< next op slot to deliver (free-running) */
	/*
	 * Ops [rec_start, rec_end) are recorded: each has its slot written.
	 * The others from tail to head are plain: without callback, each
	 * copied by the CPU or given whole to one engine. Their slots are
	 * never written: one is done once the CPU copied it, or once its
	 * engine's FIFO passed it, and delivery only counts them. So the
	 * queue holds plain ops, then recorded ones, then plain ones again;
	 * a plain op only moves head, whatever is before it. A recorded op
	 * after plain ones behind the recorded ones gives those their slots
	 * first (oc_rec_extend()). With none recorded, rec_start equals
	 * rec_end (wherever they are); else tail <= rec_start < rec_end.
	 */
	uint32_t rec_start;
	uint32_t rec_end;
	uint32_t mask;
	uint16_t nb_qe;
	uint8_t policy;		/**< enum ocopy_policy, or OC_POLICY_AUTO_ALONE */
	uint8_t dirty;		/**< some engine has unsubmitted ops */
	uint8_t engine_work;	/**< some engine may hold ops of this queue:
				 * set with each op given, cleared by the
				 * reap that finds none (else nothing to reap) */
	uint16_t nb_staged;	/**< plain copies on the stage: their indexes
				 * follow head, their room in the ring kept */
	uint32_t min_threshold;	/**< smallest engine threshold: below, CPU */
	uint32_t sample_floor;	/**< CPU copies from this size on are sampled
				 * (learning; half min_threshold) */
	uint32_t split_threshold;
	uint32_t cpu_cyc_per_kib;	/**< the CPU's copy cost */
	uint32_t cpu_op_cyc;		/**< ... plus this per copy */
	uint32_t depth_slack_q8;	/**< engine while its finish <= CPU's x slack/256 */
	uint64_t burst_cpu_base;	/**< stats.cpu_bytes at the last doorbell */
	uint64_t adapt_at;		/**< cpu_help=auto, no engine working: from
					 * these stats.bytes on, the completion
					 * calls take the full path, which reads the
					 * clock for the epochs (UINT64_MAX: never) */
	uint32_t split_cpu_q16;		/**< CPU share of a split copy, x/65536 */
	uint32_t cpu_sample_left;	/**< CPU copies the policy chooses until one is timed;
					 * never reaches 0 again when not learning */
	uint32_t deferred_pending;	/**< deferred ops not yet run */
	uint32_t fenced_on_engine;	/**< fenced ops given to an engine's
					 * fence, not yet reaped (each may still
					 * turn deferred) */
	struct ocopy_op *ops;
	struct ocopy_deferred *deferred;
	/* The stage (nb_staged above): what each copy was given. */
	void *stage_dst[OC_STAGE_SIZE];
	const void *stage_src[OC_STAGE_SIZE];
	uint32_t stage_len[OC_STAGE_SIZE];

	uint64_t stall_cyc;
	uint64_t reprobe_cyc;
	/* Online rates (slow path): the current window of timed CPU copies. */
	uint64_t cpu_learn_cyc;
	uint64_t cpu_learn_bytes;
	uint64_t cpu_samples;
	uint8_t cpu_outliers;		/**< windows dropped in a row */
	uint8_t learn;			/**< learn rates (conf learn=on) */
	uint32_t degrade_errors;
	uint16_t qid;
	int16_t socket_id;
	struct ocopy *oc;
	/*
	 * Buffers' NUMA nodes (numa_pick: the engines are on more than one
	 * node): the last answer and the range it holds for.
	 */
	uint8_t numa_pick;
	int16_t node_cached;
	uintptr_t node_lo;
	size_t node_len;
	struct oc_adapt adapt;

	struct ocopy_queue_stats stats;

	struct ocopy_qengine qe[OCOPY_MAX_ENGINES];
} __rte_cache_aligned;

#ifdef __cplusplus
}
#endif

#endif /* OCOPY_CORE_H */
