#!/usr/bin/env python3
# TEST-ONLY stand-in for nestlab-vhv (protocols.md section 2), so kernel_test
# can exercise the kernel's VHV bookkeeping without QEMU and the lowvisor.
# Never installed, never used by nestlabd itself. Behaviour by VHV name:
#   fail-*  sends `failed` and exits 1 instead of becoming ready
#   slow-*  ignores `shutdown` (the kernel must SIGKILL it)
# `run` replies {"vm":0}, prints "image:<first 8 bytes of the image fd>" on
# the console, then reports vm-exit with code 7.
import base64, json, os, socket, sys, time

args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
name = args.get("--name", "")
ctl = socket.socket(fileno=int(args.get("--control-fd", "3")))

def send(obj):
    ctl.sendall((json.dumps(obj) + "\n").encode())

if name.startswith("fail-"):
    send({"event": "failed", "message": "stub: lowvisor panicked (test)"})
    sys.exit(1)
send({"event": "log", "text": "stub starting, pid %d, hostname %s" % (os.getpid(), socket.gethostname())})
send({"event": "ready", "qemu_pid": 4242})

buf = b""
while True:
    data, fds, _, _ = socket.recv_fds(ctl, 65536, 4)
    if not data:
        sys.exit(0)  # EOF on fd 3: same as shutdown
    buf += data
    while b"\n" in buf:
        line, buf = buf.split(b"\n", 1)
        msg = json.loads(line)
        method, rid = msg.get("method"), msg.get("id")
        if method == "run":
            head = os.read(fds[0], 8) if fds else b"<no fd>"
            send({"id": rid, "result": {"vm": 0}})
            text = "image:" + head.decode(errors="replace") + "\n"
            send({"event": "console", "vm": 0, "data": base64.b64encode(text.encode()).decode()})
            if msg["params"].get("append") != "stay":
                send({"event": "vm-exit", "vm": 0, "reason": "poweroff", "code": 7, "message": "",
                      "counters": {"HVC64": 3}})
        elif method == "stats":
            send({"id": rid, "result": {"counters": {"HVC64": 3}, "total_exits": 3}})
        elif method == "shutdown":
            if name.startswith("slow-"):
                continue
            send({"id": rid, "result": {}})
            sys.exit(0)
        else:
            send({"id": rid, "error": {"code": "invalid-argument", "message": "stub: unknown method"}})
