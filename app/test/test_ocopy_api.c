/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * The API's edges: every bad configuration string, configuration struct
 * and fast-path argument gets a clear error and changes nothing; the
 * lifecycle (create, destroy, create again on the same engines, names,
 * engines in use) holds; fill, scatter-gather and the mbuf helpers move
 * the right bytes on both paths.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include <ocopy.h>
#include <ocopy_mbuf.h>

#include "guard.h"
#include "ocopy_dev.h"
#include "sw_dev.h"
#include "test.h"

static unsigned int nb_cb;
static uint16_t last_status;

static void
count_cb(void *arg, uint16_t status)
{
	unsigned int *n = arg;

	(*n)++;
	nb_cb++;
	last_status = status;
}

/* The same configuration: every field the library reads. */
static bool
conf_same(const struct ocopy_conf *a, const struct ocopy_conf *b)
{
	uint16_t i;

	if (a->all_engines != b->all_engines || a->nb_queues != b->nb_queues ||
			a->queue_size != b->queue_size || a->ring_size != b->ring_size ||
			a->policy != b->policy || a->socket_id != b->socket_id ||
			a->threshold != b->threshold ||
			a->split_threshold != b->split_threshold ||
			a->depth_slack != b->depth_slack || a->stall_us != b->stall_us ||
			a->degrade_errors != b->degrade_errors ||
			a->reprobe_ms != b->reprobe_ms || a->no_learn != b->no_learn ||
			a->cpu_help != b->cpu_help)
		return false;
	if (a->all_engines)
		return true;	/* engines[] unused */
	if (a->nb_engines != b->nb_engines || a->engine_node_set != b->engine_node_set)
		return false;
	for (i = 0; i < a->nb_engines; i++)
		if (a->engines[i] != b->engines[i] ||
				((a->engine_node_set & RTE_BIT32(i)) &&
				 a->engine_node[i] != b->engine_node[i]))
			return false;
	return true;
}

/* conf written by ocopy_conf_format() and read back: the same. */
static void
conf_round_trip(const struct ocopy_conf *conf, const char *what)
{
	struct ocopy_conf back;
	char buf[OCOPY_CONF_STR_LEN];
	int n;

	n = ocopy_conf_format(conf, buf, sizeof(buf));
	TEST_ASSERT(n > 0 && (size_t)n == strlen(buf), "%s: formatted: %d", what, n);
	ocopy_conf_init(&back);
	TEST_ASSERT_SUCCESS(ocopy_conf_parse(&back, buf), "%s: '%s' parses", what, buf);
	TEST_ASSERT(conf_same(&back, conf),
		"%s: '%s' reads back another configuration", what, buf);
	printf("%s: %s\n", what, buf);
}

/*
 * The longest configuration string: OCOPY_MAX_ENGINES engines whose
 * dmadev names are as long as a device name may be, each with a NUMA node,
 * every other key at its longest value. It fits OCOPY_CONF_STR_LEN and
 * reads back the same.
 */
static void
test_conf_longest(void)
{
	char name[OCOPY_MAX_ENGINES][RTE_DEV_NAME_MAX_LEN];
	struct ocopy_conf conf;
	unsigned int i, extra;

	test_section("configuration strings: the longest fits OCOPY_CONF_STR_LEN");
	ocopy_conf_init(&conf);
	for (i = 0; i < OCOPY_MAX_ENGINES; i++) {
		/* "dma_sw" then padding to the last byte but the NUL. */
		snprintf(name[i], sizeof(name[i]), "dma_sw%02u_%0*u", i,
			RTE_DEV_NAME_MAX_LEN - 1 - 9, 0);
		TEST_ASSERT(strlen(name[i]) == RTE_DEV_NAME_MAX_LEN - 1, "name '%s'", name[i]);
		/*
		 * Each on lcore 2, never started: a service-mode dma_sw's name
		 * is its service's, of at most 31 characters.
		 */
		TEST_ASSERT_SUCCESS(rte_vdev_init(name[i], "lcore=2"), "probe %s", name[i]);
		conf.engines[i] = (int16_t)rte_dma_get_dev_id_by_name(name[i]);
		TEST_ASSERT(conf.engines[i] >= 0, "%s is a dmadev", name[i]);
		conf.engine_node_set |= RTE_BIT32(i);
		conf.engine_node[i] = RTE_MAX_NUMA_NODES - 1;
	}
	conf.nb_engines = OCOPY_MAX_ENGINES;
	conf.all_engines = false;
	conf.nb_queues = OCOPY_MAX_QUEUES;
	conf.queue_size = OCOPY_QUEUE_SIZE_MAX;
	conf.ring_size = UINT16_MAX;
	conf.policy = OCOPY_POLICY_ENGINE;
	conf.cpu_help = OCOPY_CPU_HELP_AUTO;
	conf.no_learn = true;
	conf.threshold = UINT32_MAX;
	conf.split_threshold = UINT32_MAX - 1;
	conf.depth_slack = 100000;
	conf.stall_us = 60000000;
	conf.degrade_errors = 1000000;
	conf.reprobe_ms = 3600000;
	conf.socket_id = RTE_MAX_NUMA_NODES - 1;
	conf_round_trip(&conf, "longest");

	/* Engines beyond the maximum, within the parser's room and past it. */
	for (extra = 1; extra <= OCOPY_MAX_ENGINES; extra += OCOPY_MAX_ENGINES - 1) {
		struct ocopy_conf before = conf;
		char args[2 * OCOPY_CONF_STR_LEN] = "engines=";

		for (i = 0; i < OCOPY_MAX_ENGINES + extra; i++) {
			if (i != 0)
				strlcat(args, ":", sizeof(args));
			strlcat(args, name[i % OCOPY_MAX_ENGINES], sizeof(args));
		}
		TEST_ASSERT_EQUAL(ocopy_conf_parse(&conf, args), -EINVAL,
			"%u engines, %zu characters", OCOPY_MAX_ENGINES + extra, strlen(args));
		TEST_ASSERT(memcmp(&conf, &before, sizeof(conf)) == 0,
			"%u engines: refused, the configuration unchanged",
			OCOPY_MAX_ENGINES + extra);
	}
	for (i = 0; i < OCOPY_MAX_ENGINES; i++)
		TEST_ASSERT_SUCCESS(rte_vdev_uninit(name[i]), "remove %s", name[i]);
}

/*
 * Configurations written as strings (ocopy_conf_format()) parse back to
 * the same; an instance's dump gives its own, defaults filled in.
 */
