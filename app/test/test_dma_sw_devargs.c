/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * dma_sw devargs and advertised capabilities.
 *
 *  - Every malformed devarg fails rte_vdev_init() and leaves nothing
 *    behind: no dmadev, no service, no vdev on the bus; the same name then
 *    probes fine with good devargs.
 *  - Good devargs round-trip: the "devargs:" line of rte_dma_dump() gives
 *    the canonical form, and probing with that line dumps it unchanged.
 *  - rte_dma_info_get() advertises exactly the documented capabilities and
 *    limits, and every advertised operation works (habit 9).
 */

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_cpuflags.h>
#include <rte_dmadev.h>
#include <rte_malloc.h>
#include <rte_service.h>
#include <rte_vect.h>

#include "guard.h"
#include "sw_dev.h"
#include "test.h"

#define NAME "dma_sw_args"

struct bad_arg {
	const char *devargs;
	const char *why;
};

static const struct bad_arg bad_common[] = {
	{ "foo=1", "unknown key" },
	{ "domain=eal,foo=bar", "unknown key after a good one" },
	{ "domain=eal,foo", "unknown key without a value" },
	{ "domain=eal,domain=strict", "duplicate key" },
	{ "nt_threshold=4096,nt_threshold=4096", "duplicate key, same value" },
	{ "kernel=sse2,lcore=1,kernel=sse2", "duplicate key, apart" },
	{ "lcore=0", "lcore is the main lcore" },
	{ "lcore=3", "lcore not enabled in EAL" },
	{ "lcore=127", "lcore not enabled in EAL, last valid id" },
	{ "lcore=128", "lcore out of range (RTE_MAX_LCORE)" },
	{ "lcore=99999999999999999999", "lcore overflows 64 bits" },
	{ "lcore=one", "lcore not a number" },
	{ "lcore=-1", "lcore negative" },
	{ "lcore=1x", "lcore with trailing garbage" },
	{ "lcore=", "lcore empty" },
	{ "lcore", "lcore without a value" },
	{ "domain=foo", "unknown domain" },
	{ "domain=", "domain empty" },
	{ "domain", "domain without a value" },
	{ "domain=STRICT", "domain is case-sensitive" },
	{ "kernel=foo", "unknown kernel" },
	{ "kernel=", "kernel empty" },
	{ "kernel", "kernel without a value" },
	{ "nt_threshold=63", "nt_threshold below 64" },
	{ "nt_threshold=0", "nt_threshold zero" },
	{ "nt_threshold=4294967295", "nt_threshold above 2^32-2" },
	{ "nt_threshold=18446744073709551616", "nt_threshold overflows 64 bits" },
	{ "nt_threshold=12abc", "nt_threshold with trailing garbage" },
	{ "nt_threshold=abc", "nt_threshold not a number" },
	{ "nt_threshold=", "nt_threshold empty" },
	{ "nt_threshold", "nt_threshold without a value" },
	{ "nt_threshold=-64", "nt_threshold negative" },
	{ "nt_threshold=OFF", "nt_threshold 'off' is case-sensitive" },
	{ "max_batch=0", "max_batch zero" },
	{ "max_batch=32769", "max_batch above the largest ring" },
	{ "max_batch=65536", "max_batch above 16 bits" },
	/* rte_kvargs_parse() read these as "domain=strict" and "max_batch=8". */
	{ "lcore=domain=strict", "two '=' in an item: the first key dropped" },
	{ "junk=max_batch=8", "two '=' in an item: an unknown key dropped" },
	{ "domain=[eal,strict]", "a bracketed list" },
	{ "domain=eal,,kernel=sse2", "an empty item" },
	{ "max_batch=8ops", "max_batch with trailing garbage" },
	{ "max_batch=off", "max_batch not a number" },
	{ "max_batch=", "max_batch empty" },
	{ "max_batch", "max_batch without a value" },
	{ "max_batch=-8", "max_batch negative" },
	{ "max_batch=8,max_batch=8", "max_batch given twice" },
};

/* Values strtoull() takes although they are not plain numbers: it skips
 * leading white space and negates after a '-' that follows it. Run last,
 * so the rest of the program still runs where these are accepted.
 */
