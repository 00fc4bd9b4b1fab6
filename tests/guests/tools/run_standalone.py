#!/usr/bin/env python3
"""Run a guest under the lowvisor without the highvisor.

QEMU's generic loader places BootParams and the staged image in VHV RAM; this
script plays the highvisor's part of the channel (vhv/common/channel.h): it
waits for Ready, sends RunVm, prints Console text on stdout, Log and raw
lowvisor text on stderr, and reports VmExit. Exit status: the guest's code on
power-off, 126 if the lowvisor stopped it, 125 on RunFailed, 124 on timeout.

  run_standalone.py build-el2/share/nestlab/guests/hello.elf --append "a b"
  run_standalone.py --idle 5     # boot, never send RunVm, report QEMU CPU use
"""
import argparse, os, select, struct, subprocess, sys, tempfile, time

MIB = 1 << 20
VHV_OVERHEAD = 64 * MIB
GUEST_RAM_PA = 0x4400_0000
BOOT_PARAMS_PA = 0x4300_0000
GUEST_RAM_IPA = 0x4000_0000
MAGIC = 0x3130_544F_4F42_4C4E
FRAME = {1: "Ready", 2: "Console", 3: "Log", 4: "VmExit", 5: "RunFailed"}
REASON = {1: "poweroff", 2: "reset", 3: "fault", 4: "stopped"}


def fnv1a32(data):
    h = 2166136261
    for b in data:
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


def boot_params(vm_id, ram_size, image_pa, image, bootargs, name, smp=1, flags=0):
    kind = 1 if image[:4] == b"\x7fELF" else 2
    body = struct.pack("<QIIIIQQQQQIIQ16s64s1024s", MAGIC, 1, 1192, vm_id, smp, GUEST_RAM_IPA, GUEST_RAM_PA,
                       ram_size, image_pa, len(image), kind, flags, 0, bytes(16), name.encode()[:63],
                       bootargs.encode()[:1023])
    assert len(body) == 1184
    return body + struct.pack("<II", fnv1a32(body), 0)


def frame(ftype, payload):
    s = (ftype + (len(payload) & 0xFF) + (len(payload) >> 8) + sum(payload)) & 0xFF
    return bytes([0xA5, 0x5A, ftype, len(payload) & 0xFF, len(payload) >> 8]) + payload + bytes([s])


