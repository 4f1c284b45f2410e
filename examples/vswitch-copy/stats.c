/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * Statistics: the periodic print and the /vswitch_copy/ telemetry
 * commands. Reads counters that the switching lcore and the vhost
 * callbacks write, without locks: each value is a single aligned 64-bit
 * word (x86-64), so a reading may be a loop old, never torn.
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_telemetry.h>

#include <ocopy.h>

#include "main.h"

struct lib_summary {
	struct ocopy_queue_stats q;
	uint64_t engine_ops;	/* completed by engines, summed */
	uint64_t stalls;
	uint64_t maps, unmaps;
	uint32_t segments;
	bool present;
};

/*
 * The library's IOMMU map counters, summed over its engines (vsw_oc set);
 * each pointer may be NULL when that count is not wanted.
 */
void
vsw_map_counts(uint64_t *maps, uint64_t *unmaps, uint32_t *segments)
{
	struct ocopy_map_stats ms;
	uint64_t m = 0, u = 0;
	uint32_t s = 0;
	uint16_t e;

	for (e = 0; e < ocopy_engine_count(vsw_oc); e++) {
		if (ocopy_map_stats_get(vsw_oc, e, &ms) != 0)
			continue;
		m += ms.maps;
		u += ms.unmaps;
		s += ms.segments;
	}
	if (maps != NULL)
		*maps = m;
	if (unmaps != NULL)
		*unmaps = u;
	if (segments != NULL)
		*segments = s;
}

static void
lib_summary_get(struct lib_summary *ls)
{
	uint16_t e;

	memset(ls, 0, sizeof(*ls));
	if (vsw_oc == NULL || ocopy_stats_get(vsw_oc, &ls->q) != 0)
		return;
	ls->present = true;
	for (e = 0; e < ocopy_engine_count(vsw_oc); e++) {
		struct ocopy_qengine_stats es;

		if (ocopy_engine_stats_get(vsw_oc, e, &es) == 0) {
			ls->engine_ops += es.ops;
			ls->stalls += es.stalls;
		}
	}
	vsw_map_counts(&ls->maps, &ls->unmaps, &ls->segments);
}

/* The ports' counters, summed. */
struct port_totals {
	uint64_t rx, tx, drops;
	uint64_t held, hold_timeouts, handed, handed_lost, drain_lost;
	uint64_t maps, unmaps;	/* guest memory */
	uint32_t segments;
};

static void
port_totals_get(struct port_totals *pt)
{
	unsigned int i;

	memset(pt, 0, sizeof(*pt));
	for (i = 0; i < vsw_conf.nb_ports; i++) {
		const struct vsw_port *p = &vsw_ports[i];

		pt->rx += vsw_port_rx(p);
		pt->tx += vsw_port_tx(p);
		pt->drops += vsw_port_drops(p);
		pt->held += p->st.held;
		pt->hold_timeouts += p->st.hold_timeouts;
		pt->handed += p->st.handed;
		pt->handed_lost += p->handed_lost;
		pt->drain_lost += p->drain_lost;
		pt->maps += p->maps;
		pt->unmaps += p->unmaps;
		pt->segments += p->segments;
	}
}

static double
cycles_per_pkt(void)
{
	uint64_t pkts = vsw_core.pkts;

	return pkts == 0 ? 0.0 : (double)vsw_core.busy_cycles / pkts;
}

