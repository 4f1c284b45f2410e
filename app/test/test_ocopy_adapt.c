/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * The cpu_help=auto controller (lib/offload_copy/ocopy_adapt.c), fed
 * synthetic epochs: it keeps the placement that moves the most bytes by a
 * margin (engines for every copy, by threshold, with the CPU's help, or
 * the CPU for every copy), wherever it lies in that order; ties go towards
 * the threshold. It probes the others in turn one epoch in nine at first
 * and less often while the kept placement keeps winning (down to one in
 * 65), weighs a probe against the kept one's running mean, moves only
 * when a probe wins twice in a row, probes sooner when that mean moves,
 * follows a change of the machine, and ignores epochs with too little
 * traffic. Built from the library's source (the
 * function is internal); the queue-level behaviour is tested in
 * ocopy_policy.
 */

#include <ocopy.h>

#include "ocopy_internal.h"
#include "test.h"

/* The library's log type, which this test does not link. */
int oc_logtype;

/*
 * The queue-level path (oc_adapt_tick()) derives the thresholds again
 * after a move: counted, so that the synthetic epochs can show they never
 * take it.
 */
static unsigned int nb_thresholds;

void
oc_queue_thresholds(struct ocopy_queue *q)
{
	RTE_SET_USED(q);
	nb_thresholds++;
}

#define MCYC	1000000ULL	/* one epoch: a million cycles */

enum { ENG = OCOPY_PLACE_ENGINES, THR = OCOPY_PLACE_THRESHOLD,
	HELP = OCOPY_PLACE_HELP, CPU = OCOPY_PLACE_CPU };

/* Bytes per epoch a machine moves under each placement. */
struct machine {
	uint64_t r[OCOPY_PLACE_MAX];
};

/* A machine where the help moves `help` and every other placement `other`. */
static struct machine
help_vs(uint64_t other, uint64_t help)
{
	struct machine m = { { other, other, help, other } };

	return m;
}

/*
 * Run n epochs of machine m; return how many were under placement `count`.
 * The epochs that were probes go to probes[] and what they tried to
 * tried[] (up to max of them; both may be NULL), counted in *nb_probes.
 */
static unsigned int
run_probes(struct oc_adapt *a, const struct machine *m, unsigned int n,
		uint8_t count, unsigned int *probes, uint8_t *tried,
		unsigned int max, unsigned int *nb_probes)
{
	unsigned int i, in = 0;

	*nb_probes = 0;
	for (i = 0; i < n; i++) {
		if (a->probing) {
			if (probes != NULL && *nb_probes < max) {
				probes[*nb_probes] = i;
				tried[*nb_probes] = a->place;
			}
			(*nb_probes)++;
		}
		in += a->place == count;
		TEST_ASSERT_EQUAL(oc_adapt_epoch(a, m->r[a->place], MCYC),
			a->place, "the placement it returns");
	}
	return in;
}

/* Run n epochs; return how many were under placement `count`. */
static unsigned int
run(struct oc_adapt *a, const struct machine *m, unsigned int n,
		uint8_t count)
{
	unsigned int nb;

	return run_probes(a, m, n, count, NULL, NULL, 0, &nb);
}

/* Run epochs until a probe has just ended (at most 100). */
static void
to_probe_end(struct oc_adapt *a, const struct machine *m)
{
	unsigned int i;

	for (i = 0; i < 100 && !a->probing; i++)
		run(a, m, 1, 0);
	TEST_ASSERT(a->probing, "a probe within 100 epochs");
	run(a, m, 1, 0);
}

/*
 * Run epochs (at most max) until the controller's stay is `stay`; return
 * how many ran, max + 1 if it never was.
 */
