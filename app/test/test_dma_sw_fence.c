/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * dma_sw fences and errors within a batch (the operations between two
 * submits).
 *
 *  - A failed operation followed by a FENCE operation in the same batch:
 *    the fenced one (copy, fill or SG) completes NOT_ATTEMPTED and writes
 *    nothing; operations without the fence still run, before or after it.
 *  - The same fenced operation in the next batch runs.
 *  - completed() stops at the failure (has_error, last_idx before it) and
 *    keeps reporting it until completed_status() takes it.
 *  - Ordering: in a chain of dependent copies (each FENCEd copy reads what
 *    the one before wrote), every copy sees its predecessor's data,
 *    including 1 MiB copies that use non-temporal stores, cache-hinted
 *    (LLC) ones, fills and SG copies in the chain.
 */

#include <stdlib.h>
#include <string.h>

#include <rte_dmadev.h>

#include "guard.h"
#include "sw_dev.h"
#include "test.h"

#define SLOT		256
#define NB_SLOTS	16
#define PATTERN		0x1f2e3d4c5b6a7988ULL

static const uint64_t FENCE = RTE_DMA_OP_FLAG_FENCE;
static const enum rte_dma_status_code OK = RTE_DMA_STATUS_SUCCESSFUL;
static const enum rte_dma_status_code NA = RTE_DMA_STATUS_NOT_ATTEMPTED;
static const enum rte_dma_status_code BAD_SRC = RTE_DMA_STATUS_INVALID_SRC_ADDR;
static const enum rte_dma_status_code BAD_DST = RTE_DMA_STATUS_INVALID_DST_ADDR;

/* One operation of a scripted batch. */
enum step_op {
	S_COPY,		/* src slot -> dst slot */
	S_BAD_SRC,	/* libc memory -> dst slot */
	S_BAD_DST,	/* src slot -> libc memory */
	S_FILL,		/* fill dst slot */
	S_SG,		/* src slot, two segments -> dst slot, three segments */
	S_SUBMIT,	/* rte_dma_submit(): the batch ends here */
};

struct step {
	enum step_op op;
	uint64_t flags;
	enum rte_dma_status_code expect;
};

static struct gbuf *src, *dst;
static uint8_t *foreign;

static int
enqueue(int16_t dev, const struct step *s, unsigned int slot)
{
	rte_iova_t d = gbuf_iova(dst, slot * SLOT), sr = gbuf_iova(src, slot * SLOT);
	struct rte_dma_sge ss[2] = { { sr, 100 }, { sr + 150, 100 } };
	struct rte_dma_sge ds[3] = { { d, 50 }, { d + 60, 50 }, { d + 120, 100 } };

	switch (s->op) {
	case S_COPY:
		return rte_dma_copy(dev, 0, sr, d, SLOT, s->flags);
	case S_BAD_SRC:
		return rte_dma_copy(dev, 0, (uintptr_t)foreign, d, SLOT, s->flags);
	case S_BAD_DST:
		return rte_dma_copy(dev, 0, sr, (uintptr_t)foreign, SLOT, s->flags);
	case S_FILL:
		return rte_dma_fill(dev, 0, PATTERN, d, SLOT, s->flags);
	case S_SG:
		return rte_dma_copy_sg(dev, 0, ss, ds, 2, 3, s->flags);
	case S_SUBMIT:
		break;
	}
	return -1;
}

static void
expect_done(const struct step *s, unsigned int slot)
{
	size_t o = slot * SLOT;

	switch (s->op) {
	case S_COPY:
		gbuf_expect_copy(dst, o, src, o, SLOT);
		break;
	case S_FILL:
		gbuf_expect_fill(dst, o, PATTERN, SLOT);
		break;
	case S_SG:
		gbuf_expect_copy(dst, o, src, o, 50);
		gbuf_expect_copy(dst, o + 60, src, o + 50, 50);
		gbuf_expect_copy(dst, o + 120, src, o + 150, 100);
		break;
	default:
		break;
	}
}