static void
test_conf_format(void)
{
	struct ocopy_conf conf;
	char buf[1024], small[24], *dump = NULL, *line, *end;
	size_t sz = 0;
	struct ocopy *oc;
	FILE *f;
	int n;

	test_section("configuration strings: written back, read back the same");
	ocopy_conf_init(&conf);
	conf_round_trip(&conf, "defaults");
	TEST_ASSERT_SUCCESS(ocopy_conf_parse(&conf,
		"engines=dma_sw0@0:dma_sw1,queues=2,queue_size=64,ring_size=128,policy=engine,threshold=512,split=off,slack=150,stall_us=2000,degrade_errors=3,reprobe_ms=20,socket=0,learn=off,cpu_help=on"),
		"every key");
	conf_round_trip(&conf, "every key");
	TEST_ASSERT_SUCCESS(ocopy_conf_parse(&conf, "split=65536,engines=all,cpu_help=off"),
		"split, all");
	conf_round_trip(&conf, "split, all engines");
	/*
	 * A name the engine list cannot hold ('@' reads as a NUMA node): by
	 * its id. Written by name, "engines=dma_sw@9" looked for "dma_sw".
	 */
	TEST_ASSERT_SUCCESS(rte_vdev_init("dma_sw@9", NULL), "probe dma_sw@9");
	n = rte_dma_get_dev_id_by_name("dma_sw@9");
	TEST_ASSERT(n >= 0, "dma_sw@9 is a dmadev");
	snprintf(buf, sizeof(buf), "engines=%d", n);
	TEST_ASSERT_SUCCESS(ocopy_conf_parse(&conf, buf), "'%s'", buf);
	conf_round_trip(&conf, "an engine named with '@'");
	TEST_ASSERT_SUCCESS(rte_vdev_uninit("dma_sw@9"), "remove dma_sw@9");

	test_section("configuration strings: bad arguments, short buffers");
	n = ocopy_conf_format(&conf, buf, sizeof(buf));
	TEST_ASSERT(n > (int)sizeof(small), "a string longer than %zu", sizeof(small));
	TEST_ASSERT_EQUAL(ocopy_conf_format(&conf, small, sizeof(small)), -ENOSPC,
		"short buffer");
	TEST_ASSERT(strlen(small) == sizeof(small) - 1 &&
		strncmp(small, buf, sizeof(small) - 1) == 0,
		"what fits, NUL-terminated: '%s'", small);
	TEST_ASSERT_EQUAL(ocopy_conf_format(&conf, buf, (size_t)n), -ENOSPC,
		"one byte short (no room for the NUL)");
	TEST_ASSERT_EQUAL(ocopy_conf_format(&conf, NULL, 0), -ENOSPC, "no buffer");
	TEST_ASSERT_EQUAL(ocopy_conf_format(NULL, buf, sizeof(buf)), -EINVAL,
		"NULL conf");
	TEST_ASSERT_EQUAL(ocopy_conf_format(&conf, NULL, 8), -EINVAL,
		"NULL buffer with a size");
	conf.policy = (enum ocopy_policy)7;
	TEST_ASSERT_EQUAL(ocopy_conf_format(&conf, buf, sizeof(buf)), -EINVAL,
		"policy out of range");
	conf.policy = OCOPY_POLICY_AUTO;
	conf.cpu_help = (enum ocopy_cpu_help)9;
	TEST_ASSERT_EQUAL(ocopy_conf_format(&conf, buf, sizeof(buf)), -EINVAL,
		"cpu_help out of range");

	test_section("configuration strings: an instance's own, in its dump");
	oc = ocdev_create("engines=dma_sw0,split=off,learn=off");
	f = open_memstream(&dump, &sz);
	TEST_ASSERT(f != NULL, "memstream");
	TEST_ASSERT_SUCCESS(ocopy_dump(oc, f), "dump");
	fclose(f);
	ocopy_destroy(oc);
	line = strstr(dump, "  config: ");
	TEST_ASSERT(line != NULL, "a config line in the dump");
	line += strlen("  config: ");
	end = strchr(line, '\n');
	TEST_ASSERT(end != NULL, "the config line ends");
	*end = '\0';
	printf("dump: config: %s\n", line);
	ocopy_conf_init(&conf);
	TEST_ASSERT_SUCCESS(ocopy_conf_parse(&conf, line), "the dump's config parses");
	TEST_ASSERT(conf.nb_engines == 1 &&
		conf.engines[0] == rte_dma_get_dev_id_by_name("dma_sw0") &&
		conf.split_threshold == UINT32_MAX && conf.no_learn &&
		conf.queue_size != 0 && conf.depth_slack != 0 && conf.stall_us != 0,
		"the instance's configuration, defaults filled in: '%s'", line);
	free(dump);
}

static void
test_conf_parse(void)
{
	static const char *const bad[] = {
		" queues=1", "queues", "queues=", "queues=0", "queues=65",
		"queues=1x", "queues=-1", "queue_size=3", "queue_size=65536",
		"policy=fast", "engines=", "engines=nosuch", "engines=999",
		"threshold=0", "split=10", "slack=0", "stall_us=0",
		"unknown=1", "queues=1,,", "socket=999999", "learn=1",
		"learn=", "learn=OFF", "cpu_help=yes", "cpu_help=", "cpu_help=AUTO",
		/* A key twice; an empty engine. */
		"policy=cpu,policy=engine", "queues=2,queues=2",
		"engines=:dma_sw0", "engines=dma_sw0:", "engines=dma_sw0::dma_sw1",
		/* rte_kvargs_parse() read these as "queues=4" and "policy=cpu". */
		"foo=queues=4", "queues=policy=cpu", "=slack=7", "[,=queues=9",
		"policy=[cpu]",
	};
	struct ocopy_conf conf, before;
	unsigned int i;

	test_section("configuration strings: bad ones refused, conf unchanged");
	ocopy_conf_init(&conf);
	conf.nb_queues = 3;
	before = conf;
	for (i = 0; i < RTE_DIM(bad); i++) {
		TEST_ASSERT_FAIL(ocopy_conf_parse(&conf, bad[i]), "'%s'", bad[i]);
		TEST_ASSERT(memcmp(&conf, &before, sizeof(conf)) == 0,
			"'%s' changed the configuration", bad[i]);
	}
	TEST_ASSERT_FAIL(ocopy_conf_parse(NULL, "queues=1"), "NULL conf");
	TEST_ASSERT_FAIL(ocopy_conf_parse(&conf, NULL), "NULL args");

	TEST_ASSERT_SUCCESS(ocopy_conf_parse(&conf,
		"engines=dma_sw0:dma_sw1,queues=2,queue_size=64,ring_size=128,policy=engine,threshold=512,split=off,slack=150,stall_us=2000,degrade_errors=3,reprobe_ms=20,socket=0,learn=off"),
		"good string");
	TEST_ASSERT_EQUAL(conf.nb_engines, 2, "engines");
	TEST_ASSERT_EQUAL(conf.engines[0], rte_dma_get_dev_id_by_name("dma_sw0"), "engine 0");
	TEST_ASSERT_EQUAL(conf.engines[1], rte_dma_get_dev_id_by_name("dma_sw1"), "engine 1");
	TEST_ASSERT_EQUAL(conf.nb_queues, 2, "queues");
	TEST_ASSERT_EQUAL(conf.queue_size, 64, "queue_size");
	TEST_ASSERT_EQUAL(conf.ring_size, 128, "ring_size");
	TEST_ASSERT_EQUAL(conf.policy, OCOPY_POLICY_ENGINE, "policy");
	TEST_ASSERT_EQUAL(conf.threshold, 512, "threshold");
	TEST_ASSERT_EQUAL(conf.split_threshold, UINT32_MAX, "split");
	TEST_ASSERT_EQUAL(conf.depth_slack, 150, "slack");
	TEST_ASSERT_EQUAL(conf.stall_us, 2000, "stall_us");
	TEST_ASSERT_EQUAL(conf.degrade_errors, 3, "degrade_errors");
	TEST_ASSERT_EQUAL(conf.reprobe_ms, 20, "reprobe_ms");
	TEST_ASSERT_EQUAL(conf.socket_id, 0, "socket");
	TEST_ASSERT(conf.no_learn, "learn=off");
	TEST_ASSERT_SUCCESS(ocopy_conf_parse(&conf, "learn=on"), "learn=on");
	TEST_ASSERT(!conf.no_learn, "learn=on");
	TEST_ASSERT_EQUAL(conf.cpu_help, OCOPY_CPU_HELP_AUTO, "cpu_help default");
	TEST_ASSERT_SUCCESS(ocopy_conf_parse(&conf, "cpu_help=off"), "cpu_help=off");
	TEST_ASSERT_EQUAL(conf.cpu_help, OCOPY_CPU_HELP_OFF, "cpu_help=off");
	TEST_ASSERT_SUCCESS(ocopy_conf_parse(&conf, "cpu_help=on"), "cpu_help=on");
	TEST_ASSERT_EQUAL(conf.cpu_help, OCOPY_CPU_HELP_ON, "cpu_help=on");
	TEST_ASSERT_SUCCESS(ocopy_conf_parse(&conf, "cpu_help=auto"), "cpu_help=auto");
	TEST_ASSERT_EQUAL(conf.cpu_help, OCOPY_CPU_HELP_AUTO, "cpu_help=auto");
	TEST_ASSERT_SUCCESS(ocopy_conf_parse(&conf, "engines=all"), "all");

	TEST_ASSERT(conf.all_engines && conf.nb_engines == 0, "all engines");
	TEST_ASSERT_SUCCESS(ocopy_conf_parse(&conf, "engines=0"), "by id");
	TEST_ASSERT(!conf.all_engines && conf.nb_engines == 1 &&
		conf.engines[0] == 0, "engine by id");

	test_section("policy and cpu_help names: each parses back to its value");
	for (i = OCOPY_POLICY_AUTO; i <= OCOPY_POLICY_ENGINE; i++) {
		char s[32];

		snprintf(s, sizeof(s), "policy=%s", ocopy_policy_name(i));
		TEST_ASSERT_SUCCESS(ocopy_conf_parse(&conf, s), "'%s'", s);
		TEST_ASSERT_EQUAL(conf.policy, i, "'%s'", s);
	}
	for (i = OCOPY_CPU_HELP_AUTO; i <= OCOPY_CPU_HELP_OFF; i++) {
		char s[32];

		snprintf(s, sizeof(s), "cpu_help=%s", ocopy_cpu_help_name(i));
		TEST_ASSERT_SUCCESS(ocopy_conf_parse(&conf, s), "'%s'", s);
		TEST_ASSERT_EQUAL(conf.cpu_help, i, "'%s'", s);
	}
	TEST_ASSERT(strcmp(ocopy_policy_name(OCOPY_POLICY_ENGINE + 1), "unknown") == 0,
		"policy out of range");
	TEST_ASSERT(strcmp(ocopy_cpu_help_name(OCOPY_CPU_HELP_OFF + 1), "unknown") == 0,
		"cpu_help out of range");
	TEST_ASSERT(strcmp(ocopy_placement_name(OCOPY_PLACE_ENGINES), "engines") == 0 &&
		strcmp(ocopy_placement_name(OCOPY_PLACE_THRESHOLD), "threshold") == 0 &&
		strcmp(ocopy_placement_name(OCOPY_PLACE_HELP), "help") == 0 &&
		strcmp(ocopy_placement_name(OCOPY_PLACE_CPU), "cpu") == 0,
		"placement names");
	TEST_ASSERT(strcmp(ocopy_placement_name(OCOPY_PLACE_MAX), "unknown") == 0,
		"placement out of range");
}

