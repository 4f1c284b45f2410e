/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * Engines on several NUMA nodes: a copy goes preferably to an engine on
 * its destination's node, for EAL memory (the memseg list's socket) and
 * for external memory registered with the library (the node the kernel
 * gives its pages); a remote engine counts double and takes copies only
 * when the local one is that much more loaded, each counted as remote.
 *
 * This machine may have one node: the engines' nodes are declared with
 * engines=name@node, which is what the configuration is for (a driver that
 * does not know its node). Engines are held still (services stopped) so
 * that backlogs are exact; the data is checked once they run again.
 *
 * Auto-policy instances pin the placement (cpu_help=on): under
 * cpu_help=auto a long run may move a queue to the CPU for every copy.
 */

#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include <ocopy.h>

#include "ocopy_dev.h"
#include "sw_dev.h"
#include "test.h"

#define LEN		4096
#define NB		12
#define EXT_LEN		(2 * 1024 * 1024)

static uint8_t *src, *dst;

/* Copies i in [from, to) from src + i to dst_base + i * LEN, then a flush. */
static void
submit_n(struct ocopy_queue *q, uint8_t *dst_base, unsigned int from,
		unsigned int to)
{
	unsigned int i;

	for (i = from; i < to; i++)
		TEST_ASSERT(ocopy_copy(q, dst_base + (size_t)i * LEN, src + i,
			LEN, NULL, NULL, 0) >= 0, "copy %u", i);
	/* Placed now: plain copies wait on the stage until a flush. */
	ocopy_flush(q);
}

/* Run the engines, drain, check every copy's bytes; clear the destination. */
static void
finish(struct ocopy_queue *q, uint8_t *dst_base, unsigned int n)
{
	unsigned int i;

	swdev_service_run("dma_sw0", true);
	swdev_service_run("dma_sw1", true);
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	for (i = 0; i < n; i++)
		TEST_ASSERT(memcmp(dst_base + (size_t)i * LEN, src + i, LEN) == 0,
			"copy %u: data", i);
	memset(dst_base, 0, (size_t)n * LEN);
}

static void
engine_stats(struct ocopy *oc, struct ocopy_qengine_stats *e0,
		struct ocopy_qengine_stats *e1)
{
	TEST_ASSERT_SUCCESS(ocopy_engine_stats_get(oc, 0, e0), "stats 0");
	TEST_ASSERT_SUCCESS(ocopy_engine_stats_get(oc, 1, e1), "stats 1");
}

/*
 * engines=<first>@<n0>:<second>@<n1>, engines held still: the local
 * engine is `local` (0 or 1). One copy goes to it; then a burst spreads
 * over both, the local one taking more and the other counting every op it
 * takes as remote.
 */
static void
check_placement(const char *conf, uint8_t *dst_base, uint16_t local)
{
	struct ocopy_qengine_stats e[2];
	struct ocopy_queue *q;
	struct ocopy *oc;
	int reg = -1;

	swdev_service_run("dma_sw0", false);
	swdev_service_run("dma_sw1", false);
	oc = ocdev_create(conf);
	q = ocopy_queue_get(oc, 0);
	if (dst_base != dst) {
		reg = ocopy_mem_register_external(oc, dst_base, EXT_LEN, 4096);
		TEST_ASSERT(reg >= 0, "register external memory: %d", reg);
	}

	submit_n(q, dst_base, 0, 1);
	engine_stats(oc, &e[0], &e[1]);
	TEST_ASSERT(e[local].ops == 1 && e[1 - local].ops == 0,
		"%s: one copy on the local engine %u: %" PRIu64 " / %" PRIu64,
		conf, local, e[0].ops, e[1].ops);
	TEST_ASSERT(e[0].remote == 0 && e[1].remote == 0, "nothing remote");

	submit_n(q, dst_base, 1, NB);
	engine_stats(oc, &e[0], &e[1]);
	printf("%s: %" PRIu64 " copies local, %" PRIu64 " remote\n", conf,
		e[local].ops, e[1 - local].ops);
	TEST_ASSERT_EQUAL(e[0].ops + e[1].ops, NB, "all on engines");
	TEST_ASSERT(e[1 - local].ops > 0,
		"a loaded local engine leaves copies to the remote one");
	TEST_ASSERT(e[local].ops > e[1 - local].ops,
		"the local engine takes more: %" PRIu64 " / %" PRIu64,
		e[local].ops, e[1 - local].ops);
	TEST_ASSERT_EQUAL(e[1 - local].remote, e[1 - local].ops,
		"every op of the remote engine counted remote");
	TEST_ASSERT_EQUAL(e[local].remote, 0, "none on the local one");

	finish(q, dst_base, NB);
	if (reg >= 0)
		TEST_ASSERT_SUCCESS(ocopy_mem_unregister(oc, reg), "unregister");
	ocopy_destroy(oc);
}

