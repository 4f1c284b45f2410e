/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * --config FILE: cases from an INI file, read with rte_cfgfile, in the
 * spirit of DPDK's test-dma-perf config.ini. Each [section] is one case
 * group (its name is the "case" column of the output); its keys are the
 * long options without "--" (sizes = 64-1M:x4, mode = cpu,dma, ...), with
 * the same values and the same checks, so a key means exactly what its
 * option means. A section starts from the options given on the command
 * line; a "dev" key (a comma-separated list) replaces the command line's
 * --dev list. Flags take true/false (yes/no, 1/0). Run-wide options (csv,
 * json, config) belong on the command line and are refused in a section.
 *
 * Runs before EAL: a bad file fails fast with one line naming the file,
 * the section (or line), the key and what is wrong. Control path, main
 * thread.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_cfgfile.h>

#include "main.h"

#define MAX_CASES	256
#define MAX_ENTRIES	64

static int
parse_flag(const char *v, bool *out)
{
	if (strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0 ||
			strcmp(v, "1") == 0) {
		*out = true;
		return 0;
	}
	if (strcasecmp(v, "false") == 0 || strcasecmp(v, "no") == 0 ||
			strcmp(v, "0") == 0) {
		*out = false;
		return 0;
	}
	return -EINVAL;
}

/* dev = a,b,c: one --dev per name. */
static int
apply_devs(struct to_options *o, const char *value)
{
	char buf[TO_MAX_DEVS * RTE_DEV_NAME_MAX_LEN], *item, *save = NULL;
	int opt;
	bool has_arg, run_wide;

	if (strlen(value) >= sizeof(buf)) {
		to_err("dev: list too long");
		return -EINVAL;
	}
	if (to_list_check("dev", value) != 0)
		return -EINVAL;
	strcpy(buf, value);
	opt = to_option_lookup("dev", &has_arg, &run_wide);
	o->devs_replace = true;
	for (item = strtok_r(buf, ",", &save); item != NULL;
			item = strtok_r(NULL, ",", &save)) {
		if (to_option_apply(o, NULL, opt, item) != 0)
			return -EINVAL;
	}
	if (o->devs_replace) {
		to_err("dev '%s': expected a comma-separated list of dmadev names", value);
		return -EINVAL;
	}
	return 0;
}

/*
 * offload = a | b: one --offload per configuration (a configuration holds
 * commas of its own), spaces around each trimmed.
 */
