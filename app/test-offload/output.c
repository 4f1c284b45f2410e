/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * Machine-readable output of dpdk-test-offload: --csv FILE and --json FILE,
 * one row (CSV) or one object (JSON) per measured case, with every metric
 * of the table and the raw counters behind them. Main lcore only, control
 * path.
 *
 * Files are checked before EAL (an unwritable path fails the run before
 * anything is measured), opened as the first case starts (a run refused
 * before, its pools EAL cannot allocate included, leaves earlier files
 * alone), and each row is written and flushed
 * as its case ends, so a run that fails half-way leaves the rows measured
 * so far. The JSON array is closed by to_output_close(), which main()
 * calls on every exit path after the files were opened, a stop by
 * SIGINT, SIGTERM or SIGPIPE included (main.c).
 *
 * Both formats carry the same fields under the same names (COLUMNS
 * below, new ones at the end: "round", 1 .. --rounds, then "offload",
 * the --offload configuration of an offload row, then "placement" and
 * "placement_moves", where the library placed an offload row's copies
 * at its end and the changes cpu_help=auto kept during it, then
 * "warmup_s", the warm-up the case had, then "verify", how its copies
 * were checked: the --verify word); a metric that does
 * not apply to a mode (ops per poll for cpu, the path split outside
 * offload) is an empty CSV field and a JSON null.
 */

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "main.h"

static FILE *csv_f;
static FILE *json_f;
static unsigned int json_rows;
static char csv_path[PATH_MAX];
static char json_path[PATH_MAX];

/* Every field, in order. Keep in step with put_fields(). */
static const char *const columns[] = {
	"case", "mode", "device", "workers", "worker", "size", "dist",
	"mean_size", "ops", "bytes", "seconds", "mops", "gbps",
	"cycles_per_op", "enq_cycles_per_op", "cpl_cycles_per_op",
	"idle_cycles_per_op", "ops_per_poll", "long_regions", "verified",
	"path_cpu_pct", "path_engine_pct", "path_split_pct", "lat_samples",
	"lat_p50_us", "lat_p99_us", "lat_p999_us", "lib_cpu", "lib_engine",
	"lib_split", "errors", "maps", "burst", "window", "ring",
	"working_set", "tsc_hz", "round", "offload", "placement",
	"placement_moves", "warmup_s", "verify",
};

enum field_kind { F_STR, F_U64, F_DBL };

struct field {
	enum field_kind kind;
	const char *s;
	uint64_t u;
	double d;	/* < 0: not applicable */
};

