/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * dma_offload control path: vdev probe and remove, devargs, the dmadev ops
 * table, the ocopy instance's life cycle (created by start, destroyed by
 * stop), statistics and dump.
 *
 * Threading: dmadev's control calls come from one control thread at a time
 * (dmadev's rule). Statistics are read here while the datapath lcores
 * write them; 64-bit loads make the figures approximate, never torn.
 *
 * Ownership: the engines named by the devargs belong to the device from
 * rte_dma_start() to rte_dma_stop() only; the library configures, starts
 * and stops them. In between, they are free for anyone else.
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
#include <rte_malloc.h>
#include <rte_string_fns.h>

#include "offload_dmadev.h"

RTE_LOG_REGISTER_DEFAULT(offload_logtype, INFO);

/* Keys given to ocopy_conf_parse(), which checks their values. */
static const char *const offload_valid_args[] = {
	"engines",
	"policy",
	"threshold",
	"split",
	"slack",
	"ring_size",
	"stall_us",
	"degrade_errors",
	"reprobe_ms",
	"socket",
	"learn",
	"cpu_help",
	/* Library keys the dmadev API sets: refused with a reason. */
	"queues",
	"queue_size",
	NULL,
};

#define OFFLOAD_KEYS_HELP "engines=<dmadev>[@<node>][:<dmadev>[@<node>]...]|all, " \
	"policy=auto|cpu|engine, threshold=<bytes>, split=<bytes>|off, " \
	"slack=<percent>, ring_size=<descriptors>, stall_us=<us>, " \
	"degrade_errors=<n>, reprobe_ms=<ms>, socket=<n>, learn=on|off, " \
	"cpu_help=auto|on|off"

/* ---- devargs --------------------------------------------------------- */

/* Is dmadev id one of ours? (Stacking dma_offload devices is refused.) */
static bool
is_offload_dev(int16_t id)
{
	return rte_dma_is_valid(id) &&
		rte_dma_fp_objs[id].copy == offload_dmadev_copy;
}

/*
 * Each name of engines= must be a dmadev already: give the reason the
 * library's message cannot (vdevs are probed in command-line order).
 */
static int
arg_engines(const char *key, const char *value, void *opaque)
{
	const char *name = opaque;
	char buf[1024], *tok, *save = NULL;

	if (value == NULL || strcmp(value, "all") == 0 ||
			strlcpy(buf, value, sizeof(buf)) >= sizeof(buf))
		return 0;	/* the library says what is wrong */
	for (tok = strtok_r(buf, ":", &save); tok != NULL;
			tok = strtok_r(NULL, ":", &save)) {
		char *at = strrchr(tok, '@');

		if (at != NULL)
			*at = '\0';	/* name@node: the library checks the node */
		if (isdigit((unsigned char)tok[0]) ||
				rte_dma_get_dev_id_by_name(tok) >= 0)
			continue;
		OFFLOAD_LOG(ERR, "%s: devarg %s: '%s' is no dmadev (yet): engines must be probed before %s, so give their --vdev first on the command line",
			name, key, tok, name);
		return -EINVAL;
	}
	return 0;
}

/*
 * Parse the devargs into conf: strict, every key known and given once,
 * values checked by ocopy_conf_parse(), engines resolved to the dmadevs
 * that exist now. Logs the reason of a refusal.
 */
static int
parse_devargs(const char *name, const char *params, struct ocopy_conf *conf)
{
	struct rte_kvargs *kv;
	unsigned int i, n;
	uint16_t e, f;
	int ret = 0;

	ocopy_conf_init(conf);
	conf->all_engines = true;	/* engines=all */
	if (params == NULL || params[0] == '\0')
		return 0;

	kv = rte_kvargs_parse(params, offload_valid_args);
	if (kv == NULL) {
		OFFLOAD_LOG(ERR, "%s: cannot parse devargs '%s': unknown key or bad syntax (keys: "
			OFFLOAD_KEYS_HELP ")", name, params);
		return -EINVAL;
	}
	for (i = 0; offload_valid_args[i] != NULL && ret == 0; i++) {
		const char *key = offload_valid_args[i];

		/* A key given twice: ocopy_conf_parse() refuses it, below. */
		n = rte_kvargs_count(kv, key);
		if (n != 0 && strcmp(key, "queues") == 0) {
			OFFLOAD_LOG(ERR, "%s: devarg queues: not a dma_offload devarg; one library queue per vchan, set with rte_dma_configure()",
				name);
			ret = -EINVAL;
		} else if (n != 0 && strcmp(key, "queue_size") == 0) {
			OFFLOAD_LOG(ERR, "%s: devarg queue_size: not a dma_offload devarg; the vchan's nb_desc, rounded up to a power of two, set with rte_dma_vchan_setup()",
				name);
			ret = -EINVAL;
		} else if (n != 0 && strcmp(key, "engines") == 0) {
			ret = rte_kvargs_process(kv, key, arg_engines,
					(void *)(uintptr_t)name);
		}
	}
	rte_kvargs_free(kv);
	if (ret != 0)
		return -EINVAL;

	ret = ocopy_conf_parse(conf, params);
	if (ret < 0) {
		OFFLOAD_LOG(ERR, "%s: devargs '%s' refused: the offload_copy line above says why",
			name, params);
		return ret;
	}
	for (e = 0; e < conf->nb_engines; e++) {
		if (is_offload_dev(conf->engines[e])) {
			OFFLOAD_LOG(ERR, "%s: devarg engines: dmadev %d is a dma_offload device; its engines can be named instead",
				name, conf->engines[e]);
			return -EINVAL;
		}
		for (f = 0; f < e; f++)
			if (conf->engines[f] == conf->engines[e]) {
				OFFLOAD_LOG(ERR, "%s: devarg engines: dmadev %d named twice",
					name, conf->engines[e]);
				return -EINVAL;
			}
	}
	return 0;
}

/*
 * The configuration in devargs syntax, for the dump: the library's own
 * string (ocopy_conf_format(): every key it has, defaults of the numeric
 * ones left out) without the keys that rte_dma_configure() and
 * rte_dma_vchan_setup() set, which are not devargs (queues, queue_size).
 * Engines are separated by ':', items by ','.
 */
static void
print_devargs(const struct offload_dmadev *od, FILE *f)
{
	char buf[OCOPY_CONF_STR_LEN], *item, *save = NULL;
	struct ocopy_conf conf;
	const char *sep = "";

	/*
	 * Parsed now, as a start does: engines are named by their dmadev
	 * ids, which change when engines go and come back (the probe's ids
	 * named engines the device did not use, or none).
	 */
	if (parse_devargs(od->name, od->devargs, &conf) < 0) {
		fprintf(f, "  devargs: %s (as given: they no longer hold)\n",
			od->devargs != NULL ? od->devargs : "");
		return;
	}
	if (ocopy_conf_format(&conf, buf, sizeof(buf)) < 0) {
		fprintf(f, "  devargs: (cannot be written)\n");
		return;
	}
	fprintf(f, "  devargs: ");
	for (item = strtok_r(buf, ",", &save); item != NULL;
			item = strtok_r(NULL, ",", &save)) {
		if (strncmp(item, "queues=", strlen("queues=")) == 0 ||
				strncmp(item, "queue_size=", strlen("queue_size=")) == 0)
			continue;
		fprintf(f, "%s%s", sep, item);
		sep = ",";
	}
	fprintf(f, "\n");
}

/* ---- dmadev ops ------------------------------------------------------ */

/* Control thread; never fails. */
static int
offload_info_get(const struct rte_dma_dev *dev, struct rte_dma_info *info,
		uint32_t info_sz)
{
	const struct offload_dmadev *od = dev->data->dev_private;

	RTE_SET_USED(info_sz);
	info->dev_capa = RTE_DMA_CAPA_MEM_TO_MEM |
		RTE_DMA_CAPA_HANDLES_ERRORS |
		RTE_DMA_CAPA_OPS_COPY |
		RTE_DMA_CAPA_OPS_COPY_SG |
		RTE_DMA_CAPA_OPS_FILL;
	info->max_vchans = OFFLOAD_MAX_VCHANS;
	info->max_desc = OFFLOAD_MAX_DESC;
	info->min_desc = OFFLOAD_MIN_DESC;
	info->max_sges = OFFLOAD_MAX_SGES;
	info->nb_vchans = od->nb_vchans;
	return 0;
}

/* Control thread, device stopped (dmadev checks); allocates; -ENOMEM. */
static int
offload_configure(struct rte_dma_dev *dev, const struct rte_dma_conf *conf,
		uint32_t conf_sz)
{
	struct offload_dmadev *od = dev->data->dev_private;
	struct offload_vchan *v;

	RTE_SET_USED(conf_sz);
	v = rte_zmalloc_socket("dma_offload_vchans",
			conf->nb_vchans * sizeof(*v), RTE_CACHE_LINE_SIZE,
			od->socket_id);
	if (v == NULL) {
		OFFLOAD_LOG(ERR, "%s: no memory for %u vchans", od->name,
			conf->nb_vchans);
		return -ENOMEM;
	}
	rte_free(od->vchans);
	od->vchans = v;
	od->nb_vchans = conf->nb_vchans;
	return 0;
}

/* Control thread, device stopped; records the ring size, nothing else. */
static int
offload_vchan_setup(struct rte_dma_dev *dev, uint16_t vchan,
		const struct rte_dma_vchan_conf *conf, uint32_t conf_sz)
{
	struct offload_dmadev *od = dev->data->dev_private;
	uint32_t nb = rte_align32pow2(conf->nb_desc);

	RTE_SET_USED(conf_sz);
	if (nb != conf->nb_desc)
		OFFLOAD_LOG(INFO, "%s vchan %u: %u descriptors rounded up to %u",
			od->name, vchan, conf->nb_desc, nb);
	od->vchans[vchan].nb_desc = conf->nb_desc;
	return 0;
}

static void
vchans_fifo_free(struct offload_dmadev *od)
{
	uint16_t v;

	for (v = 0; v < od->nb_vchans; v++) {
		rte_free(od->vchans[v].bad);
		od->vchans[v].bad = NULL;
	}
}

/*
 * Control thread. Creates the instance: one queue per vchan, sized for the
 * largest ring asked for; the library configures and starts the engines
 * (and calibrates them, policy=auto without threshold=). On failure
 * nothing is left started; the library logs the reason.
 */
static int
offload_start(struct rte_dma_dev *dev)
{
	struct offload_dmadev *od = dev->data->dev_private;
	struct ocopy_conf conf;
	uint32_t qsize = 0;
	struct ocopy *oc;
	uint16_t v;
	int ret;

	for (v = 0; v < od->nb_vchans; v++) {
		if (od->vchans[v].nb_desc == 0) {
			OFFLOAD_LOG(ERR, "%s: vchan %u is not set up", od->name, v);
			return -EINVAL;
		}
		qsize = RTE_MAX(qsize, rte_align32pow2(od->vchans[v].nb_desc));
	}
	/* Again: an engine may have gone, or another taken its id. */
	ret = parse_devargs(od->name, od->devargs, &conf);
	if (ret < 0) {
		OFFLOAD_LOG(ERR, "%s: cannot start: its devargs no longer hold",
			od->name);
		return -ENODEV;
	}
	conf.name = od->name;
	conf.nb_queues = od->nb_vchans;
	conf.queue_size = qsize;

	for (v = 0; v < od->nb_vchans; v++) {
		struct offload_vchan *vc = &od->vchans[v];

		vc->bad = rte_zmalloc_socket("dma_offload_bad",
				qsize * sizeof(*vc->bad), RTE_CACHE_LINE_SIZE,
				od->socket_id);
		if (vc->bad == NULL) {
			OFFLOAD_LOG(ERR, "%s: no memory for vchan %u", od->name, v);
			ret = -ENOMEM;
			goto free_fifos;
		}
	}
	oc = ocopy_create(&conf);
	if (oc == NULL) {
		ret = -rte_errno;
		OFFLOAD_LOG(ERR, "%s: cannot start: the offload_copy instance was refused (%s)",
			od->name, rte_strerror(rte_errno));
		goto free_fifos;
	}
	for (v = 0; v < od->nb_vchans; v++) {
		struct offload_vchan *vc = &od->vchans[v];

		/* Ring indexes restart at 0 (dmadev's contract; the
		 * library's queue is new).
		 */
		vc->sub = 0;
		vc->cpl = 0;
		vc->bad_head = 0;
		vc->bad_tail = 0;
		vc->bad_mask = qsize - 1;
		vc->nb_staged = 0;
		vc->q = ocopy_queue_get(oc, v);
	}
	od->oc = oc;
	od->queue_size = qsize;
	od->starts++;
	OFFLOAD_LOG(INFO, "%s: started: %u vchan(s) of %u ops, %u engine(s), policy %s",
		od->name, od->nb_vchans, qsize, ocopy_engine_count(oc),
		ocopy_policy_name(conf.policy));
	return 0;

free_fifos:
	vchans_fifo_free(od);
	return ret;
}

/*
 * Control thread, with no datapath lcore using the device (dmadev's rule).
 * Destroys the instance: the library waits for the engines (bounded by
 * its stall time), reports what never finished as aborted, stops the
 * engines. Completions not gathered are dropped, as a new start resets
 * the ring indexes.
 */
static int
offload_stop(struct rte_dma_dev *dev)
{
	struct offload_dmadev *od = dev->data->dev_private;
	uint16_t v;

	if (od->oc == NULL)
		return 0;
	for (v = 0; v < od->nb_vchans; v++) {
		struct offload_vchan *vc = &od->vchans[v];
		/* Staged copies: never submitted, never given to the library. */
		uint32_t left = ocopy_queue_inflight(vc->q) + vc->nb_staged;
		uint16_t unsubmitted = (uint16_t)(vc->cpl + left - vc->sub);

		if (left != 0)
			OFFLOAD_LOG(INFO, "%s vchan %u: %u operation(s) not gathered at stop, %u of them never submitted: dropped",
				od->name, v, left, unsubmitted);
		vc->q = NULL;
		vc->nb_staged = 0;
	}
	ocopy_destroy(od->oc);
	od->oc = NULL;
	vchans_fifo_free(od);
	return 0;
}

/* Control thread, device stopped (dmadev checks). */
static int
offload_close(struct rte_dma_dev *dev)
{
	struct offload_dmadev *od = dev->data->dev_private;

	rte_free(od->vchans);
	od->vchans = NULL;
	od->nb_vchans = 0;
	free(od->devargs);
	od->devargs = NULL;
	OFFLOAD_LOG(INFO, "%s: closed", od->name);
	return 0;
}

static void
stats_add(struct rte_dma_stats *s, const struct offload_vchan *vc)
{
	s->submitted += __atomic_load_n(&vc->st_submitted, __ATOMIC_RELAXED);
	s->completed += __atomic_load_n(&vc->st_completed, __ATOMIC_RELAXED);
	s->errors += __atomic_load_n(&vc->st_errors, __ATOMIC_RELAXED);
}

/* Any thread; what the application sees, as dmadev defines it. */
static int
offload_stats_get(const struct rte_dma_dev *dev, uint16_t vchan,
		struct rte_dma_stats *stats, uint32_t stats_sz)
{
	const struct offload_dmadev *od = dev->data->dev_private;
	uint16_t v;

	RTE_SET_USED(stats_sz);
	memset(stats, 0, sizeof(*stats));
	for (v = 0; v < od->nb_vchans; v++)
		if (vchan == RTE_DMA_ALL_VCHAN || vchan == v)
			stats_add(stats, &od->vchans[v]);
	return 0;
}

/* Control thread, vchan idle: clears the counters above. */
static int
offload_stats_reset(struct rte_dma_dev *dev, uint16_t vchan)
{
	struct offload_dmadev *od = dev->data->dev_private;
	uint16_t v;

	for (v = 0; v < od->nb_vchans; v++) {
		struct offload_vchan *vc = &od->vchans[v];

		if (vchan != RTE_DMA_ALL_VCHAN && vchan != v)
			continue;
		vc->st_submitted = 0;
		vc->st_completed = 0;
		vc->st_errors = 0;
		vc->st_bad_addr = 0;
	}
	return 0;
}

/*
 * Any thread. Active while an engine that serves the vchan is: the
 * library's ops in flight are on the engines (CPU copies are done when
 * enqueued). An engine that cannot tell makes the answer unknown.
 */
static int
offload_vchan_status(const struct rte_dma_dev *dev, uint16_t vchan,
		enum rte_dma_vchan_status *status)
{
	const struct offload_dmadev *od = dev->data->dev_private;
	struct ocopy_engine_info ei;
	enum rte_dma_vchan_status st;
	uint16_t e;
	int ret;

	*status = RTE_DMA_VCHAN_IDLE;
	if (od->oc == NULL)
		return 0;
	for (e = 0; e < ocopy_engine_count(od->oc); e++) {
		if (ocopy_engine_info_get(od->oc, e, &ei) < 0 ||
				vchan >= ei.nb_vchans)
			continue;
		ret = rte_dma_vchan_status(ei.dev_id, vchan, &st);
		if (ret < 0)
			return ret;
		if (st != RTE_DMA_VCHAN_IDLE) {
			*status = st;
			return 0;
		}
	}
	return 0;
}

/* Control thread. */
static int
offload_dump(const struct rte_dma_dev *dev, FILE *f)
{
	const struct offload_dmadev *od = dev->data->dev_private;
	uint16_t v;

	fprintf(f, "dma_offload %s (dmadev %d), socket %d, %s, started %" PRIu64 " time(s)\n",
		od->name, od->dev_id, od->socket_id,
		od->oc != NULL ? "running" : "stopped", od->starts);
	print_devargs(od, f);
	for (v = 0; v < od->nb_vchans; v++) {
		const struct offload_vchan *vc = &od->vchans[v];

		fprintf(f, "  vchan %u: %u descriptors", v, vc->nb_desc);
		if (vc->q != NULL)
			fprintf(f, " (queue of %u), submitted up to %u, gathered up to %u, %u in flight, %u staged",
				od->queue_size, vc->sub, vc->cpl,
				ocopy_queue_inflight(vc->q), vc->nb_staged);
		fprintf(f, "\n    submitted %" PRIu64 " completed %" PRIu64
			" errors %" PRIu64 " | refused by the address check %"
			PRIu64 "\n", vc->st_submitted, vc->st_completed,
			vc->st_errors, vc->st_bad_addr);
	}
	if (od->oc != NULL)
		ocopy_dump(od->oc, f);
	return 0;
}

static const struct rte_dma_dev_ops offload_ops = {
	.dev_info_get = offload_info_get,
	.dev_configure = offload_configure,
	.dev_start = offload_start,
	.dev_stop = offload_stop,
	.dev_close = offload_close,
	.vchan_setup = offload_vchan_setup,
	.stats_get = offload_stats_get,
	.stats_reset = offload_stats_reset,
	.vchan_status = offload_vchan_status,
	.dev_dump = offload_dump,
};

/* ---- vdev ------------------------------------------------------------ */

static int
offload_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	const char *params = rte_vdev_device_args(vdev);
	struct offload_dmadev *od;
	struct ocopy_conf conf;
	struct rte_dma_dev *dev;
	char *args;
	int ret;

	if (name == NULL)
		return -EINVAL;
	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		/* As dma_sw's: the primary's hot-plug needs every secondary's probe. */
		OFFLOAD_LOG(NOTICE, "%s: the primary's device: no dmadev in a secondary process",
			name);
		return 0;
	}
	if (strlen(name) >= OCOPY_NAME_LEN) {
		OFFLOAD_LOG(ERR, "%s: name too long: at most %u characters (it names the offload_copy instance)",
			name, OCOPY_NAME_LEN - 1);
		return -EINVAL;
	}
	/* The CPU copies of the library take IOVAs as addresses. */
	if (rte_eal_iova_mode() != RTE_IOVA_VA) {
		OFFLOAD_LOG(ERR, "%s: needs IOVA as VA (EAL --iova-mode=va): IOVAs are used as virtual addresses",
			name);
		return -ENOTSUP;
	}
	ret = parse_devargs(name, params, &conf);
	if (ret < 0)
		return ret;
	args = strdup(params != NULL ? params : "");
	if (args == NULL)
		return -ENOMEM;

	dev = rte_dma_pmd_allocate(name, conf.socket_id, sizeof(*od));
	if (dev == NULL) {
		if (conf.socket_id != SOCKET_ID_ANY)
			OFFLOAD_LOG(ERR, "%s: cannot allocate the dmadev on socket %d:"
				" no memory there (is it a NUMA node EAL knows?)",
				name, conf.socket_id);
		else
			OFFLOAD_LOG(ERR, "%s: cannot allocate the dmadev", name);
		free(args);
		return -ENOMEM;
	}
	od = dev->data->dev_private;
	rte_strlcpy(od->name, name, sizeof(od->name));
	od->dev_id = dev->data->dev_id;
	od->socket_id = conf.socket_id;
	od->devargs = args;

	/* rte_dma_info_get() reports the device's node: the socket= one. */
	if (conf.socket_id != SOCKET_ID_ANY)
		vdev->device.numa_node = conf.socket_id;
	dev->device = &vdev->device;
	dev->dev_ops = &offload_ops;
	dev->fp_obj->dev_private = od;
	dev->fp_obj->copy = offload_dmadev_copy;
	dev->fp_obj->copy_sg = offload_dmadev_copy_sg;
	dev->fp_obj->fill = offload_dmadev_fill;
	dev->fp_obj->submit = offload_dmadev_submit;
	dev->fp_obj->completed = offload_dmadev_completed;
	dev->fp_obj->completed_status = offload_dmadev_completed_status;
	dev->fp_obj->burst_capacity = offload_dmadev_burst_capacity;
	dev->state = RTE_DMA_DEV_READY;

	OFFLOAD_LOG(INFO, "%s: dmadev %d, engines %s, policy %s", name,
		od->dev_id, conf.all_engines ? "all (chosen at start)" :
		"as named", ocopy_policy_name(conf.policy));
	return 0;
}

