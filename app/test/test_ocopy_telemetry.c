/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * The /offload_copy/... telemetry commands, read the way dpdk-telemetry.py
 * reads them: a client on EAL's telemetry socket (dpdk_telemetry.v2 in the
 * runtime folder), one JSON reply per command. The figures must be the
 * library's own counters after a known run; bad parameters must get a
 * null reply, not a crash or another instance's figures.
 */

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include <ocopy.h>

#include "ocopy_dev.h"
#include "sw_dev.h"
#include "test.h"

#define NB_OPS		300
#define LEN		4096
#define REPLY_MAX	16384

static int tel_fd = -1;
static char reply[REPLY_MAX];

/* A client on the telemetry socket, past its greeting; reply: a buffer. */
static int
tel_open(char *buf, size_t size)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	ssize_t n;
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/dpdk_telemetry.v2",
		rte_eal_get_runtime_dir());
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	TEST_ASSERT(fd >= 0, "socket: %s", strerror(errno));
	TEST_ASSERT(connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0,
		"connect %s: %s", sun.sun_path, strerror(errno));
	/* The greeting: version, pid, max output length. */
	n = read(fd, buf, size - 1);
	TEST_ASSERT(n > 0, "telemetry greeting");
	buf[n] = '\0';
	TEST_ASSERT(strstr(buf, "\"version\"") != NULL, "greeting: %s", buf);
	return fd;
}

static void
tel_connect(void)
{
	tel_fd = tel_open(reply, sizeof(reply));
}

/*
 * Telemetry reading an instance while it is made and destroyed: it must
 * see it whole or not at all (it read a half-made one's NULL queues).
 */
static volatile int race_stop;
static unsigned int race_seen, race_replies;

static void *
race_reader(void *arg)
{
	static const char *const cmds[] = {
		"/offload_copy/stats,race0", "/offload_copy/queue,race0,0",
		"/offload_copy/engine,race0,0", "/offload_copy/list",
	};
	static char buf[REPLY_MAX];
	unsigned int i = 0;
	int fd = tel_open(buf, sizeof(buf));

	RTE_SET_USED(arg);
	while (!race_stop) {
		const char *cmd = cmds[i++ % RTE_DIM(cmds)];
		ssize_t n;

		if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
			break;
		n = read(fd, buf, sizeof(buf) - 1);
		if (n <= 0)
			break;
		buf[n] = '\0';
		/* A listed or described instance (a refused command: null). */
		race_seen += strstr(buf, "\"race0\"") != NULL ||
			strstr(buf, "\"dmadev\"") != NULL;
		race_replies++;
	}
	close(fd);
	return NULL;
}

static void
test_race(void)
{
	struct ocopy_conf conf;
	struct ocopy *oc;
	pthread_t th;
	unsigned int i;

	test_section("telemetry while instances are made and destroyed");
	race_stop = 0;
	TEST_ASSERT_SUCCESS(pthread_create(&th, NULL, race_reader, NULL), "reader");
	for (i = 0; i < 200; i++) {
		ocopy_conf_init(&conf);
		TEST_ASSERT_SUCCESS(ocopy_conf_parse(&conf, "engines=dma_sw0"), "conf");
		conf.name = "race0";
		oc = ocopy_create(&conf);
		TEST_ASSERT(oc != NULL, "create %u: %s", i, rte_strerror(rte_errno));
		/* Now and then made for a while: the reader sees it whole too. */
		if (i % 8 == 0)
			rte_delay_us_sleep(2000);
		ocopy_destroy(oc);
	}
	race_stop = 1;
	TEST_ASSERT_SUCCESS(pthread_join(th, NULL), "join");
	printf("telemetry replies: %u, %u of them showing race0\n", race_replies,
		race_seen);
	TEST_ASSERT(race_replies > 0 && race_seen > 0,
		"the reader saw no made instance: %u replies", race_replies);
}

