#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The offload-copy authors
#
# Plot a dpdk-test-offload CSV file (--csv) with gnuplot into one PNG of
# two panels: GB/s against the copy size, one line per mode (cpu, each
# dma device, offload), and the submitter's cycles per copy against the
# size (what the datapath core pays). Both axes logarithmic but GB/s.
#
# Usage: devtools/plot-benchmark.sh CSV [PNG]
# PNG defaults to CSV with .png instead of .csv. Rows of several cases
# (--config sections) are told apart by case name; rounds (--rounds) are
# averaged; per-worker rows and size distributions (--dist), which have no
# size axis, are left out. PLOT_SERIES=FILE also lists the series there,
# "title<TAB>points" each (for the tests).
# Needs gnuplot (Debian: gnuplot-nox, installed by devtools/setup-debian.sh).

set -eu

PROG=plot-benchmark
# shellcheck source=devtools/lib.sh
. "$(dirname "$0")/lib.sh"

case ${1:-} in
-h|--help)
	sed -n '4,17s/^# \{0,1\}//p' "$0"
	exit 0 ;;
"")
	sed -n '4,17s/^# \{0,1\}//p' "$0" >&2
	die "missing CSV file" ;;
esac
[ $# -le 2 ] || die "too many arguments (see --help)"

csv=$1
png=${2:-${csv%.csv}.png}
[ -r "$csv" ] || die "$csv: cannot read"
command -v gnuplot >/dev/null 2>&1 ||
	die "gnuplot not found: apt-get install gnuplot-nox (devtools/setup-debian.sh does)"

work=$(mktemp -d)
cleanup_add "$work"

# One data file per series: "size gbps cycles_per_op", sorted by size; the
# rounds of a run (--rounds) averaged into one point per size. The columns
# are found by name in the header, so added columns do not matter. Fields
# are split as RFC 4180 says (the offload configuration holds commas, and
# is quoted).
awk -v dir="$work" '
function csv_split(line, f,    n, i, c, q, cur) {
	n = 0
	q = 0
	cur = ""
	for (i = 1; i <= length(line); i++) {
		c = substr(line, i, 1)
		if (q && c == "\"" && substr(line, i + 1, 1) == "\"") {
			cur = cur c
			i++
		} else if (c == "\"") {
			q = !q
		} else if (c == "," && !q) {
			f[++n] = cur
			cur = ""
		} else {
			cur = cur c
		}
	}
	f[++n] = cur
	return n
}
NR == 1 {
	nf = csv_split($0, f)
	for (i = 1; i <= nf; i++)
		col[f[i]] = i
	need = "case mode device size gbps cycles_per_op"
	n = split(need, names, " ")
	for (i = 1; i <= n; i++)
		if (!(names[i] in col)) {
			print "plot-benchmark: error: no column \"" names[i] "\": not a dpdk-test-offload CSV" > "/dev/stderr"
			bad = 1
			exit 1
		}
	next
}
{
	nf = csv_split($0, f)
	if ("worker" in col && f[col["worker"]] != "all")
		next
	if ("dist" in col && f[col["dist"]] != "fixed")
		next
	label = f[col["mode"]] == "dma" ? "dma:" f[col["device"]] : f[col["mode"]]
	base = label
	# Several --offload configurations: one series each, titled with the
	# configuration (as the table does) when a case has more than one.
	if ("offload" in col && col["offload"] <= nf) {
		off = f[col["offload"]]
		if (off != "")
			label = label ":" off
		if (f[col["mode"]] == "offload" && !((f[col["case"]], off) in offs)) {
			offs[f[col["case"]], off] = 1
			noffs[f[col["case"]]]++
		}
	}
	key = f[col["case"]] "\t" label
	if (!(key in file)) {
		file[key] = dir "/series" (++nseries) ".dat"
		order[nseries] = key
		cases[f[col["case"]]] = 1
		kbase[key] = base
	}
	pt = key SUBSEP f[col["size"]]
	if (!(pt in cnt))
		pts[key] = pts[key] " " f[col["size"]]
	cnt[pt]++
	g[pt] += f[col["gbps"]]
	cy[pt] += f[col["cycles_per_op"]]
}
END {
	if (bad)
		exit 1
	for (i = 1; i <= nseries; i++) {
		k = order[i]
		m = split(pts[k], sizes, " ")
		for (j = 1; j <= m; j++) {
			pt = k SUBSEP sizes[j]
			print sizes[j], g[pt] / cnt[pt], cy[pt] / cnt[pt] > file[k]
		}
	}
	ncases = 0
	for (c in cases)
		ncases++
	for (i = 1; i <= nseries; i++) {
		split(order[i], kv, "\t")
		# One offload configuration in the case: "offload", as the table.
		if (kbase[order[i]] == "offload" && noffs[kv[1]] <= 1)
			kv[2] = "offload"
		# The case name only when there are several cases.
		title = ncases > 1 ? kv[1] " " kv[2] : kv[2]
		close(file[order[i]])
		print file[order[i]] "\t" title > (dir "/series.list")
	}
	if (nseries == 0) {
		print "plot-benchmark: error: no row to plot (fixed sizes, aggregate rows)" > "/dev/stderr"
		exit 1
	}
}' "$csv" || die "$csv: nothing plotted"

# gnuplot script: two panels, the same series in each.
plots_gbps=""
plots_cyc=""
while IFS="$(printf '\t')" read -r f title; do
	sort -n -o "$f" "$f"
	if [ -n "${PLOT_SERIES:-}" ]; then
		printf '%s\t%s\n' "$title" "$(wc -l <"$f")" >>"$PLOT_SERIES"
	fi
	t=$(printf '%s' "$title" | sed 's/"/\\"/g')
	plots_gbps="${plots_gbps:+$plots_gbps, }'$f' using 1:2 with linespoints title \"$t\""
	plots_cyc="${plots_cyc:+$plots_cyc, }'$f' using 1:3 with linespoints title \"$t\""
done <"$work/series.list"

# Size ticks at powers of 4 with binary units: 64 B, 256 B, 1 KiB, ...
xtics=""
for e in 0 2 4 6 8 10 12 14 16 18 20 22 24 26 28 30; do
	v=$((1 << e))
	if [ $e -ge 30 ]; then l="$((v >> 30)) GiB"
	elif [ $e -ge 20 ]; then l="$((v >> 20)) MiB"
	elif [ $e -ge 10 ]; then l="$((v >> 10)) KiB"
	else l="$v B"; fi
	xtics="${xtics:+$xtics, }\"$l\" $v"
done

gnuplot <<EOF || die "gnuplot failed"
set terminal pngcairo size 1400,560 font ",10" noenhanced
set output "$png"
set datafile separator whitespace
set multiplot layout 1,2 title "dpdk-test-offload: $(basename "$csv")"
set logscale x 2
set xtics ($xtics)
set xlabel "copy size (bytes)"
set grid
set key top left
set title "Throughput"
set ylabel "GB/s (1e9 bytes per second)"
set yrange [0:*]
plot $plots_gbps
set title "Submitter cost per copy (what the datapath core pays)"
set ylabel "submitter cycles per copy"
set logscale y 10
set yrange [*:*]
plot $plots_cyc
unset multiplot
EOF
note "wrote $png"
