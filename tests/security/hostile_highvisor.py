#!/usr/bin/env python3
"""A highvisor that speaks nestlabd's control protocol (docs/protocols.md
section 2) over the real control socket, and breaks it when told to: what a
compromised nestlab-vhv could send the kernel. nestlabd starts it as it starts
nestlab-vhv (NESTLAB_VHV; with NESTLAB_NO_JAIL=1, since the jail holds only the
real highvisor), with --name NAME --control-fd 3 --listen-fd 4.

It says `ready` at once and then answers like the real highvisor:
  run          prints the image's bytes on VM 0's console, or, for an image
               "flood=N", N bytes of console output; then the guest "runs"
  stats, trace, pause, resume, console-input, guestinfo, shutdown
Tests steer it through guestinfo.set (key, value):
  mode=M   from now on answer every stats/trace/pause/resume/guestinfo.get
           request with the malformed reply M (see BAD_RESULTS), "ok" to stop
  emit=storm  send a burst of malformed lines (STORM), then a console line
           "AFTER-THE-STORM"
When the kernel goes away it waits on fd 4 for the next one and greets it with
`hello`, as the real highvisor does, so a restarted kernel re-adopts it.
"""
import array
import base64
import json
import os
import select
import socket
import sys

CONTROL_FD, LISTEN_FD = 3, 4
UUID = "00000000-0000-4000-8000-000000000000"

# Malformed results, each for the request that gets it (or any request).
BAD_RESULTS = {
    "result-array": lambda m: {"result": [1, 2, 3]},
    "result-string": lambda m: {"result": "yes"},
    "counters-string": lambda m: {"result": {"counters": "many", "total_exits": 1}},
    "total-exits-string": lambda m: {"result": {"counters": {}, "total_exits": "lots"}},
    "counter-negative": lambda m: {"result": {"counters": {"HVC64": -1}}},
    "trace-entries-number": lambda m: {"result": {"entries": 5, "cursor": [0], "lost": 0}},
    "trace-lost-string": lambda m: {"result": {"entries": [], "cursor": [0], "lost": "x"}},
    "trace-entry-bad-pc": lambda m: {"result": {"entries": [{"vcpu": 0, "seq": 1, "time_ns": 1,
                                                           "class": "HVC64", "ec": 22,
                                                           "pc": {"a": 1}, "iss": "0x0",
                                                           "result": "advance"}],
                                                "cursor": [1], "lost": 0}},
    "trace-cursor-long": lambda m: {"result": {"entries": [], "cursor": [0] * 5000, "lost": 0}},
    "deep": lambda m: {"result": json.loads("[" * 60 + "]" * 60)},
    "error-not-object": lambda m: {"error": "no"},
    "error-huge-message": lambda m: {"error": {"code": "internal", "message": "x" * 500_000}},
    "error-protocol-code": lambda m: {"error": {"code": "protocol", "message": "blame the client"}},
    "paused-string": lambda m: {"result": {"paused": "maybe"}},
    "id-string": None,  # the reply's id is a string: no request waits for it
}
MODES_FOR_STATS = [k for k in BAD_RESULTS if k not in ("id-string",)]


def storm():
    """Lines that break the protocol, as bytes, one per entry."""
    lines = [b"this is not json", b"[1,2,3]", b'"a string"', b"{}",
             b"[" * 300_000 + b"]" * 300_000,
             json.dumps({"event": "console", "vm": 7, "data": "aGk="}).encode(),
             json.dumps({"event": "console", "vm": -1, "data": "aGk="}).encode(),
             json.dumps({"event": "console", "vm": 1 << 40, "data": "aGk="}).encode(),
             json.dumps({"event": "console", "vm": "0", "data": "aGk="}).encode(),
             json.dumps({"event": "console", "vm": 0, "data": "not base64!"}).encode(),
             json.dumps({"event": "console", "vm": 0, "data": 12}).encode(),
             json.dumps({"event": "vm-exit", "vm": 0, "code": {"a": [1]}}).encode(),
             json.dumps({"event": "vm-exit", "vm": 0, "counters": [1]}).encode(),
             json.dumps({"event": "ready", "qemu_pid": "one"}).encode(),
             json.dumps({"event": "log", "text": "y" * 100_000}).encode(),
             json.dumps({"event": "no-such-event"}).encode(),
             json.dumps({"event": 5}).encode(),
             json.dumps({"id": 987654, "result": {}}).encode(),
             json.dumps({"id": "7", "result": {}}).encode(),
             json.dumps({"id": -1, "result": {}}).encode()]
    # One console stream per made-up VM number would be one log file each
    # (a VHV has VMs 0 to 3: layout::kMaxVms).
    lines += [json.dumps({"event": "console", "vm": n, "data": "aGk="}).encode()
              for n in range(4, 1004)]
    return lines