/* Send one command, return its JSON reply (in reply[]). */
static const char *
tel_query(const char *fmt, ...)
{
	char cmd[256];
	va_list ap;
	ssize_t n;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	TEST_ASSERT(write(tel_fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd),
		"send %s", cmd);
	n = read(tel_fd, reply, sizeof(reply) - 1);
	TEST_ASSERT(n > 0, "reply to %s", cmd);
	reply[n] = '\0';
	return reply;
}

/* The unsigned number after "key": in a flat JSON object; fails if absent. */
static uint64_t
tel_u64(const char *json, const char *key)
{
	char pat[64];
	const char *p;
	char *end;
	uint64_t v;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(json, pat);
	TEST_ASSERT(p != NULL, "no \"%s\" in %s", key, json);
	p += strlen(pat);
	while (*p == ' ')
		p++;
	errno = 0;
	v = strtoull(p, &end, 10);
	TEST_ASSERT(end != p && errno == 0, "\"%s\" is not a number in %s", key,
		json);
	return v;
}

/* Whether a flat JSON object has "key":value, with or without a space. */
static bool
tel_has(const char *json, const char *key, const char *value)
{
	char pat[128], pat_sp[128];

	snprintf(pat, sizeof(pat), "\"%s\":%s", key, value);
	snprintf(pat_sp, sizeof(pat_sp), "\"%s\": %s", key, value);
	return strstr(json, pat) != NULL || strstr(json, pat_sp) != NULL;
}

/* The reply to a refused command: {"<command>": null}. */
static void
expect_null(const char *cmd)
{
	const char *r = tel_query("%s", cmd);

	TEST_ASSERT(strstr(r, "null") != NULL, "%s refused: got %s", cmd, r);
	TEST_ASSERT(strstr(r, "\"submitted\"") == NULL &&
		strstr(r, "\"dmadev\"") == NULL &&
		strstr(r, "\"queue\"") == NULL, "%s: no figures: got %s", cmd, r);
}

static volatile bool mt_stop;

/* Lcore 2: 64-byte CPU copies on queue arg, completions gathered, until told. */
static int
mt_run_queue(void *arg)
{
	struct ocopy_queue *q = arg;
	static uint8_t a[64 * 32], b[64 * 32];
	uint16_t last;
	bool err;
	unsigned int i;

	while (!mt_stop) {
		for (i = 0; i < 32; i++)
			if (ocopy_copy(q, b + i * 64, a + i * 64, 64, NULL, NULL, 0) < 0)
				break;
		ocopy_flush(q);
		while (ocopy_completed(q, 64, &last, &err) != 0)
			;
	}
	return 0;
}

/*
 * ocopy_dump() while another lcore runs the queue hard: its "in flight"
 * never exceeds the queue's size (head read before tail gave some 4.29
 * billion when the lcore delivered in between).
 */
static void
test_inflight_while_running(void)
{
	struct ocopy *oc = ocdev_create("policy=cpu,queue_size=64");
	uint64_t end = rte_get_timer_cycles() + 2 * rte_get_timer_hz();
	unsigned int reads = 0, bad = 0;
	char *text;
	size_t len;

	test_section("in flight read while the queue's lcore runs: never past the queue's size");
	mt_stop = false;
	TEST_ASSERT_SUCCESS(rte_eal_remote_launch(mt_run_queue, ocopy_queue_get(oc, 0), 2),
		"launch lcore 2");
	while (rte_get_timer_cycles() < end) {
		FILE *f = open_memstream(&text, &len);
		const char *p;

		TEST_ASSERT(f != NULL, "memory stream");
		ocopy_dump(oc, f);
		fclose(f);
		p = strstr(text, "in flight ");
		TEST_ASSERT(p != NULL, "dump: %s", text);
		if (strtoul(p + strlen("in flight "), NULL, 10) > 64 && bad++ == 0)
			printf("  %.60s\n", p);
		free(text);
		reads++;
	}
	mt_stop = true;
	rte_eal_wait_lcore(2);
	printf("  %u dumps, %u impossible\n", reads, bad);
	TEST_ASSERT_EQUAL(bad, 0, "dumps with more ops in flight than the queue holds");
	ocopy_destroy(oc);
}

