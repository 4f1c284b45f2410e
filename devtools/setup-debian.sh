#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The offload-copy authors
#
# One-shot set-up of a Debian 12 machine for this project, as root:
#  1. installs the packages (Debian's DPDK 22.11, meson, ninja, ...);
#  2. extracts the driver-SDK headers (devtools/fetch-sdk-headers.sh);
#  3. reserves 1 GiB of 2 MiB hugepages and mounts hugetlbfs at
#     /dev/hugepages (not kept across a reboot: run this again);
#  4. configures and builds build/.
# Idempotent; a second run takes a few seconds. Non-interactive (CI).

set -eu

PROG=setup-debian
# shellcheck source=devtools/lib.sh
. "$(dirname "$0")/lib.sh"

PACKAGES="dpdk dpdk-dev libdpdk-dev meson ninja-build libnuma-dev pkg-config python3-sphinx
dpkg-dev debian-archive-keyring build-essential gcc python3 python3-pyelftools
gnuplot-nox shellcheck doxygen"
HP_SYSFS=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
HP_WANT=512	# 2 MiB pages: 1 GiB
HP_MOUNT=/dev/hugepages

usage() {
	cat <<EOF
Usage: $0 [--no-build] [--require-hugepages] [-h|--help]

Set up a Debian 12 machine (as root) to build and test this project:
install packages, fetch the driver-SDK headers, reserve $HP_WANT hugepages of
2 MiB, build into build/.

  --no-build            stop before configuring and building build/
  --require-hugepages   fail when the hugepages cannot be reserved (default:
                        warn; DPDK runs then use EAL --no-huge)
  -h, --help            this text
EOF
}

build=1
require_hp=0
while [ $# -gt 0 ]; do
	case $1 in
	--no-build) build=0 ;;
	--require-hugepages) require_hp=1 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
	shift
done

[ "$(id -u)" -eq 0 ] || die "must run as root (sudo $0)"

check_os() {
	id="" version_id="" id_like=""
	# shellcheck disable=SC1091
	[ -r /etc/os-release ] && . /etc/os-release
	id=${ID:-} version_id=${VERSION_ID:-} id_like=${ID_LIKE:-}
	if [ "$id" = debian ] && [ "$version_id" = 12 ]; then
		return 0
	fi
	case "$id $id_like" in
	*debian*)
		warn "made for Debian 12 (DPDK 22.11); this is ${PRETTY_NAME:-$id $version_id}:" \
			"continuing, package versions may differ" ;;
	*)
		die "made for Debian 12; this is ${PRETTY_NAME:-an unknown system}" ;;
	esac
}

missing_packages() {
	for p in $PACKAGES; do
		s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) || s=""
		[ "$s" = installed ] || printf '%s ' "$p"
	done
}

# Package lists older than a day, absent, or lacking one of the packages.
lists_stale() {
	[ -n "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -n 1)" ] ||
		return 0
	for p in "$@"; do
		apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [^(]' || return 0
	done
	return 1
}

install_packages() {
	# shellcheck disable=SC2046
	set -- $(missing_packages)
	if [ $# -eq 0 ]; then
		note "packages: all installed"
		return 0
	fi
	note "packages: installing $*"
	export DEBIAN_FRONTEND=noninteractive
	if lists_stale "$@"; then
		apt-get -q update || die "apt-get update failed"
	fi
	apt-get -q install -y --no-install-recommends "$@" ||
		die "apt-get install $* failed"
	# shellcheck disable=SC2046
	set -- $(missing_packages)
	[ $# -eq 0 ] || die "still not installed: $*"
}

hugepages_fail() {
	if [ $require_hp -eq 1 ]; then
		die "hugepages: $* (--require-hugepages)"
	fi
	warn "hugepages: $*"
	warn "without them this project's scripts run DPDK with EAL" \
		"'--no-huge -m 1024 --no-shconf' in place of '--in-memory' (the two" \
		"exclude each other): run other DPDK applications that way too, or" \
		"reserve hugepages and run $0 again (--require-hugepages makes this fatal)"
}

setup_hugepages() {
	if [ ! -e "$HP_SYSFS" ]; then
		hugepages_fail "$HP_SYSFS missing: no 2 MiB hugepages in this kernel"
		return 0
	fi
	have=$(cat "$HP_SYSFS")
	if [ "$have" -lt $HP_WANT ]; then
		{ echo $HP_WANT > "$HP_SYSFS"; } 2>/dev/null || true
		have=$(cat "$HP_SYSFS")
		if [ "$have" -lt $HP_WANT ]; then
			hugepages_fail "only $have of $HP_WANT 2 MiB pages reserved via $HP_SYSFS" \
				"(read-only sysfs in a container, or memory too fragmented)"
			return 0
		fi
		note "hugepages: reserved $have pages of 2 MiB (not kept across a reboot)"
	else
		note "hugepages: $have pages of 2 MiB reserved"
	fi
	if awk -v m="$HP_MOUNT" '$2 == m && $3 == "hugetlbfs" { f = 1 } END { exit !f }' /proc/mounts; then
		return 0
	fi
	if mkdir -p "$HP_MOUNT" 2>/dev/null && mount -t hugetlbfs nodev "$HP_MOUNT" 2>/dev/null; then
		note "hugepages: hugetlbfs mounted at $HP_MOUNT"
	else
		hugepages_fail "cannot mount hugetlbfs at $HP_MOUNT" \
			"(EAL --in-memory still uses the reserved pages)"
	fi
}

# Configure build/ when new or when a meson file changed since it was
# generated, then build. ninja alone would also regenerate, but an explicit
# --reconfigure shows the configuration summary and its errors here.
build_tree() {
	b="$ROOT/build"
	if build_dir_moved "$b"; then
		note "meson setup --wipe build (configured for another checkout path)"
		meson setup --wipe "$b" "$ROOT" || die "meson setup --wipe build failed"
	elif [ ! -f "$b/build.ninja" ]; then
		note "meson setup build"
		meson setup "$b" "$ROOT" || die "meson setup build failed"
	elif [ -n "$(find "$ROOT" -path "$ROOT/build*" -prune -o -path "$ROOT/.git" -prune -o \
			\( -name meson.build -o -name meson_options.txt \) -newer "$b/build.ninja" \
			-print 2>/dev/null | head -n 1)" ]; then
		note "meson setup --reconfigure build (meson files changed)"
		meson setup --reconfigure "$b" "$ROOT" || die "meson setup --reconfigure build failed"
	fi
	ninja -C "$b" || die "build failed (ninja -C build)"
}

check_os
install_packages
"$ROOT/devtools/fetch-sdk-headers.sh" || die "devtools/fetch-sdk-headers.sh failed"
setup_hugepages
if [ $build -eq 1 ]; then
	build_tree
fi
note "done"
