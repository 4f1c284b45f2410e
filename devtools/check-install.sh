#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The offload-copy authors
#
# What an application outside this tree gets from "meson install", as
# DPDK's test-meson-builds.sh checks its examples against an installed DPDK:
#   1. meson install into BUILD_DIR/check-install (DESTDIR); a copy of the
#      installed liboffload_copy.pc with its prefix moved there;
#   2. every header the public headers include is installed;
#   3. each installed header compiles alone, as C (cc, clang) and C++
#      (c++, clang++) where the compiler is here, with strict warnings and
#      -Werror, with and without ALLOW_EXPERIMENTAL_API (DPDK's own headers
#      are checked first with the same flags);
#   4. examples/ocopy-basic and examples/vswitch-copy build with their
#      Makefiles against the installed files (pkg-config);
#   5. the installed dpdk-ocopy-basic runs with the installed dma_sw and
#      dma_offload plugins: every copy on a strict-domain engine verified
#      with one map call; a bad configuration refused (exit 2).
#
# Usage: devtools/check-install.sh BUILD_DIR
# One line per check; ends "check-install: N passed, N failed" (exit 1 on
# a failure, 0 otherwise).

set -eu

PROG='check-install'
# shellcheck source=devtools/lib.sh
. "$(dirname "$0")/lib.sh"

case ${1:-} in
-h|--help)
	sed -n '4,22s/^# \{0,1\}//p' "$0"
	exit 0 ;;
"")
	die "missing BUILD_DIR (see --help)" ;;
esac
build=$(cd "$1" && pwd) || die "$1: no such build folder"

passed=0
failed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }
bad() { echo "FAILED: $*"; failed=$((failed + 1)); }

D="$build/check-install"
rm -rf -- "$D"
mkdir -p -- "$D/pkgconfig" "$D/src" "$D/cc"
log="$D/install.log"
if ! meson install -C "$build" --no-rebuild --destdir "$D/root" >"$log" 2>&1; then
	cat "$log" >&2
	die "meson install failed"
fi

pc=$(find "$D/root" -name liboffload_copy.pc)
[ -n "$pc" ] && [ "$(echo "$pc" | wc -l)" -eq 1 ] || die "no single liboffload_copy.pc installed"
prefix=$(sed -n 's/^prefix=//p' "$pc")
sed "s|^prefix=.*|prefix=$D/root$prefix|" "$pc" >"$D/pkgconfig/liboffload_copy.pc"
export PKG_CONFIG_PATH="$D/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
incdir=$(pkg-config --variable=includedir liboffload_copy)/offload_copy
libdir=$(pkg-config --variable=libdir liboffload_copy)
[ -d "$incdir" ] || die "$incdir: not installed"
ok "installed: $(find "$D/root" -type f | wc -l) files, liboffload_copy.pc"

# 2. Headers included by quotes are installed beside.
headers=$(cd "$incdir" && ls -- *.h)
missing=""
for h in $headers; do
	for inc in $(sed -n 's/^#include "\(.*\)"/\1/p' "$incdir/$h"); do
		[ -f "$incdir/$inc" ] || missing="$missing $h:$inc"
	done
done
if [ -z "$missing" ]; then
	ok "headers: $(echo "$headers" | tr '\n' ' ')with what they include"
else
	bad "headers include what is not installed:$missing"
fi

