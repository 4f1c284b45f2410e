/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * AVX-512 non-temporal kernels (sw_copy_nt.h at 64 bytes). Built with the ISA
 * flags of their own (meson.build) and called only when sw_kernel_select()
 * found the CPU and EAL allow them.
 */

#include <immintrin.h>

#define SW_NT_VEC		64
#define SW_NT_T			__m512i
#define SW_NT_LOAD(p)		_mm512_loadu_si512((const void *)(p))
#define SW_NT_STREAM(p, v)	_mm512_stream_si512((void *)(p), v)
#define SW_NT_SET1(x)		_mm512_set1_epi64(x)
#define SW_NT_COPY		sw_copy_nt_avx512
#define SW_NT_FILL		sw_fill_nt_avx512

#include "sw_copy_nt.h"
