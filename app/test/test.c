/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * Test harness: EAL start and teardown, failure and skip reporting, the
 * watchdog, bounded-wait deadlines and a seeded random generator.
 *
 * Threading: everything here runs on the main lcore, except the watchdog's
 * signal handler, which runs on whichever thread takes SIGALRM and only
 * writes to stderr, dumps the devices and exits.
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <mntent.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_service.h>
#include <rte_string_fns.h>

#include "test.h"

#define TEST_MAX_EAL_ARGS	32
#define TEST_MAX_LCORES		4

enum test_worker test_worker = TEST_WORKER_SERVICE;
const char *test_name = "test";
char test_file_prefix[64];

static bool eal_up;
static bool eal_shared;	/* hugepage files to remove at the end */
static volatile sig_atomic_t failing;
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

/* Dump every dmadev to stdout: the counters of the device at fault are
 * the first thing to read after a failure.
 */
static void
dump_devices(void)
{
	int16_t id;

	if (!eal_up)
		return;
	RTE_DMA_FOREACH_DEV(id)
		rte_dma_dump(id, stdout);
}

void
test_fail_at(const char *func, int line, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "FAIL %s: %s:%d: ", test_name, func, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	fflush(stderr);
	if (!failing) {
		failing = 1;
		dump_devices();
	}
	fflush(stdout);
	fflush(stderr);
	_exit(TEST_FAIL);
}

void
test_skip(const char *fmt, ...)
{
	va_list ap;

	printf("SKIP %s: ", test_name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	_exit(TEST_SKIP);
}

void
test_section(const char *fmt, ...)
{
	va_list ap;

	printf("== %s: ", test_name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void
watchdog(int sig)
{
	static const char msg[] = "FAIL: watchdog expired, the test is hung or far too slow\n";
	ssize_t r;

	RTE_SET_USED(sig);
	r = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	RTE_SET_USED(r);
	if (failing)
		_exit(TEST_FAIL);
	failing = 1;
	/* A dump that blocks (a lock held by the hung thread) is cut short. */
	alarm(2);
	dump_devices();
	fflush(stdout);
	_exit(TEST_FAIL);
}

uint64_t
test_deadline(unsigned int ms)
{
	return rte_get_timer_cycles() + rte_get_timer_hz() / 1000 * ms;
}

bool
test_expired(uint64_t deadline)
{
	return rte_get_timer_cycles() > deadline;
}

uint64_t
test_heap_allocs(void)
{
	struct rte_malloc_socket_stats st;
	uint64_t n = 0;
	int s;

	for (s = 0; s < RTE_MAX_NUMA_NODES; s++)
		if (rte_malloc_get_socket_stats(s, &st) == 0)
			n += st.alloc_count;
	return n;
}

void
test_srand(uint64_t seed)
{
	rng_state = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

uint64_t
test_rand(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

uint64_t
test_rand_range(uint64_t lo, uint64_t hi)
{
	return lo + test_rand() % (hi - lo + 1);
}

/* The CPUs this process may run on, lowest first. */
static unsigned int
usable_cpus(unsigned int *cpus, unsigned int max)
{
	cpu_set_t set;
	unsigned int n = 0, c;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 0;
	for (c = 0; c < CPU_SETSIZE && n < max; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	return n;
}

/* A hash of this program's path (FNV-1a), 0 if unknown. */
static uint32_t
program_hash(void)
{
	char path[PATH_MAX];
	uint32_t h = 2166136261u;
	ssize_t n, i;

	n = readlink("/proc/self/exe", path, sizeof(path));
	for (i = 0; i < n; i++)
		h = (h ^ (uint8_t)path[i]) * 16777619u;
	return n > 0 ? h : 0;
}

/* Free hugepages of the default size (/proc/meminfo), 0 if unknown. */
static unsigned long
free_hugepages(void)
{
	unsigned long n = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "HugePages_Free: %lu", &n) == 1)
			break;
	fclose(f);
	return n;
}

void
test_eal_init(int argc, char **argv, const struct test_opts *opts)
{
	static char lcores[128], prefix[96];
	const char *eal_argv[TEST_MAX_EAL_ARGS];
	unsigned int cpus[TEST_MAX_LCORES], nb_cpus, nb_lcores, i;
	struct sigaction sa;
	const char *mode = "service";
	int n = 0, ret;

	test_name = opts->name;
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (argc > 2) {
		fprintf(stderr, "usage: %s [service|lcore]\n", argv[0]);
		exit(TEST_FAIL);
	}
	if (argc == 2) {
		mode = argv[1];
		if (strcmp(mode, "lcore") == 0) {
			test_worker = TEST_WORKER_LCORE;
		} else if (strcmp(mode, "service") != 0) {
			fprintf(stderr, "usage: %s [service|lcore]\n", argv[0]);
			exit(TEST_FAIL);
		}
	}

	nb_lcores = opts->nb_lcores ? opts->nb_lcores : 2;
	RTE_VERIFY(nb_lcores <= TEST_MAX_LCORES);
	nb_cpus = usable_cpus(cpus, nb_lcores);
	if (nb_cpus < 2)
		test_skip("needs 2 CPUs (main lcore + worker lcore), this process may use %u",
			nb_cpus);
	/* lcore i on CPU i; lcores beyond the CPUs share the last one. This
	 * is "-l 0-1" on an ordinary 2-CPU machine, and still works inside a
	 * restricted cpuset.
	 */
	lcores[0] = '\0';
	for (i = 0; i < nb_lcores; i++) {
		char one[32];

		snprintf(one, sizeof(one), "%s%u@%u", i ? "," : "", i,
			cpus[RTE_MIN(i, nb_cpus - 1)]);
		strlcat(lcores, one, sizeof(lcores));
	}
	/*
	 * Shared files: a prefix of this program's own (build/ and build-asan/,
	 * two checkouts), the same from run to run, so that EAL reclaims the
	 * hugepage files a failed run left.
	 */
	if (opts->shared)
		snprintf(test_file_prefix, sizeof(test_file_prefix), "%s_%s_%08x", opts->name,
			mode, program_hash());
	else
		snprintf(test_file_prefix, sizeof(test_file_prefix), "%s_%s", opts->name, mode);
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s", test_file_prefix);

	eal_argv[n++] = argv[0];
	eal_argv[n++] = "--lcores";
	eal_argv[n++] = lcores;
	eal_argv[n++] = "--no-pci";
	if (opts->hugepages || opts->shared) {
		if (free_hugepages() == 0)
			test_skip("needs free hugepages (HugePages_Free in /proc/meminfo is 0)");
		/* Pages allocated as needed, no files left behind. */
		if (!opts->shared)
			eal_argv[n++] = "--in-memory";
		else
			eal_argv[n++] = "--base-virtaddr=" TEST_SHARED_BASE;
		eal_shared = opts->shared;
	} else {
		eal_argv[n++] = "--no-huge";
		eal_argv[n++] = "-m";
		eal_argv[n++] = "512";
		eal_argv[n++] = "--no-shconf";
	}
	eal_argv[n++] = "--iova-mode=va";
	eal_argv[n++] = "--log-level=pmd.dma.sw:info";
	eal_argv[n++] = prefix;
	for (i = 0; opts->eal_extra != NULL && opts->eal_extra[i] != NULL; i++) {
		RTE_VERIFY(n < TEST_MAX_EAL_ARGS - 1);
		eal_argv[n++] = opts->eal_extra[i];
	}
	eal_argv[n] = NULL;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watchdog;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGALRM, &sa, NULL);
	alarm(opts->timeout_s ? opts->timeout_s : 60);

	printf("== %s: worker model %s, EAL:", test_name, mode);
	for (i = 0; i < (unsigned int)n; i++)
		printf(" %s", eal_argv[i]);
	printf("\n");

	ret = rte_eal_init(n, (char **)(uintptr_t)eal_argv);
	if (ret < 0)
		TEST_FAIL_NOW("rte_eal_init failed: %s", rte_strerror(rte_errno));
	eal_up = true;
	if (rte_eal_iova_mode() != RTE_IOVA_VA)
		test_skip("IOVA as VA is unavailable: the tests pass virtual addresses as IOVAs");
	if (rte_lcore_count() != nb_lcores)
		TEST_FAIL_NOW("EAL started %u lcores, expected %u", rte_lcore_count(), nb_lcores);
}

/* Remove the files of folder dir whose names start with start ("": all). */
static void
remove_files(const char *dir, const char *start)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_type == DT_DIR || strncmp(e->d_name, start, strlen(start)) != 0 ||
				snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >=
				(int)sizeof(path))
			continue;
		if (unlink(path) != 0)
			printf("warning: cannot remove %s: %s\n", path, strerror(errno));
	}
	closedir(d);
}

