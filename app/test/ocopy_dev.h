/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

#ifndef OCOPY_DEV_H
#define OCOPY_DEV_H

/**
 * @file
 * offload_copy helpers for the tests.
 */

#include <ocopy.h>

/**
 * Create an instance from a configuration string (ocopy_conf_parse() on
 * the defaults); fails the test on any error.
 */
struct ocopy *ocdev_create(const char *args);

/** Whether ocopy_dump() of the instance prints s. */
bool ocdev_dump_has(const struct ocopy *oc, const char *s);

/**
 * An op's callback that counts it in *(unsigned int *)arg; fails the
 * test unless the op succeeded.
 */
void ocdev_count_ok(void *arg, uint16_t status);

#endif /* OCOPY_DEV_H */