/* Run a script; every operation writes its own slot of dst. */
static void
run_script(int16_t dev, const char *name, const struct step *script, unsigned int n)
{
	enum rte_dma_status_code st[NB_SLOTS];
	unsigned int i, nb_ops = 0;
	uint16_t last;

	gbuf_reset(dst);
	memset(foreign, 0x11, SLOT);
	for (i = 0; i < n; i++) {
		if (script[i].op == S_SUBMIT) {
			TEST_ASSERT_SUCCESS(rte_dma_submit(dev, 0), "%s: submit", name);
			continue;
		}
		TEST_ASSERT(nb_ops < NB_SLOTS, "script too long");
		TEST_ASSERT(enqueue(dev, &script[i], nb_ops) >= 0, "%s: enqueue step %u", name, i);
		nb_ops++;
	}
	rte_dma_submit(dev, 0);
	swdev_reap_status(dev, 0, nb_ops, st);

	nb_ops = 0;
	for (i = 0; i < n; i++) {
		if (script[i].op == S_SUBMIT)
			continue;
		SWDEV_ASSERT_STATUS(st[nb_ops], script[i].expect, "%s: operation %u", name, nb_ops);
		if (script[i].expect == OK)
			expect_done(&script[i], nb_ops);
		nb_ops++;
	}
	GBUF_ASSERT_OK(dst, "%s", name);
	GBUF_ASSERT_OK(src, "%s", name);
	for (i = 0; i < SLOT; i++)
		TEST_ASSERT(foreign[i] == 0x11, "%s: refused copy wrote libc memory", name);
	last = 0;
	TEST_ASSERT_EQUAL(rte_dma_completed(dev, 0, 1, &last, NULL), 0, "%s: nothing left", name);
	printf("  %s: ok\n", name);
}

#define SCRIPT(dev, name, ...) do { \
	const struct step s_[] = { __VA_ARGS__ }; \
	run_script((dev), (name), s_, RTE_DIM(s_)); \
} while (0)

static void
test_scripts(int16_t dev)
{
	test_section("fences after a failure in the same batch, and in the next one");
	SCRIPT(dev, "failure then fenced copy, fill and SG",
		{ S_BAD_SRC, 0, BAD_SRC }, { S_COPY, FENCE, NA }, { S_COPY, 0, OK },
		{ S_FILL, FENCE, NA }, { S_SG, FENCE, NA }, { S_SG, 0, OK }, { S_FILL, 0, OK });
	SCRIPT(dev, "failure, good copies, then a fence",
		{ S_COPY, 0, OK }, { S_BAD_DST, 0, BAD_DST }, { S_COPY, 0, OK }, { S_COPY, 0, OK },
		{ S_COPY, FENCE, NA });
	SCRIPT(dev, "failure without fences: the rest runs",
		{ S_BAD_SRC, 0, BAD_SRC }, { S_COPY, 0, OK }, { S_FILL, 0, OK }, { S_SG, 0, OK });
	SCRIPT(dev, "fences without a failure run",
		{ S_COPY, 0, OK }, { S_COPY, FENCE, OK }, { S_FILL, FENCE, OK },
		{ S_SG, FENCE, OK });
	SCRIPT(dev, "a fenced op that fails itself",
		{ S_COPY, 0, OK }, { S_BAD_SRC, FENCE, BAD_SRC }, { S_COPY, FENCE, NA });
	SCRIPT(dev, "failure, submit, fenced copy in the next batch runs",
		{ S_BAD_SRC, 0, BAD_SRC }, { S_SUBMIT, 0, OK }, { S_COPY, FENCE, OK },
		{ S_FILL, FENCE, OK }, { S_SG, FENCE, OK });
	SCRIPT(dev, "failure submitted by its flag, fenced copy after it runs",
		{ S_BAD_SRC, RTE_DMA_OP_FLAG_SUBMIT, BAD_SRC }, { S_COPY, FENCE, OK });
	SCRIPT(dev, "three batches: the failure's batch only is cut",
		{ S_COPY, 0, OK }, { S_SUBMIT, 0, OK },
		{ S_BAD_DST, 0, BAD_DST }, { S_COPY, 0, OK }, { S_COPY, FENCE, NA },
		{ S_SUBMIT, 0, OK },
		{ S_COPY, FENCE, OK }, { S_BAD_SRC, 0, BAD_SRC }, { S_SG, FENCE, NA });
	SCRIPT(dev, "the fenced op carries the submit flag: same batch",
		{ S_BAD_SRC, 0, BAD_SRC }, { S_COPY, FENCE | RTE_DMA_OP_FLAG_SUBMIT, NA },
		{ S_COPY, FENCE, OK });
	SCRIPT(dev, "an empty submit between does not end the batch twice",
		{ S_SUBMIT, 0, OK }, { S_SUBMIT, 0, OK }, { S_BAD_SRC, 0, BAD_SRC },
		{ S_COPY, FENCE, NA }, { S_SUBMIT, 0, OK }, { S_SUBMIT, 0, OK },
		{ S_COPY, FENCE, OK });
}

