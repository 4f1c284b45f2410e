/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

#ifndef KVARGS_STRICT_H
#define KVARGS_STRICT_H

/*
 * What DPDK 22.11's rte_kvargs_parse() takes but reads otherwise than
 * written: "a=b=c" is read as b=c, a dropped without a word, and a ','
 * within brackets is part of a value. The dma_sw devargs and the
 * library's configuration strings (and so dma_offload's devargs) have
 * neither: each item is one key=value. Header only, not installed: the
 * driver does not link the library.
 */

#include <stddef.h>

/*
 * The first item of list s (items separated by ',') that is not one
 * key=value, or NULL.
 */
static inline const char *
kvargs_strict_bad_item(const char *s)
{
	const char *item = s;
	unsigned int eq = 0;

	for (;; s++) {
		if (*s == '[' || *s == ']')
			return item;
		if (*s == '=')
			eq++;
		if (*s == ',' || *s == '\0') {
			if (eq != 1)
				return item;
			if (*s == '\0')
				return NULL;
			item = s + 1;
			eq = 0;
		}
	}
}

#endif /* KVARGS_STRICT_H */
