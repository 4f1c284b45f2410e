# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=sh disable=SC2034
# Copyright(c) 2026 The offload-copy authors
#
# Shell helpers shared by the devtools scripts; sourced, never run:
#
#	PROG=name
#	. "$(dirname "$0")/lib.sh"
#
# Plain POSIX sh. Defines ROOT (the repository root) and the functions below.
# Globals set by functions are named in upper case and documented at each.

ROOT=$(cd "$(dirname "$0")/.." && pwd)

: "${PROG:=devtools}"

# Messages join their arguments with spaces, whatever IFS is.
die() {
	IFS=' '
	echo "$PROG: error: $*" >&2
	exit 1
}

warn() {
	_mifs=$IFS
	IFS=' '
	echo "$PROG: warning: $*" >&2
	IFS=$_mifs
}

note() {
	_mifs=$IFS
	IFS=' '
	echo "$PROG: $*"
	IFS=$_mifs
}

# Where DPDK's EAL loads plugins from without -d, e.g.
# /usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0 for DPDK 22.11: the same rule as
# the top-level meson.build (ABI major = DPDK year + 1).
dpdk_pmd_dir() {
	_libdir=$(pkg-config --variable=libdir libdpdk 2>/dev/null) || return 1
	_ver=$(pkg-config --modversion libdpdk 2>/dev/null) || return 1
	echo "$_libdir/dpdk/pmds-$((${_ver%%.*} + 1)).0"
}

# EAL's rule for -d (eal_common_options.c, verify_perms): the resolved path
# of the plugin and every folder above it, up to /, must not be
# world-writable. Fails with a message naming the offending folder, and
# the advice $2 when given.
check_not_world_writable() {
	_p=$(realpath -e -- "$1") || die "$1: no such file or folder"
	while :; do
		if [ -n "$(find "$_p" -maxdepth 0 -perm -0002 2>/dev/null)" ]; then
			die "$_p is world-writable: EAL refuses plugins below it ($1);" \
				"${2:-use a folder whose parents only their owners can write}"
		fi
		[ "$_p" = / ] && break
		_p=$(dirname -- "$_p")
	done
}

# Whether hugepages can back EAL memory: at least 256 MiB of free pages of
# the default size. The DPDK runs of these scripts need far less.
hugepages_usable() {
	awk '/^HugePages_Free:/ { free = $2 } /^Hugepagesize:/ { kb = $2 }
		END { exit !(free * kb >= 256 * 1024) }' /proc/meminfo
}

# EAL memory options: --in-memory with hugepages; without them --no-huge,
# which implies legacy memory and so cannot be combined with --in-memory:
# --no-shconf keeps that run from writing shared runtime files instead.
# Sets EAL_MEM (words, unquoted use) and EAL_MEM_NOTE.
eal_mem_args() {
	if hugepages_usable; then
		EAL_MEM="--in-memory"
		EAL_MEM_NOTE="hugepages"
	else
		EAL_MEM="--no-huge -m 1024 --no-shconf"
		EAL_MEM_NOTE="no hugepages reserved: EAL --no-huge -m 1024 (devtools/setup-debian.sh reserves them)"
	fi
}

# Remove PATH (rm -rf) when the calling shell exits, also on INT / TERM.
# Call it directly, not in $(...), so that the trap is the caller's.
cleanup_add() {
	CLEANUP="${CLEANUP:-}$1$NL"
	trap cleanup_run EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

cleanup_run() {
	_oifs=$IFS
	IFS=$NL
	for _c in ${CLEANUP:-}; do
		rm -rf -- "$_c"
	done
	IFS=$_oifs
}

NL='
'

# Copy plugins into a fresh private folder that EAL accepts for -d, whatever
# the checkout's location (/tmp is world-writable, so EAL refuses a build
# folder below it). The folder lives under $OFFLOAD_PLUGIN_CACHE (default
# $HOME/.cache/dpdk-offload-copy, created with mode 0700) and is removed
# when the calling shell exits. Arguments: plugin files (.so) or folders
# (their librte_*.so are copied). Call it directly, not in $(...): it sets
# PLUGIN_DIR and an EXIT trap in the calling shell.
#
# Refuses when one of the plugins is also installed in DPDK's PMD folder
# with other contents: EAL would load both copies. An identical installed
# copy is left to EAL; PLUGIN_DIR is empty when nothing is left to copy
# (pass no -d then).
stage_plugins() {
	_base=${OFFLOAD_PLUGIN_CACHE:-${HOME:?HOME is not set}/.cache/dpdk-offload-copy}
	_pmd_dir=$(dpdk_pmd_dir) || die "pkg-config libdpdk failed: is libdpdk-dev installed?"
	_files=""
	for _src in "$@"; do
		if [ -d "$_src" ]; then
			_found=0
			for _f in "$_src"/librte_*.so; do
				[ -f "$_f" ] || continue
				_files="$_files$_f$NL"
				_found=1
			done
			[ $_found -eq 1 ] || die "no plugin (librte_*.so) in $_src: build first (ninja -C build)"
		elif [ -f "$_src" ]; then
			_files="$_files$_src$NL"
		else
			die "plugin $_src not found: build first (ninja -C build)"
		fi
	done

	_oifs=$IFS
	IFS=$NL
	_copy=""
	_same=""
	for _f in $_files; do
		_inst="$_pmd_dir/$(basename -- "$_f")"
		if [ -e "$_inst" ]; then
			cmp -s -- "$_f" "$_inst" || die "$_inst is installed and differs from $_f:" \
				"EAL would load both copies; run 'meson install -C build'" \
				"to update it, or remove it"
			_same="$_same $(basename -- "$_f")"
		else
			_copy="$_copy$_f$NL"
		fi
	done
	IFS=$_oifs
	[ -z "$_same" ] || note "installed in $_pmd_dir, EAL loads it from there:$_same"
	PLUGIN_DIR=""
	[ -n "$_copy" ] || return 0

	(umask 077 && mkdir -p -- "$_base") || die "cannot create $_base"
	chmod 0700 -- "$_base" || die "cannot chmod $_base"
	check_not_world_writable "$_base" \
		"set OFFLOAD_PLUGIN_CACHE (or HOME) to a folder whose parents only their owners can write"
	# mktemp -d creates the folder with mode 0700.
	PLUGIN_DIR=$(mktemp -d "$_base/plugins.XXXXXX") || die "cannot create a folder in $_base"
	cleanup_add "$PLUGIN_DIR"
	IFS=$NL
	for _f in $_copy; do
		cp -L -- "$_f" "$PLUGIN_DIR/" || die "cannot copy $_f to $PLUGIN_DIR"
	done
	IFS=$_oifs
	chmod 0600 -- "$PLUGIN_DIR"/*.so
	check_not_world_writable "$PLUGIN_DIR"
	for _f in "$PLUGIN_DIR"/*.so; do
		check_not_world_writable "$_f"
	done
}

# Whether build folder $1 was configured for another source folder than
# ROOT (the checkout moved, or was copied with its build): its ninja files
# name the old paths, and only a new setup (--wipe) fixes that.
build_dir_moved() {
	_info="$1/meson-info/meson-info.json"
	[ -f "$_info" ] || return 1
	_src=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["directories"]["source"])' \
		"$_info" 2>/dev/null) || return 1
	[ -n "$_src" ] && [ "$(realpath -- "$_src" 2>/dev/null)" != "$(realpath -- "$ROOT")" ]
}