/*
 * What a shared run leaves (EAL keeps it at its cleanup, for secondaries):
 * the hugepage files, <prefix>map_<n> in each hugetlbfs mount, and the
 * runtime folder (run_dir).
 */
static void
remove_shared_files(const char *run_dir)
{
	char start[96];
	struct mntent *m;
	FILE *mounts;

	snprintf(start, sizeof(start), "%smap_", test_file_prefix);
	mounts = setmntent("/proc/mounts", "r");
	if (mounts != NULL) {
		while ((m = getmntent(mounts)) != NULL)
			if (strcmp(m->mnt_type, "hugetlbfs") == 0)
				remove_files(m->mnt_dir, start);
		endmntent(mounts);
	}
	remove_files(run_dir, "");
	if (rmdir(run_dir) != 0)
		printf("warning: cannot remove %s: %s\n", run_dir, strerror(errno));
}

int
test_done(void)
{
	char names[RTE_DMADEV_DEFAULT_MAX][RTE_DEV_NAME_MAX_LEN], run_dir[PATH_MAX];
	uint32_t lcores[RTE_MAX_LCORE];
	struct rte_dev_iterator it;
	struct rte_device *dev;
	unsigned int nb = 0, i;
	int n, ret;

	/* Collect first: the vdev list changes under rte_vdev_uninit(). */
	RTE_DEV_FOREACH(dev, "bus=vdev", &it) {
		if (nb < RTE_DIM(names))
			strlcpy(names[nb++], rte_dev_name(dev), sizeof(names[0]));
	}
	for (i = 0; i < nb; i++) {
		ret = rte_vdev_uninit(names[i]);
		if (ret != 0)
			TEST_FAIL_NOW("rte_vdev_uninit(%s) at teardown: %d", names[i], ret);
	}
	TEST_ASSERT_EQUAL(rte_dma_count_avail(), 0, "dmadevs left after removing every vdev");

	n = rte_service_lcore_list(lcores, RTE_DIM(lcores));
	for (i = 0; n > 0 && i < (unsigned int)n; i++) {
		ret = rte_service_lcore_stop(lcores[i]);
		if (ret != 0 && ret != -EALREADY)
			TEST_FAIL_NOW("rte_service_lcore_stop(%u) at teardown: %d", lcores[i], ret);
	}
	strlcpy(run_dir, rte_eal_get_runtime_dir(), sizeof(run_dir));
	eal_up = false;
	ret = rte_eal_cleanup();
	if (ret != 0)
		TEST_FAIL_NOW("rte_eal_cleanup: %d", ret);
	if (eal_shared)
		remove_shared_files(run_dir);
	alarm(0);
	printf("PASS %s\n", test_name);
	return TEST_PASS;
}
