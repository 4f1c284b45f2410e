/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * dpdk-vswitch-copy: a vhost-user switch whose packet copies go through
 * the offload_copy library (by way of the dma_offload dmadev, which vhost's
 * async API drives), or through plain CPU vhost (--no-offload).
 *
 * This file: options, EAL and dmadev set-up, the control thread (periodic
 * stats, the stall test, the run time limit), signals and shutdown. The
 * main lcore runs the switching loop (switch.c); vhost's callbacks are in
 * vhost.c.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <ocopy.h>

#include "args.h"
#include "main.h"

RTE_LOG_REGISTER(vsw_logtype, user.vswitch_copy, INFO);

struct vsw_conf vsw_conf;
struct vsw_port vsw_ports[VSW_MAX_PORTS];
struct vsw_core_stats vsw_core;
struct rte_mempool *vsw_pool;
struct ocopy *vsw_oc;
volatile bool vsw_quit;
volatile bool vsw_dp_running;
volatile bool vsw_test_noreap;

static unsigned int duration_s;		/* 0: until a signal */
static int pool_reg = -1;
static uint32_t baseline_segments;	/* mapped before any guest came */

static void
usage(const char *prog)
{
	printf("Usage: %s [EAL options] -- --socket PATH [--socket PATH ...] [options]\n"
		"  --socket PATH        a vhost-user port (repeat, up to %d)\n"
		"  --client             connect to the sockets (default: listen on them)\n"
		"  --pairs              port pairs 0<->1, 2<->3, ... (default: MAC learning)\n"
		"  --no-offload         synchronous CPU copies in vhost (no dmadev)\n"
		"  --dma NAME           dmadev for vhost's async copies (default dma_offload0)\n"
		"  --dma-desc N         descriptors of its vchan (default 4096)\n"
		"  --mbufs N            mbufs in the pool (default 16383)\n"
		"  --mbuf-size N        mbuf data room (default %u)\n"
		"  --stats S            print the stats every S seconds (default 0: at exit only)\n"
		"  --duration S         stop after S seconds (default: at SIGINT/SIGTERM)\n"
		"  --idle-yield         give the core away in idle loops (cores shared with guests)\n"
		"  --drain-timeout-ms N say so when a drain of in-flight copies takes this long,\n"
		"                       and again each period; it still waits (default 5000)\n"
		"  --hold-ms N          frames for a guest that takes none wait this long, up to\n"
		"                       %u per port, before they are dropped (default 1000)\n"
		"  --test-stall A:L     test: stall the library's engines A ms after the first\n"
		"                       packet, for L ms\n"
		"  --test-no-reap A:L   test: A ms after the first packet, stop reaping the\n"
		"                       last port's receive completions for L ms\n",
		prog, VSW_MAX_PORTS, RTE_MBUF_DEFAULT_BUF_SIZE, VSW_BACKLOG);
}

/* A test window, START_MS:LENGTH_MS (--test-stall, --test-no-reap). */
static int
parse_window(const char *opt, const char *arg, struct vsw_test_window *w)
{
	uint64_t at, len;

	if (vsw_parse_num_pair(opt, "START_MS:LENGTH_MS", arg, 1, 3600000, &at,
			1, 3600000, &len) != 0)
		return -1;
	w->at_ms = (unsigned int)at;
	w->ms = (unsigned int)len;
	return 0;
}

/*
 * Whether a test window has begun, and ended, at ms after start, the
 * first packet switched at traffic_ms (0: none yet).
 */
static bool
window_begun(const struct vsw_test_window *w, uint64_t traffic_ms, uint64_t ms)
{
	return w->at_ms != 0 && traffic_ms != 0 && ms >= traffic_ms + w->at_ms;
}

static bool
window_ended(const struct vsw_test_window *w, uint64_t traffic_ms, uint64_t ms)
{
	return window_begun(w, traffic_ms, ms) && ms >= traffic_ms + w->at_ms + w->ms;
}

#define SUN_PATH_LEN	sizeof(((struct sockaddr_un *)0)->sun_path)

/*
 * Whether two socket paths name one socket: the same file when both
 * exist, else the same name in the same folder (a server's socket does
 * not exist yet).
 */