/* Blocks of size bytes from the heap until it has none: how many (at most max). */
static unsigned int
heap_take(void **blocks, unsigned int n, unsigned int max, size_t size)
{
	while (n < max && (blocks[n] = rte_malloc("filler", size, 0)) != NULL)
		n++;
	return n;
}

/*
 * ocopy_create() with the heap (--no-huge: fixed) too short for its
 * instance, then for its first ring: ENOMEM, a line naming what could not
 * be allocated, nothing left allocated; the same create works once the
 * heap has room again.
 */
static void
test_create_nomem(void)
{
	enum { MAX_BLOCKS = 4096 };
	void **blocks = calloc(MAX_BLOCKS, sizeof(*blocks));
	struct ocopy_conf conf;
	char *log = NULL;
	size_t log_size = 0;
	unsigned int n = 0, n_big;
	uint64_t heap;
	struct ocopy *oc;
	FILE *f;

	test_section("out of memory: ENOMEM, a line naming what, nothing left");
	TEST_ASSERT(blocks != NULL, "calloc");
	ocopy_conf_init(&conf);
	conf.name = "nomem";
	conf.queue_size = 32768;	/* a 1 MiB ring of ops */
	f = open_memstream(&log, &log_size);
	TEST_ASSERT(f != NULL, "memstream");
	TEST_ASSERT_SUCCESS(rte_openlog_stream(f), "log stream");
	n = heap_take(blocks, n, MAX_BLOCKS, 1 << 20);
	n = heap_take(blocks, n, MAX_BLOCKS, 64 << 10);
	n_big = n;
	n = heap_take(blocks, n, MAX_BLOCKS, 64);
	TEST_ASSERT(n < MAX_BLOCKS && n_big > 0, "the heap filled up");
	heap = test_heap_allocs();
	oc = ocopy_create(&conf);
	TEST_ASSERT(oc == NULL && rte_errno == ENOMEM, "heap full: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT_EQUAL(test_heap_allocs(), heap, "heap blocks: nothing left");
	/* Room for the instance and its queue (the 64-byte blocks and a
	 * 64 KiB one), not for the ring.
	 */
	while (n > n_big - 1)
		rte_free(blocks[--n]);
	heap = test_heap_allocs();
	oc = ocopy_create(&conf);
	TEST_ASSERT(oc == NULL && rte_errno == ENOMEM, "no room for the ring: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT_EQUAL(test_heap_allocs(), heap, "heap blocks: nothing left");
	TEST_ASSERT(ocopy_find("nomem") == NULL, "no instance");
	rte_openlog_stream(NULL);
	fclose(f);
	TEST_ASSERT(strstr(log, "nomem: cannot allocate ocopy: ") != NULL,
		"the instance's failure logged:\n%s", log);
	TEST_ASSERT(strstr(log, "nomem: cannot allocate ocopy_ops: 1048576 bytes") != NULL,
		"the ring's failure logged:\n%s", log);
	free(log);
	while (n > 0)
		rte_free(blocks[--n]);
	free(blocks);
	oc = ocopy_create(&conf);
	TEST_ASSERT(oc != NULL, "room again: made (%s)", rte_strerror(rte_errno));
	ocopy_destroy(oc);
}

/*
 * engines=all passes over the dmadevs in use before it counts to
 * OCOPY_MAX_ENGINES: with that many started (in use) after dma_sw0 and
 * dma_sw1, a free one after them is taken too. The first
 * OCOPY_MAX_ENGINES dmadevs used to be the candidates, those in use
 * dropped afterwards: two engines, the free one never tried.
 */
static void
test_create_all_in_use(void)
{
	char name[16];
	struct ocopy *oc;
	int16_t dev, free_dev;
	unsigned int i;
	bool found = false;

	test_section("engines=all: devices in use do not take free ones' places");
	for (i = 0; i < OCOPY_MAX_ENGINES; i++) {
		snprintf(name, sizeof(name), "dma_sw_u%02u", i);
		TEST_ASSERT_SUCCESS(rte_vdev_init(name, NULL), "probe %s", name);
		dev = (int16_t)rte_dma_get_dev_id_by_name(name);
		swdev_configure(dev, 1, 64);
		TEST_ASSERT_SUCCESS(rte_dma_start(dev), "start %s (in use)", name);
	}
	TEST_ASSERT_SUCCESS(rte_vdev_init("dma_sw_free", NULL), "probe dma_sw_free");
	free_dev = (int16_t)rte_dma_get_dev_id_by_name("dma_sw_free");
	oc = ocdev_create("engines=all,threshold=64");
	TEST_ASSERT_EQUAL(ocopy_engine_count(oc), 3,
		"dma_sw0, dma_sw1 and dma_sw_free, past %u devices in use", OCOPY_MAX_ENGINES);
	for (i = 0; i < 3; i++)
		found |= ocopy_engine_dev_id(oc, (uint16_t)i) == free_dev;
	TEST_ASSERT(found, "dma_sw_free (dmadev %d) is an engine", free_dev);
	ocopy_destroy(oc);
	TEST_ASSERT_SUCCESS(rte_vdev_uninit("dma_sw_free"), "remove dma_sw_free");
	for (i = 0; i < OCOPY_MAX_ENGINES; i++) {
		snprintf(name, sizeof(name), "dma_sw_u%02u", i);
		TEST_ASSERT_SUCCESS(rte_vdev_uninit(name), "remove %s", name);
	}
}

static void
test_create_errors(void)
{
	struct ocopy_conf conf;
	struct ocopy *oc, *oc2;
	unsigned int i;

	test_section("bad configurations refused with rte_errno");
	TEST_ASSERT(ocopy_create(NULL) == NULL && rte_errno == EINVAL, "NULL");
	ocopy_conf_init(&conf);
	conf.nb_queues = 0;
	TEST_ASSERT(ocopy_create(&conf) == NULL && rte_errno == EINVAL, "0 queues");
	ocopy_conf_init(&conf);
	conf.queue_size = 100;
	TEST_ASSERT(ocopy_create(&conf) == NULL && rte_errno == EINVAL, "queue size");
	ocopy_conf_init(&conf);
	conf.nb_engines = 1;
	conf.engines[0] = 77;
	TEST_ASSERT(ocopy_create(&conf) == NULL && rte_errno == EINVAL, "no such engine");
	ocopy_conf_init(&conf);
	conf.nb_engines = 2;
	conf.engines[0] = conf.engines[1] = 0;
	TEST_ASSERT(ocopy_create(&conf) == NULL && rte_errno == EINVAL, "engine twice");
	ocopy_conf_init(&conf);
	conf.policy = (enum ocopy_policy)7;
	TEST_ASSERT(ocopy_create(&conf) == NULL && rte_errno == EINVAL, "policy");
	ocopy_conf_init(&conf);
	conf.name = "a-name-that-is-much-too-long-for-an-instance";
	TEST_ASSERT(ocopy_create(&conf) == NULL && rte_errno == EINVAL, "long name");
	/* The first node EAL does not know: refused, not an allocation failure. */
	ocopy_conf_init(&conf);
	for (conf.socket_id = 0; conf.socket_id < RTE_MAX_NUMA_NODES; conf.socket_id++) {
		for (i = 0; i < rte_socket_count(); i++)
			if (rte_socket_id_by_idx(i) == conf.socket_id)
				break;
		if (i == rte_socket_count())
			break;
	}
	if (conf.socket_id < RTE_MAX_NUMA_NODES)
		TEST_ASSERT(ocopy_create(&conf) == NULL && rte_errno == EINVAL,
			"socket %d, not a node: %s", conf.socket_id, rte_strerror(rte_errno));

	test_create_nomem();

	test_section("names are unique; engines have one owner");
	oc = ocdev_create("engines=dma_sw0,threshold=64");
	conf.name = "ocopy";
	TEST_ASSERT(ocopy_find("ocopy") == oc, "find");
	ocopy_conf_init(&conf);
	TEST_ASSERT(ocopy_create(&conf) == NULL && rte_errno == EEXIST, "same name");
	conf.name = "other";
	conf.nb_engines = 1;
	conf.engines[0] = rte_dma_get_dev_id_by_name("dma_sw0");
	TEST_ASSERT(ocopy_create(&conf) == NULL && rte_errno == EBUSY,
		"engine of a live instance: %s", rte_strerror(rte_errno));
	TEST_ASSERT(ocopy_find("other") == NULL, "failed create left nothing");
	ocopy_destroy(oc);
	TEST_ASSERT(ocopy_find("ocopy") == NULL, "destroyed");

	test_section("create again on the same engines, twice");
	oc = ocdev_create("engines=dma_sw0:dma_sw1,queues=2,threshold=64");
	ocopy_destroy(oc);
	oc = ocdev_create("engines=all,queues=2,threshold=64");
	TEST_ASSERT_EQUAL(ocopy_engine_count(oc), 2, "all = both dma_sw devices");
	TEST_ASSERT_EQUAL(ocopy_queue_count(oc), 2, "queues");
	TEST_ASSERT(ocopy_queue_get(oc, 2) == NULL, "queue out of range");
	TEST_ASSERT(ocopy_queue_get(NULL, 0) == NULL, "NULL instance");
	TEST_ASSERT_EQUAL(ocopy_engine_dev_id(oc, 5), -1, "engine out of range");
	oc2 = NULL;
	ocopy_destroy(oc2);	/* no-op */
	ocopy_destroy(oc);
	test_create_all_in_use();
}

static void
test_fast_path_args(struct ocopy_queue *q, uint8_t *buf)
{
	struct ocopy_sge s[2], d[1];
	struct ocopy_queue_stats st0, st1;
	unsigned int n = 0;

	test_section("fast-path arguments: refused, nothing accepted");
	ocopy_queue_stats_get(q, &st0);
	TEST_ASSERT_EQUAL(ocopy_copy(q, NULL, buf, 64, NULL, NULL, 0), -EINVAL, "NULL dst");
	TEST_ASSERT_EQUAL(ocopy_copy(q, buf, NULL, 64, NULL, NULL, 0), -EINVAL, "NULL src");
	TEST_ASSERT_EQUAL(ocopy_copy(q, buf, buf + 4096, 64, NULL, NULL, RTE_BIT64(20)),
		-EINVAL, "unknown flag");
	TEST_ASSERT_EQUAL(ocopy_fill(q, NULL, 0, 64, NULL, NULL, 0), -EINVAL, "fill NULL");
	/*
	 * Past OCOPY_MAX_LEN: UINT32_MAX marks thresholds that are off, and
	 * a copy of that length crossed them (split with split=off, an
	 * engine under the CPU policy). Never touched: refused first.
	 */
	TEST_ASSERT_EQUAL(ocopy_copy(q, buf, buf + 4096, UINT32_MAX, NULL, NULL, 0),
		-EINVAL, "UINT32_MAX bytes, plain (staged)");
	TEST_ASSERT_EQUAL(ocopy_copy(q, buf, buf + 4096, UINT32_MAX, count_cb, &n, 0),
		-EINVAL, "UINT32_MAX bytes, with a callback");
	TEST_ASSERT_EQUAL(ocopy_fill(q, buf, 0, UINT32_MAX, NULL, NULL, 0), -EINVAL,
		"fill of UINT32_MAX bytes");
	{
		void *bd[2] = { buf + 8192, buf + 8192 };
		const void *bs[2] = { buf, buf };
		uint32_t bl[2] = { 64, UINT32_MAX };

		/* The first copy accepted (then delivered below), not the second. */
		TEST_ASSERT_EQUAL(ocopy_copy_burst(q, bd, bs, bl, 2, NULL, NULL), 1,
			"a burst stops at a copy of UINT32_MAX bytes");
		TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 1000000), "drain");
		st0.submitted++;
	}
	s[0].addr = buf;
	s[0].len = 64;
	s[1].addr = buf + 128;
	s[1].len = 64;
	d[0].addr = buf + 4096;
	d[0].len = 100;
	TEST_ASSERT_EQUAL(ocopy_copy_sg(q, s, 2, d, 1, NULL, NULL, 0), -EINVAL,
		"lengths differ");
	TEST_ASSERT_EQUAL(ocopy_copy_sg(q, s, 0, d, 1, NULL, NULL, 0), -EINVAL, "no src");
	TEST_ASSERT_EQUAL(ocopy_copy_sg(q, NULL, 1, d, 1, NULL, NULL, 0), -EINVAL, "NULL src");
	TEST_ASSERT_EQUAL(ocopy_copy_sg(q, s, OCOPY_MAX_SGES + 1, d, 1, NULL, NULL, 0),
		-EINVAL, "too many");
	s[0].len = UINT32_MAX - 64;
	d[0].len = UINT32_MAX;
	TEST_ASSERT_EQUAL(ocopy_copy_sg(q, s, 2, d, 1, NULL, NULL, 0), -EINVAL,
		"sg copy of UINT32_MAX bytes");
	s[0].len = 64;
	TEST_ASSERT_EQUAL(ocopy_mbuf_to_buf(q, buf, NULL, 0, 10, NULL, NULL, 0),
		-EINVAL, "NULL mbuf");
	TEST_ASSERT_EQUAL(ocopy_queue_drain(NULL, 0), -EINVAL, "drain NULL");
	ocopy_queue_stats_get(q, &st1);
	TEST_ASSERT_EQUAL(st1.submitted, st0.submitted, "nothing accepted");
	TEST_ASSERT_EQUAL(ocopy_queue_inflight(q), 0, "nothing in flight");
	RTE_SET_USED(n);
}