static void
test_eal_memory(void)
{
	struct ocopy_engine_info info;
	struct ocopy *oc;
	char *dump = NULL;
	size_t sz = 0;
	FILE *f;

	test_section("EAL memory on node 0: the engine declared on node 0");
	check_placement("engines=dma_sw1@1:dma_sw0@0,threshold=64,slack=100000,split=off",
		dst, 1);
	test_section("the same engines, nodes swapped: the choice follows");
	check_placement("engines=dma_sw1@0:dma_sw0@1,threshold=64,slack=100000,split=off",
		dst, 0);

	test_section("declared nodes: engine info and dump");
	oc = ocdev_create("engines=dma_sw1@1:dma_sw0@0,threshold=64,split=off,cpu_help=on");
	TEST_ASSERT_SUCCESS(ocopy_engine_info_get(oc, 0, &info), "info");
	TEST_ASSERT_EQUAL(info.numa_node, 1, "dma_sw1's node");
	TEST_ASSERT_SUCCESS(ocopy_engine_info_get(oc, 1, &info), "info");
	TEST_ASSERT_EQUAL(info.numa_node, 0, "dma_sw0's node");
	f = open_memstream(&dump, &sz);
	TEST_ASSERT(f != NULL, "memstream");
	ocopy_dump(oc, f);
	fclose(f);
	TEST_ASSERT(strstr(dump, "dma_sw1, NUMA node 1") != NULL &&
		strstr(dump, "dma_sw0, NUMA node 0") != NULL, "dump: %s", dump);
	TEST_ASSERT(strstr(dump, "remote 0") != NULL, "remote counter dumped");
	free(dump);
	ocopy_destroy(oc);
}

