#!/usr/bin/env python3
"""Run kvm-unit-tests (arm64) under plain QEMU and under `nestlab run`, side by side.

kvm-unit-tests is the external yardstick for the guest platform: a test that
passes on plain `qemu-system-aarch64 -M virt,gic-version=3` must pass the same
way as a guest of a VHV. It is never committed here: fetch its public
repository, build it outside the tree, and point this script at it:

  git clone <kvm-unit-tests> /tmp/kut && cd /tmp/kut &&
    ./configure --arch=arm64 --cross-prefix=aarch64-linux-gnu- && make -j2
  tests/tools/kut.py --kut /tmp/kut selftest-setup timer debug-bp
  tests/tools/kut.py --kut /tmp/kut --group gic --json

Tests are named as in arm/unittests.cfg (a name, or --group), or by their
file (spinlock-test.flat) for the ones it does not list. Each run is
bounded (--timeout). For each test the script prints the summary line each
side printed ("SUMMARY: N tests, M unexpected failures, K skipped"), the exit
status from "EXIT: STATUS=", and whether the two agree. Exit status: 0 when
every selected test agrees, 1 otherwise.
"""
import argparse
import configparser
import json
import os
import re
import shlex
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The CPU and machine a VHV offers its guests (vhv/host/qemu_process.cpp).
PLAIN_MACHINE = "virt,gic-version=3"
PLAIN_CPU = "cortex-a72"


def load_cfg(kut):
    cfg = configparser.ConfigParser(interpolation=None, strict=False)
    cfg.read(os.path.join(kut, "arm", "unittests.cfg"))
    return cfg


def smp_of(text, max_smp):
    text = (text or "1").replace("$MAX_SMP", str(max_smp))
    m = re.fullmatch(r"\$\(\(\((\d+) < (\d+)\)\?(\d+):(\d+)\)\)", text.strip())
    if m:
        a, b, c, d = (int(x) for x in m.groups())
        return c if a < b else d
    return int(text)


def mem_of(qemu_params):
    m = re.search(r"-m\s+(\d+)", qemu_params or "")
    return int(m.group(1)) if m else 128


def unquote(text):
    text = (text or "").strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def summarize(output):
    summary = re.search(r"^SUMMARY: .*$", output, re.M)
    status = re.search(r"^EXIT: STATUS=(\d+)", output, re.M)
    return {
        "summary": summary.group(0).strip() if summary else None,
        "status": int(status.group(1)) if status else None,
    }


def run_bounded(argv, timeout):
    start = time.monotonic()
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
        out, code = p.stdout.decode(errors="replace"), p.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") + "\n(timed out)\n"
        code = None
    r = summarize(out[-200000:])
    r["exit"] = code
    r["seconds"] = round(time.monotonic() - start, 2)
    r["tail"] = out[-2000:]
    return r


def plain_argv(flat, smp, mem, args, extra):
    argv = ["qemu-system-aarch64", "-M", PLAIN_MACHINE, "-cpu", PLAIN_CPU, "-nodefaults",
            "-display", "none", "-serial", "stdio", "-smp", str(smp), "-m", str(mem),
            "-kernel", flat]
    if args:
        argv += ["-append", args]
    return argv + extra


def nestlab_argv(nestlab, flat, smp, mem, args):
    argv = [nestlab, "run", "--smp", str(smp), "--mem", f"{mem}M"]
    if args:
        argv += ["--append", args]
    return argv + [flat]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kut", default=os.environ.get("KUT_DIR", "/tmp/kut"),
                    help="a built kvm-unit-tests tree (default $KUT_DIR or /tmp/kut)")
    ap.add_argument("--build", default=os.environ.get("NESTLAB_BUILD_DIR", os.path.join(ROOT, "build")))
    ap.add_argument("--group", action="append", default=[], help="run every test of a group")
    ap.add_argument("--max-smp", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--only", choices=["plain", "nestlab"], help="run one side only")
    ap.add_argument("--json", action="store_true", help="one JSON object per test on stdout")
    ap.add_argument("tests", nargs="*")
    a = ap.parse_args()

    cfg = load_cfg(a.kut)
    names = list(a.tests)
    for g in a.group:
        names += [s for s in cfg.sections() if g in cfg[s].get("groups", "").split()]
    if not names:
        ap.error("name tests (as in arm/unittests.cfg) or --group")
    nestlab = os.path.join(a.build, "bin", "nestlab")
    all_agree = True
    for name in names:
        if name.endswith(".flat") and name not in cfg:  # a test the cfg does not list
            cfg[name] = {"file": name, "smp": str(a.max_smp)}
        if name not in cfg:
            print(f"{name}: no such test in {a.kut}/arm/unittests.cfg", file=sys.stderr)
            all_agree = False
            continue
        t = cfg[name]
        flat = os.path.join(a.kut, "arm", t["file"])
        smp = smp_of(t.get("smp"), a.max_smp)
        mem = mem_of(t.get("qemu_params"))
        args = unquote(t.get("test_args", t.get("extra_params", "")))
        qp = t.get("qemu_params", "")
        # Machine options other than -m (a gic-version=2 test cannot run in a VHV's GICv3).
        extra = [w for w in shlex.split(qp) if w not in ("-m",) and not w.isdigit()]
        row = {"test": name, "smp": smp, "mem": mem, "args": args}
        if a.only != "nestlab":
            row["plain"] = run_bounded(plain_argv(flat, smp, mem, args, extra), a.timeout)
        if a.only != "plain":
            row["nestlab"] = run_bounded(nestlab_argv(nestlab, flat, smp, mem, args), a.timeout)
        if a.only is None:
            p, n = row["plain"], row["nestlab"]
            row["agree"] = (p["summary"], p["status"]) == (n["summary"], n["status"])
            all_agree &= row["agree"]
        if a.json:
            print(json.dumps(row), flush=True)
        else:
            sides = [s for s in ("plain", "nestlab") if s in row]
            cells = "  |  ".join(f"{s}: {row[s]['summary'] or 'no SUMMARY'} "
                                 f"(STATUS={row[s]['status']}, {row[s]['seconds']} s)" for s in sides)
            mark = "" if "agree" not in row else ("  same" if row["agree"] else "  DIFFERENT")
            print(f"{name:28} {cells}{mark}", flush=True)
            if row.get("agree") is False:
                for s in sides:
                    print(f"  --- {s} tail ---\n" + "\n".join(
                        "  " + l for l in row[s]["tail"].splitlines()[-15:]))
    return 0 if all_agree else 1


if __name__ == "__main__":
    sys.exit(main())