static unsigned int
epochs_until_stay(struct oc_adapt *a, const struct machine *m, uint32_t stay,
		unsigned int max)
{
	unsigned int i;

	for (i = 1; i <= max; i++) {
		run(a, m, 1, 0);
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

static void
print_probes(const char *what, unsigned int in, unsigned int n,
		const struct oc_adapt *a, const unsigned int *probes,
		const uint8_t *tried, unsigned int nb, unsigned int max)
{
	unsigned int i;

	printf("  %u of %u epochs %s, %" PRIu64 " moves, %u probes:", in, n,
		what, a->changes, nb);
	for (i = 0; i < RTE_MIN(nb, max); i++)
		printf(" %u(%s)", probes[i], ocopy_placement_name(tried[i]));
	printf("\n");
}

/*
 * oc_adapt_tick() on a queue whose engine holds part of what was
 * accepted: an epoch measures the bytes moved (accepted, less those still
 * on the engine), not those accepted. A placement that ends its epoch
 * with a backlog on the engines gains nothing from it.
 */
static void
test_tick_moved(void)
{
	static struct ocopy oc = { .name = "adapt" };
	static struct ocopy_queue q;
	const uint64_t epoch_cyc = rte_get_tsc_hz() / 100;	/* 10 ms */
	const uint64_t accepted = 10 << 20, given = 4 << 20, reaped = 1 << 20;
	const uint64_t t0 = 1000;
	uint64_t moved;

	test_section("queue level: an epoch counts the bytes moved, not those on the engines");
	memset(&q, 0, sizeof(q));
	q.oc = &oc;
	q.nb_qe = 1;
	oc_adapt_init(&q);
	TEST_ASSERT(q.adapt.on && q.adapt.place == HELP, "auto: help first");
	/* The first tick ends the (empty) settling phase and marks the start. */
	oc_adapt_tick(&q, t0);
	TEST_ASSERT(q.adapt.measuring, "measuring");
	q.stats.submitted = q.stats.completed = 1000;
	q.stats.bytes = accepted;
	q.qe[0].bytes_in = given;
	q.qe[0].bytes_out = reaped;
	oc_adapt_tick(&q, t0 + epoch_cyc);
	moved = accepted - (given - reaped);
	printf("  accepted %" PRIu64 ", on the engine %" PRIu64 ": %" PRIu64
		" bytes per Mcycle\n", accepted, given - reaped, q.adapt.tput[HELP]);
	TEST_ASSERT_EQUAL(q.adapt.epochs, 1, "one epoch measured");
	TEST_ASSERT_EQUAL(q.adapt.tput[HELP], moved * 1000000 / epoch_cyc,
		"the epoch's rate: moved bytes, %" PRIu64 " of %" PRIu64 " accepted",
		moved, accepted);
	/* Its first epoch measured, the queue probes: a move, applied. */
	TEST_ASSERT(q.adapt.probing && q.adapt.place == THR && nb_thresholds == 1,
		"then a probe of the threshold, the thresholds derived again");
}

/* A rate fed steady windows of true rate want, n of them, from start. */
static uint32_t
fold_steady(uint32_t start, uint32_t want, unsigned int n)
{
	uint32_t r = start;
	uint8_t outliers = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		r = oc_rate_fold(r, (uint64_t)want * 1024, 1024 * 1024, &outliers);
	return r;
}

/*
 * The learned rate reaches the true one from either side: rounded down,
 * a rate below it by less than OC_LEARN_WEIGHT never rose.
 */
static void
test_rate_fold(void)
{
	uint8_t outliers = 0;

	test_section("rate folding: reaches the true rate from above and below");
	TEST_ASSERT_EQUAL(fold_steady(16, 19, 100), 19, "16 up to 19");
	TEST_ASSERT_EQUAL(fold_steady(64, 67, 100), 67, "64 up to 67");
	TEST_ASSERT_EQUAL(fold_steady(80, 67, 100), 67, "80 down to 67");
	TEST_ASSERT_EQUAL(fold_steady(1, 15, 100), 15, "1 up to 15");
	TEST_ASSERT_EQUAL(fold_steady(20, 20, 100), 20, "20 stays");
	/* One step moves it by a quarter at most, never past the sample. */
	TEST_ASSERT_EQUAL(oc_rate_fold(100, 120 * 1024, 1024 * 1024, &outliers), 105,
		"a quarter of the way up, rounded up");
	TEST_ASSERT_EQUAL(oc_rate_fold(100, 80 * 1024, 1024 * 1024, &outliers), 95,
		"a quarter of the way down");
	TEST_ASSERT_EQUAL(oc_rate_fold(100, 101 * 1024, 1024 * 1024, &outliers), 101,
		"one above: one up, not past it");
	/* Outliers: dropped, then the fourth in a row replaces the rate. */
	TEST_ASSERT_EQUAL(fold_steady(20, 20 * 17, 3), 20, "three outliers dropped");
	TEST_ASSERT_EQUAL(fold_steady(20, 20 * 17, 4), 20 * 17, "the fourth replaces it");
}

/*
 * The auto policy's rule at legal extremes: a CPU of 4,000,000 cycles/KiB
 * (the most ocopy_queue_rates_set() takes), slack 100000%, a 739 MiB copy
 * and an idle engine of 1 cycle/KiB. The CPU's side, 7.9e20, wrapped to
 * 9.7e10 and the CPU was chosen.
 */
static void
test_rule_overflow(void)
{
	const uint64_t len = 774619136, slack_q8 = 256000;

	test_section("the rule's products saturate instead of wrapping");
	TEST_ASSERT(!oc_cpu_sooner(len * 1, len, 4000000, 1024, slack_q8),
		"a very slow CPU is not sooner than an idle engine");
	TEST_ASSERT(oc_cpu_sooner(UINT64_MAX - 1, 64, 20, 1024, 256),
		"an engine at the end of time is later than the CPU");
	TEST_ASSERT(!oc_cpu_sooner(1000, UINT64_MAX / 2, 3, 0, 256),
		"a CPU side past 2^64 is not sooner");
	/* The ordinary cases unchanged. */
	TEST_ASSERT(oc_cpu_sooner(64 * 100, 64, 20, 1024, 256),
		"an engine with a backlog: the CPU is sooner");
	TEST_ASSERT(!oc_cpu_sooner(65536 * 10, 65536, 20, 1024, 256),
		"a large copy on an idle engine: the engine");
}

/*
 * Low traffic: epochs of under OC_ADAPT_MIN_BYTES go on until they have
 * moved enough. Thrown away and begun again, they never ended, and a
 * probe begun before the traffic fell never did either.
 */
/*
 * A queue of one engine at time *now, its controller started, after a
 * busy first epoch of 10 MiB (one tick later): a probe of the threshold
 * begun, and settled one tick after (measuring).
 */
static void
tick_to_probe(struct ocopy_queue *q, struct ocopy *oc, uint64_t *now, uint64_t tick)
{
	memset(q, 0, sizeof(*q));
	q->oc = oc;
	q->nb_qe = 1;
	oc_adapt_init(q);
	oc_adapt_tick(q, *now);
	q->stats.submitted = q->stats.completed = 1000;
	q->stats.bytes = 10 << 20;
	*now += tick;
	oc_adapt_tick(q, *now);
	TEST_ASSERT(q->adapt.probing && q->adapt.place == THR, "a probe begun");
	*now += tick;
	oc_adapt_tick(q, *now);
	TEST_ASSERT(q->adapt.measuring, "the probe measures");
}

static void
test_tick_low_traffic(void)
{
	static struct ocopy oc = { .name = "adapt" };
	static struct ocopy_queue q;
	const uint64_t epoch_cyc = rte_get_tsc_hz() / 100;	/* 10 ms */
	uint64_t now = 1000;
	unsigned int i;

	test_section("low traffic: an epoch goes on until it moved enough, a probe ends");
	/* A busy first epoch, a probe of the threshold; then 100 KiB per 10 ms. */
	tick_to_probe(&q, &oc, &now, epoch_cyc);
	for (i = 0; i < 10 && q.adapt.probing; i++) {
		q.stats.submitted += 100;
		q.stats.completed += 100;
		q.stats.bytes += 100 << 10;
		now += epoch_cyc;
		oc_adapt_tick(&q, now);
	}
	printf("  probe over after %u ticks of 100 KiB: placement %u, %" PRIu64
		" epochs, %" PRIu64 " set aside\n", i, q.adapt.place,
		q.adapt.epochs, q.adapt.set_aside);
	/*
	 * 300 KiB in 30 ms, under half the first epoch's rate: set aside
	 * and measured again, once; then a loss.
	 */
	TEST_ASSERT(q.adapt.epochs == 3 && q.adapt.set_aside == 1,
		"the probe's epoch measured twice, the first set aside");
	TEST_ASSERT(i == 6 && !q.adapt.probing && q.adapt.place == HELP,
		"after twice 300 KiB the slow probe lost: back to help (%u ticks)", i);
}

/* n ticks, tick cycles apart, each after 1000 ops of bytes in all. */
static void
tick_traffic(struct ocopy_queue *q, uint64_t *now, unsigned int n,
		uint64_t tick, uint64_t bytes)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		q->stats.submitted += 1000;
		q->stats.completed += 1000;
		q->stats.bytes += bytes;
		*now += tick;
		oc_adapt_tick(q, *now);
	}
}