static void
test_external_memory(void)
{
	uint8_t *ext;

	test_section("external memory: the node of its pages");
	ext = mmap(NULL, EXT_LEN, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	TEST_ASSERT(ext != MAP_FAILED, "mmap");
	check_placement("engines=dma_sw1@1:dma_sw0@0,threshold=64,slack=100000,split=off",
		ext, 1);
	check_placement("engines=dma_sw1@0:dma_sw0@1,threshold=64,slack=100000,split=off",
		ext, 0);
	munmap(ext, EXT_LEN);
}

/* One engine of unknown node: no preference, the backlog alone decides. */
static void
test_unknown_node(void)
{
	struct ocopy_qengine_stats e[2];
	struct ocopy_queue *q;
	struct ocopy *oc;

	test_section("an engine of unknown node is not held remote");
	swdev_service_run("dma_sw0", false);
	swdev_service_run("dma_sw1", false);
	oc = ocdev_create("engines=dma_sw1:dma_sw0@0,threshold=64,slack=100000,split=off,cpu_help=on");
	q = ocopy_queue_get(oc, 0);
	submit_n(q, dst, 0, 4);
	engine_stats(oc, &e[0], &e[1]);
	TEST_ASSERT(e[0].ops == 2 && e[1].ops == 2,
		"balanced by backlog: %" PRIu64 " / %" PRIu64, e[0].ops, e[1].ops);
	TEST_ASSERT(e[0].remote == 0 && e[1].remote == 0, "nothing remote");
	finish(q, dst, 4);
	ocopy_destroy(oc);
}

/*
 * Engines on two nodes behind one of unknown node: the buffers' nodes are
 * looked at all the same (only the first engine's node was compared with
 * the others', and an unknown first left the remote one uncounted, taking
 * an equal share).
 */
static void
test_unknown_first(void)
{
	struct ocopy_qengine_stats e[3];
	struct ocopy_queue *q;
	struct ocopy *oc;
	uint16_t i;

	test_section("engines on nodes 1 and 0 behind one of unknown node");
	swdev_create_worker("dma_sw2", NULL);
	swdev_service_run("dma_sw0", false);
	swdev_service_run("dma_sw1", false);
	swdev_service_run("dma_sw2", false);
	oc = ocdev_create("engines=dma_sw2:dma_sw1@1:dma_sw0@0,threshold=64,slack=100000,split=off,cpu_help=on");
	q = ocopy_queue_get(oc, 0);
	submit_n(q, dst, 0, NB);
	for (i = 0; i < 3; i++)
		TEST_ASSERT_SUCCESS(ocopy_engine_stats_get(oc, i, &e[i]), "stats %u", i);
	printf("  unknown %" PRIu64 ", node 1 %" PRIu64 " (remote %" PRIu64 "), node 0 %"
		PRIu64 "\n", e[0].ops, e[1].ops, e[1].remote, e[2].ops);
	TEST_ASSERT(e[1].remote == e[1].ops && e[1].ops != 0,
		"the engine on node 1 counts its ops remote: %" PRIu64 " of %" PRIu64,
		e[1].remote, e[1].ops);
	TEST_ASSERT(e[2].ops > e[1].ops, "the local engine takes more: %" PRIu64 " / %" PRIu64,
		e[2].ops, e[1].ops);
	TEST_ASSERT(e[0].remote == 0 && e[2].remote == 0, "none remote elsewhere");
	swdev_service_run("dma_sw2", true);
	finish(q, dst, NB);
	ocopy_destroy(oc);
	swdev_destroy("dma_sw2");
}

/*
 * A remote engine chosen for a scatter-gather copy it cannot take (more
 * segments than dma_sw's 16): the CPU copies it, and the remote engine
 * counts nothing (it counted the copy remote at the choice).
 */
static void
test_remote_not_taken(void)
{
	struct ocopy_sge s[17], d[1];
	struct ocopy_qengine_stats e[2];
	struct ocopy_queue_stats qs;
	struct ocopy_queue *q;
	struct ocopy *oc;
	unsigned int i;

	test_section("a remote engine chosen for a copy the CPU then makes: nothing remote");
	swdev_service_run("dma_sw0", false);
	swdev_service_run("dma_sw1", false);
	oc = ocdev_create("engines=dma_sw0@0:dma_sw1@1,threshold=64,slack=100000,split=off,cpu_help=on");
	q = ocopy_queue_get(oc, 0);
	submit_n(q, dst, 0, 2);		/* the local engine loaded */
	for (i = 0; i < RTE_DIM(s); i++)
		s[i] = (struct ocopy_sge){ .addr = src + i * 64, .len = 64 };
	d[0] = (struct ocopy_sge){ .addr = dst + 2 * LEN, .len = RTE_DIM(s) * 64 };
	TEST_ASSERT(ocopy_copy_sg(q, s, RTE_DIM(s), d, 1, NULL, NULL, OCOPY_F_FLUSH) >= 0,
		"a gather of 17 segments");
	engine_stats(oc, &e[0], &e[1]);
	TEST_ASSERT_SUCCESS(ocopy_queue_stats_get(q, &qs), "queue stats");
	TEST_ASSERT(qs.cpu == 1 && e[0].ops == 2 && e[1].ops == 0,
		"the gather on the CPU: cpu %" PRIu64 ", engines %" PRIu64 " / %" PRIu64,
		qs.cpu, e[0].ops, e[1].ops);
	TEST_ASSERT(e[1].remote == 0, "the remote engine counted %" PRIu64 " remote ops, took 0",
		e[1].remote);
	TEST_ASSERT(memcmp(dst + 2 * LEN, src, RTE_DIM(s) * 64) == 0, "the gather's data");
	finish(q, dst, 2);
	memset(dst + 2 * LEN, 0, RTE_DIM(s) * 64);
	ocopy_destroy(oc);
}

/*
 * A copy of split size with only a remote engine: not split (splits use
 * engines near the data), and placed as any copy, so the remote engine
 * may take it whole. It went whole to the CPU, counted a failover, while
 * smaller copies went to that engine.
 */
static void
test_split_remote_only(void)
{
	const uint32_t len = 128 * 1024;
	struct ocopy_qengine_stats e;
	struct ocopy_queue_stats a, b;
	struct ocopy_queue *q;
	struct ocopy *oc;
	uint8_t *s = rte_malloc("split_src", len, 4096), *d = rte_zmalloc("split_dst", len, 4096);
	uint32_t i;

	test_section("split size, only a remote engine: placed whole, not on the CPU");
	TEST_ASSERT(s != NULL && d != NULL, "buffers");
	for (i = 0; i < len; i++)
		s[i] = (uint8_t)(i * 11 + 1);
	oc = ocdev_create("engines=dma_sw0@1,socket=0,threshold=64,split=65536,slack=100000,cpu_help=on");
	q = ocopy_queue_get(oc, 0);
	TEST_ASSERT_SUCCESS(ocopy_queue_stats_get(q, &a), "stats");
	TEST_ASSERT(ocopy_copy(q, d, s, len, NULL, NULL, OCOPY_F_FLUSH) >= 0, "a copy of 128 KiB");
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	TEST_ASSERT_SUCCESS(ocopy_queue_stats_get(q, &b), "stats");
	TEST_ASSERT_SUCCESS(ocopy_engine_stats_get(oc, 0, &e), "engine stats");
	TEST_ASSERT(b.engine - a.engine == 1 && b.split == a.split && b.cpu == a.cpu &&
		b.failovers == a.failovers && e.remote == 1,
		"the remote engine took it: engine +%" PRIu64 " split +%" PRIu64 " cpu +%" PRIu64
		" failovers +%" PRIu64 " remote %" PRIu64, b.engine - a.engine, b.split - a.split,
		b.cpu - a.cpu, b.failovers - a.failovers, e.remote);
	TEST_ASSERT(memcmp(d, s, len) == 0, "its data");
	ocopy_destroy(oc);
	rte_free(d);
	rte_free(s);
}

static void
expect_bad_conf(const char *args)
{
	struct ocopy_conf conf, before;

	ocopy_conf_init(&conf);
	TEST_ASSERT_SUCCESS(ocopy_conf_parse(&conf, "engines=dma_sw0@0"), "good");
	before = conf;
	TEST_ASSERT_EQUAL(ocopy_conf_parse(&conf, args), -EINVAL, "'%s' refused",
		args);
	TEST_ASSERT(memcmp(&conf, &before, sizeof(conf)) == 0,
		"'%s': configuration unchanged", args);
}

static void
expect_create_fails(const struct ocopy_conf *conf, const char *what)
{
	struct ocopy *oc = ocopy_create(conf);

	TEST_ASSERT(oc == NULL, "%s: created", what);
	TEST_ASSERT_EQUAL(rte_errno, EINVAL, "%s: rte_errno", what);
	/* Nothing left behind: the engine can be used at once. */
	ocopy_destroy(ocdev_create("engines=dma_sw0,threshold=64,cpu_help=on"));
}

static void
test_bad_nodes(void)
{
	struct ocopy_conf conf;

	test_section("bad NUMA nodes refused, configuration unchanged");
	expect_bad_conf("engines=dma_sw0@");
	expect_bad_conf("engines=dma_sw0@x");
	expect_bad_conf("engines=dma_sw0@-1");
	expect_bad_conf("engines=dma_sw0@1x");
	expect_bad_conf("engines=dma_sw0@100000");
	expect_bad_conf("engines=@1");
	expect_bad_conf("engines=dma_sw0@0:dma_sw9@1");

	ocopy_conf_init(&conf);
	TEST_ASSERT_SUCCESS(ocopy_conf_parse(&conf, "engines=dma_sw0,threshold=64"),
		"conf");
	conf.engine_node_set = RTE_BIT32(1);	/* there is no engine 1 */
	conf.engine_node[1] = 0;
	expect_create_fails(&conf, "node of an engine not given");
	conf.engine_node_set = RTE_BIT32(0);
	conf.engine_node[0] = -1;
	expect_create_fails(&conf, "node -1");
	conf.engine_node[0] = RTE_MAX_NUMA_NODES;
	expect_create_fails(&conf, "node out of range");
}

int
main(int argc, char **argv)
{
	static const struct test_opts opts = { .name = "ocopy_numa" };
	size_t i;

	test_eal_init(argc, argv, &opts);
	swdev_create_worker("dma_sw0", NULL);
	swdev_create_worker("dma_sw1", NULL);
	src = rte_malloc("src", LEN + NB, 4096);
	dst = rte_zmalloc("dst", (size_t)NB * LEN, 4096);
	TEST_ASSERT(src != NULL && dst != NULL, "buffers");
	for (i = 0; i < LEN + NB; i++)
		src[i] = (uint8_t)(i * 7 + 3);

	test_eal_memory();
	test_external_memory();
	test_unknown_node();
	test_unknown_first();
	test_remote_not_taken();
	test_split_remote_only();
	test_bad_nodes();

	rte_free(dst);
	rte_free(src);
	return test_done();
}
