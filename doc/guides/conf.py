# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The offload-copy authors

"""Sphinx configuration of the DPDK copy offload guides."""

from os.path import abspath, dirname, join

project = 'DPDK copy offload'
author = 'The offload-copy authors'

with open(join(dirname(abspath(__file__)), '..', '..', 'VERSION'),
          encoding='utf-8') as f:
    release = f.read().strip()
version = release

master_doc = 'index'
exclude_patterns = []

# Code blocks are shell sessions, C and program output: no guessing.
highlight_language = 'none'

# alabaster comes with Debian's python3-sphinx: nothing else to install.
html_theme = 'alabaster'
html_title = '%s %s' % (project, release)
html_show_sourcelink = False
html_show_copyright = False