class Parser:
    def __init__(self):
        self.buf = b""

    def feed(self, data):
        """Yields ('raw', bytes) or (type, payload)."""
        self.buf += data
        while self.buf:
            i = self.buf.find(b"\xA5\x5A")
            if i != 0:
                if i < 0:
                    keep = 1 if self.buf.endswith(b"\xA5") else 0
                    raw, self.buf = self.buf[:len(self.buf) - keep], self.buf[len(self.buf) - keep:]
                    if raw:
                        yield ("raw", raw)
                    return
                yield ("raw", self.buf[:i])
                self.buf = self.buf[i:]
            if len(self.buf) < 5:
                return
            ln = self.buf[3] | (self.buf[4] << 8)
            if len(self.buf) < 6 + ln:
                return
            ftype, payload, s = self.buf[2], self.buf[5:5 + ln], self.buf[5 + ln]
            self.buf = self.buf[6 + ln:]
            if s != (ftype + (ln & 0xFF) + (ln >> 8) + sum(payload)) & 0xFF:
                yield ("raw", b"<bad frame checksum>")
                continue
            yield (ftype, payload)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_share = os.path.join(here, "../../../build-el2/share/nestlab")
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("image", nargs="?")
    ap.add_argument("--lowvisor", default=os.path.join(default_share, "lowvisor.elf"))
    ap.add_argument("--mem", type=int, default=32, help="guest RAM in MiB (multiple of 2)")
    ap.add_argument("--append", default="")
    ap.add_argument("--smp", type=int, default=1, help="vCPUs of the guest (and CPUs of the VHV)")
    ap.add_argument("--mailbox", action="store_true", help="boot secondaries through mailboxes (S18)")
    ap.add_argument("--timeout", type=float, default=20)
    ap.add_argument("--runs", type=int, default=1, help="run the guest this many times in one VHV")
    ap.add_argument("--stop-after", type=float, help="send StopVm this many seconds after RunVm")
    ap.add_argument("--input", default="", help="bytes to send as ConsoleIn after RunVm")
    ap.add_argument("--max-output", type=int, default=1 << 20, help="cap on console bytes printed")
    ap.add_argument("--idle", type=float, help="only boot and idle this long, then report QEMU's CPU use")
    ap.add_argument("--corrupt", action="store_true", help="send BootParams with a bad checksum")
    ap.add_argument("--qemu-log", help="pass -d int,guest_errors -D FILE to QEMU")
    ap.add_argument("--gdb", type=int, help="open QEMU's gdb stub on this TCP port (gdb-multiarch: target remote)")
    ap.add_argument("--hold-on-timeout", type=float, default=0,
                    help="on a timeout, keep QEMU alive this many seconds (to attach gdb) before killing it")
    args = ap.parse_args()

    image = open(args.image, "rb").read() if args.image else b""
    ram_size = args.mem * MIB
    image_pa = GUEST_RAM_PA + ram_size
    staging = max(2 * MIB, (len(image) + 2 * MIB - 1) // (2 * MIB) * 2 * MIB)
    total = VHV_OVERHEAD + ram_size + staging
    tmp = tempfile.mkdtemp(prefix="nestlab-standalone-")
    bp = boot_params(0, ram_size, image_pa, image, args.append, os.path.basename(args.image or "none"), args.smp,
                    1 if args.mailbox else 0)
    if args.corrupt:
        bp = bp[:-8] + struct.pack("<II", 0xDEADBEEF, 0)
    open(os.path.join(tmp, "bp.bin"), "wb").write(bp)
    cmd = [os.environ.get("NESTLAB_QEMU", "qemu-system-aarch64"), "-M", "virt,virtualization=on,gic-version=3",
           "-cpu", "cortex-a72", "-smp", str(args.smp), "-m", f"{total // MIB}M", "-display", "none", "-nodefaults", "-serial", "stdio",
           "-kernel", args.lowvisor,
           "-device", f"loader,file={os.path.join(tmp, 'bp.bin')},addr={BOOT_PARAMS_PA:#x},force-raw=on"]
    if image:
        open(os.path.join(tmp, "image.bin"), "wb").write(image)
        cmd += ["-device", f"loader,file={os.path.join(tmp, 'image.bin')},addr={image_pa:#x},force-raw=on"]
    if args.qemu_log:
        cmd += ["-d", "int,guest_errors,unimp", "-D", args.qemu_log]
    if args.gdb:
        cmd += ["-gdb", f"tcp:127.0.0.1:{args.gdb}"]
    qemu = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    parser, status, runs_left, printed = Parser(), 124, args.runs, 0
    deadline = time.time() + args.timeout
    stop_at = None
    ready_at = None
    try:
        while time.time() < deadline:
            if args.idle and ready_at and time.time() - ready_at >= args.idle:
                used = cpu_seconds(qemu.pid) - ready_cpu
                print(f"[idle] QEMU used {used:.2f} s CPU in {args.idle:.1f} s idle "
                      f"({100 * used / args.idle:.1f}%)", file=sys.stderr)
                status = 0
                break
            if stop_at and time.time() >= stop_at:
                qemu.stdin.write(frame(0x83, b"\x00")); qemu.stdin.flush()
                stop_at = None
            r, _, _ = select.select([qemu.stdout], [], [], 0.05)
            if not r:
                if qemu.poll() is not None:
                    print(f"[qemu exited with {qemu.returncode}]", file=sys.stderr)
                    status = 125
                    break
                continue
            data = os.read(qemu.stdout.fileno(), 65536)
            if not data:
                status = 125
                break
            done = False
            for kind, payload in parser.feed(data):
                if kind == "raw":
                    sys.stderr.write("[lowvisor raw] " + payload.decode(errors="replace"))
                elif kind == 1:
                    ver, cpus = struct.unpack("<II", payload[:8])
                    print(f"[ready] protocol {ver}, {cpus} cpu(s)", file=sys.stderr)
                    ready_at, ready_cpu = time.time(), cpu_seconds(qemu.pid)
                    if not args.idle:
                        qemu.stdin.write(frame(0x81, b"\x00")); qemu.stdin.flush()
                        if args.input:
                            qemu.stdin.write(frame(0x82, b"\x00" + args.input.encode())); qemu.stdin.flush()
                        if args.stop_after:
                            stop_at = time.time() + args.stop_after
                elif kind == 2:
                    if printed < args.max_output:
                        sys.stdout.write(payload[1:].decode(errors="replace")[:args.max_output - printed])
                        sys.stdout.flush()
                    printed += len(payload) - 1
                elif kind == 3:
                    print("[log] " + payload.decode(errors="replace"), file=sys.stderr)
                elif kind == 5:
                    print(f"[run-failed] vm {payload[0]}: " + payload[1:].decode(errors="replace"), file=sys.stderr)
                    status, done = 125, True
                elif kind == 4:
                    vm, reason, code, ec, iss, pc, far = struct.unpack("<BBBBIQQ", payload[:24])
                    msg = payload[24:].decode(errors="replace")
                    print(f"[vm-exit] vm {vm} reason={REASON.get(reason, reason)} code={code} ec={ec:#04x} "
                          f"iss={iss:#x} pc={pc:#x} far={far:#x}: {msg}", file=sys.stderr)
                    status = code if reason == 1 else 126 if reason == 3 else 130 if reason == 4 else 1
                    runs_left -= 1
                    if runs_left > 0:
                        qemu.stdin.write(frame(0x81, b"\x00")); qemu.stdin.flush()
                    else:
                        done = True
                else:
                    print(f"[frame {kind:#x}] {payload.hex()}", file=sys.stderr)
            if done:
                break
        else:
            print(f"[timeout after {args.timeout} s]", file=sys.stderr)
            if args.hold_on_timeout:
                print(f"[holding QEMU pid {qemu.pid} for {args.hold_on_timeout} s]", file=sys.stderr)
                sys.stderr.flush()
                time.sleep(args.hold_on_timeout)
    finally:
        qemu.kill()
        qemu.wait()
    if printed > args.max_output:
        print(f"[console output capped: {printed} bytes]", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