/* Whether a read of the counters shows a state no queue is ever in. */
static bool
stats_impossible(const struct ocopy_queue_stats *st)
{
	return st->completed > st->submitted ||
		st->cpu + st->engine + st->split + st->deferred > st->submitted ||
		st->cpu_bytes > st->bytes;
}

/*
 * The counters read while another lcore runs the queue hard: never more
 * ops delivered, or placed, than submitted. Copied field by field,
 * submitted first, a read showed completed above submitted some 100
 * times in 100 million (the lcore had raised both meanwhile), and a
 * monitor's submitted - completed wrapped around.
 */
static void
test_stats_while_running(void)
{
	struct ocopy *oc = ocdev_create("policy=cpu,queue_size=64");
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz();
	struct ocopy_queue_stats st;
	unsigned long reads = 0, bad = 0;

	test_section("counters read while the queue's lcore runs: never an impossible state");
	mt_stop = false;
	TEST_ASSERT_SUCCESS(rte_eal_remote_launch(mt_run_queue, ocopy_queue_get(oc, 0), 2),
		"launch lcore 2");
	while (rte_get_timer_cycles() < end) {
		unsigned int i;

		for (i = 0; i < 1000; i++) {
			ocopy_queue_stats_get(ocopy_queue_get(oc, 0), &st);
			if (stats_impossible(&st) && bad++ == 0)
				printf("  queue: submitted %" PRIu64 " completed %" PRIu64
					" cpu %" PRIu64 "\n", st.submitted, st.completed, st.cpu);
			ocopy_stats_get(oc, &st);
			if (stats_impossible(&st) && bad++ == 0)
				printf("  instance: submitted %" PRIu64 " completed %" PRIu64
					" cpu %" PRIu64 "\n", st.submitted, st.completed, st.cpu);
		}
		reads += 2 * i;
	}
	mt_stop = true;
	rte_eal_wait_lcore(2);
	printf("  %lu reads, %lu impossible\n", reads, bad);
	TEST_ASSERT_EQUAL(bad, 0, "reads with more ops delivered or placed than submitted");
	ocopy_destroy(oc);
}

