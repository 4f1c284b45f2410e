/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * Test support: stall the library's engines, the way a busy or lost
 * service core would. An engine that runs as a DPDK service named like its
 * dmadev (dma_sw) is stalled by unmapping its service from every service
 * lcore that runs it, and resumed by mapping it back. Its submitted copies
 * then wait; the library sees no progress for stall_us and sends new
 * copies to the CPU. Main lcore or telemetry thread (one at a time: the
 * callers serialise on stall_lock).
 */

#include <errno.h>
#include <string.h>

#include <rte_dmadev.h>
#include <rte_lcore.h>
#include <rte_service.h>
#include <rte_spinlock.h>

#include <ocopy.h>

#include "main.h"

struct stalled {
	uint32_t sid;
	uint32_t lcore;
};

static struct stalled stalled[OCOPY_MAX_ENGINES * RTE_MAX_LCORE];
static unsigned int nb_stalled;
static rte_spinlock_t stall_lock = RTE_SPINLOCK_INITIALIZER;

static int
stall(void)
{
	uint32_t lcores[RTE_MAX_LCORE];
	int nb_lcores = rte_service_lcore_list(lcores, RTE_DIM(lcores));
	uint16_t e;
	int i;

	if (nb_stalled > 0)
		return -EALREADY;
	for (e = 0; e < ocopy_engine_count(vsw_oc); e++) {
		struct rte_dma_info info;
		uint32_t sid;

		if (rte_dma_info_get(ocopy_engine_dev_id(vsw_oc, e), &info) != 0 ||
				rte_service_get_by_name(info.dev_name, &sid) != 0) {
			VSW_LOG(WARNING, "engine %u runs as no service: not stalled", e);
			continue;
		}
		for (i = 0; i < nb_lcores; i++) {
			if (rte_service_map_lcore_get(sid, lcores[i]) != 1)
				continue;
			if (rte_service_map_lcore_set(sid, lcores[i], 0) != 0)
				continue;
			stalled[nb_stalled].sid = sid;
			stalled[nb_stalled].lcore = lcores[i];
			nb_stalled++;
			VSW_LOG(NOTICE, "test: engine %s stalled (service %u off lcore %u)",
					info.dev_name, sid, lcores[i]);
		}
	}
	return nb_stalled > 0 ? 0 : -ENOENT;
}

static int
resume(void)
{
	unsigned int i;

	if (nb_stalled == 0)
		return -EALREADY;
	for (i = 0; i < nb_stalled; i++)
		rte_service_map_lcore_set(stalled[i].sid, stalled[i].lcore, 1);
	VSW_LOG(NOTICE, "test: %u engine service mapping(s) restored", nb_stalled);
	nb_stalled = 0;
	return 0;
}

int
vsw_stall_engines(bool on)
{
	int ret;

	if (vsw_oc == NULL)
		return -ENODEV;
	rte_spinlock_lock(&stall_lock);
	ret = on ? stall() : resume();
	rte_spinlock_unlock(&stall_lock);
	return ret;
}
