/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

#ifndef VSW_MAIN_H
#define VSW_MAIN_H

/*
 * dpdk-vswitch-copy: shared state of the switch.
 *
 * Threads:
 *  - the switching lcore (one): runs vsw_switch_loop(), the only code that
 *    calls the vhost datapath (dequeue, enqueue, completions) outside the
 *    callbacks, and the only writer of the MAC table and of the per-port
 *    datapath counters;
 *  - vhost's event thread: the device callbacks in vhost.c (new_device,
 *    destroy_device, vring_state_changed); it owns struct vsw_port's
 *    control fields and the guest-memory registrations;
 *  - the main lcore: signals, periodic stats, the stall test, shutdown;
 *  - the telemetry thread: reads counters (torn 64-bit reads are not an
 *    issue on x86-64).
 *
 * Port hand-over between control and datapath: a port is used by the
 * switching lcore only while port->running is set (A0: the callback stores
 * it with release once the port is ready; the datapath loads it with
 * acquire). destroy_device clears it and waits until the datapath echoes
 * the generation (port->dp_gen) it has seen, so the datapath never touches
 * a device being destroyed.
 *
 * Frames a drain gives back: vhost's async dequeue holds the frames a
 * guest sent until their copies complete. A drain (a memory-table change,
 * a queue disabled, the guest leaving) completes them in vhost's event
 * thread; they are the guest's frames, received, and go to the switching
 * lcore through the port's handed ring (vhost.c puts, switch.c takes and
 * forwards them before anything newer from that guest). Frames for a
 * guest that takes none for a while (its queue locked for a new memory
 * table, its ring full) wait in the port's backlog, up to VSW_BACKLOG and
 * --hold-ms, instead of being dropped at once. Frames for the guest that
 * a drain completed while vhost had its receive queue disabled never
 * reached it (vhost 22.11 writes no used entry then): dropped, counted.
 */

#include <stdbool.h>
#include <stdint.h>
#include <limits.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_dev.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#define VSW_MAX_PORTS		16
#define VSW_BURST		32
#define VSW_MAX_REGIONS		8	/* VHOST_MEMORY_MAX_NREGIONS */
#define VSW_RXQ			0	/* guest's receive queue: our enqueue */
#define VSW_TXQ			1	/* guest's transmit queue: our dequeue */
#define VSW_BACKLOG		1024	/* frames held for a guest that takes none */
#define VSW_HANDED_RING		4096	/* drained frames on their way to the datapath */

extern int vsw_logtype;
#define VSW_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, vsw_logtype, "vswitch: " fmt "\n", ##__VA_ARGS__)

/* Datapath counters of one port, written by the switching lcore only. */
struct vsw_port_stats {
	uint64_t rx;		/* packets dequeued from the guest */
	uint64_t tx;		/* packets the guest received (completed) */
	uint64_t tx_accepted;	/* offload: packets vhost took for the guest */
	uint64_t rx_inflight;	/* offload: the guest's frames in the DMA path */
	uint64_t drops;		/* packets for it the guest had no room for */
	uint64_t held;		/* packets for it that waited in the backlog */
	uint64_t hold_timeouts;	/* backlogs dropped: the guest took none for --hold-ms */
	uint64_t handed;	/* rx packets a drain gave back (in rx) */
	uint64_t rx_bytes;
	uint64_t tx_bytes;
	uint64_t flooded;	/* rx packets sent to every other port */
	uint64_t no_dest;	/* rx packets with nowhere to go */
};

/* One guest-memory registration with the library (one region). */
struct vsw_mem_reg {
	uint64_t host_addr;	/* mmap_addr of the region */
	uint64_t size;		/* mmap_size */
	int reg_id;		/* ocopy_mem_unregister() id, -1 if none */
};

struct vsw_port {
	/* Control (vhost callbacks). */
	char path[PATH_MAX];
	int vid;			/* -1: no guest */
	bool async;			/* async channels registered */
	unsigned int nb_regs;
	struct vsw_mem_reg regs[VSW_MAX_REGIONS];
	uint64_t maps;			/* IOMMU maps made for this guest, in total */
	uint64_t unmaps;		/* ... and unmaps */
	uint32_t segments;		/* mapped now for this guest */
	uint64_t reg_failures;		/* registrations the library refused */
	uint64_t connects;		/* new_device calls */
	uint64_t disconnects;		/* destroy_device calls */
	uint64_t drain_timeouts;	/* drain timeouts waited through (engine stuck) */
	uint64_t drained_tx;		/* packets the guest received at a drain */
	uint64_t drain_lost;		/* ... drained, not given (queue disabled) */
	uint64_t handed_lost;		/* drained packets the datapath never took */

