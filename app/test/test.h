/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

#ifndef TEST_H
#define TEST_H

/**
 * @file
 * The harness shared by the dma_sw test programs: one program per
 * behaviour, each a plain main() that exits with
 *   0  (TEST_PASS)  every assertion held,
 *   1  (TEST_FAIL)  an assertion failed (printed with function:line),
 *   77 (TEST_SKIP)  the behaviour cannot be tested here (reason printed),
 * which is what meson's test() expects.
 *
 * A failed assertion prints its message, dumps every dmadev (so the
 * counters of the device at fault are in the log) and ends the program at
 * once with _exit(1): workers may still run, nothing is torn down. A
 * watchdog alarm does the same when a program overruns its time budget, so
 * no test can hang; every wait on the engine is bounded as well
 * (test_deadline()).
 *
 * EAL is started by test_eal_init() with the arguments every program uses:
 * two lcores, no hugepages (unless the program asks for them), IOVA as VA,
 * no shared files and a file prefix of its own, so programs can run in
 * parallel.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>

#define TEST_PASS	0
#define TEST_FAIL	1
#define TEST_SKIP	77

/** Worker model the program was asked to test (argv: "service" or "lcore"). */
enum test_worker {
	TEST_WORKER_SERVICE,
	TEST_WORKER_LCORE,
};

struct test_opts {
	const char *name;	/**< program name, also the EAL file prefix */
	unsigned int nb_lcores;	/**< lcores to start (>= 2), 0: 2 */
	unsigned int timeout_s;	/**< watchdog, 0: 60 s */
	const char *const *eal_extra;	/**< extra EAL arguments, NULL-terminated */
	bool hugepages;		/**< hugepages (--in-memory), not --no-huge:
				 * skipped where none is free */
	bool shared;		/**< hugepages with their files and the
				 * runtime folder (not --in-memory), so that
				 * a secondary process can attach; the file
				 * prefix is test_file_prefix */
};

extern enum test_worker test_worker;
extern const char *test_name;
/**
 * EAL's --base-virtaddr of a shared run, which its secondaries must give
 * too: above ASan's shadow (where EAL's default hint lies), below where
 * Linux puts libraries, so both processes find it free.
 */
#define TEST_SHARED_BASE	"0x200000000000"

/** The EAL file prefix of the program (set by test_eal_init()). */
extern char test_file_prefix[64];

/**
 * Start EAL for a test program. Parses the program's own arguments first:
 * an optional "service" (default) or "lcore" choosing test_worker.
 * Exits with TEST_SKIP when EAL cannot start here, TEST_FAIL on misuse.
 */
void test_eal_init(int argc, char **argv, const struct test_opts *opts);

/** Tear down (close every dma_sw device, stop service lcores, EAL cleanup), print PASS. */
int test_done(void);

/** Print why and exit with TEST_SKIP. */
__rte_noreturn __rte_format_printf(1, 2)
void test_skip(const char *fmt, ...);

__rte_noreturn __rte_format_printf(3, 4)
void test_fail_at(const char *func, int line, const char *fmt, ...);

/** Print a section header, so a failure can be placed. */
__rte_format_printf(1, 2)
void test_section(const char *fmt, ...);

/** Deadline for a bounded wait: now + ms milliseconds, in timer cycles. */
uint64_t test_deadline(unsigned int ms);
bool test_expired(uint64_t deadline);

/** Blocks allocated from EAL's heaps (rte_malloc), all sockets: for leaks. */
uint64_t test_heap_allocs(void);

/** Deterministic pseudo-random numbers (xorshift64*), seeded per program. */
void test_srand(uint64_t seed);
uint64_t test_rand(void);
/** Uniform in [lo, hi]. */
uint64_t test_rand_range(uint64_t lo, uint64_t hi);

#define TEST_ASSERT(cond, fmt, ...) do { \
	if (unlikely(!(cond))) \
		test_fail_at(__func__, __LINE__, "'%s' is false: " fmt, \
			#cond, ##__VA_ARGS__); \
} while (0)

#define TEST_ASSERT_EQUAL(a, b, fmt, ...) do { \
	long long a_ = (long long)(a), b_ = (long long)(b); \
	if (unlikely(a_ != b_)) \
		test_fail_at(__func__, __LINE__, "%s == %s: %lld != %lld: " fmt, \
			#a, #b, a_, b_, ##__VA_ARGS__); \
} while (0)

/** expr must return 0. */
#define TEST_ASSERT_SUCCESS(expr, fmt, ...) do { \
	long long r_ = (long long)(expr); \
	if (unlikely(r_ != 0)) \
		test_fail_at(__func__, __LINE__, "%s returned %lld (%s): " fmt, \
			#expr, r_, r_ < 0 && r_ > -4096 ? strerror((int)-r_) : "", \
			##__VA_ARGS__); \
} while (0)

/** expr must return a negative value. */
#define TEST_ASSERT_FAIL(expr, fmt, ...) do { \
	long long r_ = (long long)(expr); \
	if (unlikely(r_ >= 0)) \
		test_fail_at(__func__, __LINE__, "%s returned %lld, expected failure: " fmt, \
			#expr, r_, ##__VA_ARGS__); \
} while (0)

#define TEST_FAIL_NOW(fmt, ...) test_fail_at(__func__, __LINE__, fmt, ##__VA_ARGS__)

#endif /* TEST_H */
