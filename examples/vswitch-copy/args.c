/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * Start-up helpers shared by the switch (main.c) and its traffic peer
 * (peer/peer.c), so that both start EAL, stop on a signal and check their
 * numeric options the same way.
 */

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "args.h"

static volatile bool *quit_flag;

int
vsw_eal_start(int *argc, char ***argv)
{
	int ret = rte_eal_init(*argc, *argv);

	if (ret < 0) {
		fprintf(stderr, "EAL init failed: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	*argc -= ret;
	*argv += ret;
	return 0;
}

static void
on_signal(int sig)
{
	RTE_SET_USED(sig);
	__atomic_store_n(quit_flag, true, __ATOMIC_RELAXED);
}

void
vsw_quit_on_signals(volatile bool *quit)
{
	quit_flag = quit;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	/*
	 * A vhost-user peer gone: virtio-user's sendmsg() (DPDK 22.11) does
	 * not say MSG_NOSIGNAL, and the SIGPIPE killed a peer whose switch
	 * had exited, before its result line. The call fails with EPIPE
	 * instead, and the program goes on to its end.
	 */
	signal(SIGPIPE, SIG_IGN);
}

int
vsw_parse_num(const char *opt, const char *s, uint64_t min, uint64_t max,
		uint64_t *v)
{
	char *end;

	errno = 0;
	/* strtoull() would take leading blanks and a sign. */
	if (s == NULL || *s < '0' || *s > '9')
		goto bad;
	*v = strtoull(s, &end, 10);
	if (errno == 0 && *end == '\0' && *v >= min && *v <= max)
		return 0;
bad:
	fprintf(stderr, "--%s: '%s' is not a number in %" PRIu64 "..%" PRIu64 "\n",
			opt, s != NULL ? s : "", min, max);
	return -1;
}

int
vsw_parse_num_pair(const char *opt, const char *names, const char *s,
		uint64_t min_a, uint64_t max_a, uint64_t *a,
		uint64_t min_b, uint64_t max_b, uint64_t *b)
{
	const char *colon = strchr(s, ':');
	char *first;
	int ret;

	if (colon == NULL) {
		fprintf(stderr, "--%s: expected %s, got '%s'\n", opt, names, s);
		return -1;
	}
	/* The first number alone, however long: its own message if bad. */
	first = strndup(s, colon - s);
	if (first == NULL) {
		fprintf(stderr, "--%s: out of memory\n", opt);
		return -1;
	}
	ret = vsw_parse_num(opt, first, min_a, max_a, a);
	free(first);
	if (ret != 0 || vsw_parse_num(opt, colon + 1, min_b, max_b, b) != 0)
		return -1;
	return 0;
}
