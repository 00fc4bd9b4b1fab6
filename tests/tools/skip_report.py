#!/usr/bin/env python3
"""Lists every skipped test by name after a test run and fails on unexpected ones.

    skip_report.py SKIP_DIR...

Reads the records the runners wrote (tests/tools/skips.py). Exit status 1
when any skip is not on tests/skips.allow for this machine.
"""
import glob
import os
import sys


def main():
    allowed, unexpected = [], []
    for directory in sys.argv[1:]:
        for path in sorted(glob.glob(os.path.join(directory, "*.txt"))):
            with open(path, encoding="utf-8") as f:
                for line in f:
                    parts = line.rstrip("\n").split("\t")
                    if len(parts) != 4:
                        continue
                    (allowed if parts[0] == "allowed" else unexpected).append(parts[1:])
    print(f"== skipped tests: {len(allowed)} allowed (tests/skips.allow), "
          f"{len(unexpected)} unexpected ==")
    for suite, test_id, reason in allowed:
        print(f"  allowed     {suite}: {test_id} ({reason})")
    for suite, test_id, reason in unexpected:
        print(f"  UNEXPECTED  {suite}: {test_id} ({reason})")
    if unexpected:
        print("skip_report: a skipped test is not a pass; fix the cause or add it to "
              "tests/skips.allow with its reason", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