static void
test_queue_full(struct ocopy_queue *q, uint8_t *buf, uint32_t qsize)
{
	unsigned int n = 0, i;
	int ret;

	test_section("a full queue refuses with -ENOSPC, then takes more after a poll");
	for (i = 0; i < qsize; i++) {
		ret = ocopy_copy(q, buf + 8192, buf, 4096, count_cb, &n, 0);
		TEST_ASSERT(ret >= 0, "op %u: %d", i, ret);
	}
	TEST_ASSERT_EQUAL(ocopy_queue_room(q), 0, "room");
	TEST_ASSERT_EQUAL(ocopy_copy(q, buf + 8192, buf, 64, count_cb, &n, 0),
		-ENOSPC, "full");
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	TEST_ASSERT_EQUAL(n, qsize, "one completion each, none for the refused op");
	TEST_ASSERT(ocopy_copy(q, buf + 8192, buf, 64, count_cb, &n, OCOPY_F_FLUSH) >= 0,
		"accepted again");
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
}

/*
 * ocopy_copy_burst(): a bad op stops the burst where it is, the queue's
 * room bounds it, and ops without callbacks are delivered by index, in
 * parts, with their statuses.
 */
static void
test_burst(struct ocopy_queue *q, uint8_t *buf, uint32_t qsize, const char *what,
		bool engine)
{
	const uint32_t len = 64, nb = 40;
	struct ocopy_queue_stats st0, st1;
	uint16_t first, last, status[128];
	void *dst[128];
	const void *src[128];
	uint32_t lens[128], i;
	bool err = true;

	test_section("%s: burst: a NULL destination stops it, nothing after is copied", what);
	RTE_VERIFY(qsize + 8 <= RTE_DIM(dst));
	memset(buf + 65536, 0, 128 * len);
	for (i = 0; i < RTE_DIM(dst); i++) {
		dst[i] = buf + 65536 + i * len;
		src[i] = buf + i * len;
		lens[i] = len;
		memset(buf + i * len, (int)(i + 1), len);
	}
	ocopy_queue_stats_get(q, &st0);
	first = ocopy_queue_next_index(q);
	dst[5] = NULL;
	TEST_ASSERT_EQUAL(ocopy_copy_burst(q, dst, src, lens, nb, NULL, NULL), 5,
		"ops before the bad one");
	dst[5] = buf + 65536 + 5 * len;
	ocopy_queue_stats_get(q, &st1);
	TEST_ASSERT_EQUAL(st1.submitted - st0.submitted, 5, "accepted");
	TEST_ASSERT_EQUAL(ocopy_queue_inflight(q), 5, "in flight");
	TEST_ASSERT_EQUAL(ocopy_queue_next_index(q), (uint16_t)(first + 5), "indexes");

	test_section("%s: burst: delivered by index, in parts, with statuses", what);
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	for (i = 0; i < nb; i++) {
		uint8_t want = i < 5 ? (uint8_t)(i + 1) : 0;

		TEST_ASSERT_EQUAL(((uint8_t *)dst[i])[0], want, "op %u first byte", i);
		TEST_ASSERT_EQUAL(((uint8_t *)dst[i])[len - 1], want, "op %u last byte", i);
	}
	first = ocopy_queue_next_index(q);
	ocopy_queue_stats_get(q, &st0);
	TEST_ASSERT_EQUAL(ocopy_copy_burst(q, dst, src, lens, nb, NULL, NULL), nb,
		"whole burst");
	ocopy_queue_stats_get(q, &st1);
	TEST_ASSERT_EQUAL(engine ? st1.engine - st0.engine : st1.cpu - st0.cpu, nb,
		"every op of the burst on the %s", what);
	TEST_ASSERT_EQUAL(st1.bytes - st0.bytes, nb * len, "bytes");
	i = 0;
	while (i < 3)
		i += ocopy_completed(q, 3 - i, &last, &err);
	TEST_ASSERT(!err, "no error");
	TEST_ASSERT_EQUAL(last, (uint16_t)(first + 2), "last index of the first part");
	for (i = 3; i < nb; ) {
		uint16_t k, n = ocopy_completed_status(q, RTE_DIM(status), &last, status);

		for (k = 0; k < n; k++)
			TEST_ASSERT_EQUAL(status[k], RTE_DMA_STATUS_SUCCESSFUL, "status");
		i += n;
		if (n != 0)
			TEST_ASSERT_EQUAL(last, (uint16_t)(first + i - 1), "last index");
	}
	TEST_ASSERT_EQUAL(i, nb, "each op once");
	TEST_ASSERT_EQUAL(ocopy_queue_inflight(q), 0, "all delivered");
	for (i = 0; i < nb; i++)
		TEST_ASSERT(memcmp(dst[i], src[i], len) == 0, "op %u", i);

	if (engine) {
		struct ocopy_conf conf;
		struct ocopy_queue *q2;
		struct ocopy *oc2;

		ocopy_conf_init(&conf);
		TEST_ASSERT_SUCCESS(ocopy_conf_parse(&conf,
			"engines=dma_sw1,policy=engine,ring_size=32,queue_size=64"),
			"configuration");
		conf.name = "ring32";
		oc2 = ocopy_create(&conf);
		TEST_ASSERT(oc2 != NULL, "create: %s", rte_strerror(rte_errno));
		q2 = ocopy_queue_get(oc2, 0);

		test_section("%s: burst: the engine's ring full, the rest on the CPU", what);
		memset(buf + 65536, 0, nb * len);
		ocopy_queue_stats_get(q2, &st0);
		TEST_ASSERT_EQUAL(ocopy_copy_burst(q2, dst, src, lens, nb, NULL, NULL),
			nb, "all accepted");
		ocopy_queue_stats_get(q2, &st1);
		TEST_ASSERT_EQUAL(st1.engine - st0.engine, 32, "as many as the ring holds");
		TEST_ASSERT_EQUAL(st1.cpu - st0.cpu, nb - 32, "the rest on the CPU");
		TEST_ASSERT_EQUAL(st1.failovers - st0.failovers, nb - 32, "counted");
		TEST_ASSERT_SUCCESS(ocopy_queue_drain(q2, 5000000), "drain");
		for (i = 0; i < nb; i++)
			TEST_ASSERT(memcmp(dst[i], src[i], len) == 0, "op %u", i);
		ocopy_destroy(oc2);
	}

	test_section("%s: burst: the queue's room bounds it, the rest is refused", what);
	TEST_ASSERT_EQUAL(ocopy_copy_burst(q, dst, src, lens, 5, NULL, NULL), 5, "5 first");
	ocopy_queue_stats_get(q, &st0);
	TEST_ASSERT_EQUAL(ocopy_copy_burst(q, dst, src, lens, (uint16_t)(qsize + 8),
		NULL, NULL), qsize - 5, "as many as fit");
	ocopy_queue_stats_get(q, &st1);
	TEST_ASSERT_EQUAL(st1.refused - st0.refused, 1, "one refusal");
	TEST_ASSERT_EQUAL(ocopy_queue_room(q), 0, "full");
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	TEST_ASSERT_EQUAL(ocopy_queue_inflight(q), 0, "all delivered");
}