/* A batch longer than one worker pass (256 descriptors per vchan): the
 * failure still cuts the fenced op at its end, and only in its batch.
 */
static void
test_long_batch(int16_t dev)
{
	enum { N = 600 };
	static enum rte_dma_status_code st[N + 2];
	unsigned int i, batch;

	test_section("a failure cuts a fence 600 operations later, in its batch only");
	for (batch = 0; batch < 2; batch++) {
		gbuf_reset(dst);
		TEST_ASSERT(rte_dma_copy(dev, 0, (uintptr_t)foreign, gbuf_iova(dst, 0), 8, 0) >= 0,
			"bad");
		for (i = 0; i < N; i++)
			TEST_ASSERT(rte_dma_copy(dev, 0, gbuf_iova(src, i % 512 * 8),
				gbuf_iova(dst, i % 512 * 8), 8, 0) >= 0, "copy %u", i);
		if (batch == 1)
			TEST_ASSERT_SUCCESS(rte_dma_submit(dev, 0), "submit");
		TEST_ASSERT(rte_dma_copy(dev, 0, gbuf_iova(src, 0),
			gbuf_iova(dst, SLOT * NB_SLOTS - 8), 8,
			FENCE | RTE_DMA_OP_FLAG_SUBMIT) >= 0, "fenced");
		swdev_reap_status(dev, 0, N + 2, st);
		SWDEV_ASSERT_STATUS(st[0], BAD_SRC, "first");
		for (i = 0; i < N; i++)
			SWDEV_ASSERT_STATUS(st[1 + i], OK, "copy %u", i);
		SWDEV_ASSERT_STATUS(st[N + 1], batch == 0 ? NA : OK, "fenced op, %s batch",
			batch == 0 ? "same" : "next");
		gbuf_expect_copy(dst, 0, src, 0, 512 * 8);
		if (batch == 1)
			gbuf_expect_copy(dst, SLOT * NB_SLOTS - 8, src, 0, 8);
		GBUF_ASSERT_OK(dst, "long batch %u", batch);
	}
}

/* completed() stops at the failure and keeps reporting it. */
static void
test_completed_stops(int16_t dev)
{
	enum rte_dma_status_code st[3];
	uint16_t last = 0, first;
	bool err = false;
	int id;

	test_section("completed() stops at a failure until completed_status() takes it");
	gbuf_reset(dst);
	first = (uint16_t)rte_dma_copy(dev, 0, gbuf_iova(src, 0), gbuf_iova(dst, 0), 64, 0);
	TEST_ASSERT(rte_dma_copy(dev, 0, (uintptr_t)foreign, gbuf_iova(dst, 64), 64, 0) >= 0,
		"bad");
	id = rte_dma_copy(dev, 0, gbuf_iova(src, 128), gbuf_iova(dst, 128), 64, FENCE);
	TEST_ASSERT(id >= 0, "fenced");
	TEST_ASSERT_SUCCESS(rte_dma_submit(dev, 0), "submit");
	swdev_wait_idle(dev, 0);

	TEST_ASSERT_EQUAL(rte_dma_completed(dev, 0, 8, &last, &err), 1, "ops before the failure");
	TEST_ASSERT(err, "has_error not set");
	TEST_ASSERT_EQUAL(last, first, "last_idx at the op before the failure");
	err = false;
	TEST_ASSERT_EQUAL(rte_dma_completed(dev, 0, 8, &last, &err), 0,
		"failure stays at the head");
	TEST_ASSERT(err, "has_error not set the second time");
	TEST_ASSERT_EQUAL(last, first, "last_idx unchanged");
	TEST_ASSERT_EQUAL(rte_dma_completed_status(dev, 0, 3, &last, st), 2, "the rest");
	TEST_ASSERT_EQUAL(last, id, "last_idx");
	SWDEV_ASSERT_STATUS(st[0], BAD_SRC, "the failure");
	SWDEV_ASSERT_STATUS(st[1], NA, "the fenced op");
	gbuf_expect_copy(dst, 0, src, 0, 64);
	GBUF_ASSERT_OK(dst, "completed() at a failure");
	err = false;
	TEST_ASSERT_EQUAL(rte_dma_completed(dev, 0, 8, &last, &err), 0, "nothing left");
	TEST_ASSERT(!err, "has_error after the failure was taken");
}

/*
 * A chain: bufs[0] is the origin; step j copies bufs[j] into bufs[j + 1]
 * (FENCEd, at shifting offsets, shrinking) so each step reads what the one
 * before wrote. Some steps are fills or SG copies, some cache-hinted.
 */
