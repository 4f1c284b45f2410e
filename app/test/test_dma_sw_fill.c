/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * dma_sw fills (rte_dma_fill).
 *
 *  - every length from 0 to 300 at every destination misalignment 0..63,
 *    and ending exactly at the end of the buffer: byte j of a fill holds
 *    byte (j % 8) of the 64-bit pattern (little-endian, as dmadev's own
 *    test expects), nothing before or after it changes (neighbouring
 *    bytes and guard zones checked);
 *  - large fills (64 KiB, 64 KiB + 37, 200 KiB - 1, 1 MiB + 13: at or past
 *    the non-temporal threshold) at misalignments 0..63, with and without
 *    the LLC hint;
 *  - on the default device and on devices with non-temporal stores from
 *    64 bytes and each copy kernel this CPU has (sse2, avx2, avx512),
 *    whose dumps must show non-temporal bytes.
 */

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cpuflags.h>
#include <rte_dmadev.h>

#include "guard.h"
#include "sw_dev.h"
#include "test.h"

#define MAX_SMALL	300
#define REGION		512	/* one small fill per region: >= 63 + 300 + gap */
#define NB_OFF		64

static struct gbuf *small, *large;

/*
 * Pattern number k: bytes in 0x00-0x3f for even k, 0x60-0x9f for odd k, so
 * consecutive fills never share a byte value, and neither set meets the
 * destination's own bytes (role 2: 0x40-0x5f) or the guards (0xe0-0xff).
 */
static uint64_t
pattern(unsigned int k, unsigned int salt)
{
	uint64_t p = 0;
	unsigned int i;

	for (i = 0; i < 8; i++)
		p |= (uint64_t)((k % 2 ? 0x60 : 0x00) + (salt * 7 + i * 13 + k) % 0x40) << (8 * i);
	return p;
}

static void
small_fills(int16_t dev, const char *what)
{
	unsigned int len, off;
	int id = -1;

	for (len = 0; len <= MAX_SMALL; len++) {
		gbuf_reset(small);
		for (off = 0; off < NB_OFF; off++) {
			size_t at = (size_t)off * REGION + off;
			uint64_t p = pattern(off, len);

			id = rte_dma_fill(dev, 0, p, gbuf_iova(small, at), len, 0);
			TEST_ASSERT(id >= 0, "%s: fill of %u at +%u: %d", what, len, off, id);
			gbuf_expect_fill(small, at, p, len);
		}
		/* One more ending exactly at the end of the buffer. */
		id = rte_dma_fill(dev, 0, pattern(1, len), gbuf_iova(small, small->len - len), len,
			RTE_DMA_OP_FLAG_SUBMIT);
		TEST_ASSERT(id >= 0, "%s: fill of %u at the end: %d", what, len, id);
		gbuf_expect_fill(small, small->len - len, pattern(1, len), len);
		swdev_reap_ok(dev, 0, NB_OFF + 1, (uint16_t)id);
		GBUF_ASSERT_OK(small, "%s: fills of %u bytes at misalignments 0..63", what, len);
	}
}

static void
large_fills(int16_t dev, const char *what)
{
	static const uint32_t sizes[] = { 65536, 65536 + 37, 200 * 1024 - 1, (1 << 20) + 13 };
	unsigned int s, off, k = 0;

	for (s = 0; s < RTE_DIM(sizes); s++) {
		gbuf_reset(large);
		/* Offsets rise and the length stays: each fill starts one byte
		 * past the last one's start and ends one byte past its end, so
		 * a byte written before or after the range shows against the
		 * last fill's or the buffer's own bytes.
		 */
		for (off = 0; off < NB_OFF; off++, k++) {
			uint64_t p = pattern(k, s);
			uint64_t flags = off % 4 == 3 ? RTE_DMA_OP_FLAG_LLC : 0;

			TEST_ASSERT_EQUAL(swdev_fill1(dev, 0, p, gbuf_iova(large, off), sizes[s],
				flags), RTE_DMA_STATUS_SUCCESSFUL, "%s: fill of %u at +%u", what,
				sizes[s], off);
			gbuf_expect_fill(large, off, p, sizes[s]);
			GBUF_ASSERT_OK(large, "%s: fill of %u bytes at +%u%s", what, sizes[s], off,
				flags ? ", LLC hint" : "");
		}
	}
	/* The last byte of the buffer, by a large fill ending there. */
	TEST_ASSERT_EQUAL(swdev_fill1(dev, 0, pattern(k, 9), gbuf_iova(large, large->len - 65599),
		65599, 0), RTE_DMA_STATUS_SUCCESSFUL, "%s: large fill to the end", what);
	gbuf_expect_fill(large, large->len - 65599, pattern(k, 9), 65599);
	GBUF_ASSERT_OK(large, "%s: large fill ending at the end of the buffer", what);
}

static uint64_t
nt_bytes(int16_t dev)
{
	/* The vchan line: "... | ran N bytes N (non-temporal N) ...". */
	char *dump = swdev_dump(dev), *p = strstr(dump, "| ran ");
	uint64_t n;

	p = p != NULL ? strstr(p, "(non-temporal ") : NULL;
	TEST_ASSERT(p != NULL, "no non-temporal counter in the dump");
	n = strtoull(p + strlen("(non-temporal "), NULL, 10);
	free(dump);
	return n;
}

static void
device(const char *name, const char *devargs, const char *what, bool nt_small)
{
	int16_t dev;
	uint64_t nt;

	test_section("%s", what);
	dev = swdev_open(name, devargs, 1, 256);
	small_fills(dev, what);
	nt = nt_bytes(dev);
	if (nt_small)
		TEST_ASSERT(nt > 0, "%s: no non-temporal store for fills of 64..300 bytes", what);
	else
		TEST_ASSERT_EQUAL(nt, 0, "%s: non-temporal stores below the threshold", what);
	large_fills(dev, what);
	TEST_ASSERT(nt_bytes(dev) > nt, "%s: no non-temporal store for large fills", what);
	printf("  %s: %u small and %u large fills, %" PRIu64 " bytes non-temporal\n", what,
		(MAX_SMALL + 1) * (NB_OFF + 1), 4 * NB_OFF + 1, nt_bytes(dev));
	swdev_destroy(name);
}

int
main(int argc, char **argv)
{
	static const char *const eal_extra[] = { "--force-max-simd-bitwidth=512", NULL };
	const struct test_opts opts = {
		.name = "dma_sw_fill", .timeout_s = 60, .eal_extra = eal_extra,
	};

	test_eal_init(argc, argv, &opts);
	small = gbuf_alloc("small", 2, (NB_OFF + 1) * REGION);
	large = gbuf_alloc("large", 2, (1 << 20) + 13 + NB_OFF + 64);

	device("dma_sw_fill0", NULL, "default device (non-temporal from 64 KiB)", false);
	device("dma_sw_fill1", "nt_threshold=64,kernel=sse2", "sse2, non-temporal from 64", true);
	if (rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) == 1)
		device("dma_sw_fill2", "nt_threshold=64,kernel=avx2", "avx2, non-temporal from 64",
			true);
	else
		printf("  avx2 kernel not tested: this CPU lacks AVX2\n");
	if (rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512F) == 1 &&
			rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512BW) == 1)
		device("dma_sw_fill3", "nt_threshold=64,kernel=avx512",
			"avx512, non-temporal from 64", true);
	else
		printf("  avx512 kernel not tested: this CPU lacks AVX-512F/BW\n");

	gbuf_free(small);
	gbuf_free(large);
	return test_done();
}