void
vsw_stats_print(FILE *f)
{
	struct lib_summary ls;
	unsigned int i;

	fprintf(f, "vswitch-copy: %s copies, %.1f cycles/packet (%" PRIu64 " packets, busy %.1f%% of %" PRIu64
			" loops; %" PRIu64 " loops over 1 ms left out, %" PRIu64 " packets)\n",
			vsw_conf.offload ? vsw_conf.dma_name : "CPU",
			cycles_per_pkt(), vsw_core.pkts,
			vsw_core.loops ? 100.0 * vsw_core.busy_loops / vsw_core.loops : 0.0,
			vsw_core.loops, vsw_core.long_loops, vsw_core.long_pkts);
	for (i = 0; i < vsw_conf.nb_ports; i++) {
		const struct vsw_port *p = &vsw_ports[i];

		fprintf(f, "  port %u %s: rx %" PRIu64 " tx %" PRIu64 " drops %" PRIu64
				" flooded %" PRIu64 " no_dest %" PRIu64 " held %" PRIu64
				" (timeouts %" PRIu64 ") handed %" PRIu64 " (lost %" PRIu64 ")"
				" drain_lost %" PRIu64
				" | guest maps %" PRIu64 " unmaps %" PRIu64 " segments %u regions %u connects %" PRIu64 "\n",
				i, p->running ? "up" : "down", vsw_port_rx(p),
				vsw_port_tx(p), vsw_port_drops(p),
				p->st.flooded, p->st.no_dest, p->st.held,
				p->st.hold_timeouts, p->st.handed, p->handed_lost,
				p->drain_lost,
				p->maps, p->unmaps, p->segments, p->nb_regs,
				p->connects);
	}
	lib_summary_get(&ls);
	if (ls.present)
		fprintf(f, "  copies: %" PRIu64 " submitted, %" PRIu64 " on CPU, %" PRIu64
				" on engines, %" PRIu64 " split, %" PRIu64 " errors, %" PRIu64
				" failovers, engine stalls %" PRIu64 " | maps %" PRIu64 " unmaps %" PRIu64 " segments %u\n",
				ls.q.submitted, ls.q.cpu, ls.q.engine, ls.q.split,
				ls.q.errors, ls.q.failovers, ls.stalls, ls.maps,
				ls.unmaps, ls.segments);
	fflush(f);
}

/* One line for scripts: the totals at exit. */
void
vsw_summary_print(void)
{
	struct port_totals pt;
	struct lib_summary ls;

	port_totals_get(&pt);
	lib_summary_get(&ls);
	printf("vswitch-copy summary: rx=%" PRIu64 " tx=%" PRIu64 " drops=%" PRIu64
			" held=%" PRIu64 " hold_timeouts=%" PRIu64 " handed=%" PRIu64
			" handed_lost=%" PRIu64 " drain_lost=%" PRIu64
			" copies_cpu=%" PRIu64 " copies_engine=%" PRIu64 " copies_split=%" PRIu64
			" copy_errors=%" PRIu64 " copy_failovers=%" PRIu64 " engine_ops=%" PRIu64 " engine_stalls=%" PRIu64
			" guest_maps=%" PRIu64 " guest_unmaps=%" PRIu64
			" guest_segments_left=%u mbufs_in_use=%u cycles_per_packet=%.1f\n",
			pt.rx, pt.tx, pt.drops, pt.held, pt.hold_timeouts, pt.handed,
			pt.handed_lost, pt.drain_lost,
			ls.q.cpu, ls.q.engine, ls.q.split,
			ls.q.errors, ls.q.failovers, ls.engine_ops, ls.stalls,
			pt.maps, pt.unmaps, pt.segments,
			rte_mempool_in_use_count(vsw_pool),
			cycles_per_pkt());
	fflush(stdout);
}

/* ---- telemetry ---------------------------------------------------- */

static int
tel_port(int idx, struct rte_tel_data *d)
{
	const struct vsw_port *p;

	if (idx < 0 || (unsigned int)idx >= vsw_conf.nb_ports)
		return -EINVAL;
	p = &vsw_ports[idx];
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "socket", p->path);
	rte_tel_data_add_dict_int(d, "up", p->running != 0);
	rte_tel_data_add_dict_int(d, "vid", p->vid);
	rte_tel_data_add_dict_u64(d, "rx", vsw_port_rx(p));
	rte_tel_data_add_dict_u64(d, "tx", vsw_port_tx(p));
	rte_tel_data_add_dict_u64(d, "drops", vsw_port_drops(p));
	rte_tel_data_add_dict_u64(d, "held", p->st.held);
	rte_tel_data_add_dict_u64(d, "hold_timeouts", p->st.hold_timeouts);
	rte_tel_data_add_dict_u64(d, "handed", p->st.handed);
	rte_tel_data_add_dict_u64(d, "handed_lost", p->handed_lost);
	rte_tel_data_add_dict_u64(d, "drain_lost", p->drain_lost);
	rte_tel_data_add_dict_u64(d, "rx_bytes", p->st.rx_bytes);
	rte_tel_data_add_dict_u64(d, "tx_bytes", p->st.tx_bytes);
	rte_tel_data_add_dict_u64(d, "flooded", p->st.flooded);
	rte_tel_data_add_dict_u64(d, "no_dest", p->st.no_dest);
	rte_tel_data_add_dict_u64(d, "connects", p->connects);
	rte_tel_data_add_dict_u64(d, "disconnects", p->disconnects);
	rte_tel_data_add_dict_u64(d, "guest_regions", p->nb_regs);
	rte_tel_data_add_dict_u64(d, "guest_maps", p->maps);
	rte_tel_data_add_dict_u64(d, "guest_unmaps", p->unmaps);
	rte_tel_data_add_dict_u64(d, "guest_segments", p->segments);
	rte_tel_data_add_dict_u64(d, "guest_reg_failures", p->reg_failures);
	rte_tel_data_add_dict_u64(d, "drain_timeouts", p->drain_timeouts);
	return 0;
}