static void
test_fill_sg(struct ocopy_queue *q, uint8_t *buf, const char *what)
{
	const uint64_t pattern = 0x0123456789abcdefULL;
	struct ocopy_sge s[3], d[2];
	unsigned int n = 0;
	uint32_t i, lens[] = { 8, 13, 4096, 100000 };
	uint8_t *dst = buf + 512 * 1024;

	test_section("fill and scatter-gather (%s)", what);
	for (i = 0; i < RTE_DIM(lens); i++) {
		uint32_t k;

		memset(dst, 0, lens[i] + 64);
		TEST_ASSERT(ocopy_fill(q, dst, pattern, lens[i], count_cb, &n,
			OCOPY_F_FLUSH) >= 0, "fill %u", lens[i]);
		TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
		TEST_ASSERT_EQUAL(last_status, 0, "fill status");
		for (k = 0; k < lens[i]; k++)
			TEST_ASSERT_EQUAL(dst[k], (uint8_t)(pattern >> (8 * (k % 8))),
				"fill %u byte %u", lens[i], k);
		for (k = lens[i]; k < lens[i] + 64; k++)
			TEST_ASSERT_EQUAL(dst[k], 0, "fill %u wrote past its end", lens[i]);
	}
	for (i = 0; i < 256 * 1024; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	s[0].addr = buf;
	s[0].len = 1000;
	s[1].addr = buf + 5000;
	s[1].len = 3000;
	s[2].addr = buf + 20000;
	s[2].len = 60000;
	d[0].addr = dst;
	d[0].len = 30000;
	d[1].addr = dst + 40000;
	d[1].len = 34000;
	memset(dst, 0, 80000);
	TEST_ASSERT(ocopy_copy_sg(q, s, 3, d, 2, count_cb, &n, OCOPY_F_FLUSH) >= 0, "sg");
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	TEST_ASSERT_EQUAL(last_status, 0, "sg status");
	TEST_ASSERT(memcmp(dst, buf, 1000) == 0, "sg seg 0");
	TEST_ASSERT(memcmp(dst + 1000, buf + 5000, 3000) == 0, "sg seg 1");
	TEST_ASSERT(memcmp(dst + 4000, buf + 20000, 26000) == 0, "sg seg 2a");
	TEST_ASSERT(memcmp(dst + 40000, buf + 46000, 34000) == 0, "sg seg 2b");
	for (i = 30000; i < 40000; i++)
		TEST_ASSERT_EQUAL(dst[i], 0, "sg wrote between its destinations");
	TEST_ASSERT_EQUAL(dst[74000], 0, "sg wrote past its end");
}

static void
test_mbuf(struct ocopy_queue *q, uint8_t *buf, struct rte_mempool *mp)
{
	struct rte_mbuf *a, *a2, *b, *b2;
	unsigned int n = 0;
	uint32_t i;
	uint8_t *dst = buf + 768 * 1024;

	test_section("mbuf chains to a flat buffer and to another chain");
	a = rte_pktmbuf_alloc(mp);
	a2 = rte_pktmbuf_alloc(mp);
	b = rte_pktmbuf_alloc(mp);
	b2 = rte_pktmbuf_alloc(mp);
	TEST_ASSERT(a && a2 && b && b2, "mbufs");
	for (i = 0; i < 1500; i++)
		((uint8_t *)rte_pktmbuf_append(a, 1))[0] = (uint8_t)i;
	for (i = 0; i < 700; i++)
		((uint8_t *)rte_pktmbuf_append(a2, 1))[0] = (uint8_t)(i ^ 0x5a);
	TEST_ASSERT_SUCCESS(rte_pktmbuf_chain(a, a2), "chain a");
	TEST_ASSERT(rte_pktmbuf_append(b, 1000) != NULL, "b");
	TEST_ASSERT(rte_pktmbuf_append(b2, 1200) != NULL, "b2");
	TEST_ASSERT_SUCCESS(rte_pktmbuf_chain(b, b2), "chain b");

	memset(dst, 0, 4096);
	TEST_ASSERT(ocopy_mbuf_to_buf(q, dst, a, 100, 2000, count_cb, &n,
		OCOPY_F_FLUSH) >= 0, "to buf");
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	for (i = 0; i < 2000; i++) {
		uint32_t k = i + 100;
		uint8_t want = k < 1500 ? (uint8_t)k : (uint8_t)((k - 1500) ^ 0x5a);

		TEST_ASSERT_EQUAL(dst[i], want, "to buf byte %u", i);
	}
	TEST_ASSERT_EQUAL(dst[2000], 0, "to buf wrote past its end");
	TEST_ASSERT_EQUAL(ocopy_mbuf_to_buf(q, dst, a, 100, 2101, NULL, NULL, 0),
		-EINVAL, "past the chain's end");

	TEST_ASSERT(ocopy_mbuf_to_mbuf(q, b, a, count_cb, &n, OCOPY_F_FLUSH) >= 0,
		"to mbuf");
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	for (i = 0; i < 2200; i++) {
		uint8_t got = *rte_pktmbuf_mtod_offset(i < 1000 ? b : b2, uint8_t *,
				i < 1000 ? i : i - 1000);
		uint8_t want = i < 1500 ? (uint8_t)i : (uint8_t)((i - 1500) ^ 0x5a);

		TEST_ASSERT_EQUAL(got, want, "to mbuf byte %u", i);
	}
	rte_pktmbuf_trim(b, 1);
	TEST_ASSERT_EQUAL(ocopy_mbuf_to_mbuf(q, b, a, NULL, NULL, 0), -EINVAL,
		"lengths differ");
	rte_pktmbuf_free(a);
	rte_pktmbuf_free(b);

	/*
	 * Empty mbufs inside a chain (trimmed ones) take no segment: 70 of
	 * them between two of data made 72 segments, more than an SG copy
	 * takes (OCOPY_MAX_SGES), and the copy was refused.
	 */
	a = rte_pktmbuf_alloc(mp);
	TEST_ASSERT(a != NULL, "mbuf");
	for (i = 0; i < 100; i++)
		((uint8_t *)rte_pktmbuf_append(a, 1))[0] = (uint8_t)i;
	for (i = 0; i < 71; i++) {
		a2 = rte_pktmbuf_alloc(mp);
		TEST_ASSERT(a2 != NULL, "mbuf %u", i);
		if (i == 70)
			for (n = 0; n < 100; n++)
				((uint8_t *)rte_pktmbuf_append(a2, 1))[0] = (uint8_t)(n + 100);
		TEST_ASSERT_SUCCESS(rte_pktmbuf_chain(a, a2), "chain %u", i);
	}
	n = 0;
	memset(dst, 0, 4096);
	TEST_ASSERT(ocopy_mbuf_to_buf(q, dst, a, 50, 150, count_cb, &n,
		OCOPY_F_FLUSH) >= 0, "to buf, over 70 empty mbufs");
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	for (i = 0; i < 150; i++)
		TEST_ASSERT_EQUAL(dst[i], (uint8_t)(i + 50), "over empty mbufs: byte %u", i);
	TEST_ASSERT_EQUAL(dst[150], 0, "wrote past its end");
	rte_pktmbuf_free(a);
}

/* The staged copies' test: op k copies 1000 bytes to its own place. */
#define STG_LEN		1000
#define STG_SRC(buf, k)	((buf) + (size_t)(k) * 7)
#define STG_DST(buf, k)	((buf) + 512 * 1024 + (size_t)(k) * 1024)
#define STG_FILL	0x5a5a5a5a5a5a5a5aULL

/* Op k of the staged test: its copy, with cb, arg and flags. */
static int
stg_copy(struct ocopy_queue *q, uint8_t *buf, uint32_t k, ocopy_cb_t cb,
		void *arg, uint64_t flags)
{
	return ocopy_copy(q, STG_DST(buf, k), STG_SRC(buf, k), STG_LEN, cb,
			arg, flags);
}

/* Ops [first, first + n) of the staged test booked by the library. */
static void
staged_booked(struct ocopy_queue *q, const struct ocopy_queue_stats *st0,
		uint64_t n, const char *when)
{
	struct ocopy_queue_stats st;

	ocopy_queue_stats_get(q, &st);
	TEST_ASSERT_EQUAL(st.submitted - st0->submitted, n, "%s: %" PRIu64
		" booked, expected %" PRIu64, when, st.submitted - st0->submitted,
		n);
}

/*
 * Plain copies given one at a time wait on the queue's stage: their
 * indexes, the queue's ops in flight and its room count them at once; the
 * library books them (stats.submitted) when they are handed over: by a
 * flush, any other kind of submission, a completion call, a full stage
 * or OCOPY_F_FLUSH. Every op completes once, in index order, with its
 * data; an instance destroyed with copies staged makes them first.
 */
static void
test_staged(struct ocopy *oc, uint8_t *buf, const char *what)
{
	struct ocopy_queue *q = ocopy_queue_get(oc, 0);
	const uint32_t qsize = ocopy_queue_room(q);
	struct ocopy_queue_stats st0;
	struct ocopy_sge s[2], d[2];
	void *bd[2];
	const void *bs[2];
	uint32_t bl[2], k = 0, i, got = 0;
	unsigned int n = 0;
	bool fill[64] = { false }, err = false;
	uint16_t first, last = 0;

	test_section("%s: plain copies staged, handed over in order", what);
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "idle");
	TEST_ASSERT(qsize >= 64, "a queue of 64 at least: %u", qsize);
	memset(STG_DST(buf, 0), 0, 64 * 1024);
	ocopy_queue_stats_get(q, &st0);
	first = ocopy_queue_next_index(q);

	for (i = 0; i < 5; i++, k++)
		TEST_ASSERT_EQUAL(stg_copy(q, buf, k, NULL, NULL, 0),
			(uint16_t)(first + k), "staged copy %u", k);
	TEST_ASSERT_EQUAL(ocopy_queue_next_index(q), (uint16_t)(first + 5),
		"next index");
	TEST_ASSERT_EQUAL(ocopy_queue_inflight(q), 5, "in flight");
	TEST_ASSERT_EQUAL(ocopy_queue_room(q), qsize - 5, "room");
	TEST_ASSERT(ocdev_dump_has(oc, "in flight 0 (0 plain, 5 staged)"),
		"staged, not in the ring");
	staged_booked(q, &st0, 0, "staged");
	TEST_ASSERT_EQUAL(ocopy_copy(q, NULL, STG_SRC(buf, k), STG_LEN, NULL,
		NULL, 0), -EINVAL, "NULL dst");
	TEST_ASSERT_EQUAL(ocopy_queue_inflight(q), 5, "nothing staged");

	/* A copy with a callback: the staged ones go first. */
	TEST_ASSERT_EQUAL(stg_copy(q, buf, k, count_cb, &n, 0),
		(uint16_t)(first + k), "callback op");
	k++;
	staged_booked(q, &st0, 6, "a callback op");

	/* A fill, a scatter-gather copy, a burst: the same. */
	TEST_ASSERT(stg_copy(q, buf, k, NULL, NULL, 0) >= 0, "staged");
	k++;
	TEST_ASSERT_EQUAL(ocopy_fill(q, STG_DST(buf, k), STG_FILL, STG_LEN, NULL,
		NULL, 0), (uint16_t)(first + k), "fill");
	fill[k++] = true;
	staged_booked(q, &st0, 8, "a fill");
	TEST_ASSERT(stg_copy(q, buf, k, NULL, NULL, 0) >= 0, "staged");
	k++;
	s[0].addr = (void *)(uintptr_t)STG_SRC(buf, k);
	s[0].len = 400;
	s[1].addr = (void *)(uintptr_t)(STG_SRC(buf, k) + 400);
	s[1].len = STG_LEN - 400;
	d[0].addr = STG_DST(buf, k);
	d[0].len = 600;
	d[1].addr = STG_DST(buf, k) + 600;
	d[1].len = STG_LEN - 600;
	TEST_ASSERT_EQUAL(ocopy_copy_sg(q, s, 2, d, 2, NULL, NULL, 0),
		(uint16_t)(first + k), "scatter-gather");
	k++;
	staged_booked(q, &st0, 10, "scatter-gather");
	TEST_ASSERT(stg_copy(q, buf, k, NULL, NULL, 0) >= 0, "staged");
	k++;
	for (i = 0; i < 2; i++) {
		bd[i] = STG_DST(buf, k + i);
		bs[i] = STG_SRC(buf, k + i);
		bl[i] = STG_LEN;
	}
	TEST_ASSERT_EQUAL(ocopy_queue_next_index(q), (uint16_t)(first + k),
		"the burst's first index");
	TEST_ASSERT_EQUAL(ocopy_copy_burst(q, bd, bs, bl, 2, NULL, NULL), 2,
		"burst");
	k += 2;
	staged_booked(q, &st0, 13, "a burst");

	/* A flush; a completion call; OCOPY_F_FLUSH. */
	TEST_ASSERT(stg_copy(q, buf, k, NULL, NULL, 0) >= 0, "staged");
	k++;
	ocopy_flush(q);
	staged_booked(q, &st0, 14, "a flush");
	TEST_ASSERT(stg_copy(q, buf, k, NULL, NULL, 0) >= 0, "staged");
	k++;
	got += ocopy_completed(q, 0, &last, &err);
	staged_booked(q, &st0, 15, "a completion call");
	TEST_ASSERT_EQUAL(stg_copy(q, buf, k, NULL, NULL, OCOPY_F_FLUSH),
		(uint16_t)(first + k), "OCOPY_F_FLUSH");
	k++;
	staged_booked(q, &st0, 16, "OCOPY_F_FLUSH");

	/* A full stage is handed over by the next copy. */
	for (i = 0; i < OC_STAGE_SIZE + 1; i++, k++)
		TEST_ASSERT_EQUAL(stg_copy(q, buf, k, NULL, NULL, 0),
			(uint16_t)(first + k), "copy %u", k);
	staged_booked(q, &st0, 16 + OC_STAGE_SIZE, "a full stage");
	TEST_ASSERT(ocdev_dump_has(oc, ", 1 staged)"), "the last one staged");
	TEST_ASSERT_EQUAL(ocopy_queue_inflight(q), k - got, "in flight");

	/* Every op once, in index order; then the data. */
	while (got < k) {
		uint16_t nb = ocopy_completed(q, 64, &last, &err);

		TEST_ASSERT(!err, "no op fails");
		got += nb;
		if (nb != 0)
			TEST_ASSERT_EQUAL(last, (uint16_t)(first + got - 1),
				"last index");
		ocopy_flush(q);
	}
	TEST_ASSERT_EQUAL(n, 1, "the callback");
	TEST_ASSERT_EQUAL(ocopy_queue_inflight(q), 0, "all delivered");
	for (i = 0; i < k; i++) {
		if (fill[i])
			TEST_ASSERT_EQUAL(*(uint64_t *)(STG_DST(buf, i) + 992),
				STG_FILL, "op %u: the fill", i);
		else
			TEST_ASSERT(memcmp(STG_DST(buf, i), STG_SRC(buf, i),
				STG_LEN) == 0, "op %u: the data", i);
		TEST_ASSERT_EQUAL(STG_DST(buf, i)[STG_LEN], 0,
			"op %u: nothing past its end", i);
	}
}

