"""The serial console end to end (issue 6, seed S7): `nestlab console` driven
through a pseudo-terminal as a person would, against the real nestlabd,
nestlab-vhv, QEMU and lowvisor running the monitor guest."""
import base64
import fcntl
import json
import os
import pty
import select
import signal
import socket
import struct
import subprocess
import termios
import time
import unittest

from harness import BIN, OUTPUT_CAP, QEMU, KernelTestCase, guest

MONITOR = guest("monitor.elf")
PROMPT = b"monitor> "


class Terminal:
    """`nestlab console ...` on the slave side of a pty we hold the master of."""

    def __init__(self, env, *args, rows=30, cols=100):
        self.master, self.slave = pty.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.saved = termios.tcgetattr(self.slave)
        self.proc = subprocess.Popen([os.path.join(BIN, "nestlab"), "console", *args], env=env,
                                     stdin=self.slave, stdout=self.slave, stderr=self.slave,
                                     start_new_session=True)
        self.seen = b""

    def type(self, text):
        os.write(self.master, text.encode() if isinstance(text, str) else text)

    def read_until(self, needle, timeout=20):
        """Reads the screen until `needle` shows after what was already read."""
        needle = needle.encode() if isinstance(needle, str) else needle
        start = len(self.seen)
        deadline = time.time() + timeout
        while needle not in self.seen[start:] and len(self.seen) < OUTPUT_CAP:
            left = deadline - time.time()
            if left <= 0:
                break
            r, _, _ = select.select([self.master], [], [], left)
            if not r:
                break
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                break
            if not chunk:
                break
            self.seen += chunk
        return self.seen[start:]

    def wait(self, timeout=20):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def is_raw(self):
        return not (termios.tcgetattr(self.slave)[3] & termios.ECHO)

    def restored(self):
        return termios.tcgetattr(self.slave) == self.saved

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass


