/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * Patterned buffers with guard zones and a shadow of their expected
 * content (see guard.h). Main lcore only; the engine writes the buffers,
 * the test reads them after the completion that covers the write.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_memzone.h>
#include <rte_string_fns.h>

#include "guard.h"
#include "test.h"

#define GBUF_REPORT	8	/* mismatches printed per check */

uint8_t
gbuf_pattern(uint8_t role, size_t off)
{
	/* Role in the top three bits; the low five vary with the offset at
	 * several scales, so a copy misplaced by any power of two shows.
	 */
	uint32_t o = (uint32_t)(off + (off >> 5) * 7 + (off >> 10) * 13 +
		(off >> 15) * 3 + (off >> 20) * 5);

	return (uint8_t)((role & 7) << 5 | (o & 0x1f));
}

/* Guard byte at position pos of the whole allocation: role 7. */
static uint8_t
guard_byte(size_t pos)
{
	return gbuf_pattern(7, pos * 3);
}

static struct gbuf *
gbuf_new(const char *name, uint8_t role, enum gbuf_kind kind, uint8_t *mem,
		size_t len)
{
	struct gbuf *b = calloc(1, sizeof(*b));
	size_t i;

	if (b == NULL)
		TEST_FAIL_NOW("no memory for buffer %s", name);
	TEST_ASSERT(role <= GBUF_ROLE_MAX, "role %u", role);
	strlcpy(b->name, name, sizeof(b->name));
	b->role = role;
	b->kind = kind;
	b->mem = mem;
	b->guard = GBUF_GUARD;
	b->data = mem + b->guard;
	b->len = len;
	b->shadow = malloc(len + 2 * b->guard);
	b->pristine = malloc(len + 2 * b->guard);
	if (b->shadow == NULL || b->pristine == NULL)
		TEST_FAIL_NOW("no memory for the shadow of %s (%zu bytes)", name, len);
	for (i = 0; i < b->guard; i++) {
		b->pristine[i] = guard_byte(i);
		b->pristine[b->guard + len + i] = guard_byte(b->guard + len + i);
	}
	for (i = 0; i < len; i++)
		b->pristine[b->guard + i] = gbuf_pattern(role, i);
	gbuf_reset(b);
	return b;
}

struct gbuf *
gbuf_alloc(const char *name, uint8_t role, size_t len)
{
	uint8_t *mem = rte_malloc(name, len + 2 * GBUF_GUARD, 4096);

	if (mem == NULL)
		TEST_FAIL_NOW("rte_malloc of %zu bytes for %s failed", len + 2 * GBUF_GUARD, name);
	return gbuf_new(name, role, GBUF_RTE_MALLOC, mem, len);
}

struct gbuf *
gbuf_alloc_memzone(const char *name, uint8_t role, size_t len)
{
	const struct rte_memzone *mz;
	struct gbuf *b;

	mz = rte_memzone_reserve_aligned(name, len + 2 * GBUF_GUARD, SOCKET_ID_ANY, 0, 4096);
	if (mz == NULL)
		TEST_FAIL_NOW("rte_memzone_reserve of %zu bytes for %s failed",
			len + 2 * GBUF_GUARD, name);
	b = gbuf_new(name, role, GBUF_MEMZONE, mz->addr, len);
	b->mz = mz;
	return b;
}

struct gbuf *
gbuf_wrap(const char *name, uint8_t role, void *mem, size_t total)
{
	TEST_ASSERT(total > 2 * GBUF_GUARD, "%zu bytes leave no data between the guards", total);
	return gbuf_new(name, role, GBUF_EXTERNAL, mem, total - 2 * GBUF_GUARD);
}

void
gbuf_free(struct gbuf *b)
{
	if (b == NULL)
		return;
	if (b->kind == GBUF_RTE_MALLOC)
		rte_free(b->mem);
	else if (b->kind == GBUF_MEMZONE)
		rte_memzone_free(b->mz);
	free(b->shadow);
	free(b->pristine);
	free(b);
}

void
gbuf_reset(struct gbuf *b)
{
	size_t total = b->len + 2 * b->guard;

	memcpy(b->shadow, b->pristine, total);
	memcpy(b->mem, b->pristine, total);
}

void
gbuf_expect_copy(struct gbuf *dst, size_t doff, const struct gbuf *src,
		size_t soff, size_t len)
{
	TEST_ASSERT(doff + len <= dst->len && soff + len <= src->len,
		"test bug: expected copy of %zu bytes from %s+%zu to %s+%zu out of the data",
		len, src->name, soff, dst->name, doff);
	memmove(dst->shadow + dst->guard + doff, src->shadow + src->guard + soff, len);
}

void
gbuf_expect_fill(struct gbuf *dst, size_t off, uint64_t pattern, size_t len)
{
	size_t j;

	TEST_ASSERT(off + len <= dst->len,
		"test bug: expected fill of %zu bytes at %s+%zu out of the data",
		len, dst->name, off);
	for (j = 0; j < len; j++)
		dst->shadow[dst->guard + off + j] = (uint8_t)(pattern >> ((j % 8) * 8));
}

uint8_t
gbuf_expected(const struct gbuf *b, ssize_t off)
{
	TEST_ASSERT(off >= -(ssize_t)b->guard && off < (ssize_t)(b->len + b->guard),
		"test bug: offset %zd outside %s", off, b->name);
	return b->shadow[b->guard + off];
}

static const char *
zone(const struct gbuf *b, ssize_t off)
{
	if (off < 0)
		return "GUARD BEFORE (out-of-bounds write)";
	if ((size_t)off >= b->len)
		return "GUARD AFTER (out-of-bounds write)";
	return "data";
}

size_t
gbuf_check(const struct gbuf *b, const char *context)
{
	size_t total = b->len + 2 * b->guard, i, bad = 0;
	ssize_t first = 0, last = 0;

	if (memcmp(b->mem, b->shadow, total) == 0)
		return 0;
	for (i = 0; i < total; i++) {
		ssize_t off = (ssize_t)i - (ssize_t)b->guard;

		if (b->mem[i] == b->shadow[i])
			continue;
		if (bad == 0)
			first = off;
		last = off;
		if (bad < GBUF_REPORT)
			printf("  %s [%s]: offset %zd (%s): expected 0x%02x, found 0x%02x\n",
				b->name, context, off, zone(b, off), b->shadow[i], b->mem[i]);
		bad++;
	}
	printf("  %s [%s]: %zu byte(s) differ, offsets %zd..%zd of data [0, %zu)\n",
		b->name, context, bad, first, last, b->len);
	return bad;
}
