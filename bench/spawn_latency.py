#!/usr/bin/env python3
"""VHV spawn latency: `vhv.create` request → reply (sent once the lowvisor
said Ready), median over 20, with the full jail (pivot_root, capabilities,
seccomp) against the same kernel started with NESTLAB_NO_JAIL=1, in the
same run. The request is timed on the API socket, so no CLI start-up is in
the figure."""
import json
import os
import socket
import sys
import time

from benchlib import PrivateKernel, median, report

RUNS = 20


def call(sock, reader, method, params, rid):
    sock.sendall((json.dumps({"jsonrpc": "2.0", "id": rid, "method": method,
                              "params": params}) + "\n").encode())
    while True:
        line = reader.readline()
        if not line:
            raise RuntimeError("nestlabd closed the connection")
        msg = json.loads(line)
        if msg.get("id") == rid:
            if "error" in msg:
                raise RuntimeError(f"{method}: {msg['error']}")
            return msg["result"]


def spawn_times(jail):
    if jail:
        os.environ.pop("NESTLAB_NO_JAIL", None)
    else:
        os.environ["NESTLAB_NO_JAIL"] = "1"
    try:
        with PrivateKernel() as k:
            sock = socket.socket(socket.AF_UNIX)
            sock.settimeout(60)
            sock.connect(k.env["NESTLAB_SOCKET"])
            reader = sock.makefile("r")
            times = []
            for i in range(RUNS + 1):  # the first warms ldd's cache and the page cache
                t = time.perf_counter()
                info = call(sock, reader, "vhv.create", {"name": f"spawn{i}"}, 2 * i + 1)
                elapsed = time.perf_counter() - t
                call(sock, reader, "vhv.destroy", {"vhv": info["id"]}, 2 * i + 2)
                if i:
                    times.append(elapsed * 1000)
            sock.close()
            return times
    finally:
        os.environ.pop("NESTLAB_NO_JAIL", None)


def main():
    jailed = median(spawn_times(jail=True))
    bare = median(spawn_times(jail=False))
    report("VHV spawn, request to ready, with jail (median of 20)", jailed, "ms",
           "without jail (NESTLAB_NO_JAIL=1)", bare)
    return 0


if __name__ == "__main__":
    sys.exit(main())