static const struct bad_arg bad_strtoull[] = {
	{ "lcore= -18446744073709551615",
		"lcore negative behind a space (strtoull wraps it to 1)" },
	{ "lcore= 1", "lcore with a leading space" },
	{ "nt_threshold= 4096", "nt_threshold with a leading space" },
	{ "nt_threshold= -18446744073709547520",
		"nt_threshold negative behind a space (wraps to 4096)" },
	{ "max_batch= 8", "max_batch with a leading space" },
};

static void
probe_must_fail(const char *devargs, const char *why)
{
	uint32_t sid;

	swdev_probe_must_fail(NAME, devargs, why);
	TEST_ASSERT(rte_service_get_by_name(NAME, &sid) != 0,
		"devargs \"%s\" (%s): service left registered", devargs, why);
}

static void
roundtrip(const char *devargs, const char *canonical)
{
	char *first, *second;
	int16_t dev;

	dev = swdev_create(NAME, devargs);
	first = swdev_dumped_devargs(dev);
	TEST_ASSERT(strcmp(first, canonical) == 0,
		"devargs \"%s\" dumped as \"%s\", expected \"%s\"", devargs, first, canonical);
	swdev_destroy(NAME);

	dev = swdev_create(NAME, first);
	second = swdev_dumped_devargs(dev);
	TEST_ASSERT(strcmp(first, second) == 0,
		"devargs \"%s\" dumped as \"%s\" the second time", first, second);
	swdev_destroy(NAME);
	printf("  \"%s\" -> \"%s\"\n", devargs ? devargs : "(none)", first);
	free(first);
	free(second);
}

static void
test_bad(bool service_lcore)
{
	unsigned int i;

	test_section("malformed devargs fail the probe and leave nothing behind");
	for (i = 0; i < RTE_DIM(bad_common); i++)
		probe_must_fail(bad_common[i].devargs, bad_common[i].why);
	if (service_lcore)
		probe_must_fail("lcore=1", "lcore is a service lcore");
	if (rte_vect_get_max_simd_bitwidth() < RTE_VECT_SIMD_512)
		probe_must_fail("kernel=avx512", "EAL's max SIMD width forbids AVX-512");

	/* The name is free again. */
	swdev_create(NAME, service_lcore ? NULL : "lcore=1");
	swdev_destroy(NAME);
}

/*
 * A service-mode device's service has its name, found by it
 * (rte_service_get_by_name()): a name longer than a service's 31
 * characters is refused, not cut (two such names alike in their first 31
 * made two services of one name, and neither was found). With a dedicated
 * lcore there is no service, and no such bound.
 */
static void
test_long_name(bool service_lcore)
{
	static const char name31[] = "dma_sw_0123456789abcdef01234567";
	static const char name32[] = "dma_sw_0123456789abcdef012345678";
	uint32_t sid;

	RTE_BUILD_BUG_ON(sizeof(name31) != RTE_SERVICE_NAME_MAX);
	RTE_BUILD_BUG_ON(sizeof(name32) != RTE_SERVICE_NAME_MAX + 1);
	if (!service_lcore) {
		test_section("a 32-character name with a dedicated lcore");
		swdev_create(name32, "lcore=1");
		swdev_destroy(name32);
		return;
	}
	test_section("service mode: a 31-character name, not 32");
	swdev_create(name31, NULL);	/* its service found by name */
	swdev_destroy(name31);
	swdev_probe_must_fail(name32, NULL, "a name too long for its service");
	TEST_ASSERT(rte_service_get_by_name(name31, &sid) != 0,
		"a service left under the first 31 characters");
}

/* The NUMA node rte_dma_info_get() reports: the worker lcore's, if known. */
static void
test_numa_node(bool service_lcore)
{
	struct rte_dma_info info;
	int16_t dev;

	test_section("NUMA node: the dedicated lcore's, unknown for a service");
	dev = swdev_create(NAME, service_lcore ? NULL : "lcore=1");
	TEST_ASSERT_SUCCESS(rte_dma_info_get(dev, &info), "info");
	if (service_lcore)
		TEST_ASSERT_EQUAL(info.numa_node, SOCKET_ID_ANY,
			"service worker: numa_node %d", info.numa_node);
	else
		TEST_ASSERT_EQUAL(info.numa_node, (int)rte_lcore_to_socket_id(1),
			"worker on lcore 1: numa_node %d", info.numa_node);
	swdev_destroy(NAME);
}

