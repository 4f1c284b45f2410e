/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * AVX512 non-temporal kernels. Built with the ISA flags of their own
 * (meson.build) and called only when sw_kernel_select() found the CPU and
 * EAL allow them.
 */

#include <string.h>

#include <immintrin.h>

#include "sw_copy.h"

#define VEC 64

void
sw_copy_nt_avx512(void *dst, const void *src, size_t len)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	size_t head = (VEC - ((uintptr_t)d & (VEC - 1))) & (VEC - 1);

	if (len < head + VEC) {
		memcpy(d, s, len);
		return;
	}
	memcpy(d, s, head);
	d += head;
	s += head;
	len -= head;
	for (; len >= 4 * VEC; len -= 4 * VEC, d += 4 * VEC, s += 4 * VEC) {
		__m512i a = _mm512_loadu_si512((const void *)s);
		__m512i b = _mm512_loadu_si512((const void *)(s + VEC));
		__m512i c = _mm512_loadu_si512((const void *)(s + 2 * VEC));
		__m512i e = _mm512_loadu_si512((const void *)(s + 3 * VEC));

		_mm512_stream_si512((void *)d, a);
		_mm512_stream_si512((void *)(d + VEC), b);
		_mm512_stream_si512((void *)(d + 2 * VEC), c);
		_mm512_stream_si512((void *)(d + 3 * VEC), e);
	}
	for (; len >= VEC; len -= VEC, d += VEC, s += VEC)
		_mm512_stream_si512((void *)d, _mm512_loadu_si512((const void *)s));
	memcpy(d, s, len);
}

void
sw_fill_nt_avx512(void *dst, uint64_t pattern, size_t len)
{
	uint8_t *d = dst;
	size_t head = (VEC - ((uintptr_t)d & (VEC - 1))) & (VEC - 1);
	__m512i v;

	if (len < head + VEC) {
		sw_fill_cached(d, pattern, len);
		return;
	}
	sw_fill_cached(d, pattern, head);
	pattern = sw_pattern_at(pattern, head);
	d += head;
	len -= head;
	v = _mm512_set1_epi64((long long)pattern);
	for (; len >= VEC; len -= VEC, d += VEC)
		_mm512_stream_si512((void *)d, v);
	sw_fill_cached(d, pattern, len);
}
