/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>

#include "ocopy_dev.h"
#include "test.h"

struct ocopy *
ocdev_create(const char *args)
{
	struct ocopy_conf conf;
	struct ocopy *oc;

	ocopy_conf_init(&conf);
	TEST_ASSERT_SUCCESS(ocopy_conf_parse(&conf, args), "'%s'", args);
	oc = ocopy_create(&conf);
	TEST_ASSERT(oc != NULL, "create '%s': %s", args, rte_strerror(rte_errno));
	return oc;
}

bool
ocdev_dump_has(const struct ocopy *oc, const char *s)
{
	char *dump = NULL;
	size_t sz = 0;
	FILE *f;
	bool has;

	f = open_memstream(&dump, &sz);
	TEST_ASSERT(f != NULL, "memstream");
	ocopy_dump(oc, f);
	fclose(f);
	has = strstr(dump, s) != NULL;
	free(dump);
	return has;
}

void
ocdev_count_ok(void *arg, uint16_t status)
{
	unsigned int *n = arg;

	TEST_ASSERT_EQUAL(status, RTE_DMA_STATUS_SUCCESSFUL, "op status");
	(*n)++;
}