static void
test_roundtrip_lcore(void)
{
	test_section("lcore devargs round-trip through rte_dma_dump");
	roundtrip("lcore=1", "lcore=1,domain=eal,kernel=auto,nt_threshold=65536");
	roundtrip("nt_threshold=off,kernel=sse2,domain=strict,lcore=1",
		"lcore=1,domain=strict,kernel=sse2,nt_threshold=off");
}

/* The dump's kernel line for a device made with devargs: want in it. */
static void
kernel_line(const char *devargs, const char *want)
{
	char *dump;
	int16_t dev;

	dev = swdev_create(NAME, devargs);
	dump = swdev_dump(dev);
	TEST_ASSERT(strstr(dump, want) != NULL, "devargs \"%s\": no '%s' in the dump:\n%s",
		devargs, want, dump);
	free(dump);
	swdev_destroy(NAME);
}

static void
test_roundtrip_service(void)
{
	test_section("service devargs round-trip through rte_dma_dump");
	roundtrip(NULL, "domain=eal,kernel=auto,nt_threshold=65536");
	roundtrip("", "domain=eal,kernel=auto,nt_threshold=65536");
	roundtrip("domain=eal", "domain=eal,kernel=auto,nt_threshold=65536");
	roundtrip("domain=strict", "domain=strict,kernel=auto,nt_threshold=65536");
	roundtrip("kernel=auto", "domain=eal,kernel=auto,nt_threshold=65536");
	roundtrip("kernel=sse2", "domain=eal,kernel=sse2,nt_threshold=65536");
	if (rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) == 1)
		roundtrip("kernel=avx2", "domain=eal,kernel=avx2,nt_threshold=65536");
	else
		printf("  kernel=avx2 not tried: this CPU lacks AVX2\n");
	roundtrip("nt_threshold=64", "domain=eal,kernel=auto,nt_threshold=64");
	roundtrip("nt_threshold=0x10000", "domain=eal,kernel=auto,nt_threshold=65536");
	roundtrip("nt_threshold=4294967294", "domain=eal,kernel=auto,nt_threshold=4294967294");
	roundtrip("nt_threshold=off", "domain=eal,kernel=auto,nt_threshold=off");
	kernel_line("nt_threshold=off,kernel=sse2", "kernel: sse2 (non-temporal never)\n");
	kernel_line("nt_threshold=64,kernel=sse2", "kernel: sse2 (non-temporal from 64 bytes)\n");
	roundtrip("nt_threshold=4096,kernel=sse2,domain=strict",
		"domain=strict,kernel=sse2,nt_threshold=4096");
	roundtrip("max_batch=1", "domain=eal,kernel=auto,nt_threshold=65536,max_batch=1");
	roundtrip("max_batch=0x20,domain=strict",
		"domain=strict,kernel=auto,nt_threshold=65536,max_batch=32");
	roundtrip("max_batch=32768", "domain=eal,kernel=auto,nt_threshold=65536,max_batch=32768");
}

/*
 * max_batch: as Intel DSA behind DPDK's idxd. rte_dma_burst_capacity()
 * says how many more operations the batch being built takes (0 once it
 * holds max_batch); the enqueue still accepts more, and a batch submitted
 * with more than max_batch fails whole: every operation of it gets
 * RTE_DMA_STATUS_ERROR_UNKNOWN, none runs, and the next batch runs.
 */
