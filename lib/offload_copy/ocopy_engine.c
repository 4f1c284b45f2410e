/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * The engines of an instance: check that each dmadev can serve (memory to
 * memory copies, not in use), configure it with one vchan per queue it
 * serves, start it; stop it at teardown.
 */

#include <string.h>

#include <rte_dmadev.h>
#include <rte_string_fns.h>

#include "ocopy_internal.h"

static int
oc_engine_setup(struct ocopy *oc, struct oc_engine *e)
{
	struct rte_dma_conf dconf = { 0 };
	struct rte_dma_vchan_conf vconf = { 0 };
	struct rte_dma_info info;
	uint16_t v;
	int ret;

	ret = rte_dma_info_get(e->dev_id, &info);
	if (ret < 0) {
		OC_LOG(ERR, "%s: dmadev %d: no such device", oc->name, e->dev_id);
		return -EINVAL;
	}
	rte_strlcpy(e->name, info.dev_name, sizeof(e->name));
	if ((info.dev_capa & RTE_DMA_CAPA_MEM_TO_MEM) == 0 ||
			(info.dev_capa & RTE_DMA_CAPA_OPS_COPY) == 0) {
		OC_LOG(ERR, "%s: dmadev %s cannot copy memory to memory",
			oc->name, e->name);
		return -ENOTSUP;
	}
	e->capa = info.dev_capa;
	e->max_sges = info.max_sges;
	e->socket_id = info.numa_node;
	if (oc->conf.engine_node_set & RTE_BIT32(e - oc->engines)) {
		e->socket_id = oc->conf.engine_node[e - oc->engines];
		if (info.numa_node >= 0 && info.numa_node != e->socket_id)
			OC_LOG(WARNING, "%s: dmadev %s: on NUMA node %d, its driver says %d",
				oc->name, e->name, e->socket_id,
				info.numa_node);
	}
	e->nb_vchans = RTE_MIN(oc->nb_queues, info.max_vchans);
	e->ring_size = RTE_MIN(RTE_MAX(oc->conf.ring_size, info.min_desc),
			info.max_desc);
	if (e->nb_vchans < oc->nb_queues)
		OC_LOG(WARNING, "%s: dmadev %s has %u vchans: queues %u..%u do not use it",
			oc->name, e->name, info.max_vchans, e->nb_vchans,
			oc->nb_queues - 1);

	dconf.nb_vchans = e->nb_vchans;
	/* dmadev refuses (-EBUSY) to configure a started device: in use. */
	ret = rte_dma_configure(e->dev_id, &dconf);
	if (ret == -EBUSY) {
		OC_LOG(ERR, "%s: dmadev %s is started: in use by someone else",
			oc->name, e->name);
		return ret;
	}
	if (ret < 0) {
		OC_LOG(ERR, "%s: dmadev %s: configure failed (%d)", oc->name,
			e->name, ret);
		return ret;
	}
	vconf.direction = RTE_DMA_DIR_MEM_TO_MEM;
	vconf.nb_desc = e->ring_size;
	for (v = 0; v < e->nb_vchans; v++) {
		ret = rte_dma_vchan_setup(e->dev_id, v, &vconf);
		if (ret < 0) {
			OC_LOG(ERR, "%s: dmadev %s: vchan %u setup (%u descriptors) failed (%d)",
				oc->name, e->name, v, e->ring_size, ret);
			return ret;
		}
	}
	ret = rte_dma_start(e->dev_id);
	if (ret < 0) {
		OC_LOG(ERR, "%s: dmadev %s: start failed (%d)", oc->name,
			e->name, ret);
		return ret;
	}
	e->started = true;
	/* What an idle vchan takes between doorbells (ocopy_engine_info). */
	e->batch = rte_dma_burst_capacity(e->dev_id, 0);
	return 0;
}

bool
oc_engine_candidate(int16_t id)
{
	struct rte_dma_info info;

	return rte_dma_info_get(id, &info) == 0 &&
		strncmp(info.dev_name, "dma_offload", strlen("dma_offload")) != 0;
}