/*
 * A probe that spans a pause in the traffic lasts as long as the pause;
 * the kept placement's epochs after it are stretched to the probe's
 * length only up to OC_ADAPT_STRETCH_MAX_US (100 ms). After a probe
 * across an idle hour, 10 s of traffic measured no epoch at all, and the
 * next probe was 8 such hour-long epochs away.
 */
static void
test_tick_pause_in_probe(void)
{
	static struct ocopy oc = { .name = "adapt" };
	static struct ocopy_queue q;
	const uint64_t hz = rte_get_tsc_hz(), tick = hz / 100;	/* 10 ms */
	uint64_t now = 1000, epochs;

	test_section("a probe across a busy hour: kept epochs stretched 100 ms at most");
	tick_to_probe(&q, &oc, &now, tick);
	/* An hour at the first epoch's rate, in one epoch of the probe. */
	tick_traffic(&q, &now, 1, 3600 * hz, (uint64_t)360000 * (10 << 20));
	TEST_ASSERT(!q.adapt.probing && q.adapt.set_aside == 0, "the probe over");
	epochs = q.adapt.epochs;
	/* 10 s of 10 MiB per 10 ms. */
	tick_traffic(&q, &now, 1000, tick, 10 << 20);
	printf("  10 s after the probe: %" PRIu64 " epochs\n", q.adapt.epochs - epochs);
	TEST_ASSERT(q.adapt.epochs - epochs >= 90,
		"%" PRIu64 " epochs in 10 s of traffic (at least 90: 100 ms each at most)",
		q.adapt.epochs - epochs);
}