static void
test_max_batch(void)
{
	struct gbuf *src = gbuf_alloc("batch_src", 1, 8192);
	struct gbuf *dst = gbuf_alloc("batch_dst", 2, 8192);
	struct rte_dma_sge s = { .addr = gbuf_iova(src, 0), .length = 64 };
	struct rte_dma_sge d = { .addr = gbuf_iova(dst, 4000), .length = 64 };
	enum rte_dma_status_code st[8];
	uint16_t i;
	int16_t dev;
	int id;

	test_section("max_batch=4: capacity says 4; a batch of 5 fails whole");
	dev = swdev_create(NAME, "max_batch=4");
	swdev_configure(dev, 1, 64);
	TEST_ASSERT_SUCCESS(rte_dma_start(dev), "start");
	TEST_ASSERT_EQUAL(rte_dma_burst_capacity(dev, 0), 4, "capacity: the batch's");
	for (i = 0; i < 4; i++) {
		id = rte_dma_copy(dev, 0, gbuf_iova(src, i * 256),
			gbuf_iova(dst, i * 256), 256, 0);
		TEST_ASSERT_EQUAL(id, i, "copy %u of the batch", i);
		gbuf_expect_copy(dst, i * 256, src, i * 256, 256);
		TEST_ASSERT_EQUAL(rte_dma_burst_capacity(dev, 0), 3 - i,
			"capacity after %u", i + 1);
	}
	TEST_ASSERT_SUCCESS(rte_dma_submit(dev, 0), "submit");
	TEST_ASSERT_EQUAL(rte_dma_burst_capacity(dev, 0), 4, "capacity after the submit");
	swdev_reap_ok(dev, 0, 4, 3);
	GBUF_ASSERT_OK(dst, "a batch of 4");

	/* Five: a copy, a fill, a copy_sg and two copies; all fail, unrun. */
	id = rte_dma_copy(dev, 0, gbuf_iova(src, 0), gbuf_iova(dst, 2000), 64, 0);
	TEST_ASSERT_EQUAL(id, 4, "copy");
	id = rte_dma_fill(dev, 0, 7, gbuf_iova(dst, 2100), 64, 0);
	TEST_ASSERT_EQUAL(id, 5, "fill");
	id = rte_dma_copy_sg(dev, 0, &s, &d, 1, 1, 0);
	TEST_ASSERT_EQUAL(id, 6, "copy_sg");
	id = rte_dma_copy(dev, 0, gbuf_iova(src, 0), gbuf_iova(dst, 2200), 64, 0);
	TEST_ASSERT_EQUAL(id, 7, "copy");
	TEST_ASSERT_EQUAL(rte_dma_burst_capacity(dev, 0), 0, "capacity: batch full");
	id = rte_dma_copy(dev, 0, gbuf_iova(src, 0), gbuf_iova(dst, 2300), 64,
		RTE_DMA_OP_FLAG_SUBMIT);
	TEST_ASSERT_EQUAL(id, 8, "a fifth accepted (as idxd does), with SUBMIT");
	TEST_ASSERT_EQUAL(swdev_reap_status(dev, 0, 5, st), 8, "last_idx");
	for (i = 0; i < 5; i++)
		TEST_ASSERT(st[i] == RTE_DMA_STATUS_ERROR_UNKNOWN,
			"op %u of the batch of 5: %s", i, swdev_status_name(st[i]));
	GBUF_ASSERT_OK(dst, "nothing written by the batch of 5");

	/* The next batch runs. */
	id = rte_dma_copy(dev, 0, gbuf_iova(src, 5000), gbuf_iova(dst, 5000), 512,
		RTE_DMA_OP_FLAG_SUBMIT);
	TEST_ASSERT_EQUAL(id, 9, "copy after the failed batch");
	gbuf_expect_copy(dst, 5000, src, 5000, 512);
	swdev_reap_ok(dev, 0, 1, 9);
	GBUF_ASSERT_OK(dst, "the batch after");
	swdev_destroy(NAME);
	gbuf_free(src);
	gbuf_free(dst);
}