class Control:
    def __init__(self, fd):
        self.sock = socket.socket(fileno=fd)
        self.buf = b""
        self.fds = []

    def send(self, obj, fds=()):
        data = (json.dumps(obj) + "\n").encode() if not isinstance(obj, bytes) else obj + b"\n"
        if fds:
            self.sock.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                                        array.array("i", fds))])
        else:
            self.sock.sendall(data)

    def lines(self):
        """Yields (message, fds) until EOF."""
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                fds, self.fds = self.fds, []
                yield json.loads(line), fds
            data, anc, _, _ = self.sock.recvmsg(65536, socket.CMSG_SPACE(16 * 4))
            for level, kind, payload in anc:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    a = array.array("i")
                    a.frombytes(payload[:len(payload) - len(payload) % 4])
                    self.fds += list(a)
            if not data:
                return
            self.buf += data


class Highvisor:
    def __init__(self, name):
        self.name = name
        self.mode = "ok"
        self.state = "ready"
        self.image = ""
        self.info = {}

    def console(self, ctl, data):
        for at in range(0, len(data), 3 * 1024):
            ctl.send({"event": "console", "vm": 0,
                      "data": base64.b64encode(data[at:at + 3 * 1024]).decode()})

    def answer(self, ctl, msg, fds):
        method, rid, params = msg.get("method"), msg.get("id"), msg.get("params") or {}
        if method == "shutdown":
            ctl.send({"id": rid, "result": {}})
            sys.exit(0)
        if method == "run":
            with os.fdopen(fds[0], "rb") as f:
                image = f.read()
            for fd in fds[1:]:
                os.close(fd)
            self.state, self.image = "running", params.get("image_name", "image")
            ctl.send({"id": rid, "result": {"vm": 0, "entry": 0x40080000}})
            if image.startswith(b"flood="):
                total = int(image[6:])
                chunk = b"z" * 3000 + b"\n"
                for _ in range(total // len(chunk)):
                    self.console(ctl, chunk)
            else:
                self.console(ctl, image)
            return
        if method == "guestinfo" and "value" in params:
            key, value = params["key"], params["value"]
            if key == "mode":
                self.mode = value
            elif key == "emit" and value == "storm":
                ctl.send({"id": rid, "result": {"key": key, "value": value, "uuid": UUID}})
                for line in storm():
                    ctl.send(line)
                r, w = os.pipe()  # fds on a line the kernel never asked for
                ctl.send({"event": "log", "text": "with fds"}, fds=[r, w])
                os.close(r)
                os.close(w)
                self.console(ctl, b"AFTER-THE-STORM\n")
                return
            self.info[key] = value
            ctl.send({"id": rid, "result": {"key": key, "value": value, "uuid": UUID}})
            return
        if self.mode != "ok" and method in ("stats", "trace", "pause", "resume", "guestinfo"):
            if self.mode == "id-string":
                ctl.send({"id": str(rid), "result": {}})
            else:
                reply = BAD_RESULTS[self.mode](msg)
                reply["id"] = rid
                ctl.send(reply)
            return
        results = {
            "stats": {"counters": {"HVC64": 3}, "total_exits": 3, "guest_entries": 4,
                      "trap": {"backdoor_calls": 0, "prda_ops": [0] * 8},
                      "uuid": UUID, "guest_time_ns": 5},
            "trace": {"entries": [], "cursor": [0], "lost": 0},
            "pause": {"paused": True},
            "resume": {"paused": False, "paused_ms": 0, "tick_policy": "skip"},
            "console-input": {"bytes": 1},
            "guestinfo": {"values": self.info, "uuid": UUID},
        }
        if method in results:
            ctl.send({"id": rid, "result": results[method]})
        else:
            ctl.send({"id": rid, "error": {"code": "invalid-argument", "message": "unknown"}})

    def serve(self, ctl):
        for msg, fds in ctl.lines():
            self.answer(ctl, msg, fds)


def main():
    args = sys.argv[1:]
    name = args[args.index("--name") + 1] if "--name" in args else "hostile"
    listen = "--listen-fd" in args
    hv = Highvisor(name)
    ctl = Control(CONTROL_FD)
    ctl.send({"event": "ready", "qemu_pid": 2})
    while True:
        try:
            hv.serve(ctl)
        except (BrokenPipeError, ConnectionResetError):
            pass
        if not listen:
            return
        # The kernel went away: wait for the next one, as nestlab-vhv does,
        # but not for ever (a test whose kernel died must leave nothing).
        if not select.select([LISTEN_FD], [], [], 60)[0]:
            return
        listener = socket.socket(fileno=os.dup(LISTEN_FD))
        listener.setblocking(True)
        conn, _ = listener.accept()
        listener.close()
        conn.setblocking(True)
        ctl = Control(conn.detach())
        ctl.send({"event": "hello", "state": hv.state, "paused": False, "tick_policy": "skip",
                  "qemu_pid": 2, "image_name": hv.image, "connection": 2, "backlog_bytes": 0,
                  "dropped_bytes": 0})


if __name__ == "__main__":
    main()