/* The queue's room counts the staged copies: -ENOSPC past it. */
static void
test_staged_full(struct ocopy *oc, uint8_t *buf)
{
	struct ocopy_queue *q = ocopy_queue_get(oc, 0);
	struct ocopy_queue_stats a, b;
	uint32_t room, i;

	test_section("staged copies take room: the last one refused, counted");
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "idle");
	room = ocopy_queue_room(q);
	for (i = 0; i < room; i++)
		TEST_ASSERT(ocopy_copy(q, STG_DST(buf, i % 64), STG_SRC(buf, i),
			STG_LEN, NULL, NULL, 0) >= 0, "copy %u", i);
	TEST_ASSERT_EQUAL(ocopy_queue_room(q), 0, "no room");
	ocopy_queue_stats_get(q, &a);
	TEST_ASSERT_EQUAL(stg_copy(q, buf, 0, NULL, NULL, 0), -ENOSPC, "full");
	ocopy_queue_stats_get(q, &b);
	TEST_ASSERT_EQUAL(b.refused - a.refused, 1, "refusal counted");
	TEST_ASSERT_EQUAL(ocopy_queue_inflight(q), room, "none lost");
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	TEST_ASSERT_EQUAL(ocopy_queue_inflight(q), 0, "all delivered");
}

/* Destroyed with copies staged: they are made first (one completion each). */
static void
test_staged_destroy(const char *conf, uint8_t *buf)
{
	struct ocopy *oc = ocdev_create(conf);
	struct ocopy_queue *q = ocopy_queue_get(oc, 0);
	unsigned int i;

	test_section("destroyed with copies staged (%s): made first", conf);
	memset(STG_DST(buf, 0), 0, 64 * 1024);
	for (i = 0; i < 3; i++)
		TEST_ASSERT(stg_copy(q, buf, i, NULL, NULL, 0) >= 0, "copy %u",
			i);
	TEST_ASSERT_EQUAL(ocopy_queue_inflight(q), 3, "staged");
	ocopy_destroy(oc);
	for (i = 0; i < 3; i++)
		TEST_ASSERT(memcmp(STG_DST(buf, i), STG_SRC(buf, i), STG_LEN) == 0,
			"copy %u made", i);
}

