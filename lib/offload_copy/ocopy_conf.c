/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * Configuration from a key=value string (devargs, a command line, a
 * config file entry): strict, every key known, every number checked.
 */

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_dmadev.h>
#include <rte_kvargs.h>
#include <rte_memory.h>
#include <rte_string_fns.h>

#include <kvargs_strict.h>

#include "ocopy_internal.h"

static const char *const oc_conf_keys[] = {
	"engines", "queues", "queue_size", "ring_size", "policy", "threshold",
	"split", "slack", "stall_us", "degrade_errors", "reprobe_ms", "socket",
	"learn", "cpu_help", NULL,
};

static const char *const oc_policy_names[] = {
	[OCOPY_POLICY_AUTO] = "auto",
	[OCOPY_POLICY_CPU] = "cpu",
	[OCOPY_POLICY_ENGINE] = "engine",
};

/* Word i of a name table, or "unknown". */
static const char *
oc_word(const char *const *words, unsigned int nb, unsigned int i)
{
	return i < nb ? words[i] : "unknown";
}

const char *
ocopy_policy_name(enum ocopy_policy p)
{
	return oc_word(oc_policy_names, RTE_DIM(oc_policy_names), p);
}

static const char *const oc_on_off[] = { "on", "off" };

static const char *const oc_cpu_help_names[] = {
	[OCOPY_CPU_HELP_AUTO] = "auto",
	[OCOPY_CPU_HELP_ON] = "on",
	[OCOPY_CPU_HELP_OFF] = "off",
};

const char *
ocopy_cpu_help_name(enum ocopy_cpu_help h)
{
	return oc_word(oc_cpu_help_names, RTE_DIM(oc_cpu_help_names), h);
}

static const char *const oc_placement_names[] = {
	[OCOPY_PLACE_ENGINES] = "engines",
	[OCOPY_PLACE_THRESHOLD] = "threshold",
	[OCOPY_PLACE_HELP] = "help",
	[OCOPY_PLACE_CPU] = "cpu",
};

const char *
ocopy_placement_name(enum ocopy_placement place)
{
	return oc_word(oc_placement_names, RTE_DIM(oc_placement_names), place);
}

/* One of nb words, exactly: its index in *idx. */
static int
oc_parse_word(const char *key, const char *val, const char *const *words,
		unsigned int nb, const char *expected, unsigned int *idx)
{
	unsigned int i;

	for (i = 0; val != NULL && i < nb; i++)
		if (strcmp(val, words[i]) == 0) {
			*idx = i;
			return 0;
		}
	OC_LOG(ERR, "%s=%s: expected %s", key, val != NULL ? val : "", expected);
	return -EINVAL;
}

