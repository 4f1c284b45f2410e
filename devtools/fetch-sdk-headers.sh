#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Extract DPDK's driver-SDK headers (the ones Debian's libdpdk-dev does not
# ship) from the Debian source package whose version equals the installed
# libdpdk-dev, into <source>/sdk/include (ignored by git, never committed).
#
# The deb-src entry lives in a private sources list under sdk/apt, so the
# machine's apt configuration is left untouched and its Signed-By settings
# cannot conflict. The archive is the one the installed binary came from.
#
# Usage: devtools/fetch-sdk-headers.sh [--force]
# Idempotent: returns at once when the headers for this version are present.

set -eu

HEADERS="lib/dmadev/rte_dmadev_pmd.h
lib/eal/include/dev_driver.h
lib/eal/include/bus_driver.h
drivers/bus/vdev/bus_vdev_driver.h
drivers/bus/pci/bus_pci_driver.h"

die() {
	echo "fetch-sdk-headers: error: $*" >&2
	exit 1
}

root=$(cd "$(dirname "$0")/.." && pwd)
sdk="$root/sdk"
force=0
[ "${1:-}" = "--force" ] && force=1

version=$(dpkg-query -W -f='${Version}' libdpdk-dev 2>/dev/null) ||
	die "libdpdk-dev is not installed (apt-get install libdpdk-dev)"
[ -n "$version" ] || die "libdpdk-dev is not installed"

if [ $force -eq 0 ] && [ -f "$sdk/include/.version" ] &&
		[ "$(cat "$sdk/include/.version")" = "$version" ]; then
	exit 0
fi

# The archive line that provides the installed version, e.g.
# "500 http://deb.debian.org/debian bookworm/main amd64 Packages".
origin=$(apt-cache policy libdpdk-dev | awk -v v="$version" '
	$1 == "***" && $2 == v { grab = 1; next }
	grab && $2 ~ /^([a-z0-9]+\+)?[a-z]+:/ { print $2, $3; exit }
	grab && $1 ~ /^[0-9]+$/ && NF == 2 { next }
	grab { exit }')
[ -n "$origin" ] || die "cannot tell which archive provides libdpdk-dev $version (apt-cache policy libdpdk-dev)"
uri=${origin% *}
suite=${origin#* }
suite=${suite%%/*}

keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r "$keyring" ] || die "$keyring missing (apt-get install debian-archive-keyring)"

work="$sdk/apt"
rm -rf "$work"
mkdir -p "$work/lists/partial" "$work/src"
echo "deb-src [signed-by=$keyring] $uri $suite main" > "$work/sources.list"

# apt-get on the private list only (each option one word, whatever the
# checkout's path holds: spaces too).
apt_priv() {
	apt-get -q -o "Dir::Etc::SourceList=$work/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$work/lists" \
		-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= \
		-o APT::Sandbox::User=root "$@"
}

# --error-on=any: an archive it cannot reach is an error, not a warning
# that would surface later as a version mismatch.
apt_priv --error-on=any update >"$work/update.log" 2>&1 ||
	die "apt-get update for the deb-src entry failed (is '$uri' reachable?), see $work/update.log"
(cd "$work/src" && apt_priv source --download-only "dpdk=$version") \
	>"$work/source.log" 2>&1 ||
	die "source package dpdk=$version not found in '$uri $suite' (versions cannot be matched), see $work/source.log"

command -v dpkg-source >/dev/null || die "dpkg-source missing (apt-get install dpkg-dev)"
rm -rf "$work/tree"
dpkg-source -x --no-check "$work/src"/dpdk_*.dsc "$work/tree" >"$work/extract.log" 2>&1 ||
	die "dpkg-source -x failed, see $work/extract.log"

rm -rf "$sdk/include"
mkdir -p "$sdk/include"
for h in $HEADERS; do
	[ -f "$work/tree/$h" ] || die "$h not found in dpdk $version source"
	cp "$work/tree/$h" "$sdk/include/"
done
echo "$version" > "$sdk/include/.version"
rm -rf "$work/tree" "$work/src" "$work/lists" "$work"/dpdk_*.orig.tar.*
echo "fetch-sdk-headers: driver-SDK headers of dpdk $version in $sdk/include"