class Rpc:
    """A bare JSON-RPC connection to the kernel, as a script would use."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(30)
        self.sock.connect(path)
        self.buf = b""
        self.next_id = 1
        self.notes = []

    def _line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("kernel closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def call(self, method, params=None, fds=()):
        i = self.next_id
        self.next_id += 1
        data = json.dumps({"jsonrpc": "2.0", "id": i, "method": method, "params": params or {}})
        data = (data + "\n").encode()
        if fds:
            self.sock.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack("i" * len(fds), *fds))])
        else:
            self.sock.sendall(data)
        while True:
            m = self._line()
            if m.get("id") == i:
                return m
            self.notes.append(m)

    def notification(self, method, timeout=20):
        deadline = time.time() + timeout
        while True:
            for k, m in enumerate(self.notes):
                if m.get("method") == method:
                    return self.notes.pop(k)
            self.sock.settimeout(max(0.01, deadline - time.time()))
            try:
                self.notes.append(self._line())
            except (socket.timeout, TimeoutError):
                return None
            if time.time() > deadline:
                return None

    def close(self):
        self.sock.close()


@unittest.skipIf(QEMU is None, "qemu-system-aarch64 is not installed")
@unittest.skipUnless(os.path.exists(MONITOR), "monitor.elf is not built")
class ConsoleTest(KernelTestCase):
    def setUp(self):
        self.terminals = []
        self.vhv = f"con{int(time.time() * 1000) % 100000}"
        r = self.nestlab("vhv", "create", "--name", self.vhv)
        self.assertEqual(r.code, 0, r)

    def tearDown(self):
        for t in self.terminals:
            t.close()
        self.nestlab("vhv", "rm", self.vhv, timeout=30)
        self.assertKernelAlive()

    def terminal(self, *args):
        t = Terminal(self.env, *args)
        self.terminals.append(t)
        return t

    def start_monitor(self, append=None):
        """Attaches a writer with --run, waits for the first prompt."""
        args = [self.vhv, "--run", MONITOR] + (["--append", append] if append else [])
        t = self.terminal(*args)
        out = t.read_until(PROMPT, timeout=30)
        self.assertIn(PROMPT, out, out)
        return t

    def command(self, t, line, expect, timeout=20):
        t.type(line + "\r")
        out = t.read_until(expect, timeout=timeout)
        self.assertIn(expect.encode(), out, out)
        return out

    def test_typing_into_the_monitor_shows_echo_and_output(self):
        t = self.start_monitor()
        self.assertTrue(t.is_raw(), "the local terminal should be in raw mode while attached")
        out = self.command(t, "echo hello console", "\r\nhello console\r\n")
        self.assertIn(b"echo hello console\r\n", out)  # the guest echoed each key
        self.command(t, "help", "poweroff [CODE]")
        self.command(t, "ticks", " Hz)")
        self.command(t, "info", "bootargs")
        # Line editing: backspace over a typo, Ctrl-U kills a line.
        t.type("ecxo\x7f\x7fho fixed\r")
        self.assertIn(b"\r\nfixed\r\n", t.read_until("\r\nfixed\r\n"))
        t.type("garbage\x15echo after-kill\r")
        self.assertIn(b"\r\nafter-kill\r\n", t.read_until("\r\nafter-kill\r\n"))
        # History: Up recalls the previous line.
        t.type("\x1b[A\r")
        self.assertIn(b"\r\nafter-kill\r\n", t.read_until("\r\nafter-kill\r\n"))
        self.command(t, "nosuch", "nosuch: unknown command")
        # A paste longer than the PL011's 32-byte FIFO arrives intact.
        pasted = "".join(chr(ord("a") + i % 26) for i in range(100))
        self.command(t, "echo " + pasted, "\r\n" + pasted + "\r\n")
        # Ctrl-] detaches, exit 0, terminal as it was.
        t.type("\x1d")
        self.assertEqual(t.wait(), 0)
        self.assertIn(b"detached", t.read_until("detached", timeout=2))
        self.assertTrue(t.restored(), "terminal settings not restored after detach")

    def test_two_viewers_see_the_same_bytes(self):
        writer = self.start_monitor()
        viewer = self.terminal(self.vhv, "--log", "--no-replay")
        self.assertIn(b"read-only", viewer.read_until("read-only"))
        time.sleep(0.3)  # the viewer's attach is in before we type
        self.command(writer, "echo shared-line-42", "\r\nshared-line-42\r\n")
        got = viewer.read_until("\r\nshared-line-42\r\n")
        self.assertIn(b"echo shared-line-42\r\nshared-line-42\r\n", got)
        # Byte for byte: the writer's output from the echo on is a prefix-match.
        w = writer.seen[writer.seen.rindex(b"echo shared-line-42"):]
        v = viewer.seen[viewer.seen.rindex(b"echo shared-line-42"):]
        n = min(len(w), len(v))
        self.assertEqual(w[:n], v[:n])

    def test_writer_lock_and_takeover(self):
        first = self.start_monitor()
        second = self.terminal(self.vhv)
        self.assertEqual(second.wait(), 1)
        self.assertIn(b"another client", second.read_until("--force", timeout=2))
        self.assertTrue(second.restored())
        third = self.terminal(self.vhv, "--force")
        third.read_until("escape character")
        self.assertIn(b"took over", first.read_until("took over"))
        # The old writer's keys no longer reach the guest; the new one's do.
        first.type("echo from-old-writer\r")
        self.command(third, "echo from-new-writer", "\r\nfrom-new-writer\r\n")
        time.sleep(0.5)
        self.assertNotIn(b"from-old-writer", third.seen)
        self.assertIn(b"from-new-writer", first.read_until("from-new-writer"))

    def test_detach_and_reattach_replays_history(self):
        t = self.start_monitor()
        self.command(t, "echo remember-me-7", "\r\nremember-me-7\r\n")
        t.type("\x1d")
        self.assertEqual(t.wait(), 0)
        again = self.terminal(self.vhv)
        out = again.read_until("\r\nremember-me-7\r\n")
        self.assertIn(b"echo remember-me-7\r\nremember-me-7\r\n", out)
        self.command(again, "echo still-alive", "\r\nstill-alive\r\n")

    def test_terminal_restored_after_the_vm_is_killed(self):
        t = self.start_monitor()
        self.assertTrue(t.is_raw())
        info = json.loads(self.nestlab("--json", "vhv", "inspect", self.vhv).out)
        # The highvisor (host PID) is PID 1 of the VHV's PID namespace:
        # SIGKILL takes its QEMU and the guest with it.
        os.kill(info["pid"], signal.SIGKILL)
        self.assertEqual(t.wait(), 1)
        self.assertIn(b"VHV", t.read_until("]", timeout=2))
        self.assertTrue(t.restored(), "terminal left in raw mode after the VHV died")

    def test_pty_mode_for_screen_users(self):
        t = self.terminal(self.vhv, "--pty", "--run", MONITOR)
        out = t.read_until("/dev/pts/")
        path = out[out.index(b"/dev/pts/"):].split()[0].decode()
        fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        try:
            os.write(fd, b"echo via-pty\r")
            seen = b""
            deadline = time.time() + 20
            while b"via-pty\r\n" not in seen.split(b"echo via-pty", 1)[-1] and time.time() < deadline:
                r, _, _ = select.select([fd], [], [], 1)
                if r:
                    seen += os.read(fd, 4096)
            self.assertIn(b"echo via-pty\r\nvia-pty\r\n", seen)
        finally:
            os.close(fd)
        t.proc.send_signal(signal.SIGTERM)
        self.assertIsNotNone(t.wait())

    def test_window_size_changes_are_passed_on(self):
        t = self.start_monitor()
        rpc = Rpc(self.env["NESTLAB_SOCKET"])
        try:
            self.assertIn("result", rpc.call("events.subscribe", {"vhv": self.vhv}))
            fcntl.ioctl(t.slave, termios.TIOCSWINSZ, struct.pack("HHHH", 41, 132, 0, 0))
            t.proc.send_signal(signal.SIGWINCH)
            ev = None
            deadline = time.time() + 10
            while time.time() < deadline:
                ev = rpc.notification("event", timeout=10)
                if ev and ev["params"]["type"] == "console-resize":
                    break
            self.assertEqual((ev["params"]["rows"], ev["params"]["cols"]), (41, 132))
        finally:
            rpc.close()

    def test_keys_wake_an_interrupt_driven_guest(self):
        """The monitor sleeps in WFI on the PL011 receive interrupt (GICv3
        present): idle, it makes almost no exits; a key still wakes it, so
        the line runs PL011 model -> virtual GIC -> vCPU."""
        rpc = Rpc(self.env["NESTLAB_SOCKET"])
        try:
            self.assertIn("result", rpc.call("console.attach", {"vhv": self.vhv}))
            fd = os.open(MONITOR, os.O_RDONLY)
            r = rpc.call("vm.run", {"vhv": self.vhv, "image_fd": 0, "image_name": "monitor.elf"}, fds=[fd])
            os.close(fd)
            self.assertIn("result", r, r)
            out = b""
            deadline = time.time() + 30
            while PROMPT not in out and time.time() < deadline:
                n = rpc.notification("console", timeout=deadline - time.time())
                if n:
                    out += base64.b64decode(n["params"]["data"])
            self.assertIn(b"UART interrupt", out)
            time.sleep(0.5)

            def exits():
                info = rpc.call("vhv.inspect", {"vhv": self.vhv})["result"]
                return sum(info["counters"].values())

            before = exits()
            self.assertGreater(before, 0)  # printing the banner took exits
            time.sleep(2)
            idle = exits() - before
            self.assertLess(idle, 200, f"{idle} exits in 2 s of idling: the guest is polling")
            r = rpc.call("console.input", {"vhv": self.vhv, "data": base64.b64encode(b"echo woken-up\r").decode()})
            self.assertIn("result", r, r)
            out = b""
            deadline = time.time() + 20
            while b"\r\nwoken-up\r\n" not in out and time.time() < deadline:
                n = rpc.notification("console", timeout=deadline - time.time())
                if n:
                    out += base64.b64decode(n["params"]["data"])
            self.assertIn(b"\r\nwoken-up\r\n", out)
        finally:
            rpc.close()

    def test_vhv_stream_and_custom_escape_key(self):
        t = self.start_monitor()
        t.type("\x1d")
        self.assertEqual(t.wait(), 0)
        log = self.terminal(self.vhv, "--stream", "vhv")
        self.assertIn(b"running", log.read_until("running"))  # "lowvisor: vm 0: running ..."
        log.proc.send_signal(signal.SIGTERM)
        self.assertIsNotNone(log.wait())
        self.assertTrue(log.restored())
        again = self.terminal(self.vhv, "--escape", "^A")
        self.assertIn(b"^A", again.read_until("^A"))
        again.type("\x1d")  # Ctrl-] is an ordinary key now
        self.command(again, "echo not-detached", "\r\nnot-detached\r\n")
        again.type("\x01")
        self.assertEqual(again.wait(), 0)
        self.assertTrue(again.restored())

    def test_api_input_and_lock_errors(self):
        t = self.start_monitor()
        rpc = Rpc(self.env["NESTLAB_SOCKET"])
        try:
            r = rpc.call("console.input", {"vhv": self.vhv, "data": base64.b64encode(b"echo x\r").decode()})
            self.assertEqual(r["error"]["data"]["code"], "permission-denied", r)
            r = rpc.call("console.attach", {"vhv": self.vhv, "mode": "sideways"})
            self.assertEqual(r["error"]["code"], -32602, r)
            r = rpc.call("console.attach", {"vhv": self.vhv, "stream": "vhv"})
            self.assertIn("result", r, r)
            self.assertTrue(r["result"]["log"].endswith("/vhv.log"))
        finally:
            rpc.close()
        t.type("\x1d")
        self.assertEqual(t.wait(), 0)


@unittest.skipIf(QEMU is None, "qemu-system-aarch64 is not installed")
class ConsoleLogCapTest(KernelTestCase):
    """A guest printing without end leaves at most the configured cap on disk."""

    # Each guest byte is one trapped PL011 store (~10 us under TCG here), so
    # 4 MiB (16x the cap) keeps this test under a minute; set
    # NESTLAB_CONSOLE_TEST_BYTES=104857600 for the full 100 MB run. The
    # 100 MB bound itself is also checked on the real broker stream in
    # kernel/console_stream_test.cpp.
    CAP = 256 << 10
    OUTPUT = int(os.environ.get("NESTLAB_CONSOLE_TEST_BYTES", 4 << 20))

    @classmethod
    def setUpClass(cls):
        os.environ["NESTLAB_CONSOLE_LOG"] = str(cls.CAP)
        try:
            super().setUpClass()
        finally:
            del os.environ["NESTLAB_CONSOLE_LOG"]

    def test_guest_output_is_capped_on_disk(self):
        image = guest("flood.elf")
        if not os.path.exists(image):
            self.skipTest("flood.elf is not built")
        name = "flood1"
        self.assertEqual(self.nestlab("vhv", "create", "--name", name).code, 0)
        try:
            rpc = Rpc(self.env["NESTLAB_SOCKET"])
            fd = os.open(image, os.O_RDONLY)
            r = rpc.call("vm.run", {"vhv": name, "image_fd": 0, "image_name": "flood.elf",
                                    "append": f"bytes={self.OUTPUT}"}, fds=[fd])
            os.close(fd)
            self.assertIn("result", r, r)
            r = rpc.call("events.subscribe", {"vhv": name})
            deadline = time.time() + max(600, self.OUTPUT / 50_000)  # >= 50 kB/s
            ev = None
            while time.time() < deadline:
                ev = rpc.notification("event", timeout=deadline - time.time())
                if ev is None or ev["params"]["type"] == "vm-exit":
                    break
            self.assertIsNotNone(ev, "the flood guest did not finish")
            self.assertEqual(ev["params"]["reason"], "poweroff", ev)
            att = rpc.call("console.attach", {"vhv": name, "replay": False})["result"]
            self.assertGreaterEqual(att["total_bytes"], self.OUTPUT)
            logdir = os.path.dirname(att["log"])
            on_disk = sum(os.path.getsize(os.path.join(logdir, f)) for f in os.listdir(logdir)
                          if f.startswith("vm0.log"))
            self.assertLessEqual(on_disk, self.CAP)
            self.assertGreater(on_disk, self.CAP // 2)
            with open(att["log"], "rb") as f:
                tail = f.read()[-200:]
            self.assertIn(b"flood done", tail)
            rpc.close()
        finally:
            self.nestlab("vhv", "rm", name, timeout=30)


if __name__ == "__main__":
    unittest.main()
