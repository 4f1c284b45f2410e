/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * The dmadevs under test and the service lcores around them. Control
 * path only, main lcore.
 *
 * Each device gets one MEM_TO_MEM vchan of --ring descriptors per submitter
 * lcore. A device whose worker is a DPDK service (a service named like the
 * device, as dma_sw registers) must have that service mapped to a service
 * lcore, or its copies never run: that is checked before start and reported
 * with the fix instead of timing out.
 *
 * Parking: a service lcore spins even when none of its services has work,
 * and an engine that runs on a thread of its own (dma_skeleton, with
 * devargs lcore=N) would share that CPU with it. Unless --no-park, the
 * service lcores that the current case does not use are stopped for the
 * case (rte_service_lcore_stop: refused with -EBUSY while a running service
 * depends on that lcore alone, which is then left alone), and restarted
 * when a case needs them or at exit. Only lcores this tool stopped are
 * restarted. A case uses the lcores its device's service is mapped to
 * (dma_sw), or those of its engines' services for a dma_offload device
 * (the library's instance of the device's name), or none (a device with a
 * thread of its own, or hardware).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_dmadev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pause.h>
#include <rte_service.h>

#include <ocopy.h>

#include "main.h"

#define PARK_WAIT_MS	1000

static bool parked[RTE_MAX_LCORE];

int
to_dev_lookup(const char *name, int16_t *dev_id)
{
	int id = rte_dma_get_dev_id_by_name(name);
	int16_t i;

	if (id >= 0) {
		*dev_id = (int16_t)id;
		return 0;
	}
	to_err("--dev %s: no such dmadev. Create it with EAL --vdev (e.g. --vdev %s) and load"
		" its driver with EAL -d <driver .so> unless DPDK's plugin folder has it.",
		name, name);
	if (rte_dma_count_avail() == 0) {
		to_err("no dmadev exists at all");
	} else {
		fprintf(stderr, "dmadevs present:");
		RTE_DMA_FOREACH_DEV(i) {
			struct rte_dma_info info;

			if (rte_dma_info_get(i, &info) == 0)
				fprintf(stderr, " %s", info.dev_name);
		}
		fprintf(stderr, "\n");
	}
	return -ENODEV;
}

/* The service that runs this device's worker, or -1. */
static int32_t
dev_service(const char *name)
{
	uint32_t id;

	if (rte_service_get_by_name(name, &id) != 0)
		return -1;
	return (int32_t)id;
}

/*
 * A dma_offload device? The vdev bus gives a device to the driver its name
 * begins with (dma_offload registers no alias).
 */
static bool
dev_is_offload(const char *name)
{
	static const char prefix[] = "dma_offload";

	return strncmp(name, prefix, sizeof(prefix) - 1) == 0;
}

/*
 * The services a dma_offload device runs on: those of the engines of the
 * library's instance of that name, in sids[] (up to max). How many.
 */
static unsigned int
dev_engine_services(const char *name, int32_t *sids, unsigned int max)
{
	const struct ocopy *oc = ocopy_find(name);
	unsigned int n = 0;
	uint16_t e;

	if (oc == NULL)
		return 0;
	for (e = 0; e < ocopy_engine_count(oc) && n < max; e++) {
		struct rte_dma_info info;
		int id = ocopy_engine_dev_id(oc, e);
		int32_t sid;

		if (id < 0 || rte_dma_info_get((int16_t)id, &info) != 0)
			continue;
		sid = dev_service(info.dev_name);
		if (sid >= 0)
			sids[n++] = sid;
	}
	return n;
}

/* Is lcore mapped to one of the n services sids[]? */
static bool
lcore_runs_any(uint32_t lcore, const int32_t *sids, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (rte_service_map_lcore_get((uint32_t)sids[i], lcore) == 1)
			return true;
	return false;
}

static bool
service_lcore_running(uint32_t lcore)
{
	return rte_service_lcore_may_be_active(lcore) == 1;
}

