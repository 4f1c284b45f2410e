/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * The stuck-copy watch: a guest with frames in the DMA path (frames for
 * it that vhost took, no completion back yet; frames it sent that vhost's
 * dequeue holds until their copies finish) for a second without any frame
 * of it completing either way is logged, once until they move again, with the
 * library's state (ocopy_dump()) and each engine's (rte_dma_dump()). A
 * copy that never completes then shows in the log with what held it,
 * rather than as a guest that waits in silence.
 *
 * Control thread (main.c), every few milliseconds. It reads the
 * datapath's counters (64-bit reads, whole on x86-64) and calls no vhost
 * function: a device may be going away under it.
 */

#include <inttypes.h>
#include <stdio.h>

#include <rte_cycles.h>
#include <rte_dmadev.h>

#include <ocopy.h>

#include "main.h"

#define VSW_WATCH_S	1

struct port_watch {
	uint64_t done;		/* frames completed, both ways, when last seen */
	uint64_t since;		/* TSC: when they last moved */
	bool told;
};

static struct port_watch watch[VSW_MAX_PORTS];

static void
dump_state(void)
{
	uint16_t e;

	if (vsw_oc == NULL)
		return;
	ocopy_dump(vsw_oc, stdout);
	for (e = 0; e < ocopy_engine_count(vsw_oc); e++)
		rte_dma_dump(ocopy_engine_dev_id(vsw_oc, e), stdout);
	fflush(stdout);
}

void
vsw_watch_ports(void)
{
	const uint64_t now = rte_get_timer_cycles();
	unsigned int i;

	if (!vsw_conf.offload)
		return;
	for (i = 0; i < vsw_conf.nb_ports; i++) {
		const struct vsw_port *p = &vsw_ports[i];
		struct port_watch *w = &watch[i];
		uint64_t done_tx = vsw_port_tx(p) + p->drain_lost;
		uint64_t to_guest = p->st.tx_accepted - done_tx;
		uint64_t from_guest = p->st.rx_inflight;
		uint64_t done = done_tx + p->st.rx;

		/* A port that went down: its drain accounts for everything. */
		if (!p->running || to_guest + from_guest == 0 || done != w->done) {
			w->done = done;
			w->since = now;
			w->told = false;
			continue;
		}
		if (w->told || now - w->since < VSW_WATCH_S * rte_get_timer_hz())
			continue;
		w->told = true;
		VSW_LOG(WARNING, "port %u: frames in the DMA path, none completed for %u s: %" PRIu64
				" for the guest, %" PRIu64 " from it",
				i, VSW_WATCH_S, to_guest, from_guest);
		dump_state();
	}
}