static bool
same_socket(const char *a, const char *b)
{
	char da[PATH_MAX], db[PATH_MAX], na[PATH_MAX], nb[PATH_MAX];
	struct stat sa, sb;

	if (strcmp(a, b) == 0)
		return true;
	if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	snprintf(da, sizeof(da), "%s", a);
	snprintf(db, sizeof(db), "%s", b);
	snprintf(na, sizeof(na), "%s", a);
	snprintf(nb, sizeof(nb), "%s", b);
	return strcmp(basename(na), basename(nb)) == 0 &&
		stat(dirname(da), &sa) == 0 && stat(dirname(db), &sb) == 0 &&
		sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int
parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "client", no_argument, NULL, 'c' },
		{ "pairs", no_argument, NULL, 'p' },
		{ "no-offload", no_argument, NULL, 'n' },
		{ "dma", required_argument, NULL, 'd' },
		{ "dma-desc", required_argument, NULL, 'D' },
		{ "mbufs", required_argument, NULL, 'm' },
		{ "mbuf-size", required_argument, NULL, 'M' },
		{ "stats", required_argument, NULL, 'S' },
		{ "duration", required_argument, NULL, 't' },
		{ "drain-timeout-ms", required_argument, NULL, 'T' },
		{ "hold-ms", required_argument, NULL, 'H' },
		{ "test-stall", required_argument, NULL, 'X' },
		{ "test-no-reap", required_argument, NULL, 'R' },
		{ "idle-yield", no_argument, NULL, 'Y' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool dma_given = false;
	uint64_t v;
	int c;

	vsw_conf.offload = true;
	snprintf(vsw_conf.dma_name, sizeof(vsw_conf.dma_name), "dma_offload0");
	vsw_conf.dma_desc = 4096;
	vsw_conf.nb_mbufs = 16383;
	vsw_conf.mbuf_size = RTE_MBUF_DEFAULT_BUF_SIZE;
	vsw_conf.drain_timeout_us = 5000000;
	vsw_conf.hold_cycles = rte_get_tsc_hz();	/* 1000 ms */

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (vsw_conf.nb_ports == VSW_MAX_PORTS) {
				fprintf(stderr, "--socket: at most %d ports\n", VSW_MAX_PORTS);
				return -1;
			}
			/* A Unix socket's path: vhost would cut a longer one. */
			if (strlen(optarg) == 0 || strlen(optarg) >= SUN_PATH_LEN) {
				fprintf(stderr, "--socket: bad path '%s': 1 to %zu characters (a Unix socket's)\n",
						optarg, SUN_PATH_LEN - 1);
				return -1;
			}
			for (v = 0; v < vsw_conf.nb_ports; v++)
				if (same_socket(vsw_ports[v].path, optarg)) {
					fprintf(stderr, "--socket: %s given twice (as %s)\n", optarg,
							vsw_ports[v].path);
					return -1;
				}
			strcpy(vsw_ports[vsw_conf.nb_ports++].path, optarg);
			break;
		case 'c':
			vsw_conf.client = true;
			break;
		case 'p':
			vsw_conf.pairs = true;
			break;
		case 'n':
			vsw_conf.offload = false;
			break;
		case 'd':
			dma_given = true;
			if (strlen(optarg) == 0 || strlen(optarg) >= sizeof(vsw_conf.dma_name)) {
				fprintf(stderr, "--dma: bad dmadev name '%s'\n", optarg);
				return -1;
			}
			strcpy(vsw_conf.dma_name, optarg);
			break;
		case 'D':
			dma_given = true;
			if (vsw_parse_num("dma-desc", optarg, 32, 32768, &v) != 0)
				return -1;
			vsw_conf.dma_desc = v;
			break;
		case 'm':
			if (vsw_parse_num("mbufs", optarg, 1024, 1 << 24, &v) != 0)
				return -1;
			vsw_conf.nb_mbufs = v;
			break;
		case 'M':
			if (vsw_parse_num("mbuf-size", optarg, RTE_PKTMBUF_HEADROOM + 128,
					UINT16_MAX, &v) != 0)
				return -1;
			vsw_conf.mbuf_size = v;
			break;
		case 'S':
			if (vsw_parse_num("stats", optarg, 0, 3600, &v) != 0)
				return -1;
			vsw_conf.stats_period = v;
			break;
		case 't':
			if (vsw_parse_num("duration", optarg, 1, 86400, &v) != 0)
				return -1;
			duration_s = v;
			break;
		case 'T':
			if (vsw_parse_num("drain-timeout-ms", optarg, 1, 600000, &v) != 0)
				return -1;
			vsw_conf.drain_timeout_us = v * 1000;
			break;
		case 'H':
			if (vsw_parse_num("hold-ms", optarg, 1, 600000, &v) != 0)
				return -1;
			vsw_conf.hold_cycles = v * rte_get_tsc_hz() / 1000;
			break;
		case 'X':
			if (parse_window("test-stall", optarg, &vsw_conf.stall) != 0)
				return -1;
			break;
		case 'R':
			if (parse_window("test-no-reap", optarg, &vsw_conf.noreap) != 0)
				return -1;
			break;
		case 'Y':
			vsw_conf.idle_yield = true;
			break;
		case 'h':
			usage(argv[0]);
			exit(0);
		default:
			usage(argv[0]);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (vsw_conf.nb_ports == 0) {
		fprintf(stderr, "at least one --socket is needed\n");
		return -1;
	}
	if (vsw_conf.pairs && vsw_conf.nb_ports % 2 != 0) {
		fprintf(stderr, "--pairs needs an even number of ports, got %u\n",
				vsw_conf.nb_ports);
		return -1;
	}
	if (vsw_conf.stall.at_ms != 0 && !vsw_conf.offload) {
		fprintf(stderr, "--test-stall needs the offload path (no --no-offload)\n");
		return -1;
	}
	if (vsw_conf.noreap.at_ms != 0 && !vsw_conf.offload) {
		fprintf(stderr, "--test-no-reap needs the offload path (no --no-offload)\n");
		return -1;
	}
	if (dma_given && !vsw_conf.offload) {
		fprintf(stderr, "--dma and --dma-desc need the offload path (no --no-offload)\n");
		return -1;
	}
	return 0;
}