int
main(int argc, char **argv)
{
	/* lcore 2 runs a queue under test_inflight_while_running(). */
	static const struct test_opts opts = { .name = "ocopy_telemetry", .nb_lcores = 3 };
	struct ocopy_qengine_stats es;
	struct ocopy_queue_stats st, qs;
	struct ocopy_map_stats ms;
	struct ocopy_queue_rates rates;
	struct ocopy_engine_info info;
	char want[16], word[24];
	struct ocopy_conf conf;
	struct ocopy_queue *q;
	struct ocopy *oc;
	const char *r;
	uint8_t *src, *dst;
	unsigned int i;
	int reg;

	test_eal_init(argc, argv, &opts);
	swdev_create_worker("dma_sw0", NULL);
	src = rte_malloc("src", (size_t)NB_OPS * LEN, 4096);
	dst = rte_malloc("dst", (size_t)NB_OPS * LEN, 4096);
	TEST_ASSERT(src != NULL && dst != NULL, "buffers");
	memset(src, 0x5a, (size_t)NB_OPS * LEN);

	/* A run whose counters are known: a third of the ops forced to the CPU. */
	ocopy_conf_init(&conf);
	TEST_ASSERT_SUCCESS(ocopy_conf_parse(&conf,
		"engines=dma_sw0,threshold=64,slack=100000,split=off"), "conf");
	conf.name = "tel0";
	oc = ocopy_create(&conf);
	TEST_ASSERT(oc != NULL, "create: %s", rte_strerror(rte_errno));
	reg = ocopy_mem_register(oc, dst, (size_t)NB_OPS * LEN);
	TEST_ASSERT(reg >= 0, "register: %d", reg);
	q = ocopy_queue_get(oc, 0);
	for (i = 0; i < NB_OPS; i++)
		TEST_ASSERT(ocopy_copy(q, dst + (size_t)i * LEN, src + (size_t)i * LEN,
			LEN, NULL, NULL, i % 3 == 0 ? OCOPY_F_CPU : 0) >= 0, "copy %u", i);
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	TEST_ASSERT_SUCCESS(ocopy_stats_get(oc, &st), "stats");
	TEST_ASSERT_SUCCESS(ocopy_engine_stats_get(oc, 0, &es), "engine stats");
	TEST_ASSERT_SUCCESS(ocopy_map_stats_get(oc, 0, &ms), "map stats");
	TEST_ASSERT(st.engine > 0 && st.cpu >= NB_OPS / 3, "both paths used: %" PRIu64
		" engine, %" PRIu64 " cpu", st.engine, st.cpu);

	tel_connect();
	test_section("/offload_copy/list");
	r = tel_query("/offload_copy/list");
	TEST_ASSERT(strstr(r, "\"tel0\"") != NULL, "tel0 listed: %s", r);

	test_section("/offload_copy/stats: the library's counters");
	r = tel_query("/offload_copy/stats,tel0");
	TEST_ASSERT(tel_has(r, "policy", "\"auto\""), "policy by name: %s", r);
	TEST_ASSERT_EQUAL(tel_u64(r, "queues"), 1, "queues");
	TEST_ASSERT_EQUAL(tel_u64(r, "engines"), 1, "engines");
	TEST_ASSERT_EQUAL(tel_u64(r, "submitted"), NB_OPS, "submitted");
	TEST_ASSERT_EQUAL(tel_u64(r, "completed"), NB_OPS, "completed");
	TEST_ASSERT_EQUAL(tel_u64(r, "cpu"), st.cpu, "cpu");
	TEST_ASSERT_EQUAL(tel_u64(r, "engine"), st.engine, "engine");
	TEST_ASSERT_EQUAL(tel_u64(r, "bytes"), (uint64_t)NB_OPS * LEN, "bytes");
	TEST_ASSERT_EQUAL(tel_u64(r, "cpu_bytes"), st.cpu_bytes, "cpu_bytes");
	TEST_ASSERT_EQUAL(tel_u64(r, "errors"), 0, "errors");

	test_section("/offload_copy/engine: figures, counters, mappings");
	r = tel_query("/offload_copy/engine,tel0,0");
	TEST_ASSERT(strstr(r, "dma_sw0") != NULL, "dmadev named: %s", r);
	TEST_ASSERT_EQUAL(tel_u64(r, "ops"), es.ops, "ops");
	TEST_ASSERT_EQUAL(tel_u64(r, "ops"), st.engine, "ops = the queue's engine count");
	TEST_ASSERT_EQUAL(tel_u64(r, "doorbells"), es.doorbells, "doorbells");
	TEST_ASSERT(es.doorbells > 0, "doorbells rung");
	TEST_ASSERT_EQUAL(tel_u64(r, "threshold"), 64, "threshold as configured");
	TEST_ASSERT_EQUAL(tel_u64(r, "remote"), es.remote, "remote");
	TEST_ASSERT_EQUAL(tel_u64(r, "full"), es.full, "full");
	TEST_ASSERT_EQUAL(tel_u64(r, "batch_full"), es.batch_full, "batch_full");
	TEST_ASSERT_SUCCESS(ocopy_engine_info_get(oc, 0, &info), "info");
	TEST_ASSERT_EQUAL(tel_u64(r, "batch"), info.batch, "batch");
	TEST_ASSERT(info.batch >= info.ring_size, "dma_sw0: no batch bound: %u",
		info.batch);
	TEST_ASSERT_SUCCESS(ocopy_engine_info_get(oc, 0, &info), "info");
	snprintf(want, sizeof(want), "%d", info.numa_node);
	TEST_ASSERT(tel_has(r, "numa_node", want), "\"numa_node\":%s in %s", want,
		r);
	TEST_ASSERT_EQUAL(tel_u64(r, "maps"), ms.maps, "maps");
	TEST_ASSERT(ms.maps >= 1, "the registration was mapped: %" PRIu64, ms.maps);
	TEST_ASSERT_EQUAL(tel_u64(r, "unmaps"), ms.unmaps, "unmaps");

	test_section("/offload_copy/queue: counters, rates, engine health");
	TEST_ASSERT_SUCCESS(ocopy_queue_rates_get(q, &rates), "rates");
	r = tel_query("/offload_copy/queue,tel0,0");
	TEST_ASSERT_EQUAL(tel_u64(r, "queue"), 0, "queue id");
	TEST_ASSERT_EQUAL(tel_u64(r, "in_flight"), 0, "drained");
	TEST_ASSERT_EQUAL(tel_u64(r, "submitted"), NB_OPS, "submitted");
	TEST_ASSERT_EQUAL(tel_u64(r, "cpu"), st.cpu, "cpu");
	TEST_ASSERT_EQUAL(tel_u64(r, "engine"), st.engine, "engine");
	/* Every counter, as the instance's: the queue's own (it had none). */
	TEST_ASSERT_SUCCESS(ocopy_queue_stats_get(q, &qs), "queue stats");
	TEST_ASSERT_EQUAL(tel_u64(r, "completed"), qs.completed, "completed");
	TEST_ASSERT_EQUAL(tel_u64(r, "split"), qs.split, "split");
	TEST_ASSERT_EQUAL(tel_u64(r, "deferred"), qs.deferred, "deferred");
	TEST_ASSERT_EQUAL(tel_u64(r, "bytes"), qs.bytes, "bytes");
	TEST_ASSERT_EQUAL(tel_u64(r, "cpu_bytes"), qs.cpu_bytes, "cpu_bytes");
	TEST_ASSERT_EQUAL(tel_u64(r, "errors"), qs.errors, "errors");
	TEST_ASSERT_EQUAL(tel_u64(r, "failovers"), qs.failovers, "failovers");
	TEST_ASSERT_EQUAL(tel_u64(r, "refused"), qs.refused, "refused");
	TEST_ASSERT(qs.bytes != 0, "bytes counted");
	TEST_ASSERT(strstr(r, "learning") != NULL, "rates learned: %s", r);
	TEST_ASSERT_EQUAL(tel_u64(r, "cpu_cycles_per_kib"), rates.cpu_cyc_per_kib,
		"CPU rate");
	TEST_ASSERT_EQUAL(tel_u64(r, "engine0_cycles_per_kib"),
		rates.engine_cyc_per_kib[0], "engine rate");
	TEST_ASSERT_EQUAL(tel_u64(r, "engine0_windows"), rates.engine_samples[0],
		"engine windows");
	TEST_ASSERT_EQUAL(tel_u64(r, "engine0_threshold"),
		rates.engine_threshold[0], "engine threshold");
	TEST_ASSERT_EQUAL(tel_u64(r, "help_changes"), rates.help_changes,
		"mode changes kept");
	TEST_ASSERT_EQUAL(tel_u64(r, "help_epochs"), rates.help_epochs,
		"CPU help epochs");
	TEST_ASSERT_EQUAL(tel_u64(r, "help_set_aside"), rates.help_set_aside,
		"epochs set aside");
	TEST_ASSERT_EQUAL(tel_u64(r, "engines_bytes_per_mcycle"),
		rates.engines_bytes_per_mcyc, "bytes by engines");
	TEST_ASSERT_EQUAL(tel_u64(r, "alone_bytes_per_mcycle"),
		rates.alone_bytes_per_mcyc, "bytes by threshold");
	TEST_ASSERT_EQUAL(tel_u64(r, "help_bytes_per_mcycle"),
		rates.help_bytes_per_mcyc, "bytes with CPU help");
	TEST_ASSERT_EQUAL(tel_u64(r, "cpu_bytes_per_mcycle"),
		rates.cpu_bytes_per_mcyc, "bytes on the CPU");
	snprintf(word, sizeof(word), "\"%s\"",
		ocopy_placement_name(rates.placement));
	TEST_ASSERT(tel_has(r, "placement", word), "placement %s: %s", word, r);
	snprintf(word, sizeof(word), "\"%s\"",
		ocopy_placement_name(rates.placement_kept));
	TEST_ASSERT(tel_has(r, "placement_kept", word), "placement kept %s: %s", word, r);
	TEST_ASSERT_EQUAL(tel_u64(r, "help_probe_in_epochs"),
		rates.help_probe_in, "epochs before the next probe");
	TEST_ASSERT(tel_has(r, "engine0_health", "\"ok\""), "health: %s", r);
	TEST_ASSERT_EQUAL(tel_u64(r, "staged"), 0, "nothing staged");
	/* Plain copies given alone wait on the stage until a flush. */
	for (i = 0; i < 3; i++)
		TEST_ASSERT(ocopy_copy(q, dst + (size_t)i * LEN,
			src + (size_t)i * LEN, LEN, NULL, NULL, 0) >= 0,
			"staged copy %u", i);
	r = tel_query("/offload_copy/queue,tel0,0");
	TEST_ASSERT_EQUAL(tel_u64(r, "staged"), 3, "staged");
	TEST_ASSERT_EQUAL(tel_u64(r, "in_flight"), 0, "not in the ring yet");
	TEST_ASSERT_EQUAL(tel_u64(r, "submitted"), NB_OPS, "nor counted");
	TEST_ASSERT_SUCCESS(ocopy_queue_drain(q, 5000000), "drain");
	r = tel_query("/offload_copy/queue,tel0,0");
	TEST_ASSERT_EQUAL(tel_u64(r, "staged"), 0, "handed over");
	TEST_ASSERT_EQUAL(tel_u64(r, "submitted"), NB_OPS + 3, "counted");

	test_section("bad parameters: a null reply");
	expect_null("/offload_copy/queue,tel0,1");
	expect_null("/offload_copy/queue,tel0,-1");
	expect_null("/offload_copy/queue,tel0");
	expect_null("/offload_copy/queue,nosuch,0");
	expect_null("/offload_copy/stats");
	expect_null("/offload_copy/stats,nosuch");
	expect_null("/offload_copy/engine,tel0");
	expect_null("/offload_copy/engine,tel0,1");
	expect_null("/offload_copy/engine,tel0,");
	expect_null("/offload_copy/engine,tel0,0x");
	expect_null("/offload_copy/engine,nosuch,0");
	/* The session still works after refusals. */
	r = tel_query("/offload_copy/stats,tel0");
	TEST_ASSERT_EQUAL(tel_u64(r, "submitted"), NB_OPS + 3, "still served");

	test_section("unregister and destroy: the counters follow, the instance goes");
	TEST_ASSERT_SUCCESS(ocopy_mem_unregister(oc, reg), "unregister");
	r = tel_query("/offload_copy/engine,tel0,0");
	TEST_ASSERT_EQUAL(tel_u64(r, "unmaps"), ms.maps, "every map undone");
	ocopy_destroy(oc);
	r = tel_query("/offload_copy/list");
	TEST_ASSERT(strstr(r, "tel0") == NULL, "tel0 gone: %s", r);
	expect_null("/offload_copy/stats,tel0");

	close(tel_fd);
	test_race();
	test_inflight_while_running();
	test_stats_while_running();
	rte_free(dst);
	rte_free(src);
	return test_done();
}
