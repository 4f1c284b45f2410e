/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * AVX2 non-temporal kernels (sw_copy_nt.h at 32 bytes). Built with the ISA
 * flags of their own (meson.build) and called only when sw_kernel_select()
 * found the CPU and EAL allow them.
 */

#include <immintrin.h>

#define SW_NT_VEC		32
#define SW_NT_T			__m256i
#define SW_NT_LOAD(p)		_mm256_loadu_si256((const __m256i *)(p))
#define SW_NT_STREAM(p, v)	_mm256_stream_si256((__m256i *)(p), v)
#define SW_NT_SET1(x)		_mm256_set1_epi64x(x)
#define SW_NT_COPY		sw_copy_nt_avx2
#define SW_NT_FILL		sw_fill_nt_avx2

#include "sw_copy_nt.h"
