#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/ (run once; the output is committed).

Each seed is a well-formed input of its parser, so the fuzzer starts from
inputs that reach deep into it. Crash inputs found later go to
fuzz/regressions/<target>/ instead.
"""
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
from elf_craft import make_elf  # noqa: E402


def put(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def rpc(method, params, id_=1):
    return json.dumps({"jsonrpc": "2.0", "id": id_, "method": method, "params": params}) + "\n"


REQUESTS = [
    ("hello", "kernel.hello", {"client": "fuzz", "version": 1}),
    ("list", "vhv.list", {}),
    ("inspect", "vhv.inspect", {"name": "lab1"}),
    ("create", "vhv.create", {"name": "lab1", "mem": 256, "smp": 1}),
    ("destroy", "vhv.destroy", {"name": "vhv-1"}),
    ("stop", "vhv.stop", {"name": "lab1"}),
    ("start", "vhv.start", {"name": "lab1"}),
    ("stats", "vhv.stats", {"name": "lab1"}),
    ("vmstats", "vm.stats", {"vhv": "lab1", "vm": 0}),
    ("trace", "vm.trace", {"vhv": "lab1", "vm": 0, "follow": True}),
    ("subscribe", "events.subscribe", {}),
    ("attach", "console.attach", {"vhv": "lab1", "vm": 0}),
    ("resize", "console.resize", {"vhv": "lab1", "vm": 0, "rows": 24, "cols": 80}),
    ("input", "console.input", {"vhv": "lab1", "vm": 0, "data": "aGVsbG8K"}),
    ("guestinfo", "guestinfo.set", {"vhv": "lab1", "key": "k", "value": "v"}),
    ("tenants", "tenant.list", {}),
    ("tenant-set", "tenant.set", {"tenant": "alice", "memory": 1 << 30}),
    ("pause", "vhv.pause", {"name": "lab1"}),
]


def main():
    for name, method, params in REQUESTS:
        put("fuzz_dispatch", name, rpc("kernel.hello", {}) + rpc(method, params, 2))
        put("fuzz_rpc_line", name, rpc(method, params))
    put("fuzz_rpc_line", "batch", "[" + rpc("vhv.list", {}).strip() + "]\n")
    put("fuzz_rpc_line", "notification", json.dumps({"jsonrpc": "2.0", "method": "vhv.list"}) + "\n")
    put("fuzz_rpc_line", "nested", '{"jsonrpc":"2.0","id":1,"method":"vhv.inspect","params":'
        '{"name":' + "[" * 70 + "]" * 70 + "}}\n")

    events = {
        "ready": {"event": "ready"},
        "console": {"event": "console", "vm": 0, "data": "aGkK"},
        "log": {"event": "log", "text": "lowvisor: hello"},
        "vm-exit": {"event": "vm-exit", "vm": 0, "reason": "poweroff", "code": 0,
                    "message": "", "counters": {"HVC64": 1}},
        "failed": {"event": "failed", "message": "qemu exited"},
        "seccomp": {"event": "seccomp", "syscall": "openat"},
    }
    for name, ev in events.items():
        put("fuzz_highvisor_lines", "event-" + name, b"\x00" + json.dumps(ev).encode())
    stats = {"counters": {"HVC64": 3}, "total_exits": 12, "guest_entries": 13,
             "trap": {"backdoor_calls": 0, "prda_ops": [0] * 8},
             "uuid": "0b2f5e4c-6f39-4c55-9d7e-3a8a0a6b8f11", "guest_time_ns": 5}
    trace = {"entries": [{"vcpu": 0, "seq": 1, "time_ns": 100, "class": "HVC64", "ec": 22,
                          "pc": "0x40080000", "iss": "0x0", "result": "advance", "detail": 0}],
             "cursor": [1], "lost": 0}
    put("fuzz_highvisor_lines", "reply-stats", bytes([1 + 3 * 1]) + json.dumps(stats).encode())
    put("fuzz_highvisor_lines", "reply-trace", bytes([1 + 3 * 3]) + json.dumps(trace).encode())
    put("fuzz_highvisor_lines", "reply-run", bytes([1]) + json.dumps({"vm": 0}).encode())
    put("fuzz_highvisor_lines", "error", bytes([2]) + json.dumps(
        {"code": "not-found", "message": "no such vm"}).encode())

    def envelope(kind, payload):
        canonical = json.dumps(payload, separators=(",", ":"), sort_keys=True,
                               ensure_ascii=False).encode()
        h = 0xcbf29ce484222325
        for c in canonical:
            h = ((h ^ c) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
        return json.dumps({"format": "nestlab-state", "kind": kind, "version": 1,
                           "checksum": "fnv1a64:%016x" % h, "payload": payload}, indent=1)
    record = {"id": "vhv-1", "name": "lab1", "owner_uid": 1000, "pid": 1234,
              "start_time": 99887766, "host_uid": 1879048192, "mem": 256, "smp": 1,
              "created": 1764547200, "ephemeral": False, "limits": {}, "state": "running",
              "tenant": "user-1000", "cpu_weight": 100, "cpu_quota": 0,
              "memory_limit_hits": 0, "oom_kills": 0, "cgroup": "/nestlab/user-1000/vhv-1",
              "memory_limit": None, "vm": {"id": 0, "image": "hello.elf", "state": "running"}}
    tenants = {"tenants": {"alice": {"memory": 1 << 30, "pids": 100},
                           "bob": {"cpu_weight": 100, "cpu_quota": 50}}}
    put("fuzz_state_files", "vhv-file", b"\x00" + envelope("vhv", record).encode())
    put("fuzz_state_files", "vhv-payload", b"\x02" + json.dumps(record).encode())
    put("fuzz_state_files", "tenants-file", b"\x01" + envelope("tenants", tenants).encode())
    put("fuzz_state_files", "tenants-payload", b"\x03" + json.dumps(tenants).encode())

    def frame(t, payload):
        s = (t + (len(payload) & 0xFF) + (len(payload) >> 8) + sum(payload)) & 0xFF
        return bytes([0xA5, 0x5A, t, len(payload) & 0xFF, len(payload) >> 8]) + payload + bytes([s])
    put("fuzz_frame_codec", "console", frame(2, b"\x00hello\n"))
    put("fuzz_frame_codec", "mixed", b"boot text\n" + frame(1, bytes(16)) + b"x" + frame(2, b"\x00a"))
    put("fuzz_frame_codec", "bad-sum", frame(2, b"\x00abc")[:-1] + b"\x00")

    code = struct.pack("<I", 0xD503205F) * 4
    put("fuzz_elf_loader", "one-segment", make_elf([(0x40080000, code, 0x1000)]))
    put("fuzz_elf_loader", "two-segments",
        make_elf([(0x40080000, code, 0x1000), (0x40100000, b"\x00" * 32, 0x10000)]))
    put("fuzz_elf_loader", "raw", code * 8)
    image_header = struct.pack("<IIQQQQQQII", 0x14000010, 0, 0, 0x200000, 0xA, 0, 0, 0,
                               0x644D5241, 0)  # arm64 Image: magic "ARM\x64" at 56
    put("fuzz_elf_loader", "arm64-image", image_header + code * 16)

    put("fuzz_device_map", "map", "# comment\nNLAB0003 = acme,dogwatch-3000\n"
        "arm,pl031 = vendor.rtc\n")

    for lab in sorted(os.listdir(os.path.join(HERE, "..", "labs"))):
        toml = os.path.join(HERE, "..", "labs", lab, "lab.toml")
        if os.path.exists(toml):
            with open(toml, "rb") as f:
                put("fuzz_lab_toml", lab, f.read())

    # A minimal flattened device tree with one memory node (v17), built here
    # so the seed needs no dtc.
    strings = b"#address-cells\0#size-cells\0device_type\0reg\0"
    off = {"#address-cells": 0, "#size-cells": 15, "device_type": 27, "reg": 39}

    def prop(name, value):
        pad = value + b"\0" * (-len(value) % 4)
        return struct.pack(">III", 3, len(value), off[name]) + pad
    struct_block = (struct.pack(">I", 1) + b"\0\0\0\0" + prop("#address-cells", struct.pack(">I", 2))
                    + prop("#size-cells", struct.pack(">I", 2))
                    + struct.pack(">I", 1) + b"memory@40000000\0"
                    + prop("device_type", b"memory\0")
                    + prop("reg", struct.pack(">QQ", 0x40000000, 64 << 20))
                    + struct.pack(">I", 2) + struct.pack(">I", 2) + struct.pack(">I", 9))
    rsv = bytes(16)
    hdr_size = 40
    off_rsv = hdr_size
    off_struct = off_rsv + len(rsv)
    off_strings = off_struct + len(struct_block)
    total = off_strings + len(strings)
    header = struct.pack(">IIIIIIIIII", 0xD00DFEED, total, off_struct, off_strings, off_rsv, 17, 16,
                         0, len(strings), len(struct_block))
    put("fuzz_guest_tables", "memory-node", header + rsv + struct_block + strings)
    put("fuzz_guest_tables", "guestinfo", b"\x05lab.k" + bytes(200))

    # Device snapshots (vhv/common/snapshot.h): a selector byte (the
    # DeviceId of guest_devices.h; bit 7 fixes up size and checksum) and
    # one record, as each device saves it.
    def fnv1a32(data):
        h = 0x811C9DC5
        for c in data:
            h = ((h ^ c) * 0x01000193) & 0xFFFFFFFF
        return h

    def record(magic, version, payload):
        return (magic.encode() + struct.pack("<HHII", version, 16, len(payload), fnv1a32(payload))
                + payload)
    gicd = struct.pack("<I", 0x50) + bytes(96 * 3)  # GICD_CTLR = ARE | DS, SPIs off
    gicd_on = struct.pack("<I", 0x52) + b"".join(
        bytes([0x03 if i == 8 else 0x01, 0xA0, 1 if i == 8 else 0]) for i in range(96))
    gicr = bytes([2]) + bytes([1] * 8) + b"".join(
        bytes([0x08 if i < 16 else 0, 0]) for _ in range(8) for i in range(32))
    pl011 = struct.pack("<11I", 0, 0, 0, 0x300, 0x12, 0, 0x20, 0, 0, 0, 0) + bytes(32)
    pl011_rx = struct.pack("<11I", 26, 3, 0x70, 0x381, 0x12, 0x50, 0x60, 0, 0, 0, 3) + b"abc" + bytes(29)
    put("fuzz_device_restore", "gicd-reset", b"\x00" + record("GICD", 1, gicd))
    put("fuzz_device_restore", "gicd-enabled", b"\x80" + record("GICD", 1, gicd_on))
    put("fuzz_device_restore", "gicr-reset", b"\x01" + record("GICR", 1, gicr))
    put("fuzz_device_restore", "pl011-reset", b"\x02" + record("PL11", 1, pl011))
    put("fuzz_device_restore", "pl011-fifo", b"\x82" + record("PL11", 1, pl011_rx))
    # PL031 on the fuzzer's clock, which stands at 0: offset, MR, LR, IMSC,
    # RIS, then the match's second (0: none; else the second at which
    # offset + second == MR, at most 2^32 s ahead).
    pl031 = struct.pack("<5IQ", 0, 0, 0, 0, 0, 0)
    pl031_armed = struct.pack("<5IQ", 100, 110, 100, 1, 0, 10)
    put("fuzz_device_restore", "pl031-reset", b"\x03" + record("PL31", 1, pl031))
    put("fuzz_device_restore", "pl031-armed", b"\x83" + record("PL31", 1, pl031_armed))
    # fuzz_stage2_tables: 3-byte records (operation, block, page).
    def ops(*records):
        return bytes(b for r in records for b in r)
    put("fuzz_stage2_tables", "exhaust-pool",
        ops(*[(0, blk, 1) for blk in range(9)], (3, 8, 2), (2, 0, 1)))
    put("fuzz_stage2_tables", "dirty-log",  # 221: clean ~5 MiB from block 0
        ops((221, 0, 0), (4, 3, 4), (0, 3, 5), (4, 3, 5), (5, 3, 4), (4, 31, 255)))
    put("fuzz_stage2_tables", "owners-and-remap",  # 24: to the lowvisor; 8, 26, 44: map 32/64/96 MiB
        ops((6, 2, 9), (0, 2, 9), (24, 2, 10), (7, 2, 9), (8, 0, 0), (26, 0, 0), (44, 0, 0),
            (1, 1, 1), (2, 1, 1)))

    virtqueue_seeds()


def virtqueue_seeds():
    """fuzz_virtqueue: an 8-entry queue at RAM offset 0 (desc), 0x100
    (avail), 0x200 (used), buffers from 0x400, RAM 4 KiB at 0x4000_0000."""
    ipa = 0x4000_0000

    def queue(descs, heads, avail_flags=0):
        ram = bytearray(4096)
        for i, (off, length, flags, nxt) in enumerate(descs):
            struct.pack_into("<QIHH", ram, 16 * i, ipa + off, length, flags, nxt)
        struct.pack_into("<HH", ram, 0x100, avail_flags, len(heads))
        for k, h in enumerate(heads):
            struct.pack_into("<H", ram, 0x104 + 2 * k, h)
        return struct.pack("<HHHH", 8, 0, 0x100, 0x200) + bytes(ram)

    put("fuzz_virtqueue", "one-buffer", queue([(0x400, 64, 2, 0)], [0]))
    put("fuzz_virtqueue", "chain", queue([(0x400, 8, 1, 1), (0x500, 64, 3, 2), (0x600, 32, 2, 0)], [0]))
    put("fuzz_virtqueue", "loop", queue([(0x400, 8, 3, 1), (0x500, 8, 3, 0)], [0]))
    put("fuzz_virtqueue", "full", queue([(0x400 + 64 * i, 64, 2, 0) for i in range(8)], list(range(8)), 1))


if __name__ == "__main__":
    main()