/* Every advertised capability, exactly, and the limits. */
static void
test_info(int16_t dev)
{
	const uint64_t capa = RTE_DMA_CAPA_MEM_TO_MEM | RTE_DMA_CAPA_HANDLES_ERRORS |
		RTE_DMA_CAPA_OPS_COPY | RTE_DMA_CAPA_OPS_COPY_SG | RTE_DMA_CAPA_OPS_FILL;
	struct rte_dma_conf conf = { .nb_vchans = 1 };
	struct rte_dma_vchan_conf vc = { .direction = RTE_DMA_DIR_MEM_TO_MEM };
	struct rte_dma_info info;

	test_section("info advertises exactly the documented capabilities and limits");
	TEST_ASSERT_SUCCESS(rte_dma_info_get(dev, &info), "info");
	TEST_ASSERT(info.dev_capa == capa, "dev_capa 0x%" PRIx64 ", expected 0x%" PRIx64,
		info.dev_capa, capa);
	TEST_ASSERT_EQUAL(info.max_vchans, 16, "max_vchans");
	TEST_ASSERT_EQUAL(info.min_desc, 32, "min_desc");
	TEST_ASSERT_EQUAL(info.max_desc, 32768, "max_desc");
	TEST_ASSERT_EQUAL(info.max_sges, 16, "max_sges");
	TEST_ASSERT_EQUAL(info.nb_vchans, 0, "nb_vchans before configure");

	/* What is not advertised is refused (dmadev checks against info). */
	conf.enable_silent = true;
	TEST_ASSERT_FAIL(rte_dma_configure(dev, &conf), "silent mode is not advertised");
	conf.enable_silent = false;
	conf.nb_vchans = 17;
	TEST_ASSERT_FAIL(rte_dma_configure(dev, &conf), "17 vchans > max_vchans");
	conf.nb_vchans = 16;
	TEST_ASSERT_SUCCESS(rte_dma_configure(dev, &conf), "16 vchans");
	TEST_ASSERT_SUCCESS(rte_dma_info_get(dev, &info), "info");
	TEST_ASSERT_EQUAL(info.nb_vchans, 16, "nb_vchans after configure");
	conf.nb_vchans = 1;
	TEST_ASSERT_SUCCESS(rte_dma_configure(dev, &conf), "1 vchan");

	vc.nb_desc = 31;
	TEST_ASSERT_FAIL(rte_dma_vchan_setup(dev, 0, &vc), "31 < min_desc");
	vc.nb_desc = 32769;
	TEST_ASSERT_FAIL(rte_dma_vchan_setup(dev, 0, &vc), "32769 > max_desc");
	vc.nb_desc = 32768;
	TEST_ASSERT_SUCCESS(rte_dma_vchan_setup(dev, 0, &vc), "max_desc");
	vc.direction = RTE_DMA_DIR_MEM_TO_DEV;
	vc.nb_desc = 32;
	TEST_ASSERT_FAIL(rte_dma_vchan_setup(dev, 0, &vc), "MEM_TO_DEV is not advertised");
	vc.direction = RTE_DMA_DIR_MEM_TO_MEM;
	vc.nb_desc = 64;
	TEST_ASSERT_SUCCESS(rte_dma_vchan_setup(dev, 0, &vc), "MEM_TO_MEM");
}

