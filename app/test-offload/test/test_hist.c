/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * Unit test of the latency histogram (lat.c, main.h): bucket indexes are
 * monotonic and in range over the whole 64-bit range, and percentiles of
 * known distributions are within the promised 1/32 of the true value.
 * No EAL. Exit 0 pass, 1 fail.
 */

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../lat.c"

static int failures;

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		printf("FAIL  " __VA_ARGS__); \
		printf("\n"); \
		failures++; \
	} \
} while (0)

static void
check_close(const struct to_hist *h, double p, double want, const char *what)
{
	double got = to_hist_percentile(h, p);

	CHECK(fabs(got - want) <= want / 32 + 0.5,
		"%s: p%g = %.1f, expected %.1f within 1/32", what, p * 100, got, want);
}

int
main(void)
{
	static struct to_hist h;
	unsigned int prev = 0, b, i;
	uint64_t v;

	/* Monotonic, in range, exact below TO_HIST_SUB. */
	for (v = 0; v < 100000; v++) {
		b = to_hist_bucket(v);
		CHECK(b >= prev && b < TO_HIST_BUCKETS, "bucket(%" PRIu64 ") = %u", v, b);
		prev = b;
	}
	for (i = 0; i < 64; i++) {
		v = UINT64_C(1) << i;
		CHECK(to_hist_bucket(v) < TO_HIST_BUCKETS, "bucket(2^%u) out of range", i);
		CHECK(to_hist_bucket(v - 1) <= to_hist_bucket(v), "bucket(2^%u - 1) > bucket(2^%u)",
			i, i);
	}
	CHECK(to_hist_bucket(UINT64_MAX) == TO_HIST_BUCKETS - 1, "bucket(UINT64_MAX) = %u",
		to_hist_bucket(UINT64_MAX));
	for (v = 0; v < TO_HIST_SUB; v++)
		CHECK(to_hist_bucket(v) == v, "bucket(%" PRIu64 ") not exact", v);

	/* Empty: 0. */
	to_hist_reset(&h);
	CHECK(to_hist_percentile(&h, 0.5) == 0, "empty histogram: p50 != 0");

	/* Uniform 1 .. 100000. */
	for (v = 1; v <= 100000; v++)
		to_hist_add(&h, v);
	CHECK(h.count == 100000, "count %" PRIu64, h.count);
	check_close(&h, 0.50, 50000, "uniform");
	check_close(&h, 0.99, 99000, "uniform");
	check_close(&h, 0.999, 99900, "uniform");

	/* A tail: 99% at 1000 cycles, 1% at 1e6. */
	to_hist_reset(&h);
	to_hist_add_n(&h, 1000, 990);
	to_hist_add_n(&h, 1000000, 10);
	check_close(&h, 0.50, 1000, "tail");
	check_close(&h, 0.99, 1000, "tail");
	check_close(&h, 0.999, 1000000, "tail");

	/*
	 * Nearest rank: the ceil(p x n)-th smallest. 1498 at 1000 and 2 at
	 * 1e6: 99.87% lie at 1000, so p99.9 is 1e6 (the floor's rank, 1498,
	 * gave 1000). 1 .. 10: p99 and p99.9 are 10; p50 is 5.
	 */
	to_hist_reset(&h);
	to_hist_add_n(&h, 1000, 1498);
	to_hist_add_n(&h, 1000000, 2);
	check_close(&h, 0.999, 1000000, "sparse tail");
	check_close(&h, 0.99, 1000, "sparse tail");
	to_hist_reset(&h);
	for (v = 1; v <= 10; v++)
		to_hist_add(&h, v);
	check_close(&h, 0.50, 5, "1 .. 10");
	check_close(&h, 0.99, 10, "1 .. 10");
	check_close(&h, 0.999, 10, "1 .. 10");
	/* Exact products stay exact: 0.99 x 100 is rank 99, not 100. */
	to_hist_reset(&h);
	for (v = 1; v <= 100; v++)
		to_hist_add(&h, v * 1000);
	check_close(&h, 0.99, 99000, "1000 .. 100000 by 1000");

	/* Large values. */
	to_hist_reset(&h);
	to_hist_add(&h, UINT64_C(1) << 50);
	check_close(&h, 0.5, (double)(UINT64_C(1) << 50), "2^50");

	printf("%s\n", failures ? "test_hist: FAILED" : "test_hist: all checks passed");
	return failures ? 1 : 0;
}