static void
csv_str(FILE *f, const char *s)
{
	/* RFC 4180: quote when needed, double the quotes. */
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void
put_fields(struct field *fl, const struct to_options *o, const struct to_case *c,
		const struct to_result *r, const char *worker, unsigned int nb_workers)
{
	struct to_metrics m;
	unsigned int i = 0;

	to_metrics_get(c, r, &m);
#define STR(v) fl[i++] = (struct field){ .kind = F_STR, .s = (v) }
#define U64(v) fl[i++] = (struct field){ .kind = F_U64, .u = (v) }
#define DBL(v) fl[i++] = (struct field){ .kind = F_DBL, .d = (v) }
	STR(o->name);
	STR(to_mode_name(c->mode));
	STR(c->mode == TO_MODE_DMA ? c->name : "");
	U64(nb_workers);
	STR(worker);
	U64(c->size);
	STR(c->dist != NULL ? c->dist : "fixed");
	DBL(r->ops ? (double)r->bytes / r->ops : 0);
	U64(r->ops);
	U64(r->bytes);
	DBL(m.seconds);
	DBL(m.mops);
	DBL(m.gbps);
	DBL(m.cyc_op);
	DBL(m.enq_op);
	DBL(m.cpl_op);
	DBL(m.idle_op);
	DBL(m.ops_poll);
	U64(r->long_regions);
	U64(r->verified);
	DBL(m.pct_cpu);
	DBL(m.pct_engine);
	DBL(m.pct_split);
	U64(r->lat_samples);
	DBL(m.lat_p50_us);
	DBL(m.lat_p99_us);
	DBL(m.lat_p999_us);
	U64(r->lib_cpu);
	U64(r->lib_engine);
	U64(r->lib_split);
	U64(r->errors);
	U64(r->maps);
	U64(c->burst);
	U64(c->window);
	U64(o->ring);
	U64(o->working_set);
	U64(rte_get_tsc_hz());
	U64(c->round);
	STR(c->mode == TO_MODE_OFFLOAD && c->conf != NULL ? c->conf : "");
	STR(to_placement_name(r->placement));
	DBL(r->placement == TO_PLACE_NONE ? -1 : (double)r->placement_moves);
	DBL(c->warmup_s);
	STR(to_verify_key(o->verify));
#undef STR
#undef U64
#undef DBL
	RTE_VERIFY(i == RTE_DIM(columns));
}

static void
csv_row(const struct field *fl)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(columns); i++) {
		if (i != 0)
			fputc(',', csv_f);
		switch (fl[i].kind) {
		case F_STR:
			csv_str(csv_f, fl[i].s);
			break;
		case F_U64:
			fprintf(csv_f, "%" PRIu64, fl[i].u);
			break;
		case F_DBL:
			if (fl[i].d >= 0)
				fprintf(csv_f, "%.10g", fl[i].d);
			break;
		}
	}
	fputc('\n', csv_f);
}

static void
json_row(const struct field *fl)
{
	unsigned int i;

	fprintf(json_f, "%s\n    {", json_rows == 0 ? "" : ",");
	for (i = 0; i < RTE_DIM(columns); i++) {
		fprintf(json_f, "%s\"%s\": ", i == 0 ? "" : ", ", columns[i]);
		switch (fl[i].kind) {
		case F_STR:
			json_str(json_f, fl[i].s);
			break;
		case F_U64:
			fprintf(json_f, "%" PRIu64, fl[i].u);
			break;
		case F_DBL:
			if (fl[i].d >= 0)
				fprintf(json_f, "%.10g", fl[i].d);
			else
				fputs("null", json_f);
			break;
		}
	}
	fputc('}', json_f);
	json_rows++;
}

