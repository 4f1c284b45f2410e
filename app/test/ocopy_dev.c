/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

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
