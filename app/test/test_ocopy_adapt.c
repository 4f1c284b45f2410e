/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * The cpu_help=auto controller (lib/offload_copy/ocopy_adapt.c), fed
 * synthetic epochs: it keeps the CPU helping busy engines only while that
 * moves more bytes by a margin, probes the other mode one epoch in nine at
 * first and less often while the kept mode keeps winning (down to one in
 * 65), weighs a probe against the kept mode's running mean, probes sooner
 * when that mean moves, follows a change of the machine, and ignores
 * epochs with too little traffic. Built from the library's source (the
 * function is internal); the queue-level behaviour is tested in
 * ocopy_policy.
 */

#include <ocopy.h>

#include "ocopy_internal.h"
#include "test.h"

/* The library's log type, which this test does not link. */
int oc_logtype;

#define MCYC	1000000ULL	/* one epoch: a million cycles */

/*
 * Run n epochs of a machine that moves `alone` bytes per epoch without CPU
 * help and `help` with it; return how many were in HELP mode. The epochs
 * that were probes go to probes[] (up to max of them; probes may be NULL),
 * counted in *nb_probes.
 */
static unsigned int
run_probes(struct oc_adapt *a, uint64_t alone, uint64_t help, unsigned int n,
		unsigned int *probes, unsigned int max, unsigned int *nb_probes)
{
	unsigned int i, in_help = 0;

	*nb_probes = 0;
	for (i = 0; i < n; i++) {
		if (a->probing) {
			if (probes != NULL && *nb_probes < max)
				probes[*nb_probes] = i;
			(*nb_probes)++;
		}
		in_help += a->help;
		oc_adapt_epoch(a, a->help ? help : alone, MCYC);
	}
	return in_help;
}

static unsigned int
run(struct oc_adapt *a, uint64_t alone, uint64_t help, unsigned int n)
{
	unsigned int nb;

	return run_probes(a, alone, help, n, NULL, 0, &nb);
}

/* Run epochs until a probe has just ended (at most 100). */
static void
to_probe_end(struct oc_adapt *a, uint64_t alone, uint64_t help)
{
	unsigned int i;

	for (i = 0; i < 100 && !a->probing; i++)
		run(a, alone, help, 1);
	TEST_ASSERT(a->probing, "a probe within 100 epochs");
	run(a, alone, help, 1);
}

/*
 * Run epochs (at most max) until the controller's stay is `stay`; return
 * how many ran, max + 1 if it never was.
 */
