/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

#ifndef VSW_ARGS_H
#define VSW_ARGS_H

/*
 * Start-up helpers shared by dpdk-vswitch-copy and its peer: EAL start,
 * the quit flag SIGINT and SIGTERM set, and strict option numbers. Main
 * thread, before anything else runs.
 */

#include <stdbool.h>
#include <stdint.h>

/*
 * rte_eal_init(), then *argc and *argv cover the application's arguments
 * only (what follows EAL's "--"). 0, or -1 with a message on stderr.
 */
int vsw_eal_start(int *argc, char ***argv);

/* SIGINT and SIGTERM set *quit (relaxed atomic store); SIGPIPE is ignored. */
void vsw_quit_on_signals(volatile bool *quit);

/*
 * The value of option --opt: decimal digits only, within [min, max]. 0,
 * or -1 with a message naming the option and the range.
 */
int vsw_parse_num(const char *opt, const char *s, uint64_t min, uint64_t max,
		uint64_t *v);

/*
 * Two such numbers as "A:B" (names: how the message spells them, e.g.
 * "START_MS:LENGTH_MS"), A within [min_a, max_a], B within [min_b, max_b].
 */
int vsw_parse_num_pair(const char *opt, const char *names, const char *s,
		uint64_t min_a, uint64_t max_a, uint64_t *a,
		uint64_t min_b, uint64_t max_b, uint64_t *b);

#endif /* VSW_ARGS_H */
