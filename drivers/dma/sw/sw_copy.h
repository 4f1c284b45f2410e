/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

#ifndef SW_COPY_H
#define SW_COPY_H

/**
 * @file
 * Copy and fill kernels of the dma_sw engine. Small and cache-hinted
 * (RTE_DMA_OP_FLAG_LLC) operations use ordinary stores; large ones use
 * non-temporal stores from the widest ISA this CPU and EAL's
 * --force-max-simd-bitwidth allow, chosen once at probe. A non-temporal
 * kernel leaves its stores weakly ordered: the worker issues one store
 * fence (rte_wmb) before it publishes any completion that follows one.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_memcpy.h>

typedef void (*sw_copy_fn)(void *dst, const void *src, size_t len);
typedef void (*sw_fill_fn)(void *dst, uint64_t pattern, size_t len);

struct sw_kernel {
	const char *name;
	unsigned int simd_bits;	/**< needs this rte_vect max SIMD width */
	int (*supported)(void);	/**< CPU check, NULL: always */
	sw_copy_fn copy_nt;	/**< non-temporal copy */
	sw_fill_fn fill_nt;	/**< non-temporal fill */
};

/** Kernels by name ("avx512", "avx2", "sse2"), best first, NULL-terminated. */
extern const struct sw_kernel *const sw_kernels[];

/** The best kernel this CPU and EAL allow, or the one named; NULL if not usable. */
const struct sw_kernel *sw_kernel_select(const char *name, const char **why);

void sw_copy_nt_sse2(void *dst, const void *src, size_t len);
void sw_fill_nt_sse2(void *dst, uint64_t pattern, size_t len);
void sw_copy_nt_avx2(void *dst, const void *src, size_t len);
void sw_fill_nt_avx2(void *dst, uint64_t pattern, size_t len);
void sw_copy_nt_avx512(void *dst, const void *src, size_t len);
void sw_fill_nt_avx512(void *dst, uint64_t pattern, size_t len);

/** The pattern as seen from a point @p shift bytes into the fill. */
static inline uint64_t
sw_pattern_at(uint64_t pattern, size_t shift)
{
	unsigned int s = (shift & 7) * 8;

	return s ? (pattern >> s) | (pattern << (64 - s)) : pattern;
}

/** Cached fill, any alignment: byte j of dst gets byte j % 8 of pattern. */
static inline void
sw_fill_cached(void *dst, uint64_t pattern, size_t len)
{
	uint8_t *d = dst;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8)
		memcpy(d + i, &pattern, 8);
	for (; i < len; i++)
		d[i] = (uint8_t)(pattern >> ((i & 7) * 8));
}

/** Cached copy: inline for small sizes, libc (ERMS/AVX dispatched) above. */
static __rte_always_inline void
sw_copy_cached(void *dst, const void *src, size_t len)
{
	if (len <= 256)
		rte_memcpy(dst, src, len);
	else
		memcpy(dst, src, len);
}

#endif /* SW_COPY_H */
