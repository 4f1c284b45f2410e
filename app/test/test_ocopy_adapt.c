/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * The cpu_help=auto controller (lib/offload_copy/ocopy_adapt.c), fed
 * synthetic epochs: it keeps the CPU helping busy engines only while that
 * moves more bytes by a margin, probes the other mode one epoch in nine,
 * follows a change of the machine, and ignores epochs with too little
 * traffic. Built from the library's source (the function is internal);
 * the queue-level behaviour is tested in ocopy_policy.
 */

#include <ocopy.h>

#include "ocopy_internal.h"
#include "test.h"

/* The library's log type, which this test does not link. */
int oc_logtype;

#define MCYC	1000000ULL	/* one epoch: a million cycles */

/*
 * Run n epochs of a machine that moves `alone` bytes per epoch without CPU
 * help and `help` with it; return how many were in HELP mode.
 */
static unsigned int
run(struct oc_adapt *a, uint64_t alone, uint64_t help, unsigned int n)
{
	unsigned int i, in_help = 0;

	for (i = 0; i < n; i++) {
		in_help += a->help;
		oc_adapt_epoch(a, a->help ? help : alone, MCYC);
	}
	return in_help;
}

/* A queue's controller as oc_adapt_init() leaves it (auto, HELP first). */
static void
fresh(struct oc_adapt *a)
{
	oc_adapt_reset(a, OCOPY_CPU_HELP_AUTO);
}

int
main(int argc, char **argv)
{
	static const struct test_opts opts = { .name = "ocopy_adapt" };
	struct oc_adapt a;
	unsigned int h;

	test_eal_init(argc, argv, &opts);

	test_section("CPU help 20%% better: kept, probed off one epoch in nine");
	fresh(&a);
	h = run(&a, 1000000, 1200000, 900);
	printf("  %u of 900 epochs with help, %" PRIu64 " changes\n", h,
		a.changes);
	TEST_ASSERT_EQUAL(h, 800, "help epochs");
	TEST_ASSERT(a.help && a.epochs == 900, "help on, 900 epochs");
	TEST_ASSERT_EQUAL(a.tput[0], 1000000, "measured without");
	TEST_ASSERT_EQUAL(a.tput[1], 1200000, "measured with");

	test_section("CPU help 10%% worse (memory-bound): off, probed one in nine");
	fresh(&a);
	h = run(&a, 1100000, 1000000, 900);
	printf("  %u of 900 epochs with help, %" PRIu64 " changes\n", h,
		a.changes);
	/* The first epoch, then one probe in nine. */
	TEST_ASSERT_EQUAL(h, 1 + 99, "help epochs");
	TEST_ASSERT(!a.help, "help off");
	TEST_ASSERT_EQUAL(a.changes, 1, "one change kept");

	test_section("a tie, or help better by less than the margin: off");
	fresh(&a);
	run(&a, 1000000, 1000000, 90);
	TEST_ASSERT(!a.help || a.probing, "tie: off outside probes");
	fresh(&a);
	run(&a, 1000000, 1040000, 90);
	TEST_ASSERT(!a.help || a.probing, "4%%: off outside probes");
	fresh(&a);
	run(&a, 1000000, 1060000, 90);
	TEST_ASSERT(a.help || a.probing, "6%%: on outside probes");

	test_section("the machine changes: the controller follows");
	fresh(&a);
	run(&a, 1000000, 1200000, 90);
	TEST_ASSERT(a.help || a.probing, "help first");
	run(&a, 1200000, 1000000, 18);
	TEST_ASSERT(!a.help || a.probing, "then off within two probes");
	run(&a, 1000000, 1300000, 18);
	TEST_ASSERT(a.help || a.probing, "then on again within two probes");

	test_section("epochs with too little traffic tell nothing");
	fresh(&a);
	run(&a, 1000000, 1200000, 27);	/* settled with help on */
	h = (unsigned int)a.epochs;
	TEST_ASSERT_EQUAL(run(&a, 1000, 100, 50), 50, "idle: help stays on");
	TEST_ASSERT_EQUAL(a.epochs, h, "no epoch counted");
	TEST_ASSERT(!oc_adapt_epoch(&a, 10 * 1024 * 1024, 0) == !a.help,
		"zero cycles: nothing changes");
	TEST_ASSERT_EQUAL(a.epochs, h, "no epoch counted");

	return test_done();
}
