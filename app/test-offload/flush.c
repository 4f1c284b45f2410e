/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * --flush-cache: evict the CPU caches before each measured run, so that a
 * case does not start with the pools (or the previous case's data) in the
 * caches. Portable eviction: write, then read, a buffer of
 * FLUSH_LLC_FACTOR times the last-level cache (at least FLUSH_MIN), which
 * pushes every other line out of an inclusive or non-inclusive hierarchy
 * alike, and writes back the dirty destination lines on the way. Runs on
 * the lcore that measures next, between runs, never in a timed region.
 *
 * A service lcore running an engine keeps its own private caches; they
 * hold descriptors, not the pools, which the submitter's eviction also
 * pushes out of the shared last-level cache.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "main.h"

#define FLUSH_LLC_FACTOR	2
#define FLUSH_MIN		(UINT64_C(32) << 20)

static uint8_t *flush_buf;
static size_t flush_len;
/* Read results land here, so the compiler keeps the reads. */
static volatile uint64_t flush_sink;

int
to_flush_alloc(void)
{
	flush_len = RTE_MAX((uint64_t)FLUSH_LLC_FACTOR * to_llc_size(), FLUSH_MIN);
	flush_buf = malloc(flush_len);
	if (flush_buf == NULL) {
		to_err("--flush-cache: cannot allocate %zu MiB to evict the caches with",
			flush_len >> 20);
		return -ENOMEM;
	}
	memset(flush_buf, 1, flush_len);	/* fault the pages in now */
	return 0;
}

void
to_flush_caches(void)
{
	const uint64_t *p;
	uint64_t acc = 0;
	size_t i;

	if (flush_buf == NULL)
		return;
	memset(flush_buf, (int)(flush_sink & 0xff), flush_len);
	p = (const uint64_t *)flush_buf;
	for (i = 0; i < flush_len / sizeof(*p); i += RTE_CACHE_LINE_SIZE / sizeof(*p))
		acc += p[i];
	flush_sink = acc;
}

void
to_flush_free(void)
{
	free(flush_buf);
	flush_buf = NULL;
}
