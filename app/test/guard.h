/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

#ifndef GUARD_H
#define GUARD_H

/**
 * @file
 * Self-describing test buffers, after Linux dmatest: every data byte is a
 * function of the buffer's role and its offset, and the data sits between
 * two guard zones of a pattern no role produces (top three bits set). A
 * libc "shadow" holds what every byte (guards included) should be; tests
 * record what each operation should have done (gbuf_expect_copy/fill) and
 * gbuf_check() compares, printing the first mismatches by offset:
 *   - a guard byte changed: the engine wrote out of bounds;
 *   - a data byte differs: an operation did not run, ran twice, went to
 *     the wrong place, or ran when it should have been refused.
 *
 * Fill patterns whose bytes stay below 0xe0 never look like guard bytes,
 * so a fill that overruns by even one byte is caught.
 *
 * IOVA addresses are virtual addresses (EAL runs with --iova-mode=va).
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <rte_common.h>
#include <rte_memory.h>

#define GBUF_GUARD	256	/**< guard bytes on each side (keeps data 64-byte aligned) */
#define GBUF_ROLE_MAX	6	/**< roles 0..6; 7 is the guard pattern */

enum gbuf_kind {
	GBUF_RTE_MALLOC,
	GBUF_MEMZONE,
	GBUF_EXTERNAL,		/**< memory the caller owns (libc, mmap) */
};

struct gbuf {
	char name[32];
	uint8_t role;
	enum gbuf_kind kind;
	uint8_t *mem;		/**< leading guard */
	uint8_t *data;		/**< mem + guard */
	size_t len;		/**< data bytes */
	size_t guard;		/**< guard bytes on each side */
	uint8_t *shadow;	/**< expected mem[0 .. len + 2 * guard) */
	uint8_t *pristine;	/**< the initial content, for gbuf_reset() */
	const void *mz;		/**< GBUF_MEMZONE: its rte_memzone */
};

/** Data byte of a role at an offset. */
uint8_t gbuf_pattern(uint8_t role, size_t off);

/** A buffer of len data bytes from rte_malloc, filled (gbuf_reset). */
struct gbuf *gbuf_alloc(const char *name, uint8_t role, size_t len);
/** The same from an rte_memzone. */
struct gbuf *gbuf_alloc_memzone(const char *name, uint8_t role, size_t len);
/** Wrap total bytes the caller owns: data = total - 2 * GBUF_GUARD bytes. */
struct gbuf *gbuf_wrap(const char *name, uint8_t role, void *mem, size_t total);
void gbuf_free(struct gbuf *b);

/** Refill data (role pattern) and guards; the shadow follows. */
void gbuf_reset(struct gbuf *b);

/** IOVA (= VA) of data + off; off may be negative (into the leading guard). */
static inline rte_iova_t
gbuf_iova(const struct gbuf *b, ssize_t off)
{
	return (rte_iova_t)(uintptr_t)(b->data + off);
}

/** Record that [doff, doff + len) of dst now holds src's [soff, soff + len). */
void gbuf_expect_copy(struct gbuf *dst, size_t doff, const struct gbuf *src,
		size_t soff, size_t len);
/** Record a fill: byte j of the range holds byte (j % 8) of pattern. */
void gbuf_expect_fill(struct gbuf *dst, size_t off, uint64_t pattern, size_t len);
/** Expected byte at data offset off (may be negative, into the guard). */
uint8_t gbuf_expected(const struct gbuf *b, ssize_t off);

/**
 * Compare the buffer with its shadow; print up to 8 mismatches by offset
 * (relative to the data; negative or >= len: a guard) with context.
 * Returns the number of mismatching bytes.
 */
size_t gbuf_check(const struct gbuf *b, const char *context);

/** Fail the test (with function:line) when gbuf_check finds a mismatch. */
#define GBUF_ASSERT_OK(b, fmt, ...) do { \
	char ctx_[160]; \
	snprintf(ctx_, sizeof(ctx_), fmt, ##__VA_ARGS__); \
	if (gbuf_check((b), ctx_) != 0) \
		test_fail_at(__func__, __LINE__, "buffer %s differs from what was expected: %s", \
			(b)->name, ctx_); \
} while (0)

#endif /* GUARD_H */
