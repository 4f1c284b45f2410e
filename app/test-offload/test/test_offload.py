#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The offload-copy authors
"""Tests of dpdk-test-offload, one group per meson test.

  test_offload.py --tool PATH --source DIR GROUP

GROUP is one of:
  cmdline  bad command lines: exit status 2, one error line naming the
           input, never a crash; good ones accepted (--help, a short run);
           the default working set lowered to fit EAL's memory
  config   INI files (--config): the shipped config.ini round-trips
           through --dry-run, and so do long lists; what --dry-run cannot
           write is refused; bad files exit 2 with one error line naming
           the file and the line, section or key; a two-section file runs
  plot     devtools/plot-benchmark.sh turns a short run's CSV into a PNG,
           a series per mode, and per --offload configuration when there
           are several, rounds averaged; refuses another tool's CSV
           (skipped without gnuplot)
  output   a short real run of cpu, dma and offload with every copy
           verified: --csv and --json well-formed, the same rows, every
           figure non-zero
  rounds   --rounds 3: every mode and size once per round, in turns; the
           summary's ratios are the medians and ranges of each round's
           ratios, recomputed here from the CSV
  variants --offload given twice: each configuration its own rows, in
           turn, compared with the first; INI 'offload = a | b'

Every DPDK run uses --no-huge --no-shconf, so the tests need no hugepages
and do not collide with other DPDK processes. Exit status: 0 pass, 1 fail.
"""

import argparse
import csv
import json
import math
import os
import re
import subprocess
import sys
import tempfile

EAL = ["-l", "0-1", "-s", "0x2", "--no-huge", "-m", "256", "--no-shconf",
       "--iova-mode=va", "--vdev", "dma_sw0", "--log-level", "lib.eal:error"]
# Small and short: a real run of every mode in about a second.
SHORT = ["--sizes", "64,4K", "--time", "0.05", "--warmup", "0",
         "--working-set", "8M"]
# The same by count: rows whose figures the summaries are checked against.
SHORT_OPS = ["--sizes", "64,4K", "--ops", "3000", "--warmup", "0",
             "--working-set", "8M"]

failures = []


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what, flush=True)
    if not cond:
        failures.append(what)
    return cond


def run(tool, args, eal=True, timeout=60):
    cmd = [tool] + (EAL if eal else []) + ["--"] + args
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def error_lines(err):
    return [l for l in err.splitlines() if "error:" in l]


def dry_run_ini(a, d, name, text, args=()):
    """Write text as INI file name in folder d and run --config on it with
    --dry-run (and args): (exit status, stdout, stderr)."""
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write(text)
    return run(a.tool, ["--config", path, "--dry-run"] + list(args), eal=False)


def expect_usage_error(tool, args, needle, eal=False):
    """Exit 2 and a first error line that names the bad input."""
    rc, out, err = run(tool, args, eal=eal)
    errs = error_lines(err)
    what = "%s -> exit 2, error naming '%s'" % (" ".join(args), needle)
    if not check(rc == 2 and errs and needle in errs[0], what):
        print("      exit %d, stderr:\n%s" % (rc, err), flush=True)


# --- cmdline ---------------------------------------------------------------

BAD_CMDLINES = [
    (["--sizes", "0"], "--sizes"),
    (["--sizes", "64,0"], "--sizes"),
    (["--sizes", "4K-1K"], "--sizes"),
    (["--sizes", "2G"], "--sizes"),
    (["--sizes", "abc"], "'abc'"),
    (["--burst", "0"], "--burst 0"),
    (["--burst", "64", "--ring", "32"], "--burst 64"),
    (["--ring", "70000"], "--ring 70000"),
    (["--time", "-1"], "--time -1"),
    (["--time", "1", "--ops", "5"], "--time and --ops"),
    # Seconds: digits first, as every other number (strtod() alone took
    # these), no hex float.
    (["--time", " 1"], "--time  1: expected seconds"),
    (["--time", "+1"], "--time +1: expected seconds"),
    (["--time", "  .5"], "--time   .5: expected seconds"),
    (["--time", ".5"], "--time .5: expected seconds"),
    (["--time", "0x1p-2"], "--time 0x1p-2: expected seconds"),
    (["--warmup", "+0"], "--warmup +0: expected seconds"),
    (["--warmup", "0X1P-2"], "--warmup 0X1P-2: expected seconds"),
    (["--long-us", " 5"], "--long-us  5: expected microseconds"),
    (["--long-us", "inf"], "--long-us inf: expected microseconds"),
    # Less than one TSC cycle: a case of 0 ops that passed.
    (["--time", "1e-300"], "--time 1e-300: expected seconds, 0.000001 .. 3600"),
    (["--time", "0.0000009"], "--time 0.0000009: expected seconds"),
    (["--time", "0"], "--time 0: expected seconds"),
    (["--warmup", "1e-300"],
     "--warmup 1e-300: expected seconds, 0 (none) or 0.000001 .. 3600"),
    (["--warmup", "3601"], "--warmup 3601: expected seconds"),
    (["--verify", "maybe"], "--verify maybe"),
    (["--verify", "pass", "--lcores", "0,1"],
     "--verify pass measures one submitter"),
    (["--lat-sample", "3"], "--lat-sample 3"),
    (["--lcores", "1,1"], "--lcores 1,1: lcore 1 given twice"),
    (["--lcores", "3-1"], "--lcores 3-1"),
    (["--lcores", "x"], "--lcores x"),
    (["--src-node", "99999"], "--src-node 99999"),
    (["--dst-node", "-1"], "--dst-node -1"),
    (["--dist", "64"], "--dist 64"),
    (["--dist", "64:0"], "weight '0' of size 64"),
    (["--dist", "0:3"], "size '0'"),
    (["--dist", "64:3,x:1"], "size 'x'"),
    (["--dist", "imix", "--sizes", "64"], "--dist imix"),
    (["--lat-sample", "x"], "--lat-sample x"),
    (["--mode", "gpu"], "'gpu'"),
    (["--mode", "dma"], "--mode dma"),
    (["--working-set", "1K"], "--working-set"),
    (["--working-set", "64P"], "--working-set 64P"),
    # The default for these (2 x 1 GiB x 4096 = 8 TiB a pool) does not fit
    # any machine: refused as a --working-set of that size is.
    (["--sizes", "64,1G", "--burst", "4096", "--ring", "4096"],
     "--sizes and --burst 4096: the default working set, 8388608 MiB per side"),
    (["--dist", "64:1,1G:1", "--burst", "4096", "--ring", "4096"],
     "--dist and --burst 4096: the default working set, 8388608 MiB"),
    (["--sizes", "1G", "--burst", "4096", "--ring", "4096", "--working-set",
      "8192G"],
     "--working-set 8796093022208: two pools of that size do not fit"),
    (["--lcore", "99999"], "--lcore 99999"),
    (["--bogus"], "--bogus"),
    (["--csv", "/nonexistent-dir/x.csv"], "--csv /nonexistent-dir/x.csv"),
    (["--json", "/nonexistent-dir/x.json"], "--json /nonexistent-dir/x.json"),
    # A folder, or a path that names one: refused before EAL too.
    (["--json", "/"], "--json /: cannot open for writing: Is a directory"),
    (["--csv", "results.csv/"], "--csv results.csv/: cannot open for writing"),
    (["--csv", ""], "--csv"),
    (["--offload", "policy=auto"], "--offload"),
    (["--mode", "offload", "--offload", ""], "--offload '': expected"),
    (["--mode", "offload"] + ["--offload", "split=off"] * 2,
     "--offload 'split=off': given twice"),
    (["--mode", "offload"] + sum([["--offload", "threshold=%d" % (64 << i)]
                                  for i in range(9)], []),
     "--offload: more than 8 configurations"),
    (["--mode", "offload", "--offload", "policy=cpu|policy=auto"],
     "'|' separates configurations in an INI file only"),
    (["--rounds", "0"], "--rounds 0: expected 1 .. 99"),
    (["--rounds", "100"], "--rounds 100"),
    (["--rounds", "-1"], "--rounds -1"),
    (["--rounds", "2x"], "--rounds 2x"),
    (["--rounds", ""], "--rounds"),
    (["--order", "sizes"], "--order sizes: expected size or mode"),
    (["--order", ""], "--order"),
    (["stray"], "'stray'"),
    # Lists: no empty item (strtok_r() would skip it).
    (["--mode", ""], "--mode '': an empty item"),
    (["--mode", "cpu,"], "--mode 'cpu,': an empty item"),
    (["--sizes", "64,,256"], "--sizes '64,,256': an empty item"),
    (["--lcores", "0,,1"], "--lcores '0,,1': an empty item"),
    (["--dist", "64:1,"], "--dist '64:1,': an empty item"),
    # A share the size table (4096 entries) cannot hold.
    (["--dist", "64:10000,64K:1"],
     "size 65536's weight 1 is below 1/4096 of the total 10001"),
    (["--sizes", "64,64"], "--sizes: 64: size 64 given twice"),
    (["--sizes", "4K,1K-8K"], "size 4096 given twice"),
    # A step before the range is not a range.
    (["--sizes", "64:x2-128"], "'64:x2-128' is not a size"),
]

