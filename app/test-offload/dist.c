/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * Size distributions (--dist): fixed (one case per --sizes entry, the
 * default), imix, or custom "SIZE:WEIGHT,...". A mixed case draws the size
 * of each copy from a table of TO_DIST_TAB sizes, built before the case in
 * the proportions of the weights and shuffled with a fixed seed: op number
 * k has size table[k mod TO_DIST_TAB], the same sequence on every run and
 * for every mode, so cpu, each engine and the library's automatic mode are
 * compared on exactly the same copies. The fast path reads one table
 * entry per op, outside the timed regions.
 *
 * Weights count copies, not bytes.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "main.h"

/*
 * The IMIX: mostly small packets by count, most bytes in the large ones,
 * so a per-copy choice between the CPU and an engine matters: 64 B
 * (minimum Ethernet frame), 512 B, 1518 B (maximum standard frame), 9000 B
 * (jumbo frame), 64 KiB (a TSO/GSO super-frame). Mean 3079 B per copy.
 */
static const struct {
	uint32_t size;
	uint32_t weight;
} imix[] = {
	{ 64, 40 },
	{ 512, 30 },
	{ 1518, 20 },
	{ 9000, 7 },
	{ 65536, 3 },
};

static int
parse_dist_item(struct to_options *o, char *item)
{
	char *colon = strchr(item, ':'), *end;
	unsigned long w;
	uint64_t size;

	if (colon == NULL) {
		to_err("--dist: '%s' is not SIZE:WEIGHT (e.g. 64:7)", item);
		return -EINVAL;
	}
	*colon = '\0';
	if (to_parse_bytes(item, &size) != 0 || size == 0 || size > TO_MAX_SIZE) {
		to_err("--dist: size '%s': expected 1 B .. 1 GiB (e.g. 64, 4K)", item);
		return -EINVAL;
	}
	errno = 0;
	w = strtoul(colon + 1, &end, 10);
	if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || errno != 0 || w == 0 ||
			w > TO_DIST_MAX_WEIGHT) {
		to_err("--dist: weight '%s' of size %s: expected 1 .. %u", colon + 1, item,
			TO_DIST_MAX_WEIGHT);
		return -EINVAL;
	}
	if (o->nb_dist == TO_DIST_MAX) {
		to_err("--dist: more than %u sizes", TO_DIST_MAX);
		return -E2BIG;
	}
	o->dist_sizes[o->nb_dist] = (uint32_t)size;
	o->dist_weights[o->nb_dist] = (uint32_t)w;
	o->nb_dist++;
	return 0;
}

int
to_dist_parse(struct to_options *o, const char *arg)
{
	char buf[sizeof(o->dist_spec)], *item, *save = NULL;
	uint64_t wsum;
	unsigned int i;

	o->nb_dist = 0;
	if (strcmp(arg, "fixed") == 0) {
		o->dist = TO_DIST_FIXED;
		strcpy(o->dist_spec, "fixed");
		return 0;
	}
	if (strcmp(arg, "imix") == 0) {
		o->dist = TO_DIST_IMIX;
		for (i = 0; i < RTE_DIM(imix); i++) {
			o->dist_sizes[i] = imix[i].size;
			o->dist_weights[i] = imix[i].weight;
		}
		o->nb_dist = RTE_DIM(imix);
		strcpy(o->dist_spec, "imix");
		return 0;
	}
	if (strlen(arg) >= sizeof(buf)) {
		to_err("--dist: at most %zu characters", sizeof(buf) - 1);
		return -EINVAL;
	}
	if (strchr(arg, ':') == NULL) {
		to_err("--dist %s: expected fixed, imix or SIZE:WEIGHT,... (e.g. 64:7,1518:1)",
			arg);
		return -EINVAL;
	}
	if (to_list_check("--dist", arg) != 0)
		return -EINVAL;
	strcpy(buf, arg);
	for (item = strtok_r(buf, ",", &save); item != NULL;
			item = strtok_r(NULL, ",", &save))
		if (parse_dist_item(o, item) != 0)
			return -EINVAL;
	if (o->nb_dist == 0) {
		to_err("--dist %s: no SIZE:WEIGHT", arg);
		return -EINVAL;
	}
	/* Each size has at least one entry of the table: its share must fit. */
	for (i = 0, wsum = 0; i < o->nb_dist; i++)
		wsum += o->dist_weights[i];
	for (i = 0; i < o->nb_dist; i++) {
		if ((uint64_t)o->dist_weights[i] * TO_DIST_TAB < wsum) {
			to_err("--dist %s: size %u's weight %u is below 1/%u of the total %" PRIu64
				": the size table (%u copies, repeated) cannot hold its share;"
				" raise its weight", arg, o->dist_sizes[i], o->dist_weights[i],
				TO_DIST_TAB, wsum, TO_DIST_TAB);
			return -EINVAL;
		}
	}
	o->dist = TO_DIST_CUSTOM;
	strcpy(o->dist_spec, arg);
	return 0;
}