static int
tel_port_cmd(const char *cmd __rte_unused, const char *params,
		struct rte_tel_data *d)
{
	char *end;
	long idx;

	if (params == NULL || *params == '\0')
		return -EINVAL;
	idx = strtol(params, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	return tel_port((int)idx, d);
}

static int
tel_ports_cmd(const char *cmd __rte_unused, const char *params __rte_unused,
		struct rte_tel_data *d)
{
	unsigned int i;

	rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
	for (i = 0; i < vsw_conf.nb_ports; i++)
		rte_tel_data_add_array_int(d, i);
	return 0;
}

static int
tel_stats_cmd(const char *cmd __rte_unused, const char *params __rte_unused,
		struct rte_tel_data *d)
{
	struct port_totals pt;
	struct lib_summary ls;

	port_totals_get(&pt);
	lib_summary_get(&ls);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "copies",
			vsw_conf.offload ? vsw_conf.dma_name : "cpu");
	rte_tel_data_add_dict_string(d, "mode",
			vsw_conf.pairs ? "pairs" : "mac-learning");
	rte_tel_data_add_dict_u64(d, "ports", vsw_conf.nb_ports);
	rte_tel_data_add_dict_u64(d, "rx", pt.rx);
	rte_tel_data_add_dict_u64(d, "tx", pt.tx);
	rte_tel_data_add_dict_u64(d, "drops", pt.drops);
	rte_tel_data_add_dict_u64(d, "held", pt.held);
	rte_tel_data_add_dict_u64(d, "handed", pt.handed);
	rte_tel_data_add_dict_u64(d, "packets_switched", vsw_core.pkts);
	rte_tel_data_add_dict_u64(d, "busy_cycles", vsw_core.busy_cycles);
	rte_tel_data_add_dict_u64(d, "total_cycles", vsw_core.total_cycles);
	rte_tel_data_add_dict_u64(d, "long_loops", vsw_core.long_loops);
	rte_tel_data_add_dict_u64(d, "long_loop_packets", vsw_core.long_pkts);
	rte_tel_data_add_dict_u64(d, "cycles_per_packet",
			(uint64_t)(cycles_per_pkt() + 0.5));
	rte_tel_data_add_dict_u64(d, "tsc_hz", rte_get_tsc_hz());
	if (ls.present) {
		rte_tel_data_add_dict_u64(d, "copies_submitted", ls.q.submitted);
		rte_tel_data_add_dict_u64(d, "copies_cpu", ls.q.cpu);
		rte_tel_data_add_dict_u64(d, "copies_engine", ls.q.engine);
		rte_tel_data_add_dict_u64(d, "copies_split", ls.q.split);
		rte_tel_data_add_dict_u64(d, "copies_errors", ls.q.errors);
		rte_tel_data_add_dict_u64(d, "copies_failovers", ls.q.failovers);
		rte_tel_data_add_dict_u64(d, "engine_ops", ls.engine_ops);
		rte_tel_data_add_dict_u64(d, "engine_stalls", ls.stalls);
		rte_tel_data_add_dict_u64(d, "maps", ls.maps);
		rte_tel_data_add_dict_u64(d, "unmaps", ls.unmaps);
		rte_tel_data_add_dict_u64(d, "segments", ls.segments);
	}
	return 0;
}

int
vsw_telemetry_init(void)
{
	if (rte_telemetry_register_cmd("/vswitch_copy/stats", tel_stats_cmd,
				"Switch totals, cycles per packet and the copy library's counters. No parameters") != 0 ||
			rte_telemetry_register_cmd("/vswitch_copy/ports", tel_ports_cmd,
				"Port indexes. No parameters") != 0 ||
			rte_telemetry_register_cmd("/vswitch_copy/port", tel_port_cmd,
				"Counters and guest-memory maps of one port. Parameter: port index") != 0)
		return -1;
	return 0;
}