/* Opened for writing without emptying it (to_output_start() does, later). */
static FILE *
open_out(const char *path, const char *opt)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");

	if (f == NULL) {
		to_err("%s %s: cannot open for writing: %s", opt, path, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	return f;
}

/*
 * Whether paths a and b name one file: the same file when both exist,
 * else the same name in the same folder.
 */
static bool
same_file(const char *a, const char *b)
{
	char da[PATH_MAX], db[PATH_MAX], na[PATH_MAX], nb[PATH_MAX];
	struct stat sa, sb;

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

/*
 * Whether the file at path can be written, without touching it: the file
 * if it exists, else its folder. Files are opened only when the first
 * case starts; an unwritable path must fail the run before EAL.
 */
static int
check_writable(const char *path, const char *opt)
{
	char dir[PATH_MAX];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", path);
	if (path[strlen(path) - 1] == '/' || (stat(path, &st) == 0 && S_ISDIR(st.st_mode))) {
		to_err("%s %s: cannot open for writing: %s", opt, path, strerror(EISDIR));
		return -1;
	}
	if (access(path, F_OK) == 0 ? access(path, W_OK) != 0 :
			access(dirname(dir), W_OK | X_OK) != 0) {
		to_err("%s %s: cannot open for writing: %s", opt, path, strerror(errno));
		return -1;
	}
	return 0;
}

int
to_output_check(const struct to_run *g)
{
	if ((g->csv[0] != '\0' && check_writable(g->csv, "--csv") != 0) ||
			(g->json[0] != '\0' && check_writable(g->json, "--json") != 0))
		return -1;
	if (g->csv[0] != '\0' && g->json[0] != '\0' && same_file(g->csv, g->json)) {
		to_err("--csv %s and --json %s: the same file", g->csv, g->json);
		return -1;
	}
	if (g->config[0] == '\0')
		return 0;
	if (g->csv[0] != '\0' && same_file(g->config, g->csv)) {
		to_err("--csv %s: that is the --config file, which it would overwrite", g->csv);
		return -1;
	}
	if (g->json[0] != '\0' && same_file(g->config, g->json)) {
		to_err("--json %s: that is the --config file, which it would overwrite",
			g->json);
		return -1;
	}
	return 0;
}

static const struct to_run *armed;
static bool started;

void
to_output_arm(const struct to_run *g)
{
	armed = g;
}

/* Empty an output file opened by open_out() (none: NULL). */
static int
empty_out(FILE *f, const char *path, const char *opt)
{
	if (f == NULL || ftruncate(fileno(f), 0) == 0)
		return 0;
	to_err("%s %s: cannot empty it: %s", opt, path, strerror(errno));
	return -1;
}

bool
to_output_started(void)
{
	return started;
}

int
to_output_start(void)
{
	const struct to_run *g = armed;
	unsigned int i;

	if (g == NULL)
		return 0;	/* opened already, or no files */
	armed = NULL;
	started = true;

	/* Both opened before either is emptied: a failed open keeps both. */
	if (g->csv[0] != '\0') {
		csv_f = open_out(g->csv, "--csv");
		if (csv_f == NULL)
			return -1;
	}
	if (g->json[0] != '\0') {
		json_f = open_out(g->json, "--json");
		if (json_f == NULL)
			return -1;
	}
	if (empty_out(csv_f, g->csv, "--csv") != 0 ||
			empty_out(json_f, g->json, "--json") != 0)
		return -1;
	if (csv_f != NULL) {
		snprintf(csv_path, sizeof(csv_path), "%s", g->csv);
		for (i = 0; i < RTE_DIM(columns); i++)
			fprintf(csv_f, "%s%s", i == 0 ? "" : ",", columns[i]);
		fputc('\n', csv_f);
		fflush(csv_f);
	}
	if (json_f != NULL) {
		snprintf(json_path, sizeof(json_path), "%s", g->json);
		fprintf(json_f, "{\n  \"tool\": \"dpdk-test-offload\",\n  \"rows\": [");
		fflush(json_f);
	}
	return 0;
}

/* worker: the lcore of a per-worker row, -1 for the aggregate ("all"). */
void
to_output_row(const struct to_options *o, const struct to_case *c, const struct to_result *r,
		int worker, unsigned int nb_workers)
{
	struct field fl[RTE_DIM(columns)];
	char wname[16];

	if (csv_f == NULL && json_f == NULL)
		return;
	if (worker < 0)
		snprintf(wname, sizeof(wname), "all");
	else
		snprintf(wname, sizeof(wname), "%d", worker);
	put_fields(fl, o, c, r, wname, nb_workers);
	if (csv_f != NULL) {
		csv_row(fl);
		fflush(csv_f);
	}
	if (json_f != NULL) {
		json_row(fl);
		fflush(json_f);
	}
}

/* Returns 0, or -1 when a file could not be written completely. */
int
to_output_close(void)
{
	int ret = 0;

	if (csv_f != NULL) {
		if (ferror(csv_f) || fclose(csv_f) != 0) {
			to_err("--csv %s: write error", csv_path);
			ret = -1;
		}
		csv_f = NULL;
	}
	if (json_f != NULL) {
		fprintf(json_f, "%s]\n}\n", json_rows == 0 ? "" : "\n  ");
		if (ferror(json_f) || fclose(json_f) != 0) {
			to_err("--json %s: write error", json_path);
			ret = -1;
		}
		json_f = NULL;
	}
	return ret;
}
