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
