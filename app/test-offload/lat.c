/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * Completion latency: a log-linear histogram of TSC cycles, allocated with
 * the case group and reset before each run, so that recording one sample
 * on the datapath is an index computation and an increment (to_hist_add,
 * inline in main.h), never an allocation.
 *
 * Buckets: values below 16 have one bucket each; above, each power of two
 * [2^e, 2^(e+1)) is cut into 16 equal buckets, so a bucket is at most
 * 1/16 of its value wide and a percentile read at the bucket's middle is
 * within about 3% of the true value. 61 powers of two cover the whole
 * 64-bit range in TO_HIST_BUCKETS buckets.
 *
 * The latency of an operation is the time from the start of the submit
 * call (the burst) that carried it to the end of the completion call that
 * returned it (cpu: the end of its burst of memcpy calls): what the
 * submitting core waits. bench.c records one operation in --lat-sample.
 */

#include <string.h>

#include "main.h"

void
to_hist_reset(struct to_hist *h)
{
	memset(h, 0, sizeof(*h));
}

/* The middle of bucket i, in cycles. */
static double
bucket_mid(unsigned int i)
{
	unsigned int e, sub;
	double low, width;

	if (i < TO_HIST_SUB)
		return i;
	e = i / TO_HIST_SUB + TO_HIST_SUB_BITS - 1;
	sub = i % TO_HIST_SUB;
	width = (double)(UINT64_C(1) << (e - TO_HIST_SUB_BITS));
	low = (TO_HIST_SUB + sub) * width;
	return low + width / 2;
}

/* The value under which a fraction p (0 .. 1) of the samples lie, in
 * cycles (nearest rank: the ceil(p x count)-th smallest); 0 without
 * samples.
 */
double
to_hist_percentile(const struct to_hist *h, double p)
{
	uint64_t want, seen = 0;
	unsigned int i;

	if (h->count == 0)
		return 0;
	/* Rounded up, less a hair: 0.99 x 100 is 99, whatever its double. */
	want = (uint64_t)(p * (double)h->count);
	if ((double)want < p * (double)h->count - 1e-9)
		want++;
	if (want == 0)
		want = 1;
	if (want > h->count)
		want = h->count;
	for (i = 0; i < TO_HIST_BUCKETS; i++) {
		seen += h->n[i];
		if (seen >= want)
			return bucket_mid(i);
	}
	return bucket_mid(TO_HIST_BUCKETS - 1);
}

void
to_hist_result(const struct to_hist *h, struct to_result *r)
{
	r->lat_samples = h->count;
	r->lat_p50 = to_hist_percentile(h, 0.50);
	r->lat_p99 = to_hist_percentile(h, 0.99);
	r->lat_p999 = to_hist_percentile(h, 0.999);
}