# Ranges whose step goes past TO, even wrapping around: TO bounds them.
SIZE_RANGES = [
    ("64-128:+18446744073709551553", "64"),
    ("64-128:+18446744073709551615", "64"),
    ("64-100:+36", "64,100"),
    ("64-100:x2", "64"),
    ("64-1M:x4", "64,256,1024,4096,16384,65536,262144,1048576"),
]

# Seconds that are fine: (--time value, what --dry-run writes back).
GOOD_TIMES = [
    ("0.5", "0.5"),
    ("1e-3", "0.001"),
    ("2.", "2"),
    ("3600", "3600"),
    ("0.000001", "1e-06"),
]

# Checks that need EAL: the device, the lcores, the memory.
BAD_RUNTIME = [
    (["--dev", "nosuchdev0"], "--dev nosuchdev0"),
    (["--lcore", "5"], "--lcore 5"),
    (["--lcores", "0,5"], "--lcores: lcore 5"),
    (["--working-set", "512M"], "--working-set"),
    (["--src-node", "1"], "--src-node 1: NUMA node 1 has no DPDK memory"),
    (["--dst-node", "5"], "--dst-node 5: NUMA node 5 has no DPDK memory"),
    # The library configurations, before any case runs.
    (["--mode", "cpu,offload", "--dev", "dma_sw0", "--offload",
      "threshold=banana"],
     "--offload 'threshold=banana': not a valid library configuration"),
    (["--mode", "offload", "--dev", "dma_sw0", "--offload", "queues=2"],
     "queues=2, but the tool makes one queue per submitter lcore (1 here"),
    (["--mode", "offload", "--dev", "dma_sw0", "--burst", "64", "--offload",
      "queue_size=32"], "queue_size 32 is smaller than --burst 64"),
    # 64 B: the default working set of 1 MiB copies (80 GB) is refused first.
    (["--mode", "offload", "--dev", "dma_sw0", "--ring", "65535", "--burst",
      "40000", "--sizes", "64"],
     "offload: queue_size 32768 is smaller than --burst 40000"),
]


def check_outputs_kept(a):
    """A refused run leaves earlier output files as they were, and no output
    file may overwrite --config or the other one."""
    with tempfile.TemporaryDirectory() as d:
        keep = {}
        for name in ("old.csv", "old.json", "c.ini"):
            keep[name] = os.path.join(d, name)
            with open(keep[name], "w") as f:
                f.write("[x]\nmode = cpu\n" if name == "c.ini" else
                        "an earlier run's %s\n" % name)
        out = ["--csv", keep["old.csv"], "--json", keep["old.json"]]
        # [3]: pools EAL cannot allocate, refused once EAL has started; a
        # ring dma_sw refuses, before the cpu mode's rows.
        ring = (["--mode", "cpu,dma", "--dev", "dma_sw0", "--ring", "65535",
                 "--burst", "32", "--sizes", "64"],
                "--ring 65535: dma_sw0 accepts")
        for bad, needle in (BAD_RUNTIME[:2] + BAD_RUNTIME[3:4] +
                            BAD_RUNTIME[-3:-2] + [ring]):
            expect_usage_error(a.tool, bad + out, needle, eal=True)
        expect_usage_error(a.tool, ["--config", keep["c.ini"], "--csv",
                                    keep["c.ini"]],
                           "--csv %s: that is the --config file" % keep["c.ini"])
        expect_usage_error(a.tool, ["--config", keep["c.ini"], "--json",
                                    os.path.join(d, ".", "c.ini")],
                           "that is the --config file")
        # A --json that is a folder: refused before the --csv is emptied.
        expect_usage_error(a.tool, ["--csv", keep["old.csv"], "--json", d],
                           "--json %s: cannot open for writing" % d)
        new = os.path.join(d, "new.csv")
        expect_usage_error(a.tool, ["--csv", new, "--json", new],
                           "--csv %s and --json %s: the same file" % (new, new))
        expect_usage_error(a.tool, ["--csv", new, "--json",
                                    os.path.join(d, ".", "new.csv")],
                           "the same file")
        for name, path in keep.items():
            with open(path) as f:
                text = f.read()
            check(text == ("[x]\nmode = cpu\n" if name == "c.ini" else
                           "an earlier run's %s\n" % name),
                  "%s kept as it was by the refused runs" % name)
        check(not os.path.exists(new), "no new.csv made by the refused runs")


def group_cmdline(a):
    rc, out, err = run(a.tool, ["--help"], eal=False)
    check(rc == 0 and "--csv FILE" in out and "--json FILE" in out,
          "--help exits 0 and lists the options")
    for args, needle in BAD_CMDLINES:
        expect_usage_error(a.tool, args, needle)
    for args, needle in BAD_RUNTIME:
        expect_usage_error(a.tool, args, needle, eal=True)
    for arg, want in SIZE_RANGES:
        rc, out, err = run(a.tool, ["--sizes", arg, "--dry-run"], eal=False)
        check(rc == 0 and "\nsizes = %s\n" % want in out,
              "--sizes %s gives %s" % (arg, want))
    for arg, want in GOOD_TIMES:
        rc, out, err = run(a.tool, ["--time", arg, "--dry-run"], eal=False)
        check(rc == 0 and "\ntime = %s\n" % want in out,
              "--time %s accepted as %s (exit %d)" % (arg, want, rc))
    rc, out, err = run(a.tool, ["--mode", "cpu,offload", "--dev", "dma_sw0",
                                "--offload", "threshold=banana"] + SHORT)
    check(rc == 2 and "cpu " not in out,
          "a bad --offload is refused before the cpu case runs")
    check_outputs_kept(a)
    rc, out, err = run(a.tool, ["--mode", "cpu", "--sizes", "64", "--ops",
                                "1000", "--warmup", "0", "--working-set",
                                "1M"])
    check(rc == 0 and "cpu" in out, "a good command line runs (exit %d)" % rc)
    # Two workers need two vchans: DPDK's dma_skeleton has one (a plugin of
    # Debian's DPDK, loaded by EAL from its folder).
    eal = ["--lcores", "(0-2)@(0,1)", "--no-huge", "-m", "256",
           "--no-shconf", "--vdev", "dma_skeleton0,lcore=2"]
    p = subprocess.run([a.tool] + eal + ["--", "--mode", "dma", "--dev",
                                         "dma_skeleton0", "--lcores", "0,1",
                                         "--sizes", "64", "--ops", "100",
                                         "--working-set", "1M"],
                       capture_output=True, text=True, timeout=60)
    if ("no such dmadev" in p.stderr or "parse device" in p.stderr or
            "EAL initialisation failed" in p.stderr):
        print("skip  dma_skeleton not available: vchan count not checked")
    else:
        check(p.returncode == 2 and "dma_skeleton0: 2 submitter lcores need "
              "one vchan each, the device has 1" in p.stderr,
              "--lcores 0,1 on a one-vchan device: exit 2, the reason")
    rc, out, err = run(a.tool, ["--mode", "cpu", "--sizes", "4K", "--ops",
                                "1000", "--warmup", "0", "--working-set",
                                "1M", "--flush-cache", "--src-node", "0",
                                "--dst-node", "0"])
    check(rc == 0 and "caches evicted before each measured run" in out and
          "source pool on NUMA node 0, destination pool on node 0" in out,
          "--flush-cache --src-node 0 --dst-node 0 run (exit %d)" % rc)
    check_default_working_set(a)
    # The shortest case still copies: at least one burst.
    with tempfile.TemporaryDirectory() as d:
        csvf = os.path.join(d, "short.csv")
        rc, out, err = run(a.tool, ["--mode", "cpu", "--sizes", "64", "--time",
                                    "0.000001", "--warmup", "0",
                                    "--working-set", "1M", "--csv", csvf])
        rows = []
        if rc == 0:
            with open(csvf, newline="") as f:
                rows = list(csv.DictReader(f))
        check(rc == 0 and len(rows) == 1 and int(rows[0]["ops"]) > 0,
              "--time 0.000001 runs a case that copies (exit %d)" % rc)