/*
 * ocopy_stats_reset() with an op in flight refuses (-EBUSY) and changes
 * nothing: the op's completion, counted on zeroed counters, left
 * completed above submitted for good. Once drained it resets.
 */
static void
test_stats_reset(uint8_t *buf)
{
	struct ocopy_queue_stats st;
	struct ocopy_queue *q;
	struct ocopy *oc;

	test_section("stats reset: refused with an op in flight, done once drained");
	oc = ocdev_create("engines=dma_sw0,policy=engine,split=off");
	q = ocopy_queue_get(oc, 0);
	swdev_service_run("dma_sw0", false);
	TEST_ASSERT(ocopy_copy(q, buf + 8192, buf, 4096, NULL, NULL, OCOPY_F_FLUSH) >= 0,
		"a copy");
	TEST_ASSERT_EQUAL(ocopy_stats_reset(oc), -EBUSY, "reset with the copy in flight");
	TEST_ASSERT_SUCCESS(ocopy_stats_get(oc, &st), "stats");
	TEST_ASSERT(st.submitted == 1 && st.engine == 1, "counters kept: %" PRIu64 " submitted",
		st.submitted);
	swdev_service_run("dma_sw0", true);
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	TEST_ASSERT_SUCCESS(ocopy_stats_reset(oc), "reset once drained");
	TEST_ASSERT_SUCCESS(ocopy_stats_get(oc, &st), "stats");
	TEST_ASSERT(st.submitted == 0 && st.completed == 0 && st.engine == 0 && st.bytes == 0,
		"counters reset");
	ocopy_destroy(oc);
}