/*
 * Configure and start the dmadev, one vchan per port, and find the library
 * behind it. One vchan per port, not one for all: vhost's async path
 * polls a vchan's completions from whichever thread calls it, the
 * switching lcore for every port, or vhost's event thread while it drains
 * one guest's queues (every queue of that guest locked then), and a vchan
 * is one thread's at a time (dma_offload: one library queue, no locks).
 * A port's vchan is only used under its guest's queue locks, or by the
 * control side once the datapath has let go of the port.
 */
static int
dma_setup(void)
{
	struct rte_dma_conf dconf = { .nb_vchans = vsw_conf.nb_ports };
	struct rte_dma_vchan_conf vconf = {
		.direction = RTE_DMA_DIR_MEM_TO_MEM,
	};
	struct rte_dma_info info;
	int id = rte_dma_get_dev_id_by_name(vsw_conf.dma_name);
	uint16_t v;

	if (id < 0) {
		VSW_LOG(ERR, "no dmadev %s: create it with --vdev (e.g. --vdev dma_sw0 --vdev dma_offload0,engines=dma_sw0), or use --no-offload",
				vsw_conf.dma_name);
		return -ENODEV;
	}
	vsw_conf.dma_id = id;
	if (rte_dma_info_get(id, &info) != 0)
		return -ENODEV;
	if (info.max_vchans < vsw_conf.nb_ports) {
		VSW_LOG(ERR, "dmadev %s has %u vchan(s), the switch needs one per port (%u): use dma_offload (64)",
				vsw_conf.dma_name, info.max_vchans, vsw_conf.nb_ports);
		return -EINVAL;
	}
	vconf.nb_desc = RTE_MIN(RTE_MAX(vsw_conf.dma_desc, info.min_desc), info.max_desc);
	if (rte_dma_configure(id, &dconf) != 0) {
		VSW_LOG(ERR, "cannot configure dmadev %s with %u vchans",
				vsw_conf.dma_name, dconf.nb_vchans);
		return -EINVAL;
	}
	for (v = 0; v < dconf.nb_vchans; v++)
		if (rte_dma_vchan_setup(id, v, &vconf) != 0) {
			VSW_LOG(ERR, "cannot set up vchan %u of dmadev %s",
					v, vsw_conf.dma_name);
			return -EINVAL;
		}
	if (rte_dma_start(id) != 0) {
		VSW_LOG(ERR, "cannot start dmadev %s", vsw_conf.dma_name);
		return -EINVAL;
	}
	/* The dma_offload device names its library instance after itself. */
	vsw_oc = ocopy_find(vsw_conf.dma_name);
	if (vsw_oc == NULL) {
		VSW_LOG(WARNING, "%s is no dma_offload device: guest memory is not registered for it, its engine must reach it by itself",
				vsw_conf.dma_name);
		return 0;
	}
	pool_reg = ocopy_mem_register_mempool(vsw_oc, vsw_pool);
	if (pool_reg < 0) {
		VSW_LOG(ERR, "cannot register the mbuf pool for DMA: %s",
				strerror(-pool_reg));
		return pool_reg;
	}
	vsw_map_counts(NULL, NULL, &baseline_segments);
	VSW_LOG(INFO, "copies through %s: %u engine(s), mbuf pool registered (%u segment(s) mapped)",
			vsw_conf.dma_name, ocopy_engine_count(vsw_oc), baseline_segments);
	return 0;
}

