"""Skips are not passes: the allowlist, and the record every test runner keeps.

A test runner (run_unittest.py, run_checked.py) reports each skipped test
here. A skip is *allowed* when tests/skips.allow has a line whose pattern
matches its id and whose condition holds on this machine; any other skip is
*unexpected*: the runner exits 77 (ctest shows the suite as Skipped) and
./scripts/test fails after listing it by name (tests/tools/skip_report.py).

Records go to $NESTLAB_SKIP_DIR/<suite>.txt, one line per skip:
    allowed|unexpected <TAB> <suite> <TAB> <test id> <TAB> <reason>
"""
import fnmatch
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
ALLOWLIST = os.environ.get("NESTLAB_SKIP_ALLOWLIST") or os.path.join(HERE, "..", "skips.allow")
CONDITIONS = ("always", "asan", "cgroup-v1", "cgroup-v2", "not-root")


def machine_conditions():
    """The conditions that hold here."""
    held = {"always"}
    if os.environ.get("NESTLAB_SANITIZE") == "1":
        held.add("asan")
    if os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
        held.add("cgroup-v2")
    else:
        held.add("cgroup-v1")
    if os.geteuid() != 0:
        held.add("not-root")
    return held


def load_allowlist(path=ALLOWLIST):
    """[(pattern, condition, reason)] from `pattern  condition  reason…` lines."""
    entries = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 2)
            if len(parts) < 3 or parts[1] not in CONDITIONS:
                raise ValueError(f"{path}:{number}: want `pattern condition reason` with "
                                 f"condition one of {', '.join(CONDITIONS)}: {line!r}")
            entries.append((parts[0], parts[1], parts[2]))
    return entries


def allowed(suite, test_id, entries=None, held=None):
    """The allowlist reason when this skip is allowed here, else None."""
    entries = load_allowlist() if entries is None else entries
    held = machine_conditions() if held is None else held
    full = f"{suite}:{test_id}"
    for pattern, condition, reason in entries:
        if condition in held and (fnmatch.fnmatchcase(full, pattern)
                                  or fnmatch.fnmatchcase(test_id, pattern)):
            return reason
    return None


def one_line(text, limit=300):
    text = re.sub(r"\s+", " ", str(text)).strip()
    return text if len(text) <= limit else text[:limit] + "…"


def record(suite, skips):
    """Writes the records for [(test id, reason)]; returns the unexpected ones."""
    entries = load_allowlist()
    held = machine_conditions()
    unexpected = []
    lines = []
    for test_id, reason in skips:
        verdict = "allowed" if allowed(suite, test_id, entries, held) else "unexpected"
        if verdict == "unexpected":
            unexpected.append((test_id, reason))
        lines.append(f"{verdict}\t{suite}\t{test_id}\t{one_line(reason)}\n")
    directory = os.environ.get("NESTLAB_SKIP_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, suite + ".txt"), "w", encoding="utf-8") as f:
            f.writelines(lines)
    for line in lines:
        verdict, _, test_id, reason = line.rstrip("\n").split("\t")
        print(f"nestlab-skip: {verdict}: {test_id}: {reason}", flush=True)
    return unexpected