/*
 * The CPU path's copy at every length 0..CPU_LEN_MAX and every source and
 * destination misalignment 0..15 (copies of 16 to 64 bytes are inlined as
 * two overlapping moves, the others are libc's memcpy()): through
 * ocopy_copy_burst() and ocopy_copy() (a callback, not staged), each byte
 * in place and the guard bytes around the destination untouched.
 */
#define CPU_LEN_MAX	160
#define CPU_GUARD	64

static void
test_cpu_lengths(struct ocopy_queue *q, uint8_t *buf)
{
	uint8_t *src = buf, *dst = buf + 4096;
	const size_t span = CPU_LEN_MAX + 16 + 2 * CPU_GUARD;
	unsigned int len, so, d_o, i, n = 0;
	uint16_t last;
	bool err;

	test_section("CPU path: every length 0..160 at every alignment, guards intact");
	for (i = 0; i < 4096; i++)
		src[i] = (uint8_t)(i * 13 + 7);
	for (len = 0; len <= CPU_LEN_MAX; len++) {
		for (so = 0; so < 16; so++) {
			for (d_o = 0; d_o < 16; d_o++) {
				uint8_t *d = dst + CPU_GUARD + d_o;
				const uint8_t *s = src + so;
				void *dp[1] = { d };
				const void *sp[1] = { s };
				uint32_t l[1] = { len };

				memset(dst, 0xee, span);
				if ((so + d_o) & 1)
					TEST_ASSERT_EQUAL(ocopy_copy_burst(q, dp, sp, l, 1, NULL,
						NULL), 1, "burst of one, %u bytes", len);
				else
					TEST_ASSERT(ocopy_copy(q, d, s, len, count_cb, &n, 0) >= 0,
						"copy of %u bytes", len);
				ocopy_flush(q);
				while (ocopy_queue_inflight(q) != 0)
					ocopy_completed(q, 64, &last, &err);
				TEST_ASSERT(!err, "%u bytes: an error", len);
				TEST_ASSERT(memcmp(d, s, len) == 0,
					"%u bytes, src +%u, dst +%u: data", len, so, d_o);
				for (i = 0; i < span; i++)
					if (dst + i < d || dst + i >= d + len)
						TEST_ASSERT_EQUAL(dst[i], 0xee,
							"%u bytes, src +%u, dst +%u: byte %d written",
							len, so, d_o, (int)(dst + i - d));
			}
		}
	}
}

int
main(int argc, char **argv)
{
	/* lcore 2 for test_conf_longest()'s devices. */
	static const struct test_opts opts = { .name = "ocopy_api", .nb_lcores = 3 };
	struct rte_mempool *mp;
	struct ocopy_queue *q;
	struct ocopy *oc;
	uint8_t *buf;

	test_eal_init(argc, argv, &opts);
	swdev_create_worker("dma_sw0", NULL);
	swdev_create_worker("dma_sw1", NULL);
	buf = rte_zmalloc("buf", 1024 * 1024, 4096);
	mp = rte_pktmbuf_pool_create("mb", 127, 0, 0, 2048 + RTE_PKTMBUF_HEADROOM,
			SOCKET_ID_ANY);
	TEST_ASSERT(buf != NULL && mp != NULL, "memory");

	test_conf_parse();
	test_conf_format();
	test_conf_longest();
	test_create_errors();

	oc = ocdev_create("engines=dma_sw0,policy=engine,queue_size=64");
	q = ocopy_queue_get(oc, 0);
	test_fast_path_args(q, buf);
	test_queue_full(q, buf, 64);
	test_burst(q, buf, 64, "engine", true);
	test_fill_sg(q, buf, "engine");
	test_mbuf(q, buf, mp);
	test_staged(oc, buf, "engine");
	test_staged_full(oc, buf);
	ocopy_destroy(oc);

	oc = ocdev_create("policy=cpu,queue_size=64");
	q = ocopy_queue_get(oc, 0);
	test_cpu_lengths(q, buf);
	test_burst(q, buf, 64, "CPU", false);
	test_fill_sg(q, buf, "CPU");
	test_mbuf(q, buf, mp);
	test_staged(oc, buf, "CPU");
	test_staged_full(oc, buf);
	ocopy_destroy(oc);
	test_stats_reset(buf);
	test_staged_destroy("engines=dma_sw0,policy=engine", buf);
	test_staged_destroy("policy=cpu", buf);

	rte_mempool_free(mp);
	rte_free(buf);
	return test_done();
}