/* A decimal number in [min, max], nothing around it. */
static int
oc_parse_u64(const char *key, const char *val, uint64_t min, uint64_t max,
		uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (val == NULL || !isdigit((unsigned char)val[0]))
		goto bad;
	errno = 0;
	v = strtoull(val, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	OC_LOG(ERR, "%s=%s: expected a number in %" PRIu64 "..%" PRIu64, key,
		val != NULL ? val : "", min, max);
	return -EINVAL;
}

/*
 * Whether the non-empty list s, items separated by sep, has an empty item
 * (sep at an end, or two in a row): strtok_r() and rte_kvargs skip them,
 * we do not.
 */
static bool
oc_list_has_empty(const char *s, char sep)
{
	const char two[3] = { sep, sep, '\0' };

	return s[0] == sep || s[strlen(s) - 1] == sep || strstr(s, two) != NULL;
}

static int
oc_parse_engines(const char *val, struct ocopy_conf *c)
{
	char buf[OCOPY_CONF_STR_LEN], *tok, *save = NULL;
	uint16_t n = 0;

	if (val == NULL || val[0] == '\0') {
		OC_LOG(ERR, "engines=%s: expected all or names/ids (name@node for a NUMA node) separated by ':'",
			val != NULL ? val : "");
		return -EINVAL;
	}
	/* Room for OCOPY_MAX_ENGINES of the longest names: more is too many. */
	if (strlcpy(buf, val, sizeof(buf)) >= sizeof(buf)) {
		OC_LOG(ERR, "engines: a list of %zu characters, longer than %u engines take",
			strlen(val), OCOPY_MAX_ENGINES);
		return -EINVAL;
	}
	if (strcmp(buf, "all") == 0) {
		c->all_engines = true;
		c->nb_engines = 0;
		c->engine_node_set = 0;
		return 0;
	}
	if (oc_list_has_empty(buf, ':')) {
		OC_LOG(ERR, "engines=%s: an empty item (a ':' at an end, or two in a row)",
			val);
		return -EINVAL;
	}
	c->engine_node_set = 0;
	for (tok = strtok_r(buf, ":", &save); tok != NULL;
			tok = strtok_r(NULL, ":", &save)) {
		char *at = strrchr(tok, '@');
		uint64_t node = 0;
		int id;

		/* name@node: the engine's NUMA node, as the user knows it. */
		if (at != NULL) {
			*at = '\0';
			if (oc_parse_u64("engines: NUMA node", at + 1, 0,
					RTE_MAX_NUMA_NODES - 1, &node) < 0)
				return -EINVAL;
		}
		id = rte_dma_get_dev_id_by_name(tok);

		if (id < 0 && isdigit((unsigned char)tok[0])) {
			uint64_t v;

			if (oc_parse_u64("engines", tok, 0, INT16_MAX, &v) < 0)
				return -EINVAL;
			id = (int)v;
			if (!rte_dma_is_valid((int16_t)id))
				id = -1;
		}
		if (id < 0) {
			OC_LOG(ERR, "engines: no dmadev named '%s'", tok);
			return -EINVAL;
		}
		if (n == OCOPY_MAX_ENGINES) {
			OC_LOG(ERR, "engines: at most %u", OCOPY_MAX_ENGINES);
			return -EINVAL;
		}
		if (at != NULL) {
			c->engine_node[n] = (int16_t)node;
			c->engine_node_set |= RTE_BIT32(n);
		}
		c->engines[n++] = (int16_t)id;
	}
	if (n == 0) {
		OC_LOG(ERR, "engines=%s: no engine named", val);
		return -EINVAL;
	}
	c->nb_engines = n;
	c->all_engines = false;
	return 0;
}

/*
 * The numeric keys whose default is 0 (which ocopy_conf_format() leaves
 * out): their field, its width, their range. One table for the parser and
 * the writer, in the order the writer follows.
 */
struct oc_num_key {
	const char *key;
	size_t offset;		/* offsetof(struct ocopy_conf, field) */
	uint8_t width;		/* sizeof(field): 2 or 4, unsigned */
	uint64_t min;
	uint64_t max;
	bool has_off;		/* "off" is UINT32_MAX */
	bool pow2;		/* a power of 2 */
};

#define OC_NUM_KEY(k, f, lo, hi, o, p) \
	{ k, offsetof(struct ocopy_conf, f), sizeof(((struct ocopy_conf *)0)->f), lo, hi, o, p }

static const struct oc_num_key oc_num_keys[] = {
	OC_NUM_KEY("queue_size", queue_size, 2, OCOPY_QUEUE_SIZE_MAX, false, true),
	OC_NUM_KEY("ring_size", ring_size, 1, UINT16_MAX, false, false),
	OC_NUM_KEY("threshold", threshold, 1, UINT32_MAX, false, false),
	OC_NUM_KEY("split", split_threshold, 64, UINT32_MAX - 1, true, false),
	OC_NUM_KEY("slack", depth_slack, 1, 100000, false, false),
	OC_NUM_KEY("stall_us", stall_us, 1, 60000000, false, false),
	OC_NUM_KEY("degrade_errors", degrade_errors, 1, 1000000, false, false),
	OC_NUM_KEY("reprobe_ms", reprobe_ms, 1, 3600000, false, false),
};

static uint32_t
oc_num_get(const struct ocopy_conf *c, const struct oc_num_key *k)
{
	const uint8_t *f = (const uint8_t *)c + k->offset;
	uint16_t v16;
	uint32_t v32;

	if (k->width == sizeof(v16)) {
		memcpy(&v16, f, sizeof(v16));
		return v16;
	}
	memcpy(&v32, f, sizeof(v32));
	return v32;
}

static void
oc_num_set(struct ocopy_conf *c, const struct oc_num_key *k, uint32_t v)
{
	uint8_t *f = (uint8_t *)c + k->offset;
	uint16_t v16 = (uint16_t)v;

	if (k->width == sizeof(v16))
		memcpy(f, &v16, sizeof(v16));
	else
		memcpy(f, &v, sizeof(v));
}

static int
oc_parse_pair(const char *key, const char *val, void *opaque)
{
	struct ocopy_conf *c = opaque;
	unsigned int i, word = 0;
	uint64_t v;
	int ret;

	if (strcmp(key, "engines") == 0)
		return oc_parse_engines(val, c);
	if (strcmp(key, "policy") == 0) {
		ret = oc_parse_word(key, val, oc_policy_names,
				RTE_DIM(oc_policy_names), "auto, cpu or engine", &word);
		if (ret == 0)
			c->policy = word;
		return ret;
	}
	if (strcmp(key, "learn") == 0) {
		ret = oc_parse_word(key, val, oc_on_off, RTE_DIM(oc_on_off),
				"on or off", &word);
		if (ret == 0)
			c->no_learn = word == 1;
		return ret;
	}
	if (strcmp(key, "cpu_help") == 0) {
		ret = oc_parse_word(key, val, oc_cpu_help_names,
				RTE_DIM(oc_cpu_help_names), "auto, on or off", &word);
		if (ret == 0)
			c->cpu_help = word;
		return ret;
	}
	for (i = 0; i < RTE_DIM(oc_num_keys); i++) {
		const struct oc_num_key *k = &oc_num_keys[i];

		if (strcmp(key, k->key) != 0)
			continue;
		if (k->has_off && val != NULL && strcmp(val, "off") == 0) {
			oc_num_set(c, k, UINT32_MAX);
			return 0;
		}
		ret = oc_parse_u64(key, val, k->min, k->max, &v);
		if (ret == 0 && k->pow2 && !rte_is_power_of_2((uint32_t)v)) {
			OC_LOG(ERR, "%s=%s: a power of 2", key, val);
			ret = -EINVAL;
		}
		if (ret == 0)
			oc_num_set(c, k, (uint32_t)v);
		return ret;
	}
	if (strcmp(key, "queues") == 0) {
		ret = oc_parse_u64(key, val, 1, OCOPY_MAX_QUEUES, &v);
		c->nb_queues = (uint16_t)v;
	} else if (strcmp(key, "socket") == 0) {
		ret = oc_parse_u64(key, val, 0, RTE_MAX_NUMA_NODES - 1, &v);
		c->socket_id = (int)v;
	} else {
		OC_LOG(ERR, "unknown key '%s'", key);
		ret = -EINVAL;
	}
	return ret;
}

int
ocopy_conf_parse(struct ocopy_conf *conf, const char *args)
{
	struct ocopy_conf tmp;
	struct rte_kvargs *kv;
	const char *bad;
	unsigned int k;
	int ret;

	if (conf == NULL || args == NULL)
		return -EINVAL;
	if (isspace((unsigned char)args[0])) {
		OC_LOG(ERR, "configuration '%s': leading white space", args);
		return -EINVAL;
	}
	if (args[0] != '\0' && oc_list_has_empty(args, ',')) {
		OC_LOG(ERR, "configuration '%s': empty item", args);
		return -EINVAL;
	}
	bad = args[0] != '\0' ? kvargs_strict_bad_item(args) : NULL;
	if (bad != NULL) {
		OC_LOG(ERR, "configuration '%s': item '%.*s' is not one key=value (one '=', no brackets)",
			args, (int)strcspn(bad, ","), bad);
		return -EINVAL;
	}
	kv = rte_kvargs_parse(args, oc_conf_keys);
	if (kv == NULL) {
		char keys[256] = "";

		for (k = 0; oc_conf_keys[k] != NULL; k++) {
			if (k != 0)
				strlcat(keys, ", ", sizeof(keys));
			strlcat(keys, oc_conf_keys[k], sizeof(keys));
		}
		OC_LOG(ERR, "configuration '%s': not key=value pairs of known keys (%s)",
			args, keys);
		return -EINVAL;
	}
	/* A key given twice would leave one value unused, silently. */
	for (k = 0; oc_conf_keys[k] != NULL; k++) {
		if (rte_kvargs_count(kv, oc_conf_keys[k]) > 1) {
			OC_LOG(ERR, "configuration '%s': %s given twice", args,
				oc_conf_keys[k]);
			rte_kvargs_free(kv);
			return -EINVAL;
		}
	}
	tmp = *conf;
	ret = rte_kvargs_process(kv, NULL, oc_parse_pair, &tmp);
	rte_kvargs_free(kv);
	if (ret < 0)
		return -EINVAL;
	*conf = tmp;
	return 0;
}

/* vsnprintf() into buf from *off, as much as fits; *off grows by the
 * length it wanted, so that the caller sees what did not fit.
 */
static void
oc_fmt(char *buf, size_t size, size_t *off, const char *fmt, ...)
	__rte_format_printf(4, 5);

static void
oc_fmt(char *buf, size_t size, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*off < size ? buf + *off : NULL,
			*off < size ? size - *off : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n;
}

int
ocopy_conf_format(const struct ocopy_conf *conf, char *buf, size_t size)
{
	struct rte_dma_info info;
	size_t off = 0;
	uint16_t i;

	if (conf == NULL || (buf == NULL && size != 0) ||
			(unsigned int)conf->policy >= RTE_DIM(oc_policy_names) ||
			(unsigned int)conf->cpu_help >= RTE_DIM(oc_cpu_help_names) ||
			conf->nb_engines > OCOPY_MAX_ENGINES)
		return -EINVAL;
	if (size != 0)
		buf[0] = '\0';
	if (conf->all_engines) {
		oc_fmt(buf, size, &off, "engines=all,");
	} else if (conf->nb_engines != 0) {
		oc_fmt(buf, size, &off, "engines=");
		for (i = 0; i < conf->nb_engines; i++) {
			/*
			 * By name where it has one the parser reads back (none
			 * of the list's separators): ids depend on probe order.
			 */
			if (rte_dma_info_get(conf->engines[i], &info) == 0 &&
					info.dev_name != NULL &&
					info.dev_name[strcspn(info.dev_name, "@:,=[]")] == '\0')
				oc_fmt(buf, size, &off, "%s%s", i ? ":" : "",
					info.dev_name);
			else
				oc_fmt(buf, size, &off, "%s%d", i ? ":" : "",
					conf->engines[i]);
			if (conf->engine_node_set & RTE_BIT32(i))
				oc_fmt(buf, size, &off, "@%d", conf->engine_node[i]);
		}
		oc_fmt(buf, size, &off, ",");
	}
	oc_fmt(buf, size, &off, "queues=%u,policy=%s,cpu_help=%s,learn=%s",
		conf->nb_queues, oc_policy_names[conf->policy],
		oc_cpu_help_names[conf->cpu_help], conf->no_learn ? "off" : "on");
	/* Numeric fields: 0 is the default, which the string leaves out. */
	for (i = 0; i < RTE_DIM(oc_num_keys); i++) {
		const uint32_t v = oc_num_get(conf, &oc_num_keys[i]);

		if (v == UINT32_MAX && oc_num_keys[i].has_off)
			oc_fmt(buf, size, &off, ",%s=off", oc_num_keys[i].key);
		else if (v != 0)
			oc_fmt(buf, size, &off, ",%s=%u", oc_num_keys[i].key, v);
	}
	if (conf->socket_id != SOCKET_ID_ANY)
		oc_fmt(buf, size, &off, ",socket=%d", conf->socket_id);
	/* vsnprintf() ended it with a NUL where it was cut. */
	if (off >= size || off > INT_MAX)
		return -ENOSPC;
	return (int)off;
}
