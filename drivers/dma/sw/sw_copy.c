/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * Copy-kernel table and run-time selection, plus the SSE2 kernels every
 * x86-64 CPU runs. The AVX2 and AVX-512 kernels live in files of their own
 * built with their own ISA flags (see meson.build); a kernel whose file
 * could not be built is left out of the table.
 */

#include <string.h>

#include <emmintrin.h>

#include <rte_cpuflags.h>
#include <rte_vect.h>

#include "sw_copy.h"

/* SSE2, which every x86-64 CPU has: the fallback kernel. */
#define SW_NT_VEC		16
#define SW_NT_T			__m128i
#define SW_NT_LOAD(p)		_mm_loadu_si128((const __m128i *)(p))
#define SW_NT_STREAM(p, v)	_mm_stream_si128((__m128i *)(p), v)
#define SW_NT_SET1(x)		_mm_set1_epi64x(x)
#define SW_NT_COPY		sw_copy_nt_sse2
#define SW_NT_FILL		sw_fill_nt_sse2

#include "sw_copy_nt.h"

static int
cpu_has_avx2(void)
{
	return rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) == 1;
}

static int
cpu_has_avx512(void)
{
	return rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512F) == 1 &&
		rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512BW) == 1;
}

#ifdef SW_HAVE_AVX512
static const struct sw_kernel kernel_avx512 = {
	.name = "avx512",
	.simd_bits = RTE_VECT_SIMD_512,
	.supported = cpu_has_avx512,
	.copy_nt = sw_copy_nt_avx512,
	.fill_nt = sw_fill_nt_avx512,
};
#endif

#ifdef SW_HAVE_AVX2
static const struct sw_kernel kernel_avx2 = {
	.name = "avx2",
	.simd_bits = RTE_VECT_SIMD_256,
	.supported = cpu_has_avx2,
	.copy_nt = sw_copy_nt_avx2,
	.fill_nt = sw_fill_nt_avx2,
};
#endif

static const struct sw_kernel kernel_sse2 = {
	.name = "sse2",
	.simd_bits = RTE_VECT_SIMD_128,
	.supported = NULL,
	.copy_nt = sw_copy_nt_sse2,
	.fill_nt = sw_fill_nt_sse2,
};

const struct sw_kernel *const sw_kernels[] = {
#ifdef SW_HAVE_AVX512
	&kernel_avx512,
#endif
#ifdef SW_HAVE_AVX2
	&kernel_avx2,
#endif
	&kernel_sse2,
	NULL,
};

const struct sw_kernel *
sw_kernel_select(const char *name, const char **why)
{
	unsigned int i;

	for (i = 0; sw_kernels[i] != NULL; i++) {
		const struct sw_kernel *k = sw_kernels[i];
		int named = name != NULL && strcmp(name, k->name) == 0;

		if (name != NULL && !named)
			continue;
		if (k->supported != NULL && !k->supported()) {
			if (named) {
				*why = "this CPU lacks the instructions";
				return NULL;
			}
			continue;
		}
		if (rte_vect_get_max_simd_bitwidth() < k->simd_bits) {
			if (named) {
				*why = "EAL --force-max-simd-bitwidth forbids it";
				return NULL;
			}
			continue;
		}
		return k;
	}
	*why = "no such kernel in this build";
	return NULL;
}
