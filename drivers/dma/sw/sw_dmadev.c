/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * dma_sw control path: vdev probe and remove, devargs, the dmadev ops
 * table, the worker's life cycle, dump and statistics, and the vdev
 * dma_map/dma_unmap callbacks behind rte_dev_dma_map().
 *
 * Threading: dmadev's control calls come from one control thread at a time
 * (dmadev's rule). Statistics are read here while the datapath lcore
 * writes them; 64-bit loads make the figures approximate, never torn.
 */

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <bus_vdev_driver.h>
#include <rte_dmadev_pmd.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_kvargs.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_service_component.h>
#include <rte_string_fns.h>

#include <kvargs_strict.h>

#include "sw_dmadev.h"

RTE_LOG_REGISTER_DEFAULT(sw_logtype, INFO);

#define SW_ARG_LCORE		"lcore"
#define SW_ARG_DOMAIN		"domain"
#define SW_ARG_KERNEL		"kernel"
#define SW_ARG_NT_THRESHOLD	"nt_threshold"
#define SW_ARG_MAX_BATCH	"max_batch"

static const char *const sw_valid_args[] = {
	SW_ARG_LCORE,
	SW_ARG_DOMAIN,
	SW_ARG_KERNEL,
	SW_ARG_NT_THRESHOLD,
	SW_ARG_MAX_BATCH,
	NULL,
};

struct sw_devargs {
	int lcore;			/* -1: service */
	enum sw_domain_mode domain;
	char kernel[16];		/* "": auto */
	uint32_t nt_threshold;
	uint16_t max_batch;		/* 0: no limit */
};

/* ---- devargs --------------------------------------------------------- */

/* A whole decimal, hex (0x) or octal (0) number in [min, max]; nothing
 * logged, callers say what they expected.
 */
static int
parse_u64(const char *value, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	/* A digit first: strtoull() would skip white space and negate. */
	if (value == NULL || !isdigit((unsigned char)value[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(value, &end, 0);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/*
 * The service of a started device with lcore=N: its name. Not one a
 * service-mode device's can take (named like the device, and every
 * dma_sw device name starts with "dma_sw").
 */
static void
lcore_service_name(char *name, size_t size, unsigned int lcore)
{
	snprintf(name, size, "lcore%u.dma_sw", lcore);
}

/* Whether lcore is a service lcore as a started device's lcore=. */
static bool
lcore_is_dedicated(unsigned int lcore)
{
	char name[RTE_SERVICE_NAME_MAX];
	uint32_t id;

	lcore_service_name(name, sizeof(name), lcore);
	return rte_service_get_by_name(name, &id) == 0 &&
		rte_service_map_lcore_get(id, lcore) == 1;
}

static int
arg_lcore(const char *key, const char *value, void *opaque)
{
	struct sw_devargs *a = opaque;
	uint64_t v;

	if (parse_u64(value, 0, RTE_MAX_LCORE - 1, &v) < 0) {
		SW_LOG(ERR, "devarg %s=%s: expected an integer in [0, %u]",
			key, value ? value : "", RTE_MAX_LCORE - 1);
		return -EINVAL;
	}
	/*
	 * Before the enabled check: EAL counts service lcores as not enabled.
	 * One that is another device's dedicated lcore while that device is
	 * started is an application lcore: this device starts once that one
	 * stops (see lcore_worker_start()).
	 */
	if (rte_eal_lcore_role((unsigned int)v) == ROLE_SERVICE) {
		if (lcore_is_dedicated((unsigned int)v)) {
			a->lcore = (int)v;
			return 0;
		}
		SW_LOG(ERR, "devarg %s=%s: lcore %" PRIu64 " is a service lcore; use no %s= to run as a service",
			key, value, v, SW_ARG_LCORE);
		return -EINVAL;
	}
	if (!rte_lcore_is_enabled((unsigned int)v)) {
		SW_LOG(ERR, "devarg %s=%s: lcore %" PRIu64 " is not enabled in EAL (-l/-c)",
			key, value, v);
		return -EINVAL;
	}
	if (v == rte_get_main_lcore()) {
		SW_LOG(ERR, "devarg %s=%s: lcore %" PRIu64 " is the main lcore; pick a worker lcore",
			key, value, v);
		return -EINVAL;
	}
	a->lcore = (int)v;
	return 0;
}

static int
arg_domain(const char *key, const char *value, void *opaque)
{
	struct sw_devargs *a = opaque;

	if (value != NULL && strcmp(value, "eal") == 0) {
		a->domain = SW_DOMAIN_EAL;
	} else if (value != NULL && strcmp(value, "strict") == 0) {
		a->domain = SW_DOMAIN_STRICT;
	} else {
		SW_LOG(ERR, "devarg %s=%s: expected 'eal' or 'strict'", key, value ? value : "");
		return -EINVAL;
	}
	return 0;
}

static int
arg_kernel(const char *key, const char *value, void *opaque)
{
	struct sw_devargs *a = opaque;
	char names[64] = "auto";
	unsigned int i;

	for (i = 0; sw_kernels[i] != NULL; i++) {
		if (value != NULL && strcmp(value, sw_kernels[i]->name) == 0) {
			strlcpy(a->kernel, value, sizeof(a->kernel));
			return 0;
		}
		strlcat(names, "|", sizeof(names));
		strlcat(names, sw_kernels[i]->name, sizeof(names));
	}
	if (value != NULL && strcmp(value, "auto") == 0) {
		a->kernel[0] = '\0';
		return 0;
	}
	SW_LOG(ERR, "devarg %s=%s: expected one of %s", key, value ? value : "", names);
	return -EINVAL;
}

static int
arg_nt_threshold(const char *key, const char *value, void *opaque)
{
	struct sw_devargs *a = opaque;
	uint64_t v;

	if (value != NULL && strcmp(value, "off") == 0) {
		a->nt_threshold = UINT32_MAX;
		return 0;
	}
	/* UINT32_MAX itself stands for 'off'. */
	if (parse_u64(value, SW_NT_MIN, UINT32_MAX - 1, &v) < 0) {
		SW_LOG(ERR, "devarg %s=%s: expected a size in bytes in [%u, %u] or 'off'",
			key, value ? value : "", SW_NT_MIN, UINT32_MAX - 1);
		return -EINVAL;
	}
	a->nt_threshold = (uint32_t)v;
	return 0;
}

static int
arg_max_batch(const char *key, const char *value, void *opaque)
{
	struct sw_devargs *a = opaque;
	uint64_t v;

	if (parse_u64(value, 1, SW_MAX_DESC, &v) < 0) {
		SW_LOG(ERR, "devarg %s=%s: expected a number of operations in [1, %u]",
			key, value ? value : "", SW_MAX_DESC);
		return -EINVAL;
	}
	a->max_batch = (uint16_t)v;
	return 0;
}

static int
parse_devargs(const char *name, const char *params, struct sw_devargs *a)
{
	static const struct {
		const char *key;
		arg_handler_t fn;
	} handlers[] = {
		{ SW_ARG_LCORE, arg_lcore },
		{ SW_ARG_DOMAIN, arg_domain },
		{ SW_ARG_KERNEL, arg_kernel },
		{ SW_ARG_NT_THRESHOLD, arg_nt_threshold },
		{ SW_ARG_MAX_BATCH, arg_max_batch },
	};
	struct rte_kvargs *kv;
	const char *bad;
	unsigned int i;
	int ret = 0;

	*a = (struct sw_devargs){
		.lcore = -1,
		.domain = SW_DOMAIN_EAL,
		.nt_threshold = SW_NT_THRESHOLD_DEFAULT,
	};
	if (params == NULL || params[0] == '\0')
		return 0;

	bad = kvargs_strict_bad_item(params);
	if (bad != NULL) {
		SW_LOG(ERR, "%s: devargs '%s': item '%.*s' is not one key=value (one '=', no brackets)",
			name, params, (int)strcspn(bad, ","), bad);
		return -EINVAL;
	}
	kv = rte_kvargs_parse(params, sw_valid_args);
	if (kv == NULL) {
		SW_LOG(ERR, "%s: cannot parse devargs '%s': unknown key or bad syntax"
			" (keys: %s=<worker lcore>, %s=eal|strict, %s=auto|avx512|avx2|sse2,"
			" %s=<bytes>|off, %s=<operations>)", name, params, SW_ARG_LCORE,
			SW_ARG_DOMAIN, SW_ARG_KERNEL, SW_ARG_NT_THRESHOLD,
			SW_ARG_MAX_BATCH);
		return -EINVAL;
	}
	for (i = 0; i < RTE_DIM(handlers) && ret == 0; i++) {
		unsigned int n = rte_kvargs_count(kv, handlers[i].key);

		if (n > 1) {
			SW_LOG(ERR, "%s: devarg %s given %u times", name, handlers[i].key, n);
			ret = -EINVAL;
		} else if (n == 1 &&
				rte_kvargs_process(kv, handlers[i].key, handlers[i].fn, a) != 0) {
			ret = -EINVAL;
		}
	}
	rte_kvargs_free(kv);
	return ret;
}

/* ---- dmadev ops ------------------------------------------------------ */

static int
sw_info_get(const struct rte_dma_dev *dev, struct rte_dma_info *info, uint32_t info_sz)
{
	const struct sw_dmadev *sw = dev->data->dev_private;

	RTE_SET_USED(info_sz);
	info->dev_capa = RTE_DMA_CAPA_MEM_TO_MEM |
		RTE_DMA_CAPA_HANDLES_ERRORS |
		RTE_DMA_CAPA_OPS_COPY |
		RTE_DMA_CAPA_OPS_COPY_SG |
		RTE_DMA_CAPA_OPS_FILL;
	info->max_vchans = SW_MAX_VCHANS;
	info->max_desc = SW_MAX_DESC;
	info->min_desc = SW_MIN_DESC;
	info->max_sges = SW_MAX_SGES;
	info->nb_vchans = sw->nb_vchans;
	return 0;
}

static void
vchan_free(struct sw_vchan *vc)
{
	rte_free(vc->ring);
	rte_free(vc->status);
	rte_free(vc->sge);
	memset(vc, 0, sizeof(*vc));
}

static void
vchans_free(struct sw_dmadev *sw)
{
	uint16_t i;

	for (i = 0; i < sw->nb_vchans; i++)
		vchan_free(&sw->vchans[i]);
	rte_free(sw->vchans);
	sw->vchans = NULL;
	sw->nb_vchans = 0;
}

static int
sw_configure(struct rte_dma_dev *dev, const struct rte_dma_conf *conf, uint32_t conf_sz)
{
	struct sw_dmadev *sw = dev->data->dev_private;
	struct sw_vchan *v;

	RTE_SET_USED(conf_sz);
	v = rte_zmalloc_socket("dma_sw_vchans", conf->nb_vchans * sizeof(*v),
			RTE_CACHE_LINE_SIZE, sw->socket_id);
	if (v == NULL) {
		SW_LOG(ERR, "%s: no memory for %u vchans", sw->name, conf->nb_vchans);
		return -ENOMEM;
	}
	vchans_free(sw);
	sw->vchans = v;
	sw->nb_vchans = conf->nb_vchans;
	return 0;
}

static int
sw_vchan_setup(struct rte_dma_dev *dev, uint16_t vchan,
		const struct rte_dma_vchan_conf *conf, uint32_t conf_sz)
{
	struct sw_dmadev *sw = dev->data->dev_private;
	struct sw_vchan *vc = &sw->vchans[vchan];
	uint32_t nb = rte_align32pow2(conf->nb_desc);
	uint32_t nb_sge = RTE_MAX(nb * SW_SGE_PER_DESC, 2u * SW_MAX_SGES);
	struct sw_desc *ring;
	sw_status_t *status;
	struct rte_dma_sge *sge;

	RTE_SET_USED(conf_sz);
	if (nb != conf->nb_desc)
		SW_LOG(INFO, "%s vchan %u: %u descriptors rounded up to %u",
			sw->name, vchan, conf->nb_desc, nb);

	ring = rte_zmalloc_socket("dma_sw_ring", nb * sizeof(*ring),
			RTE_CACHE_LINE_SIZE, sw->socket_id);
	status = rte_zmalloc_socket("dma_sw_status", nb * sizeof(*status),
			RTE_CACHE_LINE_SIZE, sw->socket_id);
	sge = rte_zmalloc_socket("dma_sw_sge", nb_sge * sizeof(*sge),
			RTE_CACHE_LINE_SIZE, sw->socket_id);
	if (ring == NULL || status == NULL || sge == NULL) {
		SW_LOG(ERR, "%s vchan %u: no memory for a ring of %u descriptors",
			sw->name, vchan, nb);
		rte_free(ring);
		rte_free(status);
		rte_free(sge);
		return -ENOMEM;
	}
	vchan_free(vc);
	vc->ring = ring;
	vc->status = status;
	vc->sge = sge;
	vc->mask = nb - 1;
	vc->sge_mask = nb_sge - 1;
	vc->nb_desc = nb;
	/* Its capacity comes with the start: stopped, a vchan takes nothing. */
	vc->capacity = 0;
	/* Never reached without the devarg: a ring holds at most 32768. */
	vc->batch_cap = sw->max_batch != 0 ? sw->max_batch : UINT16_MAX;
	return 0;
}

/* Ring indexes restart at 0 on every start (dmadev's contract). */
static void
vchan_reset(struct sw_vchan *vc)
{
	vc->enq = 0;
	vc->cpl = 0;
	vc->submitted_upto = 0;
	vc->sge_enq = 0;
	vc->err_reaped = 0;
	vc->tail = 0;
	vc->done = 0;
	vc->sge_done = 0;
	vc->err_total = 0;
	vc->fence_err = false;
	vc->batch_over = false;
}

static bool
service_is_mapped(uint32_t service_id)
{
	uint32_t lcores[RTE_MAX_LCORE];
	int i, n = rte_service_lcore_list(lcores, RTE_DIM(lcores));

	for (i = 0; i < n; i++)
		if (rte_service_map_lcore_get(service_id, lcores[i]) == 1)
			return true;
	return false;
}

/*
 * Register the device's worker as the service name (sw->service_id): the
 * service-mode device's, or a dedicated lcore's while started. A name
 * already taken is refused: services are found by name.
 */
static int
worker_service_register(struct sw_dmadev *sw, const char *name)
{
	struct rte_service_spec spec = {
		.callback = sw_worker_service_cb,
		.callback_userdata = sw,
		.socket_id = sw->socket_id,
	};
	uint32_t other;
	int ret;

	strlcpy(spec.name, name, sizeof(spec.name));
	if (rte_service_get_by_name(spec.name, &other) == 0) {
		SW_LOG(ERR, "%s: service %u already has the name %s", sw->name, other,
			spec.name);
		return -EEXIST;
	}
	ret = rte_service_component_register(&spec, &sw->service_id);
	if (ret != 0) {
		SW_LOG(ERR, "%s: cannot register service %s: %s", sw->name, spec.name,
			strerror(-ret));
		return ret;
	}
	sw->service_registered = true;
	return 0;
}

static void
service_release(struct sw_dmadev *sw)
{
	if (!sw->service_registered)
		return;
	rte_service_component_runstate_set(sw->service_id, 0);
	rte_service_runstate_set(sw->service_id, 0);
	while (rte_service_may_be_active(sw->service_id) == 1)
		rte_pause();
	rte_service_component_unregister(sw->service_id);
	sw->service_registered = false;
}

/*
 * Dedicated lcore (lcore=N): from start to stop, lcore N is a service
 * lcore that runs the device's worker as its only service, registered for
 * that time ("lcore<N>.dma_sw": one device per lcore). Being a service
 * lcore, it is EAL's to stop: rte_eal_cleanup() (rte_exit calls it too)
 * stops the service lcores before it waits for every lcore to return,
 * where a loop of the driver's own, launched on N, kept it waiting
 * forever for a device left started. It also keeps N out of
 * RTE_LCORE_FOREACH_WORKER and rte_eal_mp_remote_launch() meanwhile, and
 * rte_eal_remote_launch() on it fails with -EBUSY.
 */
static int
lcore_worker_start(struct sw_dmadev *sw)
{
	char name[RTE_SERVICE_NAME_MAX];
	int ret;

	lcore_service_name(name, sizeof(name), sw->lcore);
	ret = worker_service_register(sw, name);
	if (ret != 0)
		return ret;
	/* Its return is the lcore's last function's: the role tells. */
	rte_service_lcore_add(sw->lcore);
	if (rte_eal_lcore_role(sw->lcore) != ROLE_SERVICE) {
		SW_LOG(ERR, "%s: cannot make lcore %u a service lcore", sw->name, sw->lcore);
		service_release(sw);
		return -EBUSY;
	}
	rte_service_component_runstate_set(sw->service_id, 1);
	rte_service_runstate_set(sw->service_id, 1);
	ret = rte_service_map_lcore_set(sw->service_id, sw->lcore, 1);
	if (ret == 0)
		ret = rte_service_lcore_start(sw->lcore);
	if (ret != 0) {
		SW_LOG(ERR, "%s: cannot run service %s on lcore %u: %s", sw->name,
			name, sw->lcore, strerror(-ret));
		service_release(sw);
		rte_service_lcore_del(sw->lcore);
		return ret;
	}
	return 0;
}

/* The worker stopped (sw->run 0, quiescent): lcore N back to the application. */
static void
lcore_worker_stop(struct sw_dmadev *sw)
{
	/*
	 * No longer a service lcore: rte_eal_cleanup()'s service finalize
	 * reset it, and freed the service library's tables, which no call
	 * may read now (the bus cleanup that stops the device comes after);
	 * or the application took it back behind the device's back, and the
	 * registration stays (a service slot). Either way, nothing to do.
	 */
	if (rte_eal_lcore_role(sw->lcore) != ROLE_SERVICE) {
		sw->service_registered = false;
		return;
	}
	service_release(sw);
	/*
	 * Services of the application's mapped there too: the lcore stays a
	 * service lcore running them (a wait for it would never end).
	 */
	if (rte_service_lcore_count_services(sw->lcore) != 0) {
		SW_LOG(WARNING, "%s: lcore %u runs services of the application's too: left a running service lcore",
			sw->name, sw->lcore);
		return;
	}
	rte_service_lcore_stop(sw->lcore);
	rte_eal_wait_lcore(sw->lcore);
	rte_service_lcore_del(sw->lcore);
}

static int
sw_start(struct rte_dma_dev *dev)
{
	struct sw_dmadev *sw = dev->data->dev_private;
	uint16_t i;
	int ret;

	for (i = 0; i < sw->nb_vchans; i++) {
		if (sw->vchans[i].nb_desc == 0) {
			SW_LOG(ERR, "%s: vchan %u is not set up", sw->name, i);
			return -EINVAL;
		}
	}
	/* Refused before anything changes: the device stays as it was. */
	if (sw->worker == SW_WORKER_LCORE &&
			(rte_eal_lcore_role(sw->lcore) != ROLE_RTE ||
			rte_eal_get_lcore_state(sw->lcore) != WAIT)) {
		SW_LOG(ERR, "%s: lcore %u is busy with other work%s", sw->name, sw->lcore,
			rte_eal_lcore_role(sw->lcore) == ROLE_SERVICE ?
			" (a service lcore: another device's dedicated lcore?)" : "");
		return -EBUSY;
	}
	for (i = 0; i < sw->nb_vchans; i++)
		vchan_reset(&sw->vchans[i]);

	if (sw->worker == SW_WORKER_LCORE) {
		__atomic_store_n(&sw->run, 1, __ATOMIC_RELEASE);
		ret = lcore_worker_start(sw);
		if (ret != 0) {
			__atomic_store_n(&sw->run, 0, __ATOMIC_RELEASE);
			return ret;
		}
		sw->lcore_running = true;
	} else {
		__atomic_store_n(&sw->run, 1, __ATOMIC_RELEASE);
		rte_service_component_runstate_set(sw->service_id, 1);
		if (!service_is_mapped(sw->service_id))
			SW_LOG(WARNING, "%s: service %u is mapped to no service lcore: copies"
				" wait until the application maps it (EAL -s, rte_service_map_lcore_set)",
				sw->name, sw->service_id);
	}
	/*
	 * Ops only once the worker runs: a start that fails leaves every
	 * vchan refusing them (capacity 0), as stopped. The worker reads no
	 * capacity; the enqueues that do come after this call returns.
	 */
	for (i = 0; i < sw->nb_vchans; i++)
		sw->vchans[i].capacity = sw->vchans[i].nb_desc;
	return 0;
}

static int
sw_stop(struct rte_dma_dev *dev)
{
	struct sw_dmadev *sw = dev->data->dev_private;
	uint16_t i;

	__atomic_store_n(&sw->run, 0, __ATOMIC_RELEASE);
	if (sw->worker == SW_WORKER_SERVICE)
		rte_service_component_runstate_set(sw->service_id, 0);
	sw_worker_wait_quiescent(sw);
	if (sw->lcore_running) {
		lcore_worker_stop(sw);
		sw->lcore_running = false;
	}

	/* Run what was submitted but not yet run, here, under the domain
	 * lock so no map or unmap changes the snapshot meanwhile.
	 */
	rte_spinlock_lock(&sw->domain.lock);
	for (i = 0; i < sw->nb_vchans; i++) {
		struct sw_vchan *vc = &sw->vchans[i];
		uint16_t unsubmitted = (uint16_t)(vc->enq - vc->tail);

		sw_vchan_run_inline(sw, vc);
		/*
		 * Nothing more until the next start, whose reset would drop it
		 * unseen: an enqueue now gets -ENOSPC, as on a full ring (the
		 * completions of the ops run above can still be reaped).
		 */
		vc->capacity = 0;
		/* The discarded ones are gone: a submit now has nothing to show. */
		vc->enq = vc->tail;
		vc->submitted_upto = vc->tail;
		if (unsubmitted != 0) {
			vc->discarded += unsubmitted;
			SW_LOG(INFO, "%s vchan %u: %u operation(s) enqueued but never"
				" submitted discarded at stop", sw->name, i, unsubmitted);
		}
	}
	rte_spinlock_unlock(&sw->domain.lock);
	return 0;
}

static int
sw_close(struct rte_dma_dev *dev)
{
	struct sw_dmadev *sw = dev->data->dev_private;

	service_release(sw);
	vchans_free(sw);
	sw_domain_fini(&sw->domain);
	SW_LOG(INFO, "%s: closed", sw->name);
	return 0;
}

static void
stats_add(struct rte_dma_stats *s, const struct sw_vchan *vc)
{
	s->submitted += __atomic_load_n(&vc->st_submitted, __ATOMIC_RELAXED);
	s->completed += __atomic_load_n(&vc->st_completed, __ATOMIC_RELAXED);
	s->errors += __atomic_load_n(&vc->st_errors, __ATOMIC_RELAXED);
}

static int
sw_stats_get(const struct rte_dma_dev *dev, uint16_t vchan,
		struct rte_dma_stats *stats, uint32_t stats_sz)
{
	const struct sw_dmadev *sw = dev->data->dev_private;
	uint16_t i;

	RTE_SET_USED(stats_sz);
	memset(stats, 0, sizeof(*stats));
	if (vchan != RTE_DMA_ALL_VCHAN) {
		stats_add(stats, &sw->vchans[vchan]);
		return 0;
	}
	for (i = 0; i < sw->nb_vchans; i++)
		stats_add(stats, &sw->vchans[i]);
	return 0;
}

static int
sw_stats_reset(struct rte_dma_dev *dev, uint16_t vchan)
{
	struct sw_dmadev *sw = dev->data->dev_private;
	uint16_t i;

	for (i = 0; i < sw->nb_vchans; i++) {
		struct sw_vchan *vc = &sw->vchans[i];

		if (vchan != RTE_DMA_ALL_VCHAN && vchan != i)
			continue;
		vc->st_submitted = 0;
		vc->st_completed = 0;
		vc->st_errors = 0;
	}
	return 0;
}

static int
sw_vchan_status(const struct rte_dma_dev *dev, uint16_t vchan,
		enum rte_dma_vchan_status *status)
{
	const struct sw_dmadev *sw = dev->data->dev_private;
	const struct sw_vchan *vc = &sw->vchans[vchan];
	uint16_t tail = __atomic_load_n(&vc->tail, __ATOMIC_ACQUIRE);
	uint16_t done = __atomic_load_n(&vc->done, __ATOMIC_ACQUIRE);

	*status = tail != done ? RTE_DMA_VCHAN_ACTIVE : RTE_DMA_VCHAN_IDLE;
	return 0;
}

static void
print_devargs(const struct sw_dmadev *sw, FILE *f)
{
	fprintf(f, "  devargs: ");
	if (sw->worker == SW_WORKER_LCORE)
		fprintf(f, "%s=%u,", SW_ARG_LCORE, sw->lcore);
	fprintf(f, "%s=%s,%s=%s,", SW_ARG_DOMAIN, sw_domain_mode_name(sw->domain.mode),
		SW_ARG_KERNEL, sw->kernel_req ? sw->kernel_req : "auto");
	if (sw->nt_threshold == UINT32_MAX)
		fprintf(f, "%s=off", SW_ARG_NT_THRESHOLD);
	else
		fprintf(f, "%s=%u", SW_ARG_NT_THRESHOLD, sw->nt_threshold);
	if (sw->max_batch != 0)
		fprintf(f, ",%s=%u", SW_ARG_MAX_BATCH, sw->max_batch);
	fprintf(f, "\n");
}

static int
sw_dump(const struct rte_dma_dev *dev, FILE *f)
{
	struct sw_dmadev *sw = dev->data->dev_private;
	uint16_t i;

	fprintf(f, "dma_sw %s (dmadev %d), socket %d\n", sw->name, sw->dev_id, sw->socket_id);
	print_devargs(sw, f);
	if (sw->worker == SW_WORKER_LCORE)
		fprintf(f, "  worker: dedicated lcore %u, %s\n", sw->lcore,
			sw->lcore_running ? "running" : "idle");
	else
		fprintf(f, "  worker: service %u, %s, %s\n", sw->service_id,
			__atomic_load_n(&sw->run, __ATOMIC_RELAXED) ? "running" : "stopped",
			service_is_mapped(sw->service_id) ? "mapped to a service lcore" :
			"mapped to NO service lcore");
	if (sw->nt_threshold == UINT32_MAX)
		fprintf(f, "  kernel: %s (non-temporal never)\n", sw->kernel->name);
	else
		fprintf(f, "  kernel: %s (non-temporal from %u bytes)\n", sw->kernel->name,
			sw->nt_threshold);
	sw_domain_dump(&sw->domain, f);
	for (i = 0; i < sw->nb_vchans; i++) {
		const struct sw_vchan *vc = &sw->vchans[i];
		const struct sw_worker_stats *w = &vc->wst;

		fprintf(f, "  vchan %u: %u descriptors, enq %u submitted %u done %u reaped %u\n",
			i, vc->nb_desc, vc->enq, vc->tail, vc->done, vc->cpl);
		fprintf(f, "    submitted %" PRIu64 " completed %" PRIu64 " errors %" PRIu64
			" | ran %" PRIu64 " bytes %" PRIu64 " (non-temporal %" PRIu64 ")"
			" fills %" PRIu64 " sg %" PRIu64 "\n",
			vc->st_submitted, vc->st_completed, vc->st_errors,
			w->ops, w->bytes, w->nt_bytes, w->fills, w->sg_ops);
		fprintf(f, "    refused: bad src %" PRIu64 " bad dst %" PRIu64
			" not attempted %" PRIu64 " over max_batch %" PRIu64
			" | drained at stop %" PRIu64 " discarded at stop %" PRIu64 "\n",
			w->bad_src, w->bad_dst, w->not_attempted, w->batch_over,
			vc->drained, vc->discarded);
	}
	return 0;
}

static const struct rte_dma_dev_ops sw_ops = {
	.dev_info_get = sw_info_get,
	.dev_configure = sw_configure,
	.dev_start = sw_start,
	.dev_stop = sw_stop,
	.dev_close = sw_close,
	.vchan_setup = sw_vchan_setup,
	.stats_get = sw_stats_get,
	.stats_reset = sw_stats_reset,
	.vchan_status = sw_vchan_status,
	.dev_dump = sw_dump,
};

/* ---- vdev ------------------------------------------------------------ */

static int
service_setup(struct sw_dmadev *sw)
{
	int ret;

	/* Found by its name (rte_service_get_by_name()): the whole name, once. */
	if (strlen(sw->name) >= RTE_SERVICE_NAME_MAX) {
		SW_LOG(ERR, "%s: a service is named like its device, in at most %d characters:"
			" a shorter name, or lcore=<id> for a dedicated lcore",
			sw->name, RTE_SERVICE_NAME_MAX - 1);
		return -ENAMETOOLONG;
	}
	ret = worker_service_register(sw, sw->name);
	if (ret != 0)
		return ret;
	/* Enabled; it runs once started and mapped to a service lcore. */
	rte_service_runstate_set(sw->service_id, 1);
	return 0;
}

static int
sw_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	const struct sw_kernel *kernel;
	struct rte_dma_dev *dev;
	struct sw_devargs args;
	struct sw_dmadev *sw;
	const char *why = NULL;
	int socket, ret;

	if (name == NULL)
		return -EINVAL;
	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		/*
		 * The primary's device. A secondary probes it at its start and
		 * whenever the primary hot-plugs one, and EAL rolls a hot-plug
		 * back where a secondary fails: it stays here with no dmadev.
		 */
		SW_LOG(NOTICE, "%s: the primary's device: no dmadev in a secondary process",
			name);
		return 0;
	}
	ret = parse_devargs(name, rte_vdev_device_args(vdev), &args);
	if (ret < 0)
		return ret;
	kernel = sw_kernel_select(args.kernel[0] ? args.kernel : NULL, &why);
	if (kernel == NULL) {
		SW_LOG(ERR, "%s: devarg %s=%s unusable: %s", name, SW_ARG_KERNEL,
			args.kernel, why);
		return -ENOTSUP;
	}

	socket = args.lcore >= 0 ? (int)rte_lcore_to_socket_id(args.lcore) :
		(int)rte_socket_id();
	dev = rte_dma_pmd_allocate(name, socket, sizeof(*sw));
	if (dev == NULL) {
		SW_LOG(ERR, "%s: cannot allocate the dmadev", name);
		return -ENOMEM;
	}
	sw = dev->data->dev_private;
	strlcpy(sw->name, name, sizeof(sw->name));
	sw->dev_id = dev->data->dev_id;
	sw->socket_id = socket;
	sw->kernel = kernel;
	sw->kernel_req = args.kernel[0] ? kernel->name : NULL;
	sw->nt_threshold = args.nt_threshold;
	sw->max_batch = args.max_batch;
	sw->worker = args.lcore >= 0 ? SW_WORKER_LCORE : SW_WORKER_SERVICE;
	sw->lcore = args.lcore >= 0 ? (unsigned int)args.lcore : 0;

	ret = sw_domain_init(&sw->domain, args.domain, name, sw_worker_wait_quiescent, sw);
	if (ret < 0)
		goto release;
	if (sw->worker == SW_WORKER_SERVICE) {
		ret = service_setup(sw);
		if (ret < 0)
			goto domain_fini;
	}

	/*
	 * Where the copies run: a dedicated lcore's node is known, and is what
	 * rte_dma_info_get() reports; service cores are mapped later, and
	 * anywhere: unknown (SOCKET_ID_ANY, as the vdev bus sets it).
	 */
	if (sw->worker == SW_WORKER_LCORE)
		vdev->device.numa_node = socket;
	dev->device = &vdev->device;
	dev->dev_ops = &sw_ops;
	dev->fp_obj->dev_private = sw;
	dev->fp_obj->copy = sw_copy;
	dev->fp_obj->copy_sg = sw_copy_sg;
	dev->fp_obj->fill = sw_fill;
	dev->fp_obj->submit = sw_submit;
	dev->fp_obj->completed = sw_completed;
	dev->fp_obj->completed_status = sw_completed_status;
	dev->fp_obj->burst_capacity = sw_burst_capacity;
	dev->state = RTE_DMA_DEV_READY;

	if (sw->worker == SW_WORKER_LCORE)
		SW_LOG(INFO, "%s: dmadev %d, worker on lcore %u, %s domain, %s kernel",
			name, sw->dev_id, sw->lcore, sw_domain_mode_name(args.domain),
			kernel->name);
	else
		SW_LOG(INFO, "%s: dmadev %d, worker is service %u, %s domain, %s kernel",
			name, sw->dev_id, sw->service_id, sw_domain_mode_name(args.domain),
			kernel->name);
	return 0;

domain_fini:
	sw_domain_fini(&sw->domain);
release:
	rte_dma_pmd_release(name);
	return ret;
}

/* dmadev 22.11 offers drivers no lookup of their device by name; the fast
 * path object holds our private pointer, checked to be ours.
 */
static struct sw_dmadev *
vdev_to_sw(struct rte_vdev_device *vdev)
{
	int id = rte_dma_get_dev_id_by_name(rte_vdev_device_name(vdev));

	if (id < 0 || !rte_dma_is_valid(id) || rte_dma_fp_objs[id].copy != sw_copy)
		return NULL;
	return rte_dma_fp_objs[id].dev_private;
}

static int
sw_remove(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct sw_dmadev *sw;
	int id;

	if (name == NULL)
		return -EINVAL;
	id = rte_dma_get_dev_id_by_name(name);
	if (id < 0)
		return 0; /* closed through rte_dma_close(), or a secondary's */
	/* Stop only a started device: rte_dma_stop() warns on a stopped one. */
	sw = vdev_to_sw(vdev);
	if (sw != NULL && __atomic_load_n(&sw->run, __ATOMIC_ACQUIRE))
		rte_dma_stop(id);
	return rte_dma_pmd_release(name);
}

static int
sw_dma_map(struct rte_vdev_device *vdev, void *addr, uint64_t iova, size_t len)
{
	struct sw_dmadev *sw = vdev_to_sw(vdev);

	if (sw == NULL) {
		rte_errno = ENODEV;
		return -ENODEV;
	}
	return sw_domain_map(&sw->domain, addr, iova, len);
}

static int
sw_dma_unmap(struct rte_vdev_device *vdev, void *addr, uint64_t iova, size_t len)
{
	struct sw_dmadev *sw = vdev_to_sw(vdev);

	if (sw == NULL) {
		rte_errno = ENODEV;
		return -ENODEV;
	}
	return sw_domain_unmap(&sw->domain, addr, iova, len);
}

static struct rte_vdev_driver sw_pmd_drv = {
	.probe = sw_probe,
	.remove = sw_remove,
	.dma_map = sw_dma_map,
	.dma_unmap = sw_dma_unmap,
};

RTE_PMD_REGISTER_VDEV(dma_sw, sw_pmd_drv);
RTE_PMD_REGISTER_PARAM_STRING(dma_sw,
	SW_ARG_LCORE "=<worker lcore> "
	SW_ARG_DOMAIN "=eal|strict "
	SW_ARG_KERNEL "=auto|avx512|avx2|sse2 "
	SW_ARG_NT_THRESHOLD "=<bytes>|off "
	SW_ARG_MAX_BATCH "=<operations>");