/* Each advertised operation works, and errors are handled (reported). */
static void
test_ops(int16_t dev)
{
	struct gbuf *src = gbuf_alloc("caps_src", 1, 8192);
	struct gbuf *dst = gbuf_alloc("caps_dst", 2, 8192);
	struct rte_dma_sge s[3], d[2];
	enum rte_dma_status_code st[2];
	uint8_t *foreign;
	int id;

	test_section("every advertised operation works");
	TEST_ASSERT_SUCCESS(rte_dma_start(dev), "start");

	/* OPS_COPY */
	id = rte_dma_copy(dev, 0, gbuf_iova(src, 0), gbuf_iova(dst, 0), 4096,
		RTE_DMA_OP_FLAG_SUBMIT);
	TEST_ASSERT_EQUAL(id, 0, "first copy's job id");
	gbuf_expect_copy(dst, 0, src, 0, 4096);
	swdev_reap_ok(dev, 0, 1, 0);
	GBUF_ASSERT_OK(dst, "OPS_COPY");

	/* OPS_FILL */
	id = rte_dma_fill(dev, 0, 0x1122334455667788ULL, gbuf_iova(dst, 4096), 1000,
		RTE_DMA_OP_FLAG_SUBMIT);
	TEST_ASSERT_EQUAL(id, 1, "fill's job id");
	gbuf_expect_fill(dst, 4096, 0x1122334455667788ULL, 1000);
	swdev_reap_ok(dev, 0, 1, 1);
	GBUF_ASSERT_OK(dst, "OPS_FILL");

	/* OPS_COPY_SG: 3 source segments into 2 destination segments. */
	s[0] = (struct rte_dma_sge){ .addr = gbuf_iova(src, 5000), .length = 10 };
	s[1] = (struct rte_dma_sge){ .addr = gbuf_iova(src, 6000), .length = 500 };
	s[2] = (struct rte_dma_sge){ .addr = gbuf_iova(src, 100), .length = 90 };
	d[0] = (struct rte_dma_sge){ .addr = gbuf_iova(dst, 7000), .length = 300 };
	d[1] = (struct rte_dma_sge){ .addr = gbuf_iova(dst, 5200), .length = 300 };
	id = rte_dma_copy_sg(dev, 0, s, d, 3, 2, RTE_DMA_OP_FLAG_SUBMIT);
	TEST_ASSERT_EQUAL(id, 2, "copy_sg's job id");
	gbuf_expect_copy(dst, 7000, src, 5000, 10);
	gbuf_expect_copy(dst, 7010, src, 6000, 290);
	gbuf_expect_copy(dst, 5200, src, 6290, 210);
	gbuf_expect_copy(dst, 5410, src, 100, 90);
	swdev_reap_ok(dev, 0, 1, 2);
	GBUF_ASSERT_OK(dst, "OPS_COPY_SG");

	/* HANDLES_ERRORS: memory outside DPDK fails with a status, and the
	 * next operation runs.
	 */
	foreign = malloc(4096);
	TEST_ASSERT(foreign != NULL, "malloc");
	memset(foreign, 0x5a, 4096);
	id = rte_dma_copy(dev, 0, (rte_iova_t)(uintptr_t)foreign, gbuf_iova(dst, 0), 64, 0);
	TEST_ASSERT_EQUAL(id, 3, "failing copy's job id");
	id = rte_dma_copy(dev, 0, gbuf_iova(src, 0), gbuf_iova(dst, 100), 64,
		RTE_DMA_OP_FLAG_SUBMIT);
	TEST_ASSERT_EQUAL(id, 4, "copy after the failing one");
	gbuf_expect_copy(dst, 100, src, 0, 64);
	TEST_ASSERT_EQUAL(swdev_reap_status(dev, 0, 2, st), 4, "last_idx");
	TEST_ASSERT(st[0] == RTE_DMA_STATUS_INVALID_SRC_ADDR, "status %s",
		swdev_status_name(st[0]));
	TEST_ASSERT(st[1] == RTE_DMA_STATUS_SUCCESSFUL, "status %s", swdev_status_name(st[1]));
	GBUF_ASSERT_OK(dst, "HANDLES_ERRORS");
	free(foreign);

	TEST_ASSERT_SUCCESS(rte_dma_stop(dev), "stop");
	gbuf_free(src);
	gbuf_free(dst);
}

int
main(int argc, char **argv)
{
	const struct test_opts opts = { .name = "dma_sw_devargs", .timeout_s = 60 };
	unsigned int i;
	int16_t dev;

	test_eal_init(argc, argv, &opts);

	/* While lcore 1 is still an ordinary worker lcore. */
	test_roundtrip_lcore();
	test_bad(false);
	test_long_name(false);
	test_numa_node(false);
	dev = swdev_create(NAME, "lcore=1");
	test_info(dev);
	test_ops(dev);
	swdev_destroy(NAME);

	/* From here on lcore 1 is a service lcore. */
	test_roundtrip_service();
	test_bad(true);
	test_long_name(true);
	test_numa_node(true);
	dev = swdev_create(NAME, NULL);
	test_info(dev);
	test_ops(dev);
	swdev_destroy(NAME);
	test_max_batch();

	/* lcore 1 back to an ordinary worker lcore, so lcore=1 is valid. */
	TEST_ASSERT_SUCCESS(rte_service_lcore_stop(SWDEV_WORKER_LCORE), "stop service lcore");
	TEST_ASSERT_SUCCESS(rte_service_lcore_del(SWDEV_WORKER_LCORE), "del service lcore");
	test_section("values strtoull() accepts but that are not plain numbers");
	for (i = 0; i < RTE_DIM(bad_strtoull); i++)
		probe_must_fail(bad_strtoull[i].devargs, bad_strtoull[i].why);

	return test_done();
}
