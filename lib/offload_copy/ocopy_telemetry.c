/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * Telemetry commands, readable with dpdk-telemetry.py:
 *   /offload_copy/list                  instance names
 *   /offload_copy/stats,<name>          totals and current settings
 *   /offload_copy/engine,<name>,<idx>   one engine: figures, counters, maps
 *   /offload_copy/queue,<name>,<qid>    one queue: counters, learned rates
 * They run on the telemetry thread and hold the instance-list lock, so an
 * instance cannot be destroyed under them.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>
#include <rte_string_fns.h>

#include "ocopy_internal.h"

static int
oc_tel_list(const char *cmd __rte_unused, const char *params __rte_unused,
		struct rte_tel_data *d)
{
	struct ocopy *oc = NULL;

	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	rte_spinlock_lock(&oc_instances_lock);
	while ((oc = oc_instance_next(oc)) != NULL)
		rte_tel_data_add_array_string(d, oc->name);
	rte_spinlock_unlock(&oc_instances_lock);
	return 0;
}

#define OC_TEL_U64(d, st, field) \
	rte_tel_data_add_dict_u64(d, #field, (st).field)

/* Every counter of struct ocopy_queue_stats: an instance's and a queue's. */
static void
oc_tel_counters(struct rte_tel_data *d, const struct ocopy_queue_stats *st)
{
	OC_TEL_U64(d, *st, submitted);
	OC_TEL_U64(d, *st, completed);
	OC_TEL_U64(d, *st, cpu);
	OC_TEL_U64(d, *st, engine);
	OC_TEL_U64(d, *st, split);
	OC_TEL_U64(d, *st, deferred);
	OC_TEL_U64(d, *st, bytes);
	OC_TEL_U64(d, *st, cpu_bytes);
	OC_TEL_U64(d, *st, errors);
	OC_TEL_U64(d, *st, failovers);
	OC_TEL_U64(d, *st, refused);
}

/* "<name>,<decimal index>": the name in name[], the index in *idx. */
static int
oc_tel_name_index(const char *params, char *name, size_t size,
		unsigned long *idx)
{
	char *comma, *end;

	if (params == NULL || strlcpy(name, params, size) >= size)
		return -EINVAL;
	comma = strchr(name, ',');
	if (comma == NULL)
		return -EINVAL;
	*comma = '\0';
	if (!isdigit((unsigned char)comma[1]))
		return -EINVAL;
	*idx = strtoul(comma + 1, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	return 0;
}

enum oc_tel_what {
	OC_TEL_INSTANCE,	/* "<name>" */
	OC_TEL_ENGINE,		/* "<name>,<engine index>" */
	OC_TEL_QUEUE,		/* "<name>,<queue id>" */
};

/*
 * The instance params name (and the index, in range, in *idx): returned
 * with oc_instances_lock held, for the caller to unlock; or NULL, the lock
 * free.
 */
static struct ocopy *
oc_tel_lock_find(const char *params, enum oc_tel_what what, unsigned long *idx)
{
	char name[OCOPY_NAME_LEN + 16];
	struct ocopy *oc;

	if (what == OC_TEL_INSTANCE) {
		if (params == NULL || params[0] == '\0' ||
				strlcpy(name, params, sizeof(name)) >= sizeof(name))
			return NULL;
	} else if (oc_tel_name_index(params, name, sizeof(name), idx) < 0) {
		return NULL;
	}
	rte_spinlock_lock(&oc_instances_lock);
	oc = ocopy_find(name);
	if (oc != NULL && ((what == OC_TEL_ENGINE && *idx >= oc->nb_engines) ||
			(what == OC_TEL_QUEUE && *idx >= oc->nb_queues)))
		oc = NULL;
	if (oc == NULL)
		rte_spinlock_unlock(&oc_instances_lock);
	return oc;
}

static int
oc_tel_stats(const char *cmd __rte_unused, const char *params,
		struct rte_tel_data *d)
{
	struct ocopy_queue_stats st;
	struct ocopy *oc;

	oc = oc_tel_lock_find(params, OC_TEL_INSTANCE, NULL);
	if (oc == NULL)
		return -EINVAL;
	ocopy_stats_get(oc, &st);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", oc->name);
	rte_tel_data_add_dict_u64(d, "queues", oc->nb_queues);
	rte_tel_data_add_dict_u64(d, "engines", oc->nb_engines);
	rte_tel_data_add_dict_string(d, "policy", ocopy_policy_name(oc->conf.policy));
	oc_tel_counters(d, &st);
	rte_tel_data_add_dict_u64(d, "split_threshold",
		oc->conf.split_threshold);
	rte_tel_data_add_dict_u64(d, "cpu_cycles_per_kib", oc->cpu_cyc_per_kib);
	rte_spinlock_unlock(&oc_instances_lock);
	return 0;
}

static int
oc_tel_queue(const char *cmd __rte_unused, const char *params,
		struct rte_tel_data *d)
{
	const struct ocopy_queue *q;
	struct ocopy_queue_stats st;
	struct ocopy_queue_rates r;
	struct ocopy *oc;
	unsigned long qid;
	char key[48];
	uint16_t i, e;

	oc = oc_tel_lock_find(params, OC_TEL_QUEUE, &qid);
	if (oc == NULL)
		return -EINVAL;
	/* Read while the queue's lcore runs: approximate, never torn. */
	q = &oc->queues[qid];
	ocopy_queue_stats_get(q, &st);
	ocopy_queue_rates_get(q, &r);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "queue", qid);
	rte_tel_data_add_dict_u64(d, "in_flight", oc_queue_ring_ops(q, NULL));
	rte_tel_data_add_dict_u64(d, "staged", q->nb_staged);
	oc_tel_counters(d, &st);
	rte_tel_data_add_dict_string(d, "rates", q->learn ? "learning" : "fixed");
	rte_tel_data_add_dict_u64(d, "cpu_cycles_per_kib", r.cpu_cyc_per_kib);
	rte_tel_data_add_dict_u64(d, "cpu_samples", r.cpu_samples);
	rte_tel_data_add_dict_u64(d, "split_cpu_share_q16", q->split_cpu_q16);
	rte_tel_data_add_dict_string(d, "cpu_help", r.cpu_help ? "on" : "off");
	rte_tel_data_add_dict_u64(d, "help_epochs", r.help_epochs);
	rte_tel_data_add_dict_u64(d, "help_changes", r.help_changes);
	rte_tel_data_add_dict_u64(d, "help_set_aside", r.help_set_aside);
	rte_tel_data_add_dict_string(d, "placement",
		ocopy_placement_name(r.placement));
	rte_tel_data_add_dict_string(d, "placement_kept",
		ocopy_placement_name(r.placement_kept));
	rte_tel_data_add_dict_u64(d, "engines_bytes_per_mcycle",
		r.engines_bytes_per_mcyc);
	rte_tel_data_add_dict_u64(d, "alone_bytes_per_mcycle",
		r.alone_bytes_per_mcyc);
	rte_tel_data_add_dict_u64(d, "help_bytes_per_mcycle",
		r.help_bytes_per_mcyc);
	rte_tel_data_add_dict_u64(d, "cpu_bytes_per_mcycle",
		r.cpu_bytes_per_mcyc);
	rte_tel_data_add_dict_u64(d, "help_probe_in_epochs", r.help_probe_in);
	for (i = 0; i < q->nb_qe; i++) {
		e = q->qe[i].engine;
		snprintf(key, sizeof(key), "engine%u_cycles_per_kib", e);
		rte_tel_data_add_dict_u64(d, key, r.engine_cyc_per_kib[e]);
		snprintf(key, sizeof(key), "engine%u_windows", e);
		rte_tel_data_add_dict_u64(d, key, r.engine_samples[e]);
		snprintf(key, sizeof(key), "engine%u_threshold", e);
		rte_tel_data_add_dict_u64(d, key, r.engine_threshold[e]);
		snprintf(key, sizeof(key), "engine%u_health", e);
		rte_tel_data_add_dict_string(d, key,
			oc_health_name(q->qe[i].health));
	}
	rte_spinlock_unlock(&oc_instances_lock);
	return 0;
}

static int
oc_tel_engine(const char *cmd __rte_unused, const char *params,
		struct rte_tel_data *d)
{
	struct ocopy_qengine_stats es;
	struct ocopy_map_stats ms;
	const struct oc_engine *e;
	struct ocopy *oc;
	unsigned long idx;

	oc = oc_tel_lock_find(params, OC_TEL_ENGINE, &idx);
	if (oc == NULL)
		return -EINVAL;
	e = &oc->engines[idx];
	ocopy_engine_stats_get(oc, (uint16_t)idx, &es);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "dmadev", e->name);
	rte_tel_data_add_dict_u64(d, "dev_id", e->dev_id);
	rte_tel_data_add_dict_u64(d, "vchans", e->nb_vchans);
	rte_tel_data_add_dict_int(d, "numa_node", e->socket_id);
	rte_tel_data_add_dict_u64(d, "threshold", e->threshold);
	rte_tel_data_add_dict_u64(d, "calibrated", e->calibrated);
	rte_tel_data_add_dict_u64(d, "op_cycles", e->op_cycles);
	rte_tel_data_add_dict_u64(d, "cycles_per_kib", e->cyc_per_kib);
	rte_tel_data_add_dict_u64(d, "batch", e->batch);
	OC_TEL_U64(d, es, ops);
	OC_TEL_U64(d, es, bytes);
	OC_TEL_U64(d, es, errors);
	OC_TEL_U64(d, es, full);
	OC_TEL_U64(d, es, doorbells);
	OC_TEL_U64(d, es, stalls);
	OC_TEL_U64(d, es, degrades);
	OC_TEL_U64(d, es, remote);
	OC_TEL_U64(d, es, batch_full);
	if (ocopy_map_stats_get(oc, (uint16_t)idx, &ms) == 0) {
		OC_TEL_U64(d, ms, maps);
		OC_TEL_U64(d, ms, unmaps);
		rte_tel_data_add_dict_u64(d, "map_errors", ms.errors);
		OC_TEL_U64(d, ms, mapped_bytes);
		OC_TEL_U64(d, ms, segments);
	}
	rte_spinlock_unlock(&oc_instances_lock);
	return 0;
}

RTE_INIT(oc_telemetry_init)
{
	rte_telemetry_register_cmd("/offload_copy/list", oc_tel_list,
		"offload_copy instances. No parameters");
	rte_telemetry_register_cmd("/offload_copy/stats", oc_tel_stats,
		"Counters and settings of an instance. Parameters: name");
	rte_telemetry_register_cmd("/offload_copy/engine", oc_tel_engine,
		"One engine of an instance: figures, counters, mappings. Parameters: name,engine index");
	rte_telemetry_register_cmd("/offload_copy/queue", oc_tel_queue,
		"One queue of an instance: counters, learned rates, engine health. Parameters: name,queue id");
}
