#!/usr/bin/env python3
"""Runs every benchmark and prints its figures with the baseline of the same run."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BENCHES = ["run_hello.py", "trap_roundtrip.py", "trap_paths.py", "console.py", "timer_latency.py", "idle_cpu.py", "compute.py", "spawn_latency.py", "density.py", "linux_boot.py", "disk.py", "net.py"]

status = 0
for b in BENCHES:
    print(f"== {b}", flush=True)
    status |= subprocess.call([sys.executable, os.path.join(HERE, b)])
sys.exit(status)