/*
 * A probe across an idle hour: its epoch, under half the kept rate, is
 * set aside and measured again, and the hour is not the probe's length.
 * Before, the probe lost at once, and the kept epochs after it were
 * stretched to 100 ms, long enough to hold the next pause.
 */
static void
test_tick_idle_in_probe(void)
{
	static struct ocopy oc = { .name = "adapt" };
	static struct ocopy_queue q;
	const uint64_t hz = rte_get_tsc_hz(), tick = hz / 100;	/* 10 ms */
	uint64_t now = 1000, epochs;

	test_section("a probe across an idle hour: set aside, measured again, kept epochs not stretched");
	tick_to_probe(&q, &oc, &now, tick);
	tick_traffic(&q, &now, 1, 3600 * hz, 10 << 20);
	TEST_ASSERT(q.adapt.probing && q.adapt.place == THR && q.adapt.set_aside == 1,
		"the probe's epoch set aside: the threshold measured again");
	tick_traffic(&q, &now, 1, tick, 10 << 20);
	TEST_ASSERT(!q.adapt.probing, "the probe over after one more epoch");
	TEST_ASSERT(q.adapt.probe_cyc <= 2 * tick,
		"the probe lasted %" PRIu64 " cycles, not the hour", q.adapt.probe_cyc);
	epochs = q.adapt.epochs;
	tick_traffic(&q, &now, 1000, tick, 10 << 20);
	printf("  10 s after the probe: %" PRIu64 " epochs\n", q.adapt.epochs - epochs);
	/* Kept epochs as long as the probe: its settling tick and its own. */
	TEST_ASSERT(q.adapt.epochs - epochs >= 450,
		"%" PRIu64 " epochs in 10 s of traffic (at least 450: 20 ms each)",
		q.adapt.epochs - epochs);
}

/*
 * An epoch's rate, bytes per million cycles, from an epoch of up to 2^64
 * bytes: bytes x 10^6 wrapped from 1.8e13 bytes (an hour at 5 GB/s).
 */
static void
test_rate_wide(void)
{
	const uint64_t bytes = UINT64_C(21600000000000), cyc = UINT64_C(3600) * 2100000000;
	struct oc_adapt a;

	test_section("an epoch of 21.6 TB over an hour: its rate, not a wrapped one");
	fresh(&a);
	oc_adapt_epoch(&a, bytes, cyc);
	TEST_ASSERT_EQUAL(a.tput[HELP], (uint64_t)((unsigned __int128)bytes * 1000000 / cyc),
		"bytes per Mcycle");
	fresh(&a);
	oc_adapt_epoch(&a, UINT64_MAX, 1);
	TEST_ASSERT_EQUAL(a.tput[HELP], UINT64_MAX, "saturated");
}