# 3. Each header alone. -Wundef: not with clang (DPDK 22.11's rte_memcpy.h
# tests GCC_VERSION, which clang leaves undefined); -Wshadow: not in C++
# (rte_eal.h's rte_mp_reply() hides the struct's constructor).
cflags_c="-Wall -Wextra -Wshadow -Wcast-qual -Wmissing-prototypes -Wstrict-prototypes -Wpointer-arith -Wwrite-strings -Werror"
cflags_cxx="-Wall -Wextra -Werror"
dpdk_cflags=$(pkg-config --cflags libdpdk liboffload_copy)
compile() {	# compiler, extra flags, file
	# shellcheck disable=SC2086
	"$1" -c -o /dev/null $2 $dpdk_cflags "$3" >"$D/cc/out" 2>&1
}
for comp in "${CC:-cc}" clang "${CXX:-c++}" clang++; do
	command -v "$comp" >/dev/null 2>&1 || { echo "skip: $comp: not here"; continue; }
	case $comp in
	*++) ext=cpp; flags=$cflags_cxx ;;
	clang) ext=c; flags=$cflags_c ;;
	*) ext=c; flags="$cflags_c -Wundef" ;;
	esac
	printf '#include <rte_mbuf.h>\n#include <rte_dmadev.h>\n' >"$D/cc/base.$ext"
	if ! compile "$comp" "$flags -DALLOW_EXPERIMENTAL_API" "$D/cc/base.$ext"; then
		bad "$comp: DPDK's own headers fail with: $flags"
		head -5 "$D/cc/out"
		continue
	fi
	fails=""
	for h in $headers; do
		printf '#include <%s>\n' "$h" >"$D/cc/one.$ext"
		for exp in "" "-DALLOW_EXPERIMENTAL_API"; do
			if ! compile "$comp" "$flags $exp" "$D/cc/one.$ext"; then
				fails="$fails $h${exp:+ ($exp)}"
				head -3 "$D/cc/out"
			fi
		done
	done
	if [ -z "$fails" ]; then
		ok "$comp: each header alone, $flags, with and without ALLOW_EXPERIMENTAL_API"
	else
		bad "$comp ($flags):$fails"
	fi
done

# 4. The examples, with their Makefiles, against the installed files.
for ex in ocopy-basic vswitch-copy; do
	cp -r -- "$ROOT/examples/$ex" "$D/src/"
	rm -rf -- "$D/src/$ex/build" "$D/src/$ex/test"
	if make -C "$D/src/$ex" >"$D/src/$ex.log" 2>&1; then
		ok "examples/$ex: built with its Makefile against the installed library"
	else
		bad "examples/$ex: its Makefile failed (see below)"
		tail -15 "$D/src/$ex.log"
	fi
done

# 5. The installed program with the installed plugins.
basic="$D/src/ocopy-basic/build/dpdk-ocopy-basic"
if [ -x "$basic" ]; then
	pmds=$(dirname "$(find "$D/root" -name librte_dma_sw.so | head -1)")
	stage_plugins "$pmds"
	eal="--no-huge -m 256 --no-pci --iova-mode=va -l 0-1 -s 0x2 --file-prefix ci$$"
	[ -z "$PLUGIN_DIR" ] || eal="$eal -d $PLUGIN_DIR"
	run_basic() {	# expected exit status, EAL and program arguments
		_want=$1
		shift
		# shellcheck disable=SC2086
		LD_LIBRARY_PATH="$libdir" timeout 60 "$basic" $eal "$@" >"$D/run.log" 2>&1 && _rc=0 || _rc=$?
		[ "$_rc" -eq "$_want" ]
	}
	if run_basic 0 --vdev dma_sw0,domain=strict -- engines=dma_sw0,policy=engine &&
			grep -q "engine 0 (dmadev 0): map calls 1, unmap calls 0, 1 segment(s) mapped" "$D/run.log" &&
			grep -q "cpu 0, engine 550, split 0, errors 0" "$D/run.log" &&
			grep -q "^verified: 550 copies" "$D/run.log"; then
		ok "dpdk-ocopy-basic: 550 copies on a strict-domain dma_sw0, one map call, verified"
	else
		bad "dpdk-ocopy-basic on dma_sw0 (exit $_rc)"
		tail -15 "$D/run.log"
	fi
	if run_basic 2 -- queues=x && grep -q "queues=x: expected a number" "$D/run.log"; then
		ok "dpdk-ocopy-basic: queues=x refused, exit 2, the value named"
	else
		bad "dpdk-ocopy-basic -- queues=x: exit $_rc"
		tail -5 "$D/run.log"
	fi
else
	bad "dpdk-ocopy-basic not built: not run"
fi

echo "$PROG: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
