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

#endif /* OCOPY_DEV_H */