static int
apply_offloads(struct to_options *o, const char *value)
{
	char buf[TO_MAX_OFFLOADS * TO_OFFLOAD_LEN], *item, *next, *end;
	int opt;
	bool has_arg, run_wide;

	if (strlen(value) >= sizeof(buf)) {
		to_err("offload: list too long");
		return -EINVAL;
	}
	strcpy(buf, value);
	opt = to_option_lookup("offload", &has_arg, &run_wide);
	o->offloads_replace = true;
	/* Every item, empty ones too (refused by --offload's own check). */
	for (item = buf; item != NULL; item = next) {
		next = strchr(item, '|');
		if (next != NULL)
			*next++ = '\0';
		while (*item == ' ' || *item == '\t')
			item++;
		end = item + strlen(item);
		while (end > item && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (to_option_apply(o, NULL, opt, item) != 0)
			return -EINVAL;
	}
	return 0;
}

static int
apply_entry(struct to_options *o, const struct rte_cfgfile_entry *e)
{
	bool has_arg, run_wide, flag;
	int opt;

	opt = to_option_lookup(e->name, &has_arg, &run_wide);
	if (opt < 0) {
		to_err("unknown key '%s' (keys are the long options without '--', see --help)",
			e->name);
		return -EINVAL;
	}
	if (run_wide) {
		to_err("key '%s' is not allowed in a section: it applies to the whole run,"
			" give --%s on the command line", e->name, e->name);
		return -EINVAL;
	}
	if (strcmp(e->name, "dev") == 0)
		return apply_devs(o, e->value);
	if (strcmp(e->name, "offload") == 0)
		return apply_offloads(o, e->value);
	if (!has_arg) {
		if (parse_flag(e->value, &flag) != 0) {
			to_err("%s = %s: expected true or false", e->name, e->value);
			return -EINVAL;
		}
		if (flag)
			return to_option_apply(o, NULL, opt, NULL);
		/* false: undo what the command line may have set. */
		if (strcmp(e->name, "no-park") == 0)
			o->park = true;
		else if (strcmp(e->name, "flush-cache") == 0)
			o->flush_cache = false;
		return 0;
	}
	return to_option_apply(o, NULL, opt, e->value);
}

static int
load_section(struct rte_cfgfile *cfg, const char *path, const char *sec,
		const struct to_options *base, struct to_options *o)
{
	struct rte_cfgfile_entry entries[MAX_ENTRIES];
	char ctx[PATH_MAX + TO_NAME_LEN + 8];
	int n, i, j, ret = 0;

	snprintf(ctx, sizeof(ctx), "%s [%s]", path, sec);
	to_err_context = ctx;
	*o = *base;
	if (strlen(sec) >= sizeof(o->name) || sec[0] == '\0' || strpbrk(sec, ",\"") != NULL) {
		to_err("section name: 1 to %zu characters, no comma or quote",
			sizeof(o->name) - 1);
		ret = -EINVAL;
		goto out;
	}
	strcpy(o->name, sec);
	n = rte_cfgfile_section_num_entries(cfg, sec);
	if (n > MAX_ENTRIES) {
		to_err("more than %d keys", MAX_ENTRIES);
		ret = -EINVAL;
		goto out;
	}
	n = rte_cfgfile_section_entries(cfg, sec, entries, MAX_ENTRIES);
	/* The section's length replaces the command line's, time or ops. */
	for (i = 0; i < n; i++) {
		if (strcmp(entries[i].name, "ops") == 0)
			o->time_given = false;
		else if (strcmp(entries[i].name, "time") == 0)
			o->ops = 0;
	}
	for (i = 0; i < n && ret == 0; i++) {
		for (j = 0; j < i; j++) {
			if (strcmp(entries[j].name, entries[i].name) == 0) {
				to_err("key '%s' given twice", entries[i].name);
				ret = -EINVAL;
				goto out;
			}
		}
		ret = apply_entry(o, &entries[i]);
	}
	if (ret == 0)
		ret = to_options_finish(o);
out:
	to_err_context = NULL;
	return ret;
}

/*
 * rte_cfgfile skips some malformed lines silently (a line without '='),
 * refuses others without saying where, and cuts names and values that do
 * not fit its fields (a value of 260 characters would lose its end): check
 * the syntax first, the same rules, and name the line. Comments start
 * with ';', anywhere on a line.
 *
 * Two of its rules are refused rather than followed. "\;" is a literal ';'
 * to rte_cfgfile, but only where it is the line's first ';', and then no
 * later ';' starts a comment either ("a\;b ; note" is the value
 * "a;b ; note"); no key takes a ';'. A section ends at its first ']'
 * ("[a]]" and "[x]y]" would be [a] and [x]): nothing may follow it.
 */
static int
check_line(const char *path, unsigned int lineno, char *line, bool *section)
{
	char *p, *end, *eq, *k;

	p = strchr(line, ';');
	if (p != NULL && p > line && p[-1] == '\\') {
		to_err("--config %s:%u: '\\;' (an escaped ';', which rte_cfgfile keeps in"
			" the value, and the rest of the line with it): no key takes a ';'",
			path, lineno);
		return -EINVAL;
	}
	if (p != NULL)
		*p = '\0';
	for (p = line; *p == ' ' || *p == '\t'; p++)
		;
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' ||
			end[-1] == '\r'))
		*--end = '\0';
	if (*p == '\0')
		return 0;
	if (*p == '[') {
		if (end[-1] != ']' || end - p < 3) {
			to_err("--config %s:%u: '%s': a section is [name]", path, lineno, p);
			return -EINVAL;
		}
		if (strchr(p, ']') != end - 1) {
			to_err("--config %s:%u: '%s': a section is [name], nothing after its"
				" first ']' (a name holds no ']')", path, lineno, p);
			return -EINVAL;
		}
		if (end - p - 2 >= CFG_NAME_LEN) {
			to_err("--config %s:%u: section name of %d characters: at most %d",
				path, lineno, (int)(end - p - 2), CFG_NAME_LEN - 1);
			return -EINVAL;
		}
		*section = true;
		return 0;
	}
	eq = strchr(p, '=');
	if (eq == NULL || eq == p) {
		to_err("--config %s:%u: '%s' is neither [section] nor key = value", path,
			lineno, p);
		return -EINVAL;
	}
	if (!*section) {
		to_err("--config %s:%u: '%s' comes before the first [section]", path,
			lineno, p);
		return -EINVAL;
	}
	for (k = eq; k > p && (k[-1] == ' ' || k[-1] == '\t'); k--)
		;
	if (k - p >= CFG_NAME_LEN) {
		to_err("--config %s:%u: key of %d characters: at most %d", path, lineno,
			(int)(k - p), CFG_NAME_LEN - 1);
		return -EINVAL;
	}
	for (eq++; *eq == ' ' || *eq == '\t'; eq++)
		;
	if (*eq == '\0') {
		to_err("--config %s:%u: '%s' has no value", path, lineno, p);
		return -EINVAL;
	}
	if (end - eq >= CFG_VALUE_LEN) {
		to_err("--config %s:%u: value of %d characters: at most %d", path, lineno,
			(int)(end - eq), CFG_VALUE_LEN - 1);
		return -EINVAL;
	}
	return 0;
}