static unsigned int
epochs_until_stay(struct oc_adapt *a, uint64_t alone, uint64_t help,
		uint32_t stay, unsigned int max)
{
	unsigned int i;

	for (i = 1; i <= max; i++) {
		run(a, alone, help, 1);
		if (a->stay == stay)
			return i;
	}
	return max + 1;
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
	static const unsigned int gaps[] = { 1, 10, 27, 60, 125, 190 };
	unsigned int probes[32];
	struct oc_adapt a;
	unsigned int h, i, nb;

	test_eal_init(argc, argv, &opts);

	test_section("CPU help 20%% better: kept, probes back off from one epoch in nine to one in 65");
	fresh(&a);
	h = run_probes(&a, 1000000, 1200000, 900, probes, RTE_DIM(probes),
			&nb);
	printf("  %u of 900 epochs with help, %" PRIu64 " changes, probes at",
		h, a.changes);
	for (i = 0; i < RTE_MIN(nb, (unsigned int)RTE_DIM(probes)); i++)
		printf(" %u", probes[i]);
	printf("\n");
	/* The first epoch measured, then gaps of 8, 16, 32 and 64 epochs. */
	for (i = 0; i < RTE_DIM(gaps); i++)
		TEST_ASSERT_EQUAL(probes[i], gaps[i], "probe %u's epoch", i);
	/* 1, 10, 27, 60, then every 65th epoch: 16 probes in 900. */
	TEST_ASSERT_EQUAL(nb, 16, "probes");
	TEST_ASSERT_EQUAL(h, 900 - 16, "help epochs");
	TEST_ASSERT(a.help && a.epochs == 900, "help on, 900 epochs");
	TEST_ASSERT_EQUAL(a.changes, 0, "no change kept");
	TEST_ASSERT_EQUAL(a.tput[0], 1000000, "measured without");
	TEST_ASSERT_EQUAL(a.tput[1], 1200000, "measured with");

	test_section("CPU help 10%% worse (memory-bound): off, probed less and less");
	fresh(&a);
	h = run_probes(&a, 1100000, 1000000, 900, probes, RTE_DIM(probes),
			&nb);
	printf("  %u of 900 epochs with help, %" PRIu64 " changes, %u probes\n",
		h, a.changes, nb);
	/*
	 * The first epoch, the probe that turned help off (epoch 1), then
	 * probes of help at 10 (8 epochs after the change), 27, 60, and
	 * every 65th epoch from there: 15 of them.
	 */
	TEST_ASSERT_EQUAL(nb, 16, "probes");
	TEST_ASSERT_EQUAL(probes[1], 10, "first probe of help after the change");
	TEST_ASSERT_EQUAL(probes[4], 125, "probes backed off");
	TEST_ASSERT_EQUAL(h, 1 + 15, "help epochs");
	TEST_ASSERT(!a.help, "help off");
	TEST_ASSERT_EQUAL(a.changes, 1, "one change kept");

	test_section("the kept mode's running mean moves by 10%%: the back-off starts again");
	fresh(&a);
	run(&a, 800000, 1200000, 300);
	to_probe_end(&a, 800000, 1200000);
	TEST_ASSERT(a.help && a.stay == 64 && a.left == 64,
		"backed off: help kept, next probe in 64 epochs (left %u, stay %u)",
		a.left, a.stay);
	run(&a, 800000, 1300000, 16);	/* +8%: the mean moves by less */
	TEST_ASSERT(a.stay == 64 && a.left == 48,
		"+8%%: nothing changes (left %u, stay %u)", a.left, a.stay);
	/* -20%: within a few epochs the mean has moved by 10%. */
	h = epochs_until_stay(&a, 800000, 960000, 8, 12);
	printf("  -20%%: the back-off restarted after %u epochs\n", h);
	TEST_ASSERT(h >= 2 && h <= 8, "-20%%: back-off restarted after %u epochs",
		h);
	TEST_ASSERT(a.left <= 7, "next probe within 8 epochs (left %u)", a.left);
	/* Help still 20% better: kept, and backing off again from 8. */
	to_probe_end(&a, 800000, 960000);
	TEST_ASSERT(a.help && a.stay == 16 && a.left == 16,
		"kept, backing off again (left %u, stay %u)", a.left, a.stay);
	h = epochs_until_stay(&a, 800000, 1200000, 8, 12);	/* +25% */
	TEST_ASSERT(h >= 1 && h <= 8, "+25%%: back-off restarted after %u epochs",
		h);

	test_section("one noisy epoch of the kept mode does not decide a probe");
	fresh(&a);
	run(&a, 1000000, 1200000, 300);
	to_probe_end(&a, 1000000, 1200000);
	/* 63 epochs of help at 1.2, the 64th at 0.9: mean 1.16. */
	run(&a, 1000000, 1200000, 63);
	TEST_ASSERT(!a.probing, "not probing yet");
	run(&a, 1000000, 900000, 1);
	TEST_ASSERT(a.probing && a.stay == 64, "probing, still backed off");
	run(&a, 1000000, 1200000, 1);
	TEST_ASSERT(a.help && a.changes == 0,
		"help kept (%" PRIu64 " / %" PRIu64 " bytes per Mcycle without / with)",
		a.tput[0], a.tput[1]);

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
	run(&a, 1000000, 1200000, 20);	/* settled with help on */
	TEST_ASSERT(a.help && !a.probing, "help on, not probing");
	h = (unsigned int)a.epochs;
	TEST_ASSERT_EQUAL(run(&a, 1000, 100, 50), 50, "idle: help stays on");
	TEST_ASSERT_EQUAL(a.epochs, h, "no epoch counted");
	TEST_ASSERT(!oc_adapt_epoch(&a, 10 * 1024 * 1024, 0) == !a.help,
		"zero cycles: nothing changes");
	TEST_ASSERT_EQUAL(a.epochs, h, "no epoch counted");

	return test_done();
}
