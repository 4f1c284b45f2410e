/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * The non-temporal copy and fill kernels, written once for every vector
 * width. A kernel file defines the width and its intrinsics, then includes
 * this header; each file is built with its own ISA flags (meson.build).
 *
 *   SW_NT_VEC		vector width in bytes
 *   SW_NT_T		vector type
 *   SW_NT_LOAD(p)	unaligned load
 *   SW_NT_STREAM(p, v)	aligned non-temporal store
 *   SW_NT_SET1(x)	broadcast a 64-bit pattern
 *   SW_NT_COPY, SW_NT_FILL	the function names
 *
 * Both align the destination with ordinary stores, stream whole vectors,
 * and finish the tail with ordinary stores. The caller fences (rte_wmb)
 * before it publishes the completion.
 */

#include <string.h>

#include "sw_copy.h"

void
SW_NT_COPY(void *dst, const void *src, size_t len)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	size_t head = (SW_NT_VEC - ((uintptr_t)d & (SW_NT_VEC - 1))) & (SW_NT_VEC - 1);

	if (len < head + SW_NT_VEC) {
		memcpy(d, s, len);
		return;
	}
	memcpy(d, s, head);
	d += head;
	s += head;
	len -= head;
	for (; len >= 4 * SW_NT_VEC; len -= 4 * SW_NT_VEC, d += 4 * SW_NT_VEC,
			s += 4 * SW_NT_VEC) {
		SW_NT_T a = SW_NT_LOAD(s);
		SW_NT_T b = SW_NT_LOAD(s + SW_NT_VEC);
		SW_NT_T c = SW_NT_LOAD(s + 2 * SW_NT_VEC);
		SW_NT_T e = SW_NT_LOAD(s + 3 * SW_NT_VEC);

		SW_NT_STREAM(d, a);
		SW_NT_STREAM(d + SW_NT_VEC, b);
		SW_NT_STREAM(d + 2 * SW_NT_VEC, c);
		SW_NT_STREAM(d + 3 * SW_NT_VEC, e);
	}
	for (; len >= SW_NT_VEC; len -= SW_NT_VEC, d += SW_NT_VEC, s += SW_NT_VEC)
		SW_NT_STREAM(d, SW_NT_LOAD(s));
	memcpy(d, s, len);
}

void
SW_NT_FILL(void *dst, uint64_t pattern, size_t len)
{
	uint8_t *d = dst;
	size_t head = (SW_NT_VEC - ((uintptr_t)d & (SW_NT_VEC - 1))) & (SW_NT_VEC - 1);
	SW_NT_T v;

	if (len < head + SW_NT_VEC) {
		sw_fill_cached(d, pattern, len);
		return;
	}
	sw_fill_cached(d, pattern, head);
	pattern = sw_pattern_at(pattern, head);
	d += head;
	len -= head;
	v = SW_NT_SET1((long long)pattern);
	for (; len >= SW_NT_VEC; len -= SW_NT_VEC, d += SW_NT_VEC)
		SW_NT_STREAM(d, v);
	sw_fill_cached(d, pattern, len);
}