def check_default_working_set(a):
    """The default working set (4 x the LLC, at least 64 MiB) is halved
    until it fits EAL's 256 MiB here, down to 64 MiB, with a note; one
    given is never lowered."""
    rc, out, err = run(a.tool, ["--mode", "cpu", "--sizes", "64",
                                "--dry-run"], eal=False)
    want = [int(l.split("=")[1]) for l in out.splitlines()
            if l.startswith("working-set = ")]
    if not check(rc == 0 and len(want) == 1, "--dry-run gives the default "
                 "working set"):
        return
    want = want[0]
    mib = 1 << 20
    rc, out, err = run(a.tool, ["--mode", "cpu", "--sizes", "64", "--ops",
                                "1000", "--warmup", "0"])
    note = [l for l in out.splitlines() if "note: working set" in l]
    header = "working set 64 MiB per side"
    if want > 64 * mib:
        check(rc == 0 and len(note) == 1 and note[0].startswith(
              "dpdk-test-offload: note: working set 64 MiB per side: the "
              "default, ") and "does not fit in the memory EAL has" in
              note[0] and header in out,
              "default %d MiB lowered to 64 MiB to fit EAL -m 256, with a "
              "note (exit %d)" % (want // mib, rc))
    else:
        print("skip  the default is 64 MiB on this machine (small LLC): "
              "nothing to lower")
        check(rc == 0 and not note and header in out,
              "the default 64 MiB fits EAL -m 256, no note (exit %d)" % rc)
    rc, out, err = run(a.tool, ["--mode", "cpu", "--sizes", "64", "--ops",
                                "1000", "--warmup", "0", "--working-set",
                                "256M"])
    errs = error_lines(err)
    check(rc == 2 and len(errs) == 1 and "cannot allocate the to_src0 pool, "
          "256 MiB (--working-set)" in errs[0] and "MiB free" in errs[0] and
          "note:" not in out,
          "--working-set 256M in EAL -m 256: exit 2, not lowered, one error"
          " line (exit %d)" % rc)


# --- config ----------------------------------------------------------------

# (file contents, text the first error line must hold)
BAD_INIS = [
    ("[a]\nsizes 64\n", ":2: 'sizes 64' is neither"),
    ("sizes = 64\n[a]\n", ":1: 'sizes = 64' comes before"),
    ("[a\nsizes = 64\n", ":1: '[a'"),
    ("[a]\nsizes =\n", ":2: 'sizes =' has no value"),
    ("; only a comment\n", "no [section]"),
    ("", "no [section]"),
    ("[a]\nsizes = 64\n[a]\nburst = 4\n", "section [a] given twice"),
    ("[a]\nburst = 4\nburst = 8\n", "[a]: key 'burst' given twice"),
    ("[a]\nbogus = 1\n", "[a]: unknown key 'bogus'"),
    ("[a]\ncsv = x.csv\n", "[a]: key 'csv' is not allowed in a section"),
    ("[a]\nconfig = y.ini\n", "[a]: key 'config' is not allowed"),
    ("[a]\nprogress = true\n", "[a]: key 'progress' is not allowed"),
    ("[a]\nmode = gpu\n", "[a]: --mode: unknown mode 'gpu'"),
    ("[a]\nsizes = 0\n", "[a]: --sizes"),
    ("[a]\nsizes = 64,0\n", "[a]: --sizes"),
    ("[ok]\nsizes = 64\n[b]\nburst = 0\n", "[b]: --burst 0"),
    ("[a]\nworking-set = 64T\n", "[a]: --working-set"),
    ("[a]\nmode = dma\n", "[a]: --mode dma needs"),
    ("[a]\nno-park = maybe\n", "[a]: no-park = maybe"),
    ("[a]\nflush-cache = 2\n", "[a]: flush-cache = 2"),
    ("[a]\nsrc-node = x\n", "[a]: --src-node x"),
    ("[a]\ndev = ,\n", "[a]: dev ','"),
    ("[a]\ntime = 1\nops = 10\n", "[a]: --time and --ops"),
    ("[a]\nverify = most\n", "[a]: --verify most"),
    ("[a]\nrounds = 0\n", "[a]: --rounds 0"),
    ("[a]\ntime = 1e-300\n", "[a]: --time 1e-300"),
    ("[a]\nwarmup = 1e-7\n", "[a]: --warmup 1e-7"),
    ("[a]\nmode = offload\noffload = policy=cpu |\n", "[a]: --offload ''"),
    ("[a]\nmode = offload\noffload = split=off | split=off\n",
     "[a]: --offload 'split=off': given twice"),
    # What rte_cfgfile would cut short (its fields: 63 and 255 characters).
    ("[a]\nsizes = " + "64," * 84 + "1024\n",
     ":2: value of 256 characters: at most 255"),
    ("[a]\n" + "k" * 64 + " = 1\n", ":2: key of 64 characters: at most 63"),
    ("[" + "s" * 64 + "]\nmode = cpu\n",
     ":1: section name of 64 characters: at most 63"),
    ("[a]\nmode = cpu ;" + "c" * 320 + "\n",
     ":2: line of 332 characters: at most 322, comment included"),
    ("[a]\nmode = cpu\0\n", ":2: a NUL byte"),
    # rte_cfgfile ends a section at its first ']': [a] and [x].
    ("[a]]\nmode = cpu\n", ":1: '[a]]': a section is [name], nothing after"),
    ("[x]y]\nmode = cpu\n", ":1: '[x]y]': a section is [name], nothing after"),
    ("[a]\nmode = cpu\n[b] ]\nmode = cpu\n", ":3: '[b] ]'"),
    # "\;" is a literal ';' to rte_cfgfile, and the rest of the line with it:
    # a comment that is not one, a value past 255 characters cut short.
    ("[a]\nmode = cpu\\;x\n", ":2: '\\;' (an escaped ';'"),
    ("[a]\nmode = offload\noffload = policy=cpu\\; ; note\n",
     ":3: '\\;' (an escaped ';'"),
    ("[a]\nmode = offload\noffload = " + "a" * 250 + "\\;" + "b" * 10 + "\n",
     ":3: '\\;' (an escaped ';'"),
    ("[a\\;b]\nmode = cpu\n", ":1: '\\;' (an escaped ';'"),
]

# Bad files whose fault only EAL can see: a device, an lcore.
BAD_INIS_RUNTIME = [
    ("[a]\nmode = dma\ndev = nosuchdev0\n", "[a]: --dev nosuchdev0"),
    ("[a]\nmode = cpu\ndst-node = 2\n", "[a]: --dst-node 2"),
    ("[ok]\nmode = cpu\n[b]\nmode = cpu\nlcore = 7\n", "[b]: --lcore 7"),
]

# Command lines whose --dry-run output --config must read back as it is:
# lists past an INI value's 255 characters written as ranges, the most
# devices, configurations and lcores that fit, a time of 1e-06.
ROUND_TRIPS = [
    ["--sizes", "1K-64M:+1M"],
    ["--sizes", "64-1M:x2,100-3000:+100,3,5,100000000-100000012:+1,7"],
    ["--sizes", "1G,1000-1062:+1", "--burst", "1",
     "--working-set", "4G"],
    ["--mode", "dma", "--working-set", "64M"] +
    sum([["--dev", "dma_sw%d" % i] for i in range(16)], []),
    ["--mode", "offload"] + sum([["--offload", "threshold=%d,split=off" %
                                  (64 << i)] for i in range(8)], []),
    ["--lcores", "0-63", "--time", "0.000001"],
]

# Cases --dry-run cannot write so that --config reads them back: refused.
BAD_DUMPS = [
    # A list of sizes of no step: 40 sizes of 10 digits.
    (["--sizes", ",".join(str(1000000000 + 7919 * i * i) for i in range(40)),
      "--burst", "1", "--working-set", "4G"],
     "--dry-run [cmdline]: --sizes: 40 sizes (runs of a step written as "
     "ranges) in 439 characters, more than the 255 an INI value holds"),
    (["--mode", "offload"] + sum([["--offload", "threshold=%d,split=off,"
                                   "policy=auto" % (64 << i)]
                                  for i in range(8)], []),
     "--dry-run [cmdline]: --offload: 8 configurations in 304 characters"),
    (["--mode", "offload", "--offload", "threshold=64," * 20 + "split=off"],
     "--dry-run [cmdline]: --offload: 1 configuration in 269 characters"),
    (["--mode", "dma"] + sum([["--dev", "dma_sw_named_at_length_%d" % i]
                              for i in range(16)], []),
     "--dry-run [cmdline]: --dev: 16 devices in "),
    (["--mode", "offload", "--offload", "policy=cpu;split=off"],
     "--dry-run [cmdline]: --offload 'policy=cpu;split=off': a ';' starts a "
     "comment"),
    (["--mode", "dma", "--dev", "dma;0"],
     "--dry-run [cmdline]: --dev 'dma;0': a ';' starts a comment"),
    (["--mode", "dma", "--dev", "dma_sw0,x"],
     "--dev 'dma_sw0,x': a ',' separates the devices"),
    (["--mode", "dma", "--dev", "dma_sw0 "],
     "--dev 'dma_sw0 ': an INI file drops the blanks at its ends"),
    (["--mode", "offload", "--offload", "policy=cpu", "--offload",
      " split=off"], "--offload ' split=off': an INI file drops the blanks"),
    (["--mode", "dma", "--dev", "dma\nsw0"],
     "--dev: a control character (0x0a) in a value"),
]


def size_list(spec):
    """The sizes --sizes spec gives (items, FROM-TO, :xMUL, :+STEP)."""
    def num(v):
        for sfx, shift in (("K", 10), ("M", 20), ("G", 30)):
            if v.endswith(sfx):
                return int(v[:-1]) << shift
        return int(v)
    out = []
    for item in spec.split(","):
        if "-" not in item:
            out.append(num(item))
            continue
        lo, rest = item.split("-")
        hi, step = (rest.split(":") + ["x2"])[:2]
        v, hi = num(lo), num(hi)
        while v <= hi:
            out.append(v)
            v = v * int(step[1:]) if step[0] == "x" else v + num(step[1:])
    return out


def check_round_trips(a, d):
    """--dry-run output is a --config file that gives it again; what it
    cannot write is refused, and nothing is written."""
    for i, args in enumerate(ROUND_TRIPS):
        rc, out1, err = run(a.tool, args + ["--dry-run"], eal=False)
        rc2, out2, err2 = dry_run_ini(a, d, "trip%d.ini" % i, out1)
        what = " ".join(args)
        what = what if len(what) < 70 else what[:67] + "..."
        check(rc == 0 and rc2 == 0 and out2 == out1,
              "%s: --dry-run read back the same (exit %d, %d) %s" %
              (what, rc, rc2, (err + err2).strip()))
        sizes = [l[len("sizes = "):] for l in out1.splitlines()
                 if l.startswith("sizes = ")]
        if "--sizes" in args and sizes:
            spec = args[args.index("--sizes") + 1]
            check(len(sizes[0]) <= 255 and
                  size_list(sizes[0]) == size_list(spec),
                  "--sizes %s written as %s: the same %d sizes" %
                  (spec, sizes[0], len(size_list(spec))))
    for args, needle in BAD_DUMPS:
        rc, out, err = run(a.tool, args + ["--dry-run"], eal=False)
        errs = error_lines(err)
        what = " ".join(args)
        what = what if len(what) < 70 else what[:67] + "..."
        if not check(rc == 2 and out == "" and errs and needle in errs[0],
                     "%s --dry-run -> exit 2, nothing written, error naming "
                     "'%s'" % (what, needle)):
            print("      exit %d, stderr:\n%s" % (rc, err), flush=True)
    # From --config: the section named, and not even its good sections
    # written.
    devs = sum([["--dev", "dma_sw_named_at_length_%d" % i] for i in range(16)],
               [])
    rc, out, err = dry_run_ini(a, d, "big.ini", "[ok]\nmode = dma\ndev = "
                               "dma_sw0\n[big]\nmode = dma\n", devs)
    errs = error_lines(err)
    check(rc == 2 and out == "" and errs and
          "--dry-run [big]: --dev: 16 devices in 405 characters" in errs[0],
          "a section inheriting 16 long --dev names -> exit 2, nothing "
          "written, error naming [big] (exit %d) %s" % (rc, err))


def group_config(a):
    shipped = os.path.join(a.source, "config.ini")
    rc, out1, err = run(a.tool, ["--config", shipped, "--dry-run"], eal=False)
    check(rc == 0 and out1.count("\n[") == 3 and out1.startswith("["),
          "the shipped config.ini parses: 4 sections (exit %d) %s" % (rc, err))
    with tempfile.TemporaryDirectory() as d:
        rc, out2, err = dry_run_ini(a, d, "again.ini", out1)
        check(rc == 0 and out2 == out1,
              "--dry-run output read back with --config gives the same cases")
        check_round_trips(a, d)
        # Only the line's first ';' can be escaped: one in a comment is text.
        rc, out, err = dry_run_ini(a, d, "esc.ini",
                                   "[a]\nmode = cpu ; a \\; in a comment\n")
        check(rc == 0 and "\nmode = cpu\n" in out,
              "'\\;' inside a comment is part of the comment (exit %d) %s" %
              (rc, err))

        # Command-line options are defaults; a section's keys win.
        ini = os.path.join(d, "two.ini")
        with open(ini, "w") as f:
            f.write("; two cases\n[cpu-small]\nmode = cpu\nsizes = 64,1K ; inline\n"
                    "\n[dma-4k]\nmode = dma\ndev = dma_sw0\nsizes = 4K\n"
                    "ops = 20000\n")
        rc, out, err = run(a.tool, ["--config", ini, "--dry-run", "--burst",
                                    "16", "--time", "0.05"], eal=False)
        check(rc == 0 and out.count("burst = 16") == 2 and
              "time = 0.05" in out and "ops = 20000" in out and
              "sizes = 64,1024\n" in out,
              "command-line options are defaults, section keys override")
        csvf = os.path.join(d, "two.csv")
        rc, out, err = run(a.tool, ["--config", ini, "--csv", csvf, "--time",
                                    "0.05", "--warmup", "0",
                                    "--working-set", "4M"])
        if check(rc == 0, "a two-section file runs (exit %d)" % rc):
            with open(csvf, newline="") as f:
                rows = list(csv.DictReader(f))
            check([(r["case"], r["mode"], r["size"]) for r in rows] ==
                  [("cpu-small", "cpu", "64"), ("cpu-small", "cpu", "1024"),
                   ("dma-4k", "dma", "4096")],
                  "its CSV has one row per case and size, named by section")
            check(all(int(r["ops"]) > 0 and int(r["verified"]) == int(r["ops"])
                      for r in rows), "every row ran and was verified")
            check(rows and rows[-1]["ops"] == "20000",
                  "the section's ops = 20000 replaced the command line's time")
        else:
            print(out, err)

        for i, (text, needle) in enumerate(BAD_INIS + BAD_INIS_RUNTIME):
            path = os.path.join(d, "bad%d.ini" % i)
            with open(path, "w") as f:
                f.write(text)
            runtime = i >= len(BAD_INIS)
            args = ["--config", path] + ([] if runtime else ["--dry-run"])
            rc, out, err = run(a.tool, args, eal=runtime)
            errs = error_lines(err)
            ok = check(rc == 2 and len(errs) >= 1 and path in errs[0] and
                       needle in errs[0],
                       "bad INI %r -> exit 2, error naming '%s'" %
                       (text, needle))
            if not ok:
                print("      exit %d, stderr:\n%s" % (rc, err), flush=True)
        rc, out, err = run(a.tool, ["--config", os.path.join(d, "none.ini")],
                           eal=False)
        check(rc == 2 and "none.ini: cannot open" in err,
              "a missing file -> exit 2, 'cannot open'")


# --- output ----------------------------------------------------------------

COLUMNS = ["case", "mode", "device", "workers", "worker", "size", "dist", "mean_size", "ops", "bytes", "seconds", "mops",
           "gbps", "cycles_per_op", "enq_cycles_per_op", "cpl_cycles_per_op",
           "idle_cycles_per_op", "ops_per_poll", "long_regions", "verified",
           "path_cpu_pct", "path_engine_pct", "path_split_pct",
           "lat_samples", "lat_p50_us", "lat_p99_us", "lat_p999_us", "lib_cpu",
           "lib_engine", "lib_split", "errors", "maps", "burst", "window",
           "ring", "working_set", "tsc_hz", "round", "offload", "placement",
           "placement_moves", "warmup_s", "verify"]
def doc_columns(a):
    """The fields the tool's guide lists under Output files, in order."""
    path = os.path.join(a.source, "..", "..", "doc", "guides", "tools",
                        "test_offload.rst")
    with open(path) as f:
        text = f.read()
    part = text.split("\nOutput files\n", 1)[1].split("\nSeveral workers\n", 1)[0]
    names = []
    for line in part.splitlines():
        if line.startswith("   * - ``"):
            names += re.findall(r"``([a-z0-9_]+)``", line)
    return names


POSITIVE = ["size", "ops", "bytes", "seconds", "mops", "gbps",
            "cycles_per_op", "lat_samples", "lat_p50_us", "burst", "window", "ring", "working_set",
            "tsc_hz"]


def num(v):
    return None if v in ("", None) else float(v)


# Where the library places copies (ocopy_placement_name()).
PLACEMENTS = ("engines", "threshold", "help", "cpu")


def check_row(r, where, device="dma_sw0"):
    ok = True
    for k in POSITIVE:
        v = num(r[k])
        ok &= check(v is not None and math.isfinite(v) and v > 0,
                    "%s: %s = %s > 0" % (where, k, r[k]))
    ok &= check(num(r["verified"]) == num(r["ops"]),
                "%s: every copy verified (%s of %s)" % (where, r["verified"],
                                                        r["ops"]))
    ok &= check(num(r["errors"]) == 0, "%s: no errors" % where)
    ok &= check(r["verify"] == "all", "%s: verify = all, the default (%s)" %
                (where, r["verify"]))
    ok &= check(num(r["lat_p50_us"]) <= num(r["lat_p99_us"]) <=
                num(r["lat_p999_us"]), "%s: latency p50 <= p99 <= p99.9" % where)
    # --lat-sample auto: every op from 4 KiB, one in 16 below (by the
    # largest size for a distribution).
    every = 1 if num(r["size"]) >= 4096 else 16
    ok &= check(abs(num(r["lat_samples"]) - num(r["ops"]) / every) <= 1,
                "%s: %s latency samples for %s ops (1 in %d)" %
                (where, r["lat_samples"], r["ops"], every))
    if r["dist"] == "fixed":
        ok &= check(abs(num(r["bytes"]) - num(r["ops"]) * num(r["size"])) < 1
                    and num(r["mean_size"]) == num(r["size"]),
                    "%s: bytes = ops x size" % where)
    else:
        ok &= check(abs(num(r["bytes"]) / num(r["ops"]) - num(r["mean_size"]))
                    < 0.01 * num(r["mean_size"]), "%s: mean_size = bytes / ops" %
                    where)
    if r["mode"] == "cpu":
        ok &= check(num(r["ops_per_poll"]) is None and r["device"] == "",
                    "%s: no poll figures, no device" % where)
    else:
        ok &= check((num(r["ops_per_poll"]) or 0) > 0,
                    "%s: ops_per_poll > 0" % where)
    if r["mode"] == "dma":
        ok &= check(r["device"] == device, "%s: device %s" % (where, device))
    if r["mode"] == "offload":
        s = sum(num(r[k]) for k in ("path_cpu_pct", "path_engine_pct",
                                    "path_split_pct"))
        ok &= check(abs(s - 100) < 0.5, "%s: path shares sum to 100 (%g)" %
                    (where, s))
        ok &= check(num(r["lib_cpu"]) + num(r["lib_engine"]) +
                    num(r["lib_split"]) == num(r["ops"]),
                    "%s: lib_cpu + lib_engine + lib_split = ops" % where)
        # The pools are registered with the library: the engine maps each
        # worker's two, each one memzone, with one call apiece (the
        # calibration's own map not counted).
        pools = 2 * int(num(r["workers"]))
        ok &= check(num(r["maps"]) == pools, "%s: maps = %s, expected %d (the pools)" %
                    (where, r["maps"], pools))
        ok &= check(r["placement"] in PLACEMENTS and
                    (num(r["placement_moves"]) or 0) >= 0 and
                    r["placement_moves"] != "",
                    "%s: placement %s, %s moves" % (where, r["placement"],
                                                    r["placement_moves"]))
    else:
        ok &= check(r["placement"] == "" and r["placement_moves"] == "",
                    "%s: no placement outside offload" % where)
    return ok


def group_output(a):
    with tempfile.TemporaryDirectory() as d:
        c, j = os.path.join(d, "out.csv"), os.path.join(d, "out.json")
        rc, out, err = run(a.tool, ["--mode", "cpu,dma,offload", "--dev",
                                    "dma_sw0", "--csv", c, "--json", j] +
                           SHORT)
        if not check(rc == 0, "short run of cpu, dma, offload exits 0"):
            print(out, err)
            return
        with open(c, newline="") as f:
            text = f.read()
        with open(c, newline="") as f:
            rows = list(csv.reader(f))
        check(rows and rows[0] == COLUMNS, "CSV header: the documented columns")
        doc = doc_columns(a)
        first = next((i for i, (x, y) in enumerate(zip(doc, COLUMNS))
                      if x != y), min(len(doc), len(COLUMNS)))
        check(doc == COLUMNS, "the guide's Output files table lists the"
              " CSV's fields in their order%s" % ("" if doc == COLUMNS else
              " (field %d: the guide %s, the CSV %s)" % (
                  first, doc[first:first + 1], COLUMNS[first:first + 1])))
        check(all(len(r) == len(COLUMNS) for r in rows),
              "CSV: every line has %d fields" % len(COLUMNS))
        check(text.endswith("\n") and "\r" not in text, "CSV: LF line ends")
        with open(c, newline="") as f:
            crow = list(csv.DictReader(f))
        check(len(crow) == 6, "CSV: 6 rows (3 modes x 2 sizes), got %d" %
              len(crow))
        for r in crow:
            check_row(r, "csv %s %s" % (r["mode"], r["size"]))
        try:
            with open(j) as f:
                doc = json.load(f)
        except ValueError as e:
            check(False, "JSON well-formed: %s" % e)
            return
        jrow = doc.get("rows", [])
        check(doc.get("tool") == "dpdk-test-offload", "JSON: tool name")
        check(len(jrow) == len(crow), "JSON: as many rows as the CSV")
        check(all(list(r.keys()) == COLUMNS for r in jrow),
              "JSON: every object has the CSV's keys, in order")
        for r in jrow:
            rs = {k: ("" if v is None else str(v)) for k, v in r.items()}
            check_row(rs, "json %s %s" % (r["mode"], r["size"]))
        check([r["ops"] for r in jrow] == [int(r["ops"]) for r in crow],
              "JSON and CSV carry the same rows")
        # A mixed-size workload: every mode copies the same sizes.
        c2 = os.path.join(d, "imix.csv")
        rc, out, err = run(a.tool, ["--mode", "cpu,dma,offload", "--dev",
                                    "dma_sw0", "--dist", "imix", "--ops",
                                    "4096", "--warmup", "0", "--working-set",
                                    "8M", "--csv", c2])
        if check(rc == 0, "--dist imix run of cpu, dma, offload exits 0"):
            with open(c2, newline="") as f:
                mrows = list(csv.DictReader(f))
            check([(r["mode"], r["dist"], r["size"]) for r in mrows] ==
                  [("cpu", "imix", "65536"), ("dma", "imix", "65536"),
                   ("offload", "imix", "65536")],
                  "imix: one row per mode, dist imix, slots of 64 KiB")
            for r in mrows:
                check_row(r, "imix %s" % r["mode"])
                # 4096 ops = the whole size table: its mean, exactly
                # (12546394 bytes; the weights' mean is 3079.2).
                check(r["bytes"] == "12546394",
                      "imix %s: the whole table, 12546394 bytes (%s)" %
                      (r["mode"], r["bytes"]))
            check(len(set(r["bytes"] for r in mrows)) == 1,
                  "imix: every mode copied the same bytes")
            check("imix distribution, mean 3063 B per copy" in out,
                  "imix: the header gives the table's mean, 3063 B")
            check("imix: " in out and "better single strategy" in out and
                  "submitter cycles/op: offload" in out,
                  "imix: the summary compares offload with the better single,"
                  " GB/s and cycles per copy")
            # The engine against the cpu, named by the distribution, not
            # by its largest size (the slots').
            dma = out.split("\nsummary:\n", 1)[-1]
            check("  imix: " in dma and " cpu GB/s " in dma and
                  "KiB" not in dma and "64 B" not in dma,
                  "imix: the dma summary gives the engine against the cpu"
                  " as imix, GB/s only")
        else:
            print(out, err)
        # Two submitter lcores sharing CPU 0, dma_sw0's engine on lcore 2
        # (CPU 1): each worker its own vchan and library queue.
        c3 = os.path.join(d, "workers.csv")
        eal = ["--lcores", "(0-1)@0,2@1", "--no-huge", "-m", "256",
               "--no-shconf", "--iova-mode=va", "--vdev", "dma_sw0,lcore=2",
               "--log-level", "lib.eal:error"]
        cmd = [a.tool] + eal + ["--", "--mode", "cpu,dma,offload", "--dev",
                                "dma_sw0", "--lcores", "0,1", "--sizes",
                                "4K", "--ops", "3000", "--warmup", "0",
                                "--working-set", "4M", "--csv", c3]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if check(p.returncode == 0, "--lcores 0,1 run exits 0 (exit %d)" %
                 p.returncode):
            with open(c3, newline="") as f:
                wrows = list(csv.DictReader(f))
            check([(r["mode"], r["worker"]) for r in wrows] ==
                  [(m, w) for m in ("cpu", "dma", "offload")
                   for w in ("all", "0", "1")],
                  "--lcores: per mode an aggregate row, then one per worker")
            for m in ("cpu", "dma", "offload"):
                rs = [r for r in wrows if r["mode"] == m]
                check(all(r["workers"] == "2" for r in rs) and
                      int(rs[0]["ops"]) == 6000 and
                      all(int(r["ops"]) == 3000 for r in rs[1:]) and
                      int(rs[0]["bytes"]) == sum(int(r["bytes"]) for r in rs[1:]),
                      "--lcores %s: 3000 ops per worker, the aggregate their sum"
                      % m)
                for r in rs:
                    check_row(r, "workers %s %s" % (m, r["worker"]))
        else:
            print(p.stdout, p.stderr)

        # An engine that takes 8 ops between doorbells (dma_sw's max_batch,
        # as Intel DSA's idxd): bursts of 32 go in batches of 8, each rung,
        # and every op is copied and checked, by dmadev and library alike.
        c4 = os.path.join(d, "batch.csv")
        eal = ["-l", "0-1", "-s", "0x2", "--no-huge", "-m", "256",
               "--no-shconf", "--iova-mode=va", "--vdev",
               "dma_sw0,max_batch=8", "--log-level", "lib.eal:error"]
        cmd = [a.tool] + eal + ["--", "--mode", "dma,offload", "--dev",
                                "dma_sw0", "--sizes", "4K", "--ops", "3000",
                                "--burst", "32", "--warmup", "0",
                                "--working-set", "4M", "--csv", c4]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if check(p.returncode == 0, "max_batch=8, bursts of 32: exits 0 (exit %d)"
                 % p.returncode):
            with open(c4, newline="") as f:
                brows = list(csv.DictReader(f))
            check([r["mode"] for r in brows] == ["dma", "offload"],
                  "max_batch=8: a dma and an offload row")
            for r in brows:
                check(int(r["ops"]) == 3000, "max_batch=8 %s: 3000 ops, got %s"
                      % (r["mode"], r["ops"]))
                check_row(r, "max_batch=8 %s" % r["mode"])
            check("dma_sw0 takes 8 operations between doorbells: bursts of 32"
                  " rung every 8" in p.stdout + p.stderr,
                  "max_batch=8: the batch bound is reported")
            check("offload: engine dma_sw0: " in p.stdout and
                  ", batches of 8; " in p.stdout,
                  "max_batch=8: the offload header names the engine's batch")
        else:
            print(p.stdout, p.stderr)

        # dma mode on a dma_offload device, the library as a dmadev: its
        # engine (dma_sw0) is another device, whose service must not be
        # parked while its cases run (before, every copy waited for it
        # until the tool gave up on a stalled device).
        c5 = os.path.join(d, "offload_dev.csv")
        eal = ["-l", "0-1", "-s", "0x2", "--no-huge", "-m", "256",
               "--no-shconf", "--iova-mode=va", "--vdev", "dma_sw0",
               "--vdev", "dma_offload0,engines=dma_sw0,policy=engine",
               "--log-level", "lib.eal:error"]
        cmd = [a.tool] + eal + ["--", "--mode", "dma", "--dev",
                                "dma_offload0", "--sizes", "64,4K", "--ops",
                                "3000", "--warmup", "0", "--working-set",
                                "4M", "--csv", c5]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if check(p.returncode == 0, "dma mode on dma_offload0: exits 0 (exit %d)"
                 % p.returncode):
            with open(c5, newline="") as f:
                orows = list(csv.DictReader(f))
            check([(r["mode"], r["size"]) for r in orows] ==
                  [("dma", "64"), ("dma", "4096")],
                  "dma_offload0: a row per size")
            for r in orows:
                check(int(r["ops"]) == 3000, "dma_offload0 %s B: 3000 ops, got %s"
                      % (r["size"], r["ops"]))
                check_row(r, "dma_offload0 %s B" % r["size"], "dma_offload0")
        else:
            print(p.stdout, p.stderr)

        # dma mode on dma_skeleton0, whose thread runs on lcore 1 beside the
        # dma_sw0 service: the service lcore is parked for its cases (before,
        # it spun there and took half the skeleton's CPU, all of it under
        # SCHED_FIFO, where the run hung), and started again for dma_sw0's.
        c7 = os.path.join(d, "skeleton.csv")
        eal = ["-l", "0-1", "-s", "0x2", "--no-huge", "-m", "256",
               "--no-shconf", "--iova-mode=va", "--vdev", "dma_sw0",
               "--vdev", "dma_skeleton0,lcore=1", "--log-level",
               "lib.eal:error", "--log-level", "user.test_offload:debug"]
        cmd = [a.tool] + eal + ["--", "--mode", "dma", "--dev", "dma_sw0",
                                "--dev", "dma_skeleton0", "--sizes", "64,4K",
                                "--ops", "3000", "--warmup", "0",
                                "--working-set", "4M", "--csv", c7]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if ("no such dmadev" in p.stderr or "parse device" in p.stderr or
                "EAL initialisation failed" in p.stderr):
            print("skip  dma_skeleton not available: parking not checked")
        elif check(p.returncode == 0, "dma_sw0 and dma_skeleton0: exits 0 (exit %d)"
                   % p.returncode):
            with open(c7, newline="") as f:
                krows = list(csv.DictReader(f))
            check([(r["device"], r["size"]) for r in krows] ==
                  [("dma_sw0", "64"), ("dma_skeleton0", "64"),
                   ("dma_sw0", "4096"), ("dma_skeleton0", "4096")],
                  "dma_sw0 and dma_skeleton0: a row each per size (%s)"
                  % [(r["device"], r["size"]) for r in krows])
            for r in krows:
                check(int(r["ops"]) == 3000, "%s %s B: 3000 ops, got %s"
                      % (r["device"], r["size"], r["ops"]))
            log = p.stdout + p.stderr
            check(log.count("service lcore 1 parked") == 2,
                  "the service lcore parked for each of dma_skeleton0's two"
                  " cases (%d times)" % log.count("service lcore 1 parked"))
        else:
            print(p.stdout, p.stderr)

        # --progress on a pipe: whole lines on stderr, one per case; nothing
        # on stdout or in the CSV. Without it, nothing (not a terminal).
        c4 = os.path.join(d, "progress.csv")
        rc, out, err = run(a.tool, ["--sizes", "64,4K,64K", "--time", "0.05",
                                    "--warmup", "0", "--working-set", "8M",
                                    "--progress", "--csv", c4])
        plines = [l for l in err.splitlines() if l.startswith("[")]
        check(rc == 0 and [l.split("]")[0] for l in plines] ==
              ["[1/3", "[2/3", "[3/3"] and "cpu 64 KiB" in plines[-1],
              "--progress: one stderr line per case, [k/3]")
        with open(c4) as f:
            ctext = f.read()
        check("[" not in out and "elapsed" not in out and "elapsed" not in
              ctext, "--progress: nothing on stdout or in the CSV")
        rc, out, err = run(a.tool, ["--sizes", "64", "--time", "0.05",
                                    "--warmup", "0", "--working-set", "8M"])
        check(rc == 0 and "elapsed" not in err,
              "no progress by default when stderr is not a terminal")

        # After a warm-up (its op count differs per mode), a measured run
        # of part of the table starts it from its first entry in every
        # mode: the same bytes (it went on from where the warm-up left).
        c6 = os.path.join(d, "imix-warm.csv")
        rc, out, err = run(a.tool, ["--mode", "cpu,dma,offload", "--dev",
                                    "dma_sw0", "--dist", "imix", "--ops",
                                    "1000", "--warmup", "0.02",
                                    "--working-set", "8M", "--csv", c6])
        if check(rc == 0, "--dist imix with a warm-up exits 0"):
            with open(c6, newline="") as f:
                wrows = list(csv.DictReader(f))
            check(len(wrows) == 3 and len(set(r["bytes"] for r in wrows)) == 1,
                  "imix after a warm-up: every mode copied the same bytes (%s)"
                  % [r["bytes"] for r in wrows])

        # A custom distribution: equal weights of 64 B and 4 KiB, so over the
        # whole table (4096 ops) the mean is exactly 2080 B.
        c5 = os.path.join(d, "custom.csv")
        rc, out, err = run(a.tool, ["--mode", "cpu", "--dist", "64:1,4K:1",
                                    "--ops", "4096", "--warmup", "0",
                                    "--working-set", "4M", "--csv", c5])
        if check(rc == 0, "--dist 64:1,4K:1 runs (exit %d)" % rc):
            with open(c5, newline="") as f:
                r = list(csv.DictReader(f))[0]
            check(r["dist"] == "custom" and r["size"] == "4096" and
                  r["bytes"] == str(4096 * 2080),
                  "custom distribution: 4096 ops of mean 2080 B (%s bytes)" %
                  r["bytes"])
            check("custom distribution, mean 2080 B" in out,
                  "the header names the distribution and its mean")

        # Verification can fail: a damaged copy ends the run with exit 1
        # and names the copy, in every mode and with several workers.
        for mode in ("cpu", "dma", "offload"):
            rc, out, err = run(a.tool, ["--mode", mode, "--dev", "dma_sw0",
                                        "--sizes", "4K", "--ops", "200",
                                        "--warmup", "0", "--working-set",
                                        "4M", "--corrupt-op", "5"]
                               if mode != "cpu" else
                               ["--mode", mode, "--sizes", "4K", "--ops",
                                "200", "--warmup", "0", "--working-set", "4M",
                                "--corrupt-op", "5"])
            check(rc == 1 and "verification failed for copy #5" in err,
                  "--corrupt-op 5, %s: exit 1 naming copy #5 (exit %d)" %
                  (mode, rc))

        # --verify pass checks every copy once its pass over the pools is
        # delivered: 256 KiB pools of 4 KiB slots are passes of 64 copies,
        # so 1000 copies make 15 passes and a part. Each is checked before
        # the next overwrites it: a damaged copy in the second pass is named
        # (checked at the end only, the first pass's copies would fail, as
        # the later passes overwrote them), and a run with none passes with
        # every copy counted as checked.
        dev = ["--dev", "dma_sw0"]
        for mode in ("cpu", "dma", "offload"):
            args = ["--mode", mode] + (dev if mode != "cpu" else []) + [
                "--sizes", "4K", "--ops", "1000", "--warmup", "0",
                "--working-set", "256K", "--verify", "pass"]
            rc, out, err = run(a.tool, args + ["--corrupt-op", "70"])
            check(rc == 1 and "verification failed for copy #70 " in err,
                  "--verify pass --corrupt-op 70, %s: exit 1 naming copy #70"
                  " (exit %d)" % (mode, rc))
            cp = os.path.join(d, "pass-%s.csv" % mode)
            rc, out, err = run(a.tool, args + ["--csv", cp])
            if check(rc == 0, "--verify pass, %s: 15 passes and a part run"
                     " (exit %d)" % (mode, rc)):
                with open(cp, newline="") as f:
                    r = list(csv.DictReader(f))[0]
                check(r["ops"] == "1000" and r["verified"] == "1000",
                      "--verify pass, %s: every copy checked (%s of %s)" %
                      (mode, r["verified"], r["ops"]))
                check(r["verify"] == "pass",
                      "--verify pass, %s: the row says so (verify = '%s')" %
                      (mode, r["verify"]))
                check("verify pass (every copy" in out,
                      "--verify pass: the header says how copies are checked")

        # The table is still there, and the files do not leak into it.
        check("mode" in out and "GB/s" in out and "cycles_per_op" not in out,
              "the table is printed, unchanged by --csv/--json")

        check_signals(a, d)


def check_signals(a, d):
    """SIGINT, SIGTERM and SIGPIPE stop a run whole: the exit status says
    which (128 + the signal), the JSON file is closed (it parses), the
    rows of the cases done are in both files, and it takes no longer than
    a burst and the clean-up. Killed by them, the tool used to leave a JSON
    array open and its hugepages held."""
    import signal
    import time
    args = ["--mode", "cpu,dma,offload", "--dev", "dma_sw0", "--sizes",
            "64,4K", "--time", "0.2", "--warmup", "0", "--working-set", "8M",
            "--rounds", "50"]
    for sig in (signal.SIGINT, signal.SIGTERM):
        name = signal.Signals(sig).name
        c, j = (os.path.join(d, "sig.%s" % x) for x in ("csv", "json"))
        p = subprocess.Popen([a.tool] + EAL + ["--"] + args +
                             ["--csv", c, "--json", j],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        time.sleep(2.5)
        p.send_signal(sig)
        t0 = time.monotonic()
        out, err = p.communicate(timeout=30)
        took = time.monotonic() - t0
        check(p.returncode == 128 + sig and "stopped by %s" % name in err,
              "%s: exit %d, 'stopped by %s' (exit %d)" %
              (name, 128 + sig, name, p.returncode))
        check(took < 10, "%s: stopped within 10 s (%.1f s)" % (name, took))
        try:
            with open(j) as f:
                rows = json.load(f)["rows"]
        except (OSError, ValueError) as e:
            rows = None
            check(False, "%s: the JSON file parses (%s)" % (name, e))
        with open(c, newline="") as f:
            crows = list(csv.DictReader(f))
        check(rows is not None and len(rows) >= 1 and len(rows) == len(crows)
              and all(r["ops"] == r["verified"] for r in crows),
              "%s: the cases done are in both files, whole (%s JSON, %d CSV"
              " rows)" % (name, None if rows is None else len(rows),
                          len(crows)))
    # A reader of stdout gone: SIGPIPE, not a kill.
    j = os.path.join(d, "pipe.json")
    p = subprocess.Popen([a.tool] + EAL + ["--"] + args + ["--json", j],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Up to the first row: a case has run, so the files are open.
    for line in p.stdout:
        if line.startswith(b"cpu "):
            break
    p.stdout.close()
    err = p.stderr.read().decode()
    p.wait(timeout=60)
    check(p.returncode == 128 + signal.SIGPIPE and "stopped by SIGPIPE" in err,
          "stdout closed: exit %d, 'stopped by SIGPIPE' (exit %d)" %
          (128 + signal.SIGPIPE, p.returncode))
    try:
        with open(j) as f:
            json.load(f)
        ok = True
    except (OSError, ValueError):
        ok = False
    check(ok, "stdout closed: the JSON file parses")


# --- plot ------------------------------------------------------------------

class Skip(Exception):
    pass


def group_plot(a):
    import shutil
    if shutil.which("gnuplot") is None:
        raise Skip("gnuplot not installed (devtools/setup-debian.sh installs it)")
    script = os.path.join(a.source, "..", "..", "devtools", "plot-benchmark.sh")
    with tempfile.TemporaryDirectory() as d:
        c, png = os.path.join(d, "sweep.csv"), os.path.join(d, "sweep.png")
        rc, out, err = run(a.tool, ["--mode", "cpu,dma,offload", "--dev",
                                    "dma_sw0", "--sizes", "64-4K:x4",
                                    "--time", "0.03", "--warmup", "0",
                                    "--working-set", "8M", "--csv", c])
        if not check(rc == 0, "a short sweep for the plot runs"):
            print(out, err)
            return
        p = subprocess.run([script, c, png], capture_output=True, text=True,
                           timeout=60)
        ok = check(p.returncode == 0, "plot-benchmark.sh exits 0")
        if not ok:
            print(p.stdout, p.stderr)
            return
        with open(png, "rb") as f:
            data = f.read()
        check(data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10000,
              "a PNG of %d bytes" % len(data))
        # One series per mode; one offload configuration: "offload".
        env = dict(os.environ, PLOT_SERIES=os.path.join(d, "series.txt"))
        p = subprocess.run([script, c, png], capture_output=True, text=True,
                           timeout=60, env=env)
        with open(env["PLOT_SERIES"]) as f:
            series = [l.rstrip("\n").split("\t") for l in f]
        check(p.returncode == 0 and series == [["cpu", "4"], ["dma:dma_sw0", "4"],
                                               ["offload", "4"]],
              "series: cpu, dma:dma_sw0, offload, 4 sizes each: %s" % series)
        # Two rounds of two configurations, one holding a comma (a quoted
        # CSV field): a series each, titled with it, one point per size.
        c2 = os.path.join(d, "variants.csv")
        rc, out, err = run(a.tool, ["--mode", "offload", "--dev", "dma_sw0",
                                    "--offload", "policy=cpu,split=off",
                                    "--offload", "policy=engine",
                                    "--rounds", "2", "--sizes", "64,4K",
                                    "--ops", "1000", "--warmup", "0",
                                    "--working-set", "8M", "--csv", c2])
        os.remove(env["PLOT_SERIES"])
        p = subprocess.run([script, c2, png], capture_output=True, text=True,
                           timeout=60, env=env)
        series = []
        if os.path.exists(env["PLOT_SERIES"]):
            with open(env["PLOT_SERIES"]) as f:
                series = [l.rstrip("\n").split("\t") for l in f]
        check(rc == 0 and p.returncode == 0 and
              series == [["offload:policy=cpu,split=off", "2"],
                         ["offload:policy=engine", "2"]],
              "two --offload configurations over two rounds: a series each,"
              " one point per size: %s" % series)
        # The default output name, next to the CSV.
        p = subprocess.run([script, c], capture_output=True, text=True,
                           timeout=60)
        check(p.returncode == 0 and os.path.getsize(png) > 10000,
              "default PNG name: CSV's with .png")
        bad = os.path.join(d, "bad.csv")
        with open(bad, "w") as f:
            f.write("a,b\n1,2\n")
        p = subprocess.run([script, bad, os.path.join(d, "bad.png")],
                           capture_output=True, text=True, timeout=60)
        check(p.returncode != 0 and "not a dpdk-test-offload CSV" in p.stderr
              and not os.path.exists(os.path.join(d, "bad.png")),
              "a CSV of another tool: an error, no PNG")
        p = subprocess.run([script, os.path.join(d, "none.csv")],
                           capture_output=True, text=True, timeout=60)
        check(p.returncode != 0 and "cannot read" in p.stderr,
              "a missing CSV: an error")


# --- rounds ----------------------------------------------------------------

def spread(v):
    """The median, least and greatest of v, as the tool computes them."""
    v = sorted(v)
    n = len(v)
    med = v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2
    return med, v[0], v[-1]


def summary_ratio(out, prefix):
    """The 'N.NNx (L-H, K rounds)' after prefix on a summary line."""
    for line in out.splitlines():
        s = line.strip()
        if not s.startswith(prefix):
            continue
        rest = s[len(prefix):].strip()
        try:
            med = float(rest.split("x", 1)[0])
            inner = rest.split("(", 1)[1].split(")", 1)[0]
            lo, hi = (float(x) for x in inner.split(",")[0].split("-"))
            k = int(inner.split(",")[1].split()[0])
        except (IndexError, ValueError):
            return None
        return med, lo, hi, k
    return None


def close(a, b):
    """Equal to the summary's 2 decimals (the CSV keeps 6 digits)."""
    return abs(a - b) <= 0.0051


def check_spread(got, want, rounds, what):
    """A summary's (median, low, high, rounds) against the CSV's own."""
    check(got is not None and got[3] == rounds and
          all(close(x, y) for x, y in zip(got, want)),
          "%s: %.2fx (%.2f-%.2f), printed %s" % ((what,) + want + (got,)))


def run_csv(a, args, path, what):
    """A real run writing the CSV at path: its rows and stdout, or None
    (the failure reported) when it does not exit 0."""
    rc, out, err = run(a.tool, args + ["--csv", path], timeout=120)
    if not check(rc == 0, what):
        print(out, err)
        return None, out
    with open(path, newline="") as f:
        return list(csv.DictReader(f)), out


def group_rounds(a):
    with tempfile.TemporaryDirectory() as d:
        rows, out = run_csv(a, ["--mode", "cpu,dma,offload", "--dev",
                                "dma_sw0", "--rounds", "3"] + SHORT_OPS,
                            os.path.join(d, "rounds.csv"),
                            "--rounds 3 run of cpu, dma, offload exits 0")
        if rows is None:
            return
        # --order size, the default: each size in every mode in turn.
        order = [(str(r), m, sz) for r in (1, 2, 3) for sz in ("64", "4096")
                 for m in ("cpu", "dma", "offload")]
        check([(r["round"], r["mode"], r["size"]) for r in rows] == order,
              "CSV: 18 rows, round by round, size by size, every mode at"
              " each size")
        for r in rows:
            check_row(r, "round %s %s %s" % (r["round"], r["mode"], r["size"]))
        check(all("round %d of 3" % k in out for k in (1, 2, 3)),
              "the table says where each round starts")

        def g(r):
            return float(r["gbps"])

        for sz, label in (("64", "64 B"), ("4096", "4 KiB")):
            ratios = []
            for k in ("1", "2", "3"):
                at = {r["mode"]: r for r in rows
                      if r["round"] == k and r["size"] == sz}
                best = max(g(at["cpu"]), g(at["dma"]))
                ratios.append(g(at["offload"]) / best)
            want = spread(ratios)
            # "64 B: 1.234 GB/s, 0.80x (...) the better single strategy"
            lines = [l.strip() for l in out.splitlines()
                     if l.strip().startswith("%s: " % label) and
                     "better single strategy" in l]
            got = (summary_ratio(lines[0].split(", ", 1)[1], "")
                   if lines else None)
            check_spread(got, want, 3, "summary %s: offload over the better"
                         " single strategy, median and range of the rounds'"
                         " own ratios" % label)
        # The dma summary: ops/s against the cpu, round by round.
        ratios = []
        for k in ("1", "2", "3"):
            at = {r["mode"]: r for r in rows
                  if r["round"] == k and r["size"] == "64"}
            ratios.append(float(at["dma"]["mops"]) / float(at["cpu"]["mops"]))
        want = spread(ratios)
        lines = [l.strip() for l in out.splitlines()
                 if l.strip().startswith("64 B: ") and "cpu ops/s" in l]
        got = summary_ratio(lines[0], "64 B: ") if lines else None
        check_spread(got, want, 3, "summary dma:dma_sw0 64 B: median and"
                     " range of the rounds' ops/s ratios")

        # --order mode: each mode's sizes in turn; the same summary.
        mrows, mout = run_csv(a, ["--mode", "cpu,dma,offload", "--dev",
                                  "dma_sw0", "--rounds", "2", "--order",
                                  "mode"] + SHORT_OPS,
                              os.path.join(d, "order.csv"),
                              "--order mode run exits 0")
        if mrows is not None:
            order = [(str(r), m, sz) for r in (1, 2)
                     for m in ("cpu", "dma", "offload") for sz in ("64", "4096")]
            check([(r["round"], r["mode"], r["size"]) for r in mrows] == order,
                  "--order mode: round by round, mode by mode, every size in"
                  " each mode")
            check(len([l for l in mout.splitlines()
                       if "better single strategy" in l]) == 2,
                  "--order mode: the summary has each size once")

        # --dry-run writes it back; --config reads it.
        rc, out, err = run(a.tool, ["--rounds", "4", "--dry-run"], eal=False)
        check(rc == 0 and "rounds = 4\n" in out, "--dry-run: rounds = 4")
        rc, out, err = run(a.tool, ["--dry-run"], eal=False)
        check(rc == 0 and "rounds = 1\n" in out and "order = size\n" in out,
              "--dry-run: rounds = 1 and order = size by default")
        rc, out, err = run(a.tool, ["--order", "mode", "--dry-run"], eal=False)
        check(rc == 0 and "order = mode\n" in out, "--dry-run: order = mode")
        rc, out, err = dry_run_ini(a, d, "order.ini",
                                   "[a]\norder = mode\n[b]\nsizes = 64\n")
        check(rc == 0 and out.count("order = mode\n") == 1 and
              out.count("order = size\n") == 1,
              "INI: order per section, size where not given")


# --- variants --------------------------------------------------------------

def group_variants(a):
    with tempfile.TemporaryDirectory() as d:
        rows, out = run_csv(a, ["--mode", "cpu,offload", "--dev", "dma_sw0",
                                "--offload", "policy=cpu", "--offload",
                                "policy=engine", "--rounds", "2"] + SHORT_OPS,
                            os.path.join(d, "variants.csv"),
                            "two --offload configurations, 2 rounds: exit 0")
        if rows is None:
            return
        order = [(str(r), m, o, sz) for r in (1, 2) for sz in ("64", "4096")
                 for m, o in (("cpu", ""), ("offload", "policy=cpu"),
                              ("offload", "policy=engine"))]
        check([(r["round"], r["mode"], r["offload"], r["size"]) for r in rows]
              == order, "CSV: per round, cpu then each configuration in the"
              " order given, the configuration in the 'offload' field")
        for r in rows:
            check_row(r, "round %s %s %s %s" % (r["round"], r["mode"],
                                                r["offload"], r["size"]))
        pc = [r for r in rows if r["offload"] == "policy=cpu"]
        pe = [r for r in rows if r["offload"] == "policy=engine"]
        check(all(int(r["lib_engine"]) == 0 for r in pc),
              "policy=cpu rows: no copy on the engine")
        # On the engine even at 64 B, where the default policy keeps every
        # copy on the CPU (not "all": an engine whose service lcore was
        # preempted past stall_us is passed over for a while, by design).
        check(all(int(r["lib_engine"]) > 0 for r in pe),
              "policy=engine rows: copies on the engine, at 64 B too")
        # The fixed policies' placements, which never move.
        check(all(r["placement"] == "cpu" and r["placement_moves"] == "0"
                  for r in pc) and
              all(r["placement"] == "engines" and r["placement_moves"] == "0"
                  for r in pe),
              "placement: cpu for policy=cpu, engines for policy=engine,"
              " no move")
        check(all(" cpu" in l for l in out.splitlines()
                  if l.startswith("offload:policy=cpu ")),
              "the table's path column names the placement")
        # --warmup 0 here: no warm-up, not even for an adaptive queue.
        check(all(num(r["warmup_s"]) == 0 for r in rows),
              "--warmup 0: every row's warmup_s is 0")

        # An adaptive queue (policy=auto, cpu_help=auto) warms up until it
        # has measured 24 epochs of 2 ms or more: a 10 ms warm-up is
        # repeated (some 4 times, 10 at most: at least twice here, to stay
        # clear of the timing); a fixed policy's is not.
        wrows, wout = run_csv(a, ["--mode", "cpu,offload", "--dev", "dma_sw0",
                                  "--offload", "policy=auto", "--offload",
                                  "policy=cpu", "--sizes", "4K", "--ops",
                                  "3000", "--warmup", "0.01",
                                  "--working-set", "8M"],
                              os.path.join(d, "warmup.csv"),
                              "--warmup 0.01 with policy=auto and policy=cpu:"
                              " exit 0")
        if wrows is not None:
            w = {(r["mode"], r["offload"]): num(r["warmup_s"]) for r in wrows}
            check(w[("cpu", "")] == 0.01 and
                  w[("offload", "policy=cpu")] == 0.01,
                  "warmup_s 0.01 for cpu and policy=cpu: %s" % w)
            auto = w[("offload", "policy=auto")]
            check(0.03 - 1e-9 <= auto <= 0.11 + 1e-9 and
                  abs(auto * 100 - round(auto * 100)) < 1e-6,
                  "policy=auto: the warm-up repeated, 0.03 to 0.11 s in steps"
                  " of 0.01 (%s)" % auto)
        check("offload:policy=cpu" in out and "offload:policy=engine" in out,
              "the table labels each configuration's rows")
        # Each configuration against the first, round by round.
        lines = out.splitlines()
        try:
            at = [l.strip() for l in lines].index(
                "summary: each offload configuration against the first,"
                " offload:policy=cpu (GB/s)")
        except ValueError:
            at = -1
        check(at >= 0, "a summary of each configuration against the first")
        for sz, label in (("64", "64 B"), ("4096", "4 KiB")):
            ratios = []
            for k in ("1", "2"):
                g = {r["offload"]: float(r["gbps"]) for r in rows
                     if r["round"] == k and r["size"] == sz and
                     r["mode"] == "offload"}
                ratios.append(g["policy=engine"] / g["policy=cpu"])
            want = spread(ratios)
            got = None
            for l in lines[at + 1:] if at >= 0 else []:
                if l.strip().startswith("%s: " % label):
                    got = summary_ratio(l.strip(), "%s: " % label)
                    break
            check_spread(got, want, 2, "%s: policy=engine over policy=cpu,"
                         " median and range of the rounds' ratios" % label)

        # An INI section's list replaces the command line's; --dry-run
        # writes it back in the same syntax.
        rc, out, err = dry_run_ini(
            a, d, "v.ini",
            "[v]\nmode = offload\ndev = dma_sw0\n"
            "offload = policy=cpu |  split=off,policy=auto \n[w]\n"
            "mode = offload\ndev = dma_sw0\n",
            ["--offload", "threshold=4096"])
        check(rc == 0 and "[v]\n" in out and
              out.count("offload = policy=cpu | split=off,policy=auto\n") == 1
              and out.count("offload = threshold=4096\n") == 1,
              "INI: 'offload = a | b' replaces the command line's --offload;"
              " a section without it keeps the command line's")
        rc, out2, err = dry_run_ini(a, d, "again.ini", out)
        check(rc == 0 and out2 == out, "--dry-run output reads back the same")


GROUPS = {
    "cmdline": group_cmdline,
    "config": group_config,
    "output": group_output,
    "plot": group_plot,
    "rounds": group_rounds,
    "variants": group_variants,
}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tool", required=True)
    p.add_argument("--source", required=True, help="app/test-offload")
    p.add_argument("group", choices=sorted(GROUPS))
    a = p.parse_args()
    try:
        GROUPS[a.group](a)
    except Skip as e:
        print("SKIP: %s" % e)
        return 77
    if failures:
        print("%d check(s) failed:" % len(failures))
        for f in failures:
            print("  " + f)
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