static void
dma_teardown(void)
{
	if (vsw_oc != NULL && pool_reg >= 0)
		ocopy_mem_unregister(vsw_oc, pool_reg);
	pool_reg = -1;
	rte_dma_stop(vsw_conf.dma_id);
	rte_dma_close(vsw_conf.dma_id);
	vsw_oc = NULL;
}

/* Control thread: periodic stats, the stall test, the stuck-copy watch, the run time limit. */
static uint32_t
control_thread(void *arg __rte_unused)
{
	uint64_t hz = rte_get_timer_hz(), start = rte_get_timer_cycles();
	uint64_t next_stats = start + vsw_conf.stats_period * hz;
	bool stalled = false, stall_done = false, noreap;
	uint64_t traffic_ms = 0;

	while (!__atomic_load_n(&vsw_quit, __ATOMIC_RELAXED)) {
		uint64_t now = rte_get_timer_cycles();
		uint64_t ms = (now - start) * 1000 / hz;

		if (vsw_conf.stats_period != 0 && now >= next_stats) {
			vsw_stats_print(stdout);
			next_stats += vsw_conf.stats_period * hz;
		}
		/* The test windows count from the first packet switched. */
		if (traffic_ms == 0 && vsw_core.pkts > 0)
			traffic_ms = ms;
		/* The stall test, once: from its start (even past its end) to its end. */
		if (!stall_done && !stalled &&
				window_begun(&vsw_conf.stall, traffic_ms, ms)) {
			stalled = vsw_stall_engines(true) == 0;
			if (!stalled)
				stall_done = true;
		}
		if (stalled && window_ended(&vsw_conf.stall, traffic_ms, ms)) {
			vsw_stall_engines(false);
			stalled = false;
			stall_done = true;
		}
		/*
		 * The no-reap test: frames for the last port's guest stay in
		 * flight in vhost (their copies done, never polled), the way a
		 * datapath that falls behind leaves them.
		 */
		noreap = window_begun(&vsw_conf.noreap, traffic_ms, ms) &&
			!window_ended(&vsw_conf.noreap, traffic_ms, ms);
		if (noreap != vsw_test_noreap) {
			vsw_test_noreap = noreap;
			VSW_LOG(NOTICE, "test: %s port %u's receive completions",
					noreap ? "not reaping" : "reaping again",
					vsw_conf.nb_ports - 1);
		}
		vsw_watch_ports();
		if (duration_s != 0 && ms >= duration_s * 1000ULL)
			__atomic_store_n(&vsw_quit, true, __ATOMIC_RELAXED);
		rte_delay_us_sleep(10000);
	}
	if (stalled)
		vsw_stall_engines(false);
	return 0;
}

int
main(int argc, char **argv)
{
	rte_thread_t ctl;
	int ret;

	if (vsw_eal_start(&argc, &argv) != 0)
		return 1;
	if (parse_args(argc, argv) != 0) {
		rte_eal_cleanup();
		return 2;
	}
	vsw_quit_on_signals(&vsw_quit);

	vsw_pool = rte_pktmbuf_pool_create("vsw_mbufs", vsw_conf.nb_mbufs, 256,
			0, vsw_conf.mbuf_size, rte_socket_id());
	if (vsw_pool == NULL) {
		VSW_LOG(ERR, "cannot create the mbuf pool: %s", rte_strerror(rte_errno));
		ret = 1;
		goto out_eal;
	}
	if (vsw_ports_init() != 0) {
		ret = 1;
		goto out_pool;
	}
	if (vsw_conf.offload && dma_setup() != 0) {
		ret = 1;
		goto out_ports;
	}
	if (vsw_telemetry_init() != 0)
		VSW_LOG(WARNING, "telemetry commands not registered");
	if (vsw_vhost_start() != 0) {
		ret = 1;
		goto out_dma;
	}
	if (rte_thread_create(&ctl, NULL, control_thread, NULL) != 0) {
		VSW_LOG(ERR, "cannot start the control thread");
		vsw_quit = true;
	}

	vsw_switch_loop(NULL);

	rte_thread_join(ctl, NULL);
	/* Guests still connected are destroyed: drained, memory unregistered. */
	vsw_vhost_stop();
	vsw_ports_release();
	vsw_stats_print(stdout);
	vsw_summary_print();
	if (vsw_oc != NULL) {
		uint32_t seg;

		vsw_map_counts(NULL, NULL, &seg);
		printf("vswitch-copy mappings: %u segment(s) mapped at exit, %u before any guest\n",
				seg, baseline_segments);
	}
	ret = 0;
out_dma:
	if (vsw_conf.offload)
		dma_teardown();
out_ports:
	vsw_ports_release();
out_pool:
	rte_mempool_free(vsw_pool);
out_eal:
	rte_eal_cleanup();
	return ret;
}