/*
 * engines=all: every dmadev that is not a dma_offload device and that
 * nobody else uses (a started one refuses configuration), up to
 * OCOPY_MAX_ENGINES, in id order. Devices in use are passed over before
 * the count, so that they do not take the places of free ones; those the
 * limit leaves untried are logged.
 */
static int
oc_engines_setup_all(struct ocopy *oc)
{
	unsigned int untried = 0;
	struct oc_engine *e;
	int16_t id;
	int ret;

	oc->nb_engines = 0;
	RTE_DMA_FOREACH_DEV(id) {
		if (!oc_engine_candidate(id))
			continue;
		if (oc->nb_engines == OCOPY_MAX_ENGINES) {
			untried++;
			continue;
		}
		e = &oc->engines[oc->nb_engines];
		memset(e, 0, sizeof(*e));
		e->dev_id = id;
		ret = oc_engine_setup(oc, e);
		if (ret == -EBUSY) {
			OC_LOG(INFO, "%s: dmadev %s is in use: not taken",
				oc->name, e->name);
			continue;
		}
		if (ret < 0)
			return ret;	/* the caller stops what was started */
		oc->conf.engines[oc->nb_engines++] = id;
	}
	if (untried != 0)
		OC_LOG(WARNING, "%s: engines=all: %u more dmadev(s) not tried: an instance takes at most %u engines",
			oc->name, untried, OCOPY_MAX_ENGINES);
	oc->conf.nb_engines = oc->nb_engines;
	return 0;
}

int
oc_engines_setup(struct ocopy *oc)
{
	uint16_t i;
	int ret;

	if (oc->conf.all_engines)
		return oc_engines_setup_all(oc);
	for (i = 0; i < oc->nb_engines; i++) {
		ret = oc_engine_setup(oc, &oc->engines[i]);
		if (ret < 0)
			return ret;	/* the caller stops what was started */
	}
	return 0;
}

/* The instance's engines no longer there (removed): bit i for engine i. */
uint32_t
oc_engines_removed(const struct ocopy *oc)
{
	uint32_t removed = 0;
	uint16_t i;

	for (i = 0; i < oc->nb_engines; i++)
		if (!oc_engine_present(&oc->engines[i]))
			removed |= RTE_BIT32(i);
	return removed;
}

/*
 * Stop every engine the instance started, except one that never finished
 * its work (stalled): how many of those are left started.
 */
unsigned int
oc_engines_stop(struct ocopy *oc)
{
	unsigned int left = 0;
	uint16_t i, qid;

	for (i = 0; i < oc->nb_engines; i++) {
		struct oc_engine *e = &oc->engines[i];
		bool stuck = false;

		if (!e->started)
			continue;
		if (!oc_engine_present(e)) {
			OC_LOG(WARNING, "%s: dmadev %s was removed: not stopped (its id %d may be another device's now)",
				oc->name, e->name, e->dev_id);
			e->started = false;
			continue;
		}
		/*
		 * An engine that never finished its work (stalled) cannot be
		 * stopped safely: a driver's stop may wait for it. Leave it
		 * started, say so.
		 */
		for (qid = 0; oc->queues != NULL && qid < oc->nb_queues; qid++) {
			struct ocopy_queue *q = &oc->queues[qid];
			uint16_t k;

			for (k = 0; k < q->nb_qe; k++)
				if (q->qe[k].engine == i && q->qe[k].stuck)
					stuck = true;
		}
		if (stuck) {
			OC_LOG(WARNING, "%s: dmadev %s still has work it never finished: left started",
				oc->name, e->name);
			left++;
			continue;
		}
		if (rte_dma_stop(e->dev_id) < 0)
			OC_LOG(WARNING, "%s: dmadev %s: stop failed", oc->name,
				e->name);
		e->started = false;
	}
	return left;
}
