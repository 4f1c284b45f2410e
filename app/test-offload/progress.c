/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * Progress display of long runs, on stderr: which case runs, how many are
 * done, the time spent and an estimate of the time left. By default only
 * when stderr is a terminal (--progress forces it, --no-progress turns it
 * off), so logs, pipes and CI stay clean.
 *
 * On a terminal, one line is rewritten in place ('\r', erase to the end of
 * line) and erased before anything else is printed (to_progress_clear(),
 * called by every writer of the table), so it never mixes with the table
 * even when stdout and stderr are the same terminal. Forced on a
 * non-terminal, it prints whole lines, to stderr only: the table on stdout
 * and the CSV and JSON files never contain it.
 *
 * Main lcore only. During a measured run the main lcore, when it is not a
 * worker itself, refreshes the line while it waits (worker.c).
 */

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "main.h"

#define TICK_MS	500

static bool on;
static bool tty;
static bool shown;		/* a line is on the terminal */
static unsigned int total;
static unsigned int done;
static double per_case_s;	/* warm-up + measured time of one case, estimated */
static uint64_t t_start;
static uint64_t t_last;
static char label[128];

void
to_progress_init(int mode, unsigned int nb_cases, double case_s)
{
	tty = isatty(STDERR_FILENO) == 1;
	on = mode > 0 || (mode < 0 && tty);
	tty = tty && on;
	total = nb_cases;
	done = 0;
	per_case_s = case_s;
	t_start = rte_get_timer_cycles();
	t_last = 0;
}

static void
show(void)
{
	double elapsed = (double)(rte_get_timer_cycles() - t_start) / rte_get_timer_hz();
	double left = (total - done) * per_case_s;

	t_last = rte_get_timer_cycles();
	if (tty)
		fprintf(stderr, "\r\033[K");
	fprintf(stderr, "[%u/%u] %s, %.0f s elapsed, about %.0f s left%s", done + 1, total,
		label, elapsed, left, tty ? "" : "\n");
	fflush(stderr);
	shown = tty;
}

void
to_progress_case(const char *what)
{
	if (!on)
		return;
	snprintf(label, sizeof(label), "%s", what);
	show();
}

void
to_progress_tick(void)
{
	if (!on || !tty || label[0] == '\0')
		return;
	if (rte_get_timer_cycles() - t_last < TICK_MS * rte_get_timer_hz() / 1000)
		return;
	show();
}

void
to_progress_case_done(void)
{
	if (on && done < total)
		done++;
}

void
to_progress_clear(void)
{
	if (!shown)
		return;
	fprintf(stderr, "\r\033[K");
	fflush(stderr);
	shown = false;
}