static void
chain(int16_t dev, size_t len, unsigned int nb, unsigned int rounds, const char *what)
{
	struct gbuf *b[12];
	unsigned int r, j;
	int id = -1;

	TEST_ASSERT(nb < RTE_DIM(b), "chain too long");
	for (j = 0; j <= nb; j++) {
		char name[32];

		snprintf(name, sizeof(name), "chain%u", j);
		b[j] = gbuf_alloc(name, 1 + j % GBUF_ROLE_MAX, len);
	}
	for (r = 0; r < rounds; r++) {
		for (j = 0; j <= nb; j++)
			gbuf_reset(b[j]);
		/* The first step must not be fenced against anything earlier:
		 * the fence is what orders the rest.
		 */
		for (j = 0; j < nb; j++) {
			size_t soff = (j * 7 + r) % 64, doff = (j * 13 + r * 3) % 64;
			size_t n = len - 64 - j * 8;
			uint64_t flags = (j ? FENCE : 0) | (j % 3 == 2 ? RTE_DMA_OP_FLAG_LLC : 0);

			if (j == nb / 2) {
				/* A fill in the middle, then the rest copies it on. */
				id = rte_dma_fill(dev, 0, PATTERN + r, gbuf_iova(b[j + 1], doff), n,
					flags);
				gbuf_expect_fill(b[j + 1], doff, PATTERN + r, n);
			} else if (j == nb - 1) {
				/* The last step as an SG copy, three uneven pieces. */
				struct rte_dma_sge s[2] = {
					{ gbuf_iova(b[j], soff), n / 3 },
					{ gbuf_iova(b[j], soff + n / 3), n - n / 3 },
				};
				struct rte_dma_sge d[3] = {
					{ gbuf_iova(b[j + 1], doff), n / 2 },
					{ gbuf_iova(b[j + 1], doff + n / 2), 3 },
					{ gbuf_iova(b[j + 1], doff + n / 2 + 3), n - n / 2 - 3 },
				};

				id = rte_dma_copy_sg(dev, 0, s, d, 2, 3, flags);
				gbuf_expect_copy(b[j + 1], doff, b[j], soff, n);
			} else {
				id = rte_dma_copy(dev, 0, gbuf_iova(b[j], soff),
					gbuf_iova(b[j + 1], doff), n, flags);
				gbuf_expect_copy(b[j + 1], doff, b[j], soff, n);
			}
			TEST_ASSERT(id >= 0, "%s: enqueue step %u: %d", what, j, id);
		}
		TEST_ASSERT_SUCCESS(rte_dma_submit(dev, 0), "submit");
		swdev_reap_ok(dev, 0, nb, (uint16_t)id);
		for (j = 0; j <= nb; j++)
			GBUF_ASSERT_OK(b[j], "%s, round %u, step %u", what, r, j);
	}
	for (j = 0; j <= nb; j++)
		gbuf_free(b[j]);
	printf("  %s: %u rounds of %u dependent operations of ~%zu bytes: ok\n",
		what, rounds, nb, len);
}

int
main(int argc, char **argv)
{
	const struct test_opts opts = { .name = "dma_sw_fence", .timeout_s = 60 };
	int16_t dev;

	test_eal_init(argc, argv, &opts);
	foreign = malloc(SLOT);
	TEST_ASSERT(foreign != NULL, "malloc");
	src = gbuf_alloc("src", 1, SLOT * NB_SLOTS);
	dst = gbuf_alloc("dst", 2, SLOT * NB_SLOTS);

	dev = swdev_open("dma_sw_fence0", NULL, 1, 1024);
	test_scripts(dev);
	test_long_batch(dev);
	test_completed_stops(dev);

	test_section("ordering: chains of fenced dependent operations");
	chain(dev, 4096, 8, 50, "4 KiB, cached stores");
	chain(dev, 1 << 20, 8, 4, "1 MiB, non-temporal stores (>= nt_threshold)");
	swdev_destroy("dma_sw_fence0");

	/* Non-temporal from 64 bytes: every step of small chains too. */
	dev = swdev_open("dma_sw_fence1", "nt_threshold=64", 1, 256);
	chain(dev, 4096, 8, 50, "4 KiB, non-temporal stores (nt_threshold=64)");
	chain(dev, 200, 8, 50, "200 bytes, non-temporal stores (nt_threshold=64)");
	test_scripts(dev);
	swdev_destroy("dma_sw_fence1");

	gbuf_free(src);
	gbuf_free(dst);
	free(foreign);
	return test_done();
}