static int
check_syntax(const char *path, FILE *f)
{
	/* rte_cfgfile reads lines into a buffer of this size. */
	const size_t max_line = CFG_NAME_LEN + CFG_VALUE_LEN + 4 - 2;
	unsigned int lineno = 0;
	bool section = false;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int ret = 0;

	while (ret == 0 && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if ((size_t)len != strlen(line)) {
			to_err("--config %s:%u: a NUL byte (not a text file?)", path, lineno);
			ret = -EINVAL;
			break;
		}
		if (len > 0 && line[len - 1] == '\n')
			len--;
		ret = check_line(path, lineno, line, &section);
		/* Names and values fit: only a comment can make it this long. */
		if (ret == 0 && (size_t)len > max_line) {
			to_err("--config %s:%u: line of %zd characters: at most %zu, comment"
				" included", path, lineno, len, max_line);
			ret = -EINVAL;
		}
	}
	free(line);
	if (ret == 0 && ferror(f)) {
		to_err("--config %s: read error", path);
		ret = -EIO;
	}
	return ret;
}

int
to_config_load(const char *path, const struct to_options *base,
		struct to_options **cases, unsigned int *nb_cases)
{
	struct rte_cfgfile *cfg;
	struct to_options *list = NULL;
	char **names = NULL;
	FILE *f;
	int n, i, j, ret = -EINVAL;

	/* rte_cfgfile_load() says "cannot open" and "malformed" alike: tell apart. */
	f = fopen(path, "r");
	if (f == NULL) {
		to_err("--config %s: cannot open: %s", path, strerror(errno));
		return -errno;
	}
	ret = check_syntax(path, f);
	fclose(f);
	if (ret != 0)
		return ret;
	cfg = rte_cfgfile_load(path, 0);
	if (cfg == NULL) {
		to_err("--config %s: rte_cfgfile cannot read it (see the log line above)", path);
		return -EINVAL;
	}
	ret = -EINVAL;
	n = rte_cfgfile_num_sections(cfg, NULL, 0);
	if (n <= 0) {
		to_err("--config %s: no [section]: each section is one case", path);
		goto out;
	}
	if (n > MAX_CASES) {
		to_err("--config %s: %d sections, at most %d", path, n, MAX_CASES);
		goto out;
	}
	names = calloc(n, sizeof(*names));
	list = calloc(n, sizeof(*list));
	if (names == NULL || list == NULL) {
		to_err("--config %s: out of memory", path);
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		names[i] = malloc(CFG_NAME_LEN);
		if (names[i] == NULL) {
			to_err("--config %s: out of memory", path);
			ret = -ENOMEM;
			goto out;
		}
	}
	if (rte_cfgfile_sections(cfg, names, n) != n) {
		to_err("--config %s: cannot list the sections", path);
		goto out;
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++) {
			if (strcmp(names[i], names[j]) == 0) {
				to_err("--config %s: section [%s] given twice", path, names[i]);
				goto out;
			}
		}
		if (load_section(cfg, path, names[i], base, &list[i]) != 0)
			goto out;
	}
	*cases = list;
	*nb_cases = (unsigned int)n;
	list = NULL;
	ret = 0;
out:
	if (names != NULL)
		for (i = 0; i < n; i++)
			free(names[i]);
	free(names);
	free(list);
	rte_cfgfile_close(cfg);
	return ret;
}
