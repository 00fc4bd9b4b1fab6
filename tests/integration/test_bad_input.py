"""Every kind of bad input gets a clear message and a non-zero exit; the kernel
stays up and a VHV running beside it is not disturbed."""
import json
import os
import socket
import tempfile
import unittest

from elf_craft import EM_X86_64, make_elf
from harness import KernelTestCase, guest, read_until

CODE = b"\x00\x00\x80\xd2" * 4  # a few AArch64 instructions


class BadInputTest(KernelTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.files = tempfile.mkdtemp(prefix="nestlab-bad-")

    def write(self, name, data):
        path = os.path.join(self.files, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def assertRefused(self, args, *needles):
        r = self.nestlab("run", *args)
        self.assertEqual(r.code, 125, r)
        for n in needles:
            self.assertIn(n, r.err)
        self.assertEqual(r.out, "", "nothing should have run")
        self.assertKernelAlive()
        return r

    def test_text_file_is_not_elf(self):
        self.assertRefused([self.write("notes.txt", b"hello, this is not a kernel\n" * 3)],
                           "notes.txt")

    def test_elf_for_another_architecture(self):
        r = self.assertRefused([self.write("x86.elf", make_elf([(0x40080000, CODE, 0)],
                                                               machine=EM_X86_64))], "x86.elf")
        self.assertIn("AArch64", r.err)

    def test_32_bit_elf(self):
        self.assertRefused([self.write("arm32.elf", make_elf([(0x40080000, CODE, 0)], elf_class=1))],
                           "arm32.elf")

    def test_segment_over_the_uart(self):
        r = self.assertRefused([self.write("dev.elf", make_elf([(0x09000000, CODE, 0)]))], "dev.elf")
        self.assertIn("0x9000000", r.err)

    def test_segment_outside_guest_ram(self):
        r = self.assertRefused(["--mem", "128M",
                                self.write("high.elf", make_elf([(0x50000000, CODE, 0)]))], "high.elf")
        self.assertIn("0x50000000", r.err)

    def test_bss_running_past_the_end_of_ram(self):
        self.assertRefused(["--mem", "16M",
                            self.write("bss.elf", make_elf([(0x40080000, CODE, 64 << 20)]))], "bss.elf")

    def test_truncated_elf(self):
        full = make_elf([(0x40080000, CODE * 64, 0)])
        self.assertRefused([self.write("cut.elf", full[:200])], "cut.elf")

    def test_image_larger_than_guest_ram(self):
        path = os.path.join(self.files, "huge.bin")
        with open(path, "wb") as f:
            f.truncate(40 << 20)
        r = self.assertRefused(["--mem", "32M", path], "huge.bin")
        self.assertIn("--mem", r.err)

    def test_empty_file(self):
        self.assertRefused([self.write("empty.elf", b"")], "empty")

    def test_missing_file(self):
        r = self.nestlab("run", "/nonexistent/guest.elf")
        self.assertEqual(r.code, 125, r)
        self.assertIn("/nonexistent/guest.elf", r.err)
        self.assertIn("No such file", r.err)

    def test_directory_instead_of_a_file(self):
        r = self.nestlab("run", self.files)
        self.assertEqual(r.code, 125, r)

    def test_smp_above_eight_is_refused_clearly(self):
        r = self.nestlab("run", "--smp", "9", guest("hello.elf"))
        self.assertNotEqual(r.code, 0)
        self.assertIn("--smp", r.err)

    def test_bad_memory_size(self):
        r = self.nestlab("run", "--mem", "lots", guest("hello.elf"))
        self.assertNotEqual(r.code, 0)
        self.assertIn("lots", r.err)

    # Issue 13: the VMs of a VHV. These hold with a lowvisor that runs one VM
    # at a time as well as with one that runs several.
    def test_bad_vm_options_are_refused_in_one_line(self):
        self.assertEqual(self.nestlab("vhv", "create", "--name", "bad-vm").code, 0)
        self.addCleanup(self.nestlab, "vhv", "rm", "bad-vm")
        cases = [
            (("vm", "stats", "bad-vm", "--vm", "9"), "--vm: '9' is not a VM id (a VHV has VMs 0 to 3)"),
            (("vm", "trace", "bad-vm", "--vm", "x"), "--vm: 'x' is not a VM id"),
            (("console", "bad-vm", "--vm", "4", "--log"), "--vm: '4' is not a VM id"),
            (("vm", "run", "bad-vm", guest("hello.elf"), "--weight", "0"),
             "--weight: '0' is not a weight from 1 to 10000"),
            (("vm", "run", "bad-vm", guest("hello.elf"), "--weight", "abc"),
             "--weight: 'abc' is not a weight from 1 to 10000"),
            (("vm", "stop", "bad-vm"), "give --vm N"),
            (("vhv", "create", "--smp", "9"), "--smp needs a number of CPUs from 1 to 8"),
            (("vm", "stop", "bad-vm", "--vm", "2"), "VHV bad-vm has no VM 2 (see vm.list)"),
            (("vm", "stats", "bad-vm", "--vm", "3"), "VHV bad-vm has no VM 3"),
            (("vm", "wait", "bad-vm", "--vm", "1"), "has no VM 1"),
            (("vm", "run", "bad-vm", guest("hello.elf"), "--mem", "1G"),
             "VHV bad-vm has 128 MiB for guests; ask for less with --mem"),
        ]
        for argv, needle in cases:
            with self.subTest(argv=argv):
                r = self.nestlab(*argv)
                self.assertNotEqual(r.code, 0, r)
                self.assertIn(needle, r.err)
                # One line saying what is wrong (a usage error adds the --help hint).
                self.assertIn(needle, r.err.strip().splitlines()[0])
                self.assertLessEqual(len(r.err.strip().splitlines()), 2, r.err)
        self.assertKernelAlive()

    def test_vm_run_prints_the_id_and_stopping_an_exited_vm_is_refused(self):
        self.assertEqual(self.nestlab("vhv", "create", "--name", "bad-vm2").code, 0)
        self.addCleanup(self.nestlab, "vhv", "rm", "bad-vm2")
        r = self.nestlab("vm", "run", "bad-vm2", guest("exitcode.elf"), "--append", "exit=5",
                         "--weight", "7")
        self.assertEqual((r.code, r.out), (0, "0\n"), r)
        w = self.nestlab("vm", "wait", "bad-vm2", "--vm", "0", "--timeout", "60")
        self.assertEqual(w.code, 5, w)
        listed = json.loads(self.nestlab("--json", "vm", "list", "bad-vm2").out)
        self.assertEqual(len(listed["vms"]), 1)
        row = listed["vms"][0]
        self.assertEqual((row["vm"], row["state"], row["exit_code"], row["weight"]),
                         (0, "exited", 5, 7), listed)
        self.assertEqual(row["image"], "exitcode.elf")
        self.assertEqual(row["mem"], 128 << 20)  # QEMU's default
        table = self.nestlab("vm", "list", "bad-vm2")
        self.assertIn("exitcode.elf", table.out)
        self.assertIn("WEIGHT", table.out)
        r = self.nestlab("vm", "stop", "bad-vm2", "--vm", "0")
        self.assertEqual(r.code, 1, r)
        self.assertIn("VM 0 of VHV bad-vm2 is not running: it exited (poweroff, code 5)", r.err)

    def test_the_api_checks_vm_and_weight(self):
        self.assertEqual(self.nestlab("vhv", "create", "--name", "bad-vm3").code, 0)
        self.addCleanup(self.nestlab, "vhv", "rm", "bad-vm3")
        def call(method, params):
            raw = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
            return self.rpc((raw + "\n").encode())
        cases = [
            ("vm.list", {"vhv": "bad-vm3", "vm": 0}, -32602, "unknown parameter"),
            ("vm.list", {}, -32602, "vhv"),
            ("vm.list", {"vhv": "no-such"}, -32000, 'no VHV "no-such"'),
            ("vm.stop", {"vhv": "bad-vm3"}, -32602, '"vm" is required'),
            ("vm.stop", {"vhv": "bad-vm3", "vm": 4}, -32000, "no VM 4 (a VHV has VMs 0 to 3)"),
            ("vm.stop", {"vhv": "bad-vm3", "vm": -1}, -32602, "vm"),
            ("vm.stop", {"vhv": "bad-vm3", "vm": "0"}, -32602, "vm"),
            ("vm.stop", {"vhv": "bad-vm3", "vm": 1 << 40}, -32602, "vm"),
            ("vm.stop", {"vhv": "bad-vm3", "vm": 0, "force": True}, -32602, "unknown parameter"),
            ("vm.run", {"vhv": "bad-vm3", "image_fd": 0, "weight": 0}, -32602, None),
            ("vm.stats", {"vhv": "bad-vm3", "vm": 7}, -32000, "no VM 7"),
            ("vm.trace", {"vhv": "bad-vm3", "vm": 2}, -32000, "has no VM 2"),
            ("guestinfo.get", {"vhv": "bad-vm3", "vm": 1}, -32000, "has no VM 1"),
            ("console.input", {"vhv": "bad-vm3", "vm": 9, "data": ""}, -32000, "no VM 9"),
        ]
        for method, params, code, needle in cases:
            with self.subTest(method=method, params=params):
                reply = call(method, params)
                self.assertIn("error", reply, reply)
                self.assertEqual(reply["error"]["code"], code, reply)
                if needle:
                    self.assertIn(needle, reply["error"]["message"])
        ok = call("vm.list", {"vhv": "bad-vm3"})
        self.assertEqual(ok["result"]["vms"], [], ok)
        self.assertEqual(ok["result"]["max_vms"], 4)
        self.assertKernelAlive()

    def rpc(self, raw):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(10)
        s.connect(self.env["NESTLAB_SOCKET"])
        s.sendall(raw)
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        return json.loads(data.splitlines()[0])

    def test_malformed_json_rpc(self):
        cases = [
            (b"this is not json\n", -32700),
            (b'{"jsonrpc":"2.0","id":1,"method":"no.such.method"}\n', -32601),
            (b'{"jsonrpc":"2.0","id":2,"method":"vhv.inspect","params":{"vhv":42}}\n', -32602),
            (b'[1,2,3]\n', -32600),
            (b'{"jsonrpc":"2.0","id":3,"method":"vm.run","params":{"vhv":"nope","image_fd":0}}\n', None),
        ]
        for raw, code in cases:
            with self.subTest(raw=raw):
                reply = self.rpc(raw)
                self.assertIn("error", reply)
                self.assertTrue(reply["error"].get("message"))
                if code is not None:
                    self.assertEqual(reply["error"]["code"], code)
        self.assertKernelAlive()

    def test_bad_input_does_not_disturb_a_running_vhv(self):
        p = self.start_nestlab("run", guest("chatty.elf"))
        try:
            first = read_until(p.stdout, b"\n", timeout=60)
            self.assertTrue(first)
            self.rpc(b"{{{{ garbage\n")
            self.assertRefused([self.write("again.txt", b"nope")])
            more = read_until(p.stdout, b"\n", timeout=30)
            self.assertTrue(more, "the running guest stopped printing")
            self.assertIsNone(p.poll())
        finally:
            p.terminate()
            p.communicate(timeout=30)


if __name__ == "__main__":
    unittest.main()