/* dmadev 22.11 offers drivers no lookup of their device by name; the fast
 * path object holds our private pointer, checked to be ours.
 */
static struct offload_dmadev *
vdev_to_od(struct rte_vdev_device *vdev)
{
	int id = rte_dma_get_dev_id_by_name(rte_vdev_device_name(vdev));

	if (id < 0 || !is_offload_dev((int16_t)id))
		return NULL;
	return rte_dma_fp_objs[id].dev_private;
}

static int
offload_remove(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct offload_dmadev *od;
	int id;

	if (name == NULL)
		return -EINVAL;
	id = rte_dma_get_dev_id_by_name(name);
	if (id < 0)
		return 0;	/* closed through rte_dma_close(), or a secondary's */
	/* Stop only a started device: rte_dma_stop() warns on a stopped one. */
	od = vdev_to_od(vdev);
	if (od != NULL && od->oc != NULL)
		rte_dma_stop(id);
	return rte_dma_pmd_release(name);
}

static struct rte_vdev_driver offload_pmd_drv = {
	.probe = offload_probe,
	.remove = offload_remove,
};

RTE_PMD_REGISTER_VDEV(dma_offload, offload_pmd_drv);
RTE_PMD_REGISTER_PARAM_STRING(dma_offload,
	"engines=<dmadev>[@<node>][:<dmadev>[@<node>]...]|all "
	"policy=auto|cpu|engine "
	"threshold=<bytes> "
	"split=<bytes>|off "
	"slack=<percent> "
	"ring_size=<descriptors> "
	"stall_us=<us> "
	"degrade_errors=<n> "
	"reprobe_ms=<ms> "
	"socket=<n> "
	"learn=on|off "
	"cpu_help=auto|on|off");