/* The end of a PARK_WAIT_MS wait that starts now. */
static uint64_t
park_deadline(void)
{
	return rte_get_timer_cycles() + PARK_WAIT_MS * rte_get_timer_hz() / 1000;
}

/* A started service lcore reports itself active once its thread has
 * entered the service loop: wait for that, bounded.
 */
static bool
service_lcore_wait_running(uint32_t lcore)
{
	uint64_t deadline = park_deadline();

	while (!service_lcore_running(lcore) && rte_get_timer_cycles() < deadline)
		rte_pause();
	return service_lcore_running(lcore);
}

int
to_dev_check(const struct to_options *o, const char *name, int16_t dev_id,
		uint16_t nb_vchans)
{
	struct rte_dma_info info;
	int ret;

	ret = rte_dma_info_get(dev_id, &info);
	if (ret != 0) {
		to_err("%s: rte_dma_info_get: %s", name, strerror(-ret));
		return -ENODEV;
	}
	if (!(info.dev_capa & RTE_DMA_CAPA_MEM_TO_MEM) ||
			!(info.dev_capa & RTE_DMA_CAPA_OPS_COPY)) {
		to_err("%s: cannot copy memory to memory (capabilities 0x%" PRIx64 ")",
			name, info.dev_capa);
		return -ENOTSUP;
	}
	if (o->ring < info.min_desc || o->ring > info.max_desc) {
		to_err("--ring %u: %s accepts %u .. %u descriptors", o->ring, name,
			info.min_desc, info.max_desc);
		return -EINVAL;
	}
	if (nb_vchans > info.max_vchans) {
		to_err("%s: %u submitter lcores need one vchan each, the device has %u",
			name, nb_vchans, info.max_vchans);
		return -EINVAL;
	}
	return 0;
}