	/* Control puts, datapath takes (single consumer). */
	struct rte_ring *handed;	/* the guest's frames a drain gave back */

	/* Hand-over (see the file comment). */
	volatile uint32_t running;	/* A0 */
	volatile uint32_t ctl_gen;	/* bumped by the control side */
	volatile uint32_t dp_gen;	/* echoed by the datapath */

	/* Datapath. */
	uint16_t nb_out;		/* packets queued in out[] */
	struct rte_mbuf *out[VSW_BURST * VSW_MAX_PORTS];
	uint16_t nb_held;		/* packets waiting in backlog[] */
	uint64_t held_since;		/* TSC: the guest's last progress with some held */
	struct vsw_port_stats st;
	struct rte_mbuf *backlog[VSW_BACKLOG];
} __rte_cache_aligned;

/*
 * A test's time window: from at_ms after the first packet switched, for
 * ms (at_ms 0: never).
 */
struct vsw_test_window {
	unsigned int at_ms;
	unsigned int ms;
};

struct vsw_conf {
	unsigned int nb_ports;
	bool client;			/* vhost-user client mode */
	bool pairs;			/* port 2k <-> 2k+1, no learning */
	bool offload;			/* async vhost over a dmadev */
	char dma_name[RTE_DEV_NAME_MAX_LEN];
	int16_t dma_id;
	uint16_t dma_desc;		/* vchan descriptors */
	unsigned int stats_period;	/* seconds, 0: never */
	unsigned int nb_mbufs;
	uint16_t mbuf_size;		/* data room */
	struct vsw_test_window stall;	/* test: stall the engines */
	struct vsw_test_window noreap;	/* test: stop reaping the last port's rx */
	uint64_t drain_timeout_us;
	uint64_t hold_cycles;		/* a backlog waits this long, in TSC */
	bool idle_yield;		/* sched_yield() in idle loops (shared cores) */
};

/* Switching-lcore loop counters. */
struct vsw_core_stats {
	uint64_t loops;
	uint64_t busy_loops;
	uint64_t busy_cycles;		/* cycles of the loops that moved packets */
	uint64_t total_cycles;
	uint64_t pkts;			/* packets switched (rx) in busy loops */
	uint64_t long_loops;		/* loops over long_cycles: preempted, not counted */
	uint64_t long_pkts;		/* ... and their packets */
	uint64_t long_cycles;		/* 1 ms of TSC */
};

extern struct vsw_conf vsw_conf;
extern struct vsw_port vsw_ports[VSW_MAX_PORTS];
extern struct vsw_core_stats vsw_core;
extern struct rte_mempool *vsw_pool;
extern struct ocopy *vsw_oc;		/* the library instance, or NULL */
extern volatile bool vsw_quit;
extern volatile bool vsw_dp_running;	/* the switching loop runs */
extern volatile bool vsw_test_noreap;	/* test: the last port's not reaped */

/*
 * A port's frames with its drains' counted in (vhost.c): received from the
 * guest (what drains handed on at exit, never switched, included); given
 * to it; dropped (those, and what a drain could not give it).
 */
static inline uint64_t
vsw_port_rx(const struct vsw_port *p)
{
	return p->st.rx + p->handed_lost;
}

static inline uint64_t
vsw_port_tx(const struct vsw_port *p)
{
	return p->st.tx + p->drained_tx;
}

static inline uint64_t
vsw_port_drops(const struct vsw_port *p)
{
	return p->st.drops + p->handed_lost + p->drain_lost;
}

/* The dmadev vchan of a port's copies (main.c, dma_setup()). */
static inline uint16_t
vsw_port_vchan(const struct vsw_port *p)
{
	return (uint16_t)(p - vsw_ports);
}

/* switch.c */
int vsw_switch_loop(void *arg);
void vsw_mac_flush_port(unsigned int port);

/* vhost.c */
int vsw_vhost_start(void);
void vsw_vhost_stop(void);
int vsw_port_of_vid(int vid);
int vsw_ports_init(void);
void vsw_ports_release(void);

/* stats.c */
void vsw_stats_print(FILE *f);
void vsw_summary_print(void);
int vsw_telemetry_init(void);
/* The library's map counters over its engines; a NULL pointer skips that one. */
void vsw_map_counts(uint64_t *maps, uint64_t *unmaps, uint32_t *segments);

/* watch.c */
void vsw_watch_ports(void);

/* stall.c */
int vsw_stall_engines(bool stall);

#endif /* VSW_MAIN_H */
