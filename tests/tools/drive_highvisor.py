#!/usr/bin/env python3
"""Drives one nestlab-vhv directly over its control socket (docs/protocols.md
section 2), without nestlabd: for debugging the highvisor and the lowvisor.

  tests/tools/drive_highvisor.py build/bin/nestlab-vhv IMAGE [--append TEXT] [--mem MiB]
                                 [--smp N] [--initrd FILE]
"""
import argparse
import array
import base64
import json
import os
import socket
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("highvisor")
    ap.add_argument("image")
    ap.add_argument("--append", default="")
    ap.add_argument("--mem", type=int, default=128)
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--initrd")
    ap.add_argument("--timeout", type=float, default=30)
    a = ap.parse_args()

    ours, theirs = socket.socketpair()
    os.set_inheritable(theirs.fileno(), True)
    t0 = time.time()
    p = subprocess.Popen([a.highvisor, "--name", "drive", "--mem", str(a.mem << 20), "--smp",
                          str(a.smp), "--control-fd", str(theirs.fileno())],
                         pass_fds=(theirs.fileno(),))
    theirs.close()
    f = ours.makefile("rb")
    deadline = time.time() + a.timeout
    ours.settimeout(a.timeout)
    sent = False
    code = 1
    for line in f:
        ev = json.loads(line)
        kind = ev.get("event")
        if kind == "console":
            sys.stdout.write(base64.b64decode(ev["data"]).decode(errors="replace"))
            sys.stdout.flush()
        elif kind == "ready" and not sent:
            print(f"[ready after {1000 * (time.time() - t0):.1f} ms, qemu pid {ev['qemu_pid']}]",
                  file=sys.stderr)
            fds = [os.open(a.image, os.O_RDONLY)]
            params = {"image_name": os.path.basename(a.image), "append": a.append, "smp": a.smp}
            if a.initrd:
                fds.append(os.open(a.initrd, os.O_RDONLY))
                params.update(initrd=True, initrd_name=os.path.basename(a.initrd))
            msg = json.dumps({"id": 1, "method": "run", "params": params}) + "\n"
            ours.sendmsg([msg.encode()], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                                           array.array("i", fds))])
            for fd in fds:
                os.close(fd)
            sent = True
        elif kind == "vm-exit":
            print(f"[vm-exit after {1000 * (time.time() - t0):.1f} ms] {json.dumps(ev)}",
                  file=sys.stderr)
            code = ev.get("code", 1) if ev.get("reason") == "poweroff" else 126
            ours.sendall(b'{"id":2,"method":"shutdown"}\n')
        elif "id" in ev:
            print(f"[reply] {json.dumps(ev)}", file=sys.stderr)
            if ev.get("id") == 1 and "error" in ev:
                ours.sendall(b'{"id":2,"method":"shutdown"}\n')
                code = 125
        else:
            print(f"[{kind}] {json.dumps(ev)}", file=sys.stderr)
        if time.time() > deadline:
            print("[timeout]", file=sys.stderr)
            break
    ours.close()
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
    print(f"[highvisor exited {p.returncode} after {1000 * (time.time() - t0):.1f} ms]", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