int
to_dev_prepare(const struct to_options *o, const char *name, int16_t dev_id,
		uint16_t nb_vchans)
{
	struct rte_dma_conf conf = { .nb_vchans = nb_vchans };
	struct rte_dma_vchan_conf vconf = {
		.direction = RTE_DMA_DIR_MEM_TO_MEM,
		.nb_desc = o->ring,
	};
	uint16_t vchan;
	int ret;

	ret = to_dev_check(o, name, dev_id, nb_vchans);
	if (ret != 0)
		return ret;
	ret = rte_dma_configure(dev_id, &conf);
	if (ret != 0) {
		to_err("%s: rte_dma_configure (%u vchans): %s", name, nb_vchans, strerror(-ret));
		return ret;
	}
	for (vchan = 0; vchan < nb_vchans; vchan++) {
		ret = rte_dma_vchan_setup(dev_id, vchan, &vconf);
		if (ret != 0) {
			to_err("%s: rte_dma_vchan_setup (vchan %u, %u descriptors): %s", name,
				vchan, o->ring, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

int
to_services_park(bool park, const char *name)
{
	uint32_t lcores[RTE_MAX_LCORE];
	int32_t sid = name != NULL ? dev_service(name) : -1;
	int32_t needed[OCOPY_MAX_ENGINES];
	int n = rte_service_lcore_list(lcores, RTE_DIM(lcores));
	unsigned int nb_needed = 0;
	bool mapped = false;
	uint64_t deadline;
	int i, ret;

	/*
	 * The services the case needs: the device's own, or, for a device
	 * without one, its engines' if it is a dma_offload device. Parked
	 * behind a device with a thread of its own (dma_skeleton), a
	 * service lcore on its CPU took half of it, and under SCHED_FIFO all.
	 */
	if (sid >= 0)
		needed[nb_needed++] = sid;
	else if (name != NULL)
		nb_needed = dev_engine_services(name, needed, RTE_DIM(needed));
	for (i = 0; i < n; i++) {
		uint32_t lc = lcores[i];

		if (lcore_runs_any(lc, needed, nb_needed)) {
			mapped = true;
			if (parked[lc]) {
				ret = rte_service_lcore_start(lc);
				if (ret != 0 && ret != -EALREADY) {
					to_err("cannot restart service lcore %u: %s", lc,
						strerror(-ret));
					return ret;
				}
				parked[lc] = false;
			}
			continue;
		}
		if (!park || parked[lc] || !service_lcore_running(lc))
			continue;
		ret = rte_service_lcore_stop(lc);
		if (ret == -EBUSY) {
			TO_LOG(INFO, "service lcore %u is the only lcore of a running service:"
				" not parked", lc);
			continue;
		}
		if (ret != 0)
			continue;
		/* Bounded: the lcore leaves after its current iteration. */
		deadline = park_deadline();
		while (rte_eal_get_lcore_state(lc) != WAIT &&
				rte_get_timer_cycles() < deadline)
			rte_pause();
		if (rte_eal_get_lcore_state(lc) != WAIT) {
			to_err("service lcore %u did not stop within %u ms", lc, PARK_WAIT_MS);
			return -ETIMEDOUT;
		}
		parked[lc] = true;
		TO_LOG(DEBUG, "service lcore %u parked", lc);
	}

	if (sid < 0)
		return 0;
	if (!mapped) {
		to_err("%s runs its copies in DPDK service '%s' (id %d), which is mapped to no"
			" service lcore, so no copy would ever complete. Pass EAL -s <coremask>"
			" (e.g. -l 0-1 -s 0x2) so that EAL maps it, map it with"
			" rte_service_map_lcore_set(), or give the device a dedicated lcore if its"
			" driver has one (dma_sw: --vdev %s,lcore=N).",
			name, name, sid, name);
		return -ENOENT;
	}
	for (i = 0; i < n; i++) {
		if (rte_service_map_lcore_get(sid, lcores[i]) == 1 &&
				service_lcore_wait_running(lcores[i]))
			return 0;
	}
	to_err("%s: service '%s' is mapped only to stopped service lcores", name, name);
	return -ENOENT;
}

void
to_services_unpark(void)
{
	unsigned int lc;

	for (lc = 0; lc < RTE_MAX_LCORE; lc++) {
		if (!parked[lc])
			continue;
		if (rte_service_lcore_start(lc) != 0)
			TO_LOG(WARNING, "cannot restart service lcore %u", lc);
		parked[lc] = false;
	}
}

int
to_dev_start(const struct to_options *o, const char *name, int16_t dev_id)
{
	const bool offload = dev_is_offload(name);
	int ret;

	/*
	 * A dma_offload device starts on others' services: it calibrates its
	 * engines, whose services must run, and its library instance, which
	 * names them, exists only once it is started. Every service lcore
	 * runs while it starts; those its cases do not use are parked after.
	 * Any other device is parked around before it starts: dma_skeleton
	 * starts its thread on its lcore then, and waits until it runs, which
	 * under SCHED_FIFO it never did beside a service lcore.
	 */
	if (offload) {
		to_services_unpark();
	} else {
		ret = to_services_park(o->park, name);
		if (ret != 0)
			return ret;
	}
	ret = rte_dma_start(dev_id);
	if (ret != 0) {
		to_err("%s: rte_dma_start: %s", name, strerror(-ret));
		return ret;
	}
	if (offload) {
		ret = to_services_park(o->park, name);
		if (ret != 0) {
			rte_dma_stop(dev_id);
			return ret;
		}
	}
	return 0;
}

/* Stop: each device is measured in one block of cases. */
void
to_dev_stop(const char *name, int16_t dev_id)
{
	int ret = rte_dma_stop(dev_id);

	if (ret != 0)
		to_err("%s: rte_dma_stop: %s", name, strerror(-ret));
	/* Not closed: the offload cases take the device next; EAL cleanup closes it. */
}