int
main(int argc, char **argv)
{
	static const struct test_opts opts = { .name = "ocopy_adapt" };
	static const unsigned int at[] = {
		1, 10, 19, 36, 53, 70, 103, 136, 169, 234, 299 };
	unsigned int probes[32];
	uint8_t tried[32];
	struct machine m;
	struct oc_adapt a;
	unsigned int h, i, nb;

	test_eal_init(argc, argv, &opts);

	test_section("CPU help 20%% better: kept, the others probed in turn, three each one epoch in nine, 17, 33, then one in 65");
	fresh(&a);
	m = (struct machine){ { 900000, 1000000, 1200000, 800000 } };
	h = run_probes(&a, &m, 900, HELP, probes, tried, RTE_DIM(probes), &nb);
	print_probes("with help", h, 900, &a, probes, tried, nb,
		RTE_DIM(probes));
	/*
	 * The first epoch measured, then three probes each 8, 16 and 32
	 * epochs apart, then 64: the threshold, the CPU, engines in turn.
	 */
	for (i = 0; i < RTE_DIM(at); i++) {
		static const uint8_t turn[] = { THR, CPU, ENG };

		TEST_ASSERT_EQUAL(probes[i], at[i], "probe %u's epoch", i);
		TEST_ASSERT_EQUAL(tried[i], turn[i % 3], "probe %u's placement",
			i);
	}
	/* Then every 65th epoch from 234: 9 + 11 probes in 900. */
	TEST_ASSERT_EQUAL(nb, 20, "probes");
	TEST_ASSERT_EQUAL(h, 900 - 20, "help epochs");
	TEST_ASSERT(a.place == HELP && a.epochs == 900, "help kept, 900 epochs");
	TEST_ASSERT_EQUAL(a.changes, 0, "no move kept");
	TEST_ASSERT_EQUAL(a.tput[ENG], 900000, "measured by engines");
	TEST_ASSERT_EQUAL(a.tput[THR], 1000000, "measured by threshold");
	TEST_ASSERT_EQUAL(a.tput[HELP], 1200000, "measured with help");
	TEST_ASSERT_EQUAL(a.tput[CPU], 800000, "measured on the CPU");

	test_section("CPU help 10%% worse (memory-bound): by threshold, the others probed less and less");
	fresh(&a);
	m = (struct machine){ { 1000000, 1100000, 1000000, 900000 } };
	h = run_probes(&a, &m, 900, HELP, probes, tried, RTE_DIM(probes), &nb);
	print_probes("with help", h, 900, &a, probes, tried, nb,
		RTE_DIM(probes));
	/*
	 * The first epoch, the probe of the threshold that won (epoch 1),
	 * one epoch of help, the same probe again, which won again and moved
	 * (epoch 3), then probes of the others in turn at 12, 21, 30 (8
	 * epochs apart after the move), 16 and 32 apart, and every 65th
	 * epoch from 245: 20 of them.
	 */
	TEST_ASSERT_EQUAL(nb, 22, "probes");
	TEST_ASSERT(probes[0] == 1 && tried[0] == THR && probes[1] == 3 &&
		tried[1] == THR, "the threshold won at 1, confirmed at 3 (%u, %s)",
		probes[1], ocopy_placement_name(tried[1]));
	TEST_ASSERT(probes[2] == 12 && tried[2] == HELP,
		"first probe after the move: help at 12 (%u, %s)", probes[2],
		ocopy_placement_name(tried[2]));
	TEST_ASSERT(probes[3] == 21 && tried[3] == CPU, "then the CPU at 21");
	TEST_ASSERT(probes[4] == 30 && tried[4] == ENG, "then engines at 30");
	TEST_ASSERT_EQUAL(probes[5], 47, "probes backed off");
	TEST_ASSERT_EQUAL(probes[11], 245, "and off to 64 epochs");
	/* Help: epochs 0 and 2, and one probe in three of the 20. */
	TEST_ASSERT_EQUAL(h, 2 + 7, "help epochs");
	TEST_ASSERT_EQUAL(a.kept, THR, "by threshold");
	TEST_ASSERT_EQUAL(a.changes, 1, "one move kept");

	test_section("the core best copying everything, help the worst: the CPU, past a worse placement");
	/*
	 * dpdk-test-offload checking every copy, an engine on the sibling
	 * core: copying all moves the most, helping the least; by engines or
	 * threshold lie between. Not a slope to climb step by step.
	 */
	fresh(&a);
	m = (struct machine){ { 1000000, 800000, 600000, 1150000 } };
	h = run_probes(&a, &m, 900, CPU, probes, tried, RTE_DIM(probes), &nb);
	print_probes("on the CPU", h, 900, &a, probes, tried, nb,
		RTE_DIM(probes));
	TEST_ASSERT(tried[0] == THR && tried[1] == THR && tried[2] == HELP &&
		tried[3] == CPU && tried[4] == CPU,
		"the threshold (twice: a move), help again, then the CPU (twice)");
	TEST_ASSERT_EQUAL(a.kept, CPU, "the CPU kept");
	TEST_ASSERT_EQUAL(a.changes, 2, "two moves: threshold, CPU");
	TEST_ASSERT(h >= 900 - 30 - nb, "%u epochs on the CPU", h);

	test_section("engines best for every copy: kept");
	fresh(&a);
	m = (struct machine){ { 1300000, 1000000, 900000, 700000 } };
	h = run(&a, &m, 900, ENG);
	printf("  %u of 900 epochs by engines, %" PRIu64 " moves\n", h,
		a.changes);
	TEST_ASSERT_EQUAL(a.kept, ENG, "engines kept");
	TEST_ASSERT(h >= 900 - 60, "%u epochs by engines", h);

	test_section("the kept placement's running mean moves by 10%%: the back-off starts again");
	fresh(&a);
	m = help_vs(800000, 1200000);
	run(&a, &m, 300, 0);
	to_probe_end(&a, &m);
	TEST_ASSERT(a.place == HELP && a.stay == 64 && a.left == 64,
		"backed off: help kept, next probe in 64 epochs (left %u, stay %u)",
		a.left, a.stay);
	m = help_vs(800000, 1300000);
	run(&a, &m, 16, 0);	/* +8%: the mean moves by less */
	TEST_ASSERT(a.stay == 64 && a.left == 48,
		"+8%%: nothing changes (left %u, stay %u)", a.left, a.stay);
	/* -20%: within a few epochs the mean has moved by 10%. */
	m = help_vs(800000, 960000);
	h = epochs_until_stay(&a, &m, 8, 12);
	printf("  -20%%: the back-off restarted after %u epochs\n", h);
	TEST_ASSERT(h >= 2 && h <= 8, "-20%%: back-off restarted after %u epochs",
		h);
	TEST_ASSERT(a.left <= 7, "next probe within 8 epochs (left %u)", a.left);
	/* Help still 20% better: kept, and backing off again from 8. */
	for (i = 0; i < 3; i++)
		to_probe_end(&a, &m);
	TEST_ASSERT(a.place == HELP && a.stay == 16 && a.left == 16,
		"kept, backing off again (left %u, stay %u)", a.left, a.stay);
	m = help_vs(800000, 1200000);	/* +25% */
	h = epochs_until_stay(&a, &m, 8, 12);
	TEST_ASSERT(h >= 1 && h <= 8, "+25%%: back-off restarted after %u epochs",
		h);

	test_section("one noisy epoch of the kept placement does not decide a probe");
	fresh(&a);
	m = help_vs(1000000, 1200000);
	run(&a, &m, 300, 0);
	to_probe_end(&a, &m);
	/* 63 epochs of help at 1.2, the 64th at 0.9: mean 1.16. */
	run(&a, &m, 63, 0);
	TEST_ASSERT(!a.probing, "not probing yet");
	m = help_vs(1000000, 900000);
	run(&a, &m, 1, 0);
	TEST_ASSERT(a.probing && a.stay == 64, "probing, still backed off");
	m = help_vs(1000000, 1200000);
	run(&a, &m, 1, 0);
	TEST_ASSERT(a.place == HELP && a.changes == 0,
		"help kept (%" PRIu64 " / %" PRIu64 " bytes per Mcycle by threshold / with help)",
		a.tput[THR], a.tput[HELP]);

	test_section("one lucky probe epoch does not move: a win is probed again before a move");
	fresh(&a);
	m = help_vs(1000000, 1200000);
	run(&a, &m, 300, 0);
	/* Up to the next probe of the threshold; that one epoch at 1.5. */
	for (i = 0; i < 400 && !(a.probing && a.place == THR); i++)
		run(&a, &m, 1, 0);
	TEST_ASSERT(a.probing && a.place == THR, "a probe of the threshold");
	TEST_ASSERT_EQUAL(oc_adapt_epoch(&a, 1500000, MCYC), HELP,
		"the lucky epoch: back to help, no move yet");
	TEST_ASSERT(a.kept == HELP && a.left == 1 && a.changes == 0,
		"help kept, the threshold probed again after one epoch");
	run(&a, &m, 1, 0);
	TEST_ASSERT(a.probing && a.place == THR, "the threshold probed again");
	run(&a, &m, 1, 0);
	TEST_ASSERT(a.kept == HELP && a.place == HELP && a.changes == 0,
		"it loses at 1.0: help kept, no move (%" PRIu64 " moves)", a.changes);

	test_section("a pause in the kept epoch before each probe: set aside, no move");
	/*
	 * Help 10% better; before each probe one kept epoch moves a tenth
	 * (the application paused in it). Folded into the mean, it took
	 * 11% off it: the threshold won twice against it and the queue moved
	 * to the worse placement, and back.
	 */
	fresh(&a);
	m = help_vs(1000000, 1100000);
	run(&a, &m, 100, 0);
	TEST_ASSERT(a.kept == HELP && a.changes == 0, "help kept");
	for (i = 0, h = 0, nb = 0; i < 1000; i++) {
		uint64_t avg = a.kept_avg;

		if (!a.probing && a.left == 1) {
			/* The paused epoch: nothing changes. */
			nb += oc_adapt_epoch(&a, 1100000, 10 * MCYC) != HELP ||
					a.kept_avg != avg || a.left != 1;
			h++;
		}
		run(&a, &m, 1, 0);
	}
	printf("  %u paused epochs: %" PRIu64 " set aside, %" PRIu64 " moves\n", h,
		a.set_aside, a.changes);
	TEST_ASSERT(a.kept == HELP && a.changes == 0, "help kept, no move");
	TEST_ASSERT(h >= 10 && a.set_aside == h, "%u paused epochs set aside", h);
	TEST_ASSERT_EQUAL(nb, 0,
		"each left the placement, the mean and the count before the probe as they were");

	test_section("a probe across a pause: measured again, once");
	fresh(&a);
	m = (struct machine){ { 1000000, 1200000, 1000000, 1000000 } };
	run(&a, &m, 1, 0);
	TEST_ASSERT(a.probing && a.place == THR, "the threshold probed");
	TEST_ASSERT_EQUAL(oc_adapt_epoch(&a, 1000000, 10 * MCYC), THR,
		"paused: the threshold measured again");
	TEST_ASSERT(a.probing && a.set_aside == 1, "still probing, one set aside");
	run(&a, &m, 3, 0);
	TEST_ASSERT(a.kept == THR && a.changes == 1,
		"it won, twice: by threshold, 20%% better");
	fresh(&a);
	run(&a, &m, 1, 0);
	oc_adapt_epoch(&a, 1000000, 10 * MCYC);
	TEST_ASSERT_EQUAL(oc_adapt_epoch(&a, 1000000, 10 * MCYC), HELP,
		"under half twice: a loss, back to help");
	TEST_ASSERT(!a.probing && a.set_aside == 1 && a.reprobe == 0,
		"the probe over, its first epoch alone set aside");

	test_section("three kept epochs under half the mean in a row: a new level");
	fresh(&a);
	m = help_vs(1000000, 1200000);
	run(&a, &m, 300, 0);
	to_probe_end(&a, &m);
	TEST_ASSERT(a.stay == 64, "backed off");
	m = help_vs(250000, 300000);	/* the machine at a quarter */
	run(&a, &m, 2, 0);
	TEST_ASSERT(a.kept_avg > 1100000 && a.set_aside == 2,
		"two set aside, the mean kept (%" PRIu64 ")", a.kept_avg);
	run(&a, &m, 1, 0);
	TEST_ASSERT(a.kept_avg == 300000 && a.stay == 8 && a.left <= 8,
		"the third: the mean starts again from it, probes within 8 epochs (mean %"
		PRIu64 ", left %u)", a.kept_avg, a.left);
	run(&a, &m, 200, 0);
	TEST_ASSERT(a.kept == HELP && a.set_aside == 2 && a.changes == 0,
		"help kept at the new level, nothing more set aside");

	test_section("a lull of 4 kept epochs at a tenth, then the traffic back: no move");
	/*
	 * The third epoch of the lull sets a new level; the traffic back,
	 * over twice that mean, is set aside twice and sets the level again.
	 * Climbing back an eighth an epoch instead, the mean lost every
	 * probe's comparison: help 10% better, the queue moved away 3 times
	 * in each such lull.
	 */
	fresh(&a);
	m = help_vs(1000000, 1100000);
	run(&a, &m, 300, 0);
	while (a.probing)
		run(&a, &m, 1, 0);
	h = (unsigned int)a.changes;
	for (i = 0; i < 4; i++) {
		if (a.probing)
			run(&a, &m, 1, 0);
		else	/* the same bytes in ten times the time */
			oc_adapt_epoch(&a, m.r[a.place], 10 * MCYC);
	}
	TEST_ASSERT(a.kept_avg <= 110000 * 2, "a new level set in the lull (mean %" PRIu64 ")",
		a.kept_avg);
	run(&a, &m, 200, 0);
	printf("  after the lull: %" PRIu64 " moves, mean %" PRIu64 ", %" PRIu64 " set aside\n",
		a.changes - h, a.kept_avg, a.set_aside);
	TEST_ASSERT(a.kept == HELP && a.changes == h, "help kept, no move (%" PRIu64 ")",
		a.changes - h);
	TEST_ASSERT(a.kept_avg > 1000000, "the mean back at help's rate (%" PRIu64 ")",
		a.kept_avg);

	test_section("ties, or better by less than the margin: towards the threshold");
	fresh(&a);
	m = help_vs(1000000, 1000000);
	run(&a, &m, 200, 0);
	TEST_ASSERT(a.kept == THR && a.changes == 1, "all tie: by threshold");
	fresh(&a);
	m = help_vs(1000000, 1040000);
	run(&a, &m, 200, 0);
	TEST_ASSERT_EQUAL(a.kept, THR, "help 4%% better: by threshold");
	fresh(&a);
	m = help_vs(1000000, 1060000);
	run(&a, &m, 200, 0);
	TEST_ASSERT(a.kept == HELP && a.changes == 0, "help 6%% better: kept");
	fresh(&a);
	m = (struct machine){ { 1040000, 1000000, 1000000, 1040000 } };
	run(&a, &m, 200, 0);
	TEST_ASSERT_EQUAL(a.kept, THR, "engines or the CPU 4%% better: by threshold");
	/* Equally far from the threshold: the kept one stays, on a tie. */
	fresh(&a);
	m = (struct machine){ { 1200000, 1000000, 1200000, 900000 } };
	run(&a, &m, 200, 0);
	TEST_ASSERT(a.kept == HELP && a.changes == 0,
		"engines as good as help: help kept");

	test_section("the machine changes: the controller follows");
	fresh(&a);
	m = help_vs(1000000, 1200000);
	run(&a, &m, 90, 0);
	TEST_ASSERT_EQUAL(a.kept, HELP, "help first");
	m = (struct machine){ { 1000000, 1200000, 1000000, 1000000 } };
	run(&a, &m, 3 * 18, 0);
	TEST_ASSERT_EQUAL(a.kept, THR, "then by threshold within three probes");
	m = (struct machine){ { 1000000, 1000000, 1000000, 1300000 } };
	run(&a, &m, 3 * 18, 0);
	TEST_ASSERT_EQUAL(a.kept, CPU, "then the CPU within three probes");
	m = (struct machine){ { 1400000, 1000000, 1000000, 1000000 } };
	run(&a, &m, 3 * 18, 0);
	TEST_ASSERT_EQUAL(a.kept, ENG, "then engines within three probes");

	test_section("epochs with too little traffic tell nothing");
	fresh(&a);
	m = help_vs(1000000, 1200000);
	run(&a, &m, 20, 0);	/* settled with help on */
	TEST_ASSERT(a.place == HELP && !a.probing, "help on, not probing");
	h = (unsigned int)a.epochs;
	m = help_vs(1000, 100);
	TEST_ASSERT_EQUAL(run(&a, &m, 50, HELP), 50, "idle: help stays on");
	TEST_ASSERT_EQUAL(a.epochs, h, "no epoch counted");
	TEST_ASSERT_EQUAL(oc_adapt_epoch(&a, 10 * 1024 * 1024, 0), HELP,
		"zero cycles: nothing changes");
	TEST_ASSERT_EQUAL(a.epochs, h, "no epoch counted");

	TEST_ASSERT_EQUAL(nb_thresholds, 0,
		"synthetic epochs never take the queue-level path");
	test_rate_fold();
	test_rule_overflow();
	test_tick_moved();
	test_tick_low_traffic();
	test_tick_pause_in_probe();
	test_tick_idle_in_probe();
	test_rate_wide();

	test_section("cpu_help=on and off start with help and by threshold");
	oc_adapt_reset(&a, OCOPY_CPU_HELP_ON);
	TEST_ASSERT(!a.on && a.place == HELP, "on: help, not adapting");
	oc_adapt_reset(&a, OCOPY_CPU_HELP_OFF);
	TEST_ASSERT(!a.on && a.place == THR, "off: by threshold, not adapting");

	return test_done();
}
