#!/usr/bin/env python3
"""Runs one libFuzzer target for a bounded time, as ctest does.

    run_fuzzer.py TARGET --seconds S --corpus SEEDS --regressions DIR --work DIR

First every input in the regression folder (crashes found earlier) runs
once and must pass; then the target mutates a copy of its seed corpus for S
seconds (NESTLAB_FUZZ_SECONDS overrides). Output goes to WORK/fuzz.log; only
the tail is printed on failure, so a test's output stays bounded. A crash
leaves its input in WORK/ and the message says how to keep it as a
regression input.
"""
import argparse
import os
import shutil
import subprocess
import sys


def tail(path, lines=60):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 16384))
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("target")
    p.add_argument("--seconds", type=int, default=20)
    p.add_argument("--corpus", required=True)
    p.add_argument("--regressions", required=True)
    p.add_argument("--work", required=True)
    a = p.parse_args()
    seconds = int(os.environ.get("NESTLAB_FUZZ_SECONDS", a.seconds))
    name = os.path.basename(a.target)
    if not os.path.isdir(a.corpus) or not os.listdir(a.corpus):
        print(f"{name}: no seed corpus in {a.corpus}", file=sys.stderr)
        return 1
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(os.path.join(a.work, "corpus"))
    log = os.path.join(a.work, "fuzz.log")
    common = ["-rss_limit_mb=2048", "-timeout=10", "-malloc_limit_mb=1024",
              f"-artifact_prefix={a.work}/"]

    regressions = sorted(os.path.join(a.regressions, f) for f in os.listdir(a.regressions)) \
        if os.path.isdir(a.regressions) else []
    if regressions:
        with open(log, "wb") as out:
            r = subprocess.run([a.target, *common, *regressions], stdout=out,
                               stderr=subprocess.STDOUT, timeout=120)
        if r.returncode != 0:
            print(tail(log))
            print(f"{name}: a regression input fails again (exit {r.returncode})", file=sys.stderr)
            return 1
        print(f"{name}: {len(regressions)} regression input(s) pass")

    with open(log, "ab") as out:
        try:
            r = subprocess.run([a.target, *common, f"-max_total_time={seconds}",
                                "-print_final_stats=1", os.path.join(a.work, "corpus"), a.corpus],
                               stdout=out, stderr=subprocess.STDOUT, timeout=seconds + 120)
            code = r.returncode
        except subprocess.TimeoutExpired:
            code = "timeout"
    stats = [line for line in tail(log, 400).splitlines() if line.startswith("stat::")]
    runs = next((line.split(":")[-1].strip() for line in stats if "number_of_executed_units" in line),
                "?")
    if code != 0:
        print(tail(log))
        crashes = [f for f in os.listdir(a.work) if f.startswith(("crash-", "leak-", "timeout-",
                                                                   "oom-", "slow-unit-"))]
        print(f"{name}: the fuzzer found a problem (exit {code}) after {runs} runs; inputs: "
              f"{', '.join(os.path.join(a.work, c) for c in crashes) or 'none saved'}. Fix it, "
              f"then keep the input as a regression: cp INPUT {a.regressions}/", file=sys.stderr)
        return 1
    print(f"{name}: {runs} runs in {seconds} s, no crash")
    return 0


if __name__ == "__main__":
    sys.exit(main())