const char *
to_dist_name(const struct to_options *o)
{
	return o->dist == TO_DIST_IMIX ? "imix" : o->dist == TO_DIST_CUSTOM ? "custom" : "fixed";
}


/* xorshift64*: a fixed sequence, the same on every run. */
static uint64_t
next_rand(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * UINT64_C(2685821657736338717);
}

/*
 * Each size's entries of the table: its share (at least one), the size
 * with the most weight taking or giving the entries rounding leaves over
 * or short.
 */
static void
dist_counts(const struct to_options *o, uint32_t *count)
{
	uint64_t wsum = 0;
	unsigned int i, k, filled = 0;

	for (i = 0; i < o->nb_dist; i++)
		wsum += o->dist_weights[i];
	for (i = 0; i < o->nb_dist; i++) {
		count[i] = (uint32_t)((uint64_t)o->dist_weights[i] * TO_DIST_TAB / wsum);
		if (count[i] == 0)
			count[i] = 1;
		filled += count[i];
	}
	/* Rounding: give or take entries from the sizes with the most weight. */
	while (filled != TO_DIST_TAB) {
		k = 0;
		for (i = 1; i < o->nb_dist; i++)
			if (o->dist_weights[i] > o->dist_weights[k] ||
					(filled > TO_DIST_TAB && count[k] <= 1))
				k = i;
		if (filled < TO_DIST_TAB) {
			count[k]++;
			filled++;
		} else if (count[k] > 1) {
			count[k]--;
			filled--;
		} else {
			break;	/* cannot happen: TO_DIST_TAB >> TO_DIST_MAX */
		}
	}
}

/*
 * Mean size of the distribution's copies: of the table's, which every run
 * goes through whole from its start (the weights' mean, up to rounding).
 */
double
to_dist_mean(const struct to_options *o)
{
	uint32_t count[TO_DIST_MAX];
	double sum = 0;
	unsigned int i;

	if (o->nb_dist == 0)
		return 0;
	dist_counts(o, count);
	for (i = 0; i < o->nb_dist; i++)
		sum += (double)o->dist_sizes[i] * count[i];
	return sum / TO_DIST_TAB;
}

/* Fill tab[TO_DIST_TAB]: each size its entries, then a Fisher-Yates
 * shuffle with a fixed seed.
 */
void
to_dist_table(const struct to_options *o, uint32_t *tab)
{
	uint32_t count[TO_DIST_MAX];
	uint64_t seed = UINT64_C(0x9E3779B97F4A7C15);
	unsigned int i, j, k;

	dist_counts(o, count);
	for (i = 0, k = 0; i < o->nb_dist; i++)
		for (j = 0; j < count[i] && k < TO_DIST_TAB; j++)
			tab[k++] = o->dist_sizes[i];
	for (i = TO_DIST_TAB - 1; i > 0; i--) {
		uint32_t t;

		j = (unsigned int)(next_rand(&seed) % (i + 1));
		t = tab[i];
		tab[i] = tab[j];
		tab[j] = t;
	}
}
