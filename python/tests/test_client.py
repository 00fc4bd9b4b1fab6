"""Unit tests of the nestlab package against a fake nestlabd (no QEMU, no kernel).

    python3 -m unittest discover -s python/tests
"""
import base64
import json
import os
import socket
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from nestlab import (Client, ConnectionLost, ConsoleTimeout, NestlabError,  # noqa: E402
                     NestlabTimeout, ProtocolError, Vhv, default_socket_path)
from nestlab.console import Console, ConsoleBuffer  # noqa: E402


class FakeKernel:
    """A Unix socket server; `script(conn, request, fds)` answers each request line."""

    def __init__(self, script):
        self.tmp = tempfile.mkdtemp(prefix="nestlab-fake-")
        self.path = os.path.join(self.tmp, "sock")
        self.script = script
        self.requests = []
        self.received_fds = []
        self.conn = None
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(1)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        try:
            conn, _ = self.server.accept()
        except OSError:
            return  # Closed before a client came.
        self.conn = conn
        buf = b""
        try:
            while True:
                data, fds, _, _ = socket.recv_fds(conn, 1 << 16, 16)
                if not data:
                    break
                self.received_fds.extend(fds)
                buf += data
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    request = json.loads(line)
                    self.requests.append(request)
                    if self.script(conn, request, fds) == "close":
                        conn.close()
                        return
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        if self.conn is not None:
            try:
                self.conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.server.close()
        for fd in self.received_fds:
            os.close(fd)
        self.thread.join(timeout=5)
        for name in os.listdir(self.tmp):
            os.unlink(os.path.join(self.tmp, name))
        os.rmdir(self.tmp)


def reply(conn, request, result):
    send(conn, {"jsonrpc": "2.0", "id": request["id"], "result": result})


def send(conn, msg):
    conn.sendall((json.dumps(msg) + "\n").encode())


class FakeKernelCase(unittest.TestCase):
    def serve(self, script, **client_args):
        self.fake = FakeKernel(script)
        self.addCleanup(self.fake.close)
        self.client = Client(self.fake.path, **client_args)
        self.addCleanup(self.client.close)
        return self.client


class ClientTest(FakeKernelCase):
    def test_a_result_comes_back_and_ids_count_up(self):
        c = self.serve(lambda conn, req, fds: reply(conn, req, {"echo": req.get("params")}))
        self.assertEqual(c.call("kernel.hello"), {"echo": None})
        self.assertEqual(c.call("vhv.inspect", {"vhv": "lab"}), {"echo": {"vhv": "lab"}})
        self.assertEqual([r["id"] for r in self.fake.requests], [1, 2])
        self.assertTrue(all(r["jsonrpc"] == "2.0" for r in self.fake.requests))
        self.assertNotIn("params", self.fake.requests[0])

    def test_an_error_object_raises_with_the_kernels_message(self):
        def script(conn, req, fds):
            send(conn, {"jsonrpc": "2.0", "id": req["id"], "error": {
                "code": -32000, "message": 'no VHV "lab9" (see vhv.list)',
                "data": {"code": "not-found"}}})
        c = self.serve(script)
        with self.assertRaises(NestlabError) as e:
            c.call("vhv.inspect", {"vhv": "lab9"})
        self.assertEqual(e.exception.message, 'no VHV "lab9" (see vhv.list)')
        self.assertEqual((e.exception.code, e.exception.kind), (-32000, "not-found"))
        self.assertIn("vhv.inspect", str(e.exception))
        self.assertTrue(c.connected)  # An error reply is not a broken connection.

    def test_invalid_params_has_a_kind_too(self):
        def script(conn, req, fds):
            send(conn, {"jsonrpc": "2.0", "id": req["id"],
                        "error": {"code": -32602, "message": "unknown parameter \"vmm\""}})
        with self.assertRaises(NestlabError) as e:
            self.serve(script).call("vm.stats", {"vmm": 1})
        self.assertEqual(e.exception.kind, "invalid-params")

    def test_a_line_that_is_not_json_is_a_protocol_error_and_closes(self):
        c = self.serve(lambda conn, req, fds: conn.sendall(b"{not json\n"))
        with self.assertRaisesRegex(ProtocolError, "not JSON"):
            c.call("kernel.hello", timeout=5)
        self.assertFalse(c.connected)
        with self.assertRaises(ConnectionLost):
            c.call("kernel.hello")

    def test_a_message_without_jsonrpc_is_refused(self):
        c = self.serve(lambda conn, req, fds: send(conn, {"id": req["id"], "result": {}}))
        with self.assertRaisesRegex(ProtocolError, "jsonrpc"):
            c.call("kernel.hello", timeout=5)

    def test_neither_result_nor_error_is_refused(self):
        c = self.serve(lambda conn, req, fds: send(conn, {"jsonrpc": "2.0", "id": req["id"]}))
        with self.assertRaisesRegex(ProtocolError, "neither a response nor a notification"):
            c.call("kernel.hello", timeout=5)

    def test_a_reply_over_the_bound_is_refused_without_reading_it_all(self):
        def script(conn, req, fds):
            try:  # Far more than the bound, and never a newline.
                for _ in range(64):
                    conn.sendall(b"x" * 65536)
            except OSError:
                pass  # The client closed the connection: the point of the test.
        c = self.serve(script, max_line=100_000)
        with self.assertRaisesRegex(ProtocolError, "over 100000 bytes"):
            c.call("kernel.hello", timeout=10)
        self.assertFalse(c.connected)

    def test_a_complete_oversize_line_is_refused(self):
        def script(conn, req, fds):
            reply(conn, req, {"blob": "y" * 5000})
        c = self.serve(script, max_line=1000)
        with self.assertRaises(ProtocolError):
            c.call("kernel.hello", timeout=5)

    def test_no_reply_times_out(self):
        c = self.serve(lambda conn, req, fds: None)
        t = time.monotonic()
        with self.assertRaisesRegex(NestlabTimeout, "no reply from nestlabd within 0.3 s"):
            c.call("kernel.hello", timeout=0.3)
        self.assertLess(time.monotonic() - t, 3)
        self.assertIsInstance(NestlabTimeout("x"), TimeoutError)

    def test_the_clients_default_timeout_applies(self):
        c = self.serve(lambda conn, req, fds: None, timeout=0.2)
        with self.assertRaises(NestlabTimeout):
            c.call("kernel.hello")

    def test_a_closed_connection_is_reported(self):
        c = self.serve(lambda conn, req, fds: "close")
        with self.assertRaisesRegex(ConnectionLost, "closed the connection"):
            c.call("kernel.hello", timeout=5)

    def test_fds_travel_with_the_request_line(self):
        c = self.serve(lambda conn, req, fds: reply(conn, req, {"fds": len(fds)}))
        with tempfile.TemporaryFile() as f:
            f.write(b"an image")
            f.flush()
            self.assertEqual(c.call("vm.run", {"image_fd": 0}, fds=[f.fileno()]), {"fds": 1})
        got = self.fake.received_fds[0]
        self.assertEqual(os.pread(got, 100, 0), b"an image")

    def test_too_many_fds_are_refused_here(self):
        c = self.serve(lambda conn, req, fds: reply(conn, req, {}))
        with self.assertRaisesRegex(NestlabError, "at most 16"):
            c.call("vm.run", fds=[0] * 17)

    def test_notifications_go_to_handlers_or_the_queue(self):
        def script(conn, req, fds):
            send(conn, {"jsonrpc": "2.0", "method": "event", "params": {"type": "log"}})
            send(conn, {"jsonrpc": "2.0", "method": "trace", "params": {"entries": []}})
            reply(conn, req, {})
        c = self.serve(script)
        events = []
        c.on("event", events.append)
        c.call("events.subscribe")
        self.assertEqual(events, [{"type": "log"}])
        n = c.next_notification(1)
        self.assertEqual((n.method, n.params), ("trace", {"entries": []}))
        self.assertIsNone(c.next_notification(0.05))

    def test_replies_out_of_order_reach_their_callers(self):
        pending = []

        def script(conn, req, fds):
            pending.append(req)
            if len(pending) == 2:
                for r in reversed(pending):
                    reply(conn, r, r["method"])
        c = self.serve(script)
        a = c.send_request("first")
        b = c.send_request("second")
        self.assertEqual(c.wait_reply(a, timeout=5), "first")
        self.assertEqual(c.wait_reply(b, timeout=5), "second")

    def test_no_kernel_is_a_clear_error(self):
        with tempfile.TemporaryDirectory() as d:
            with self.assertRaisesRegex(NestlabError, "cannot connect to nestlabd at .*is it running"):
                Client(os.path.join(d, "none.sock"))

    def test_default_socket_path_follows_nestlab_socket(self):
        old = os.environ.get("NESTLAB_SOCKET")
        os.environ["NESTLAB_SOCKET"] = "/x/y.sock"
        try:
            self.assertEqual(default_socket_path(), "/x/y.sock")
        finally:
            if old is None:
                del os.environ["NESTLAB_SOCKET"]
            else:
                os.environ["NESTLAB_SOCKET"] = old


class VhvTest(FakeKernelCase):
    """Vhv and Vm over a scripted kernel: subscriptions, console routing, exits."""

    def kernel(self, conn, req, fds):
        method = req["method"]
        if method == "vhv.create":
            reply(conn, req, {"id": "vhv-1", "name": "lab", "state": "ready"})
        elif method == "vm.run":
            reply(conn, req, {"vm": 0, "weight": 1, "smp": 1, "mem": 1 << 27})
            for chunk in (b"Hel", b"lo\r\nsecond ", b"line\n"):
                send(conn, {"jsonrpc": "2.0", "method": "console", "params": {
                    "vhv": "vhv-1", "vm": 0, "data": base64.b64encode(chunk).decode()}})
            send(conn, {"jsonrpc": "2.0", "method": "console", "params": {
                "vhv": "vhv-2", "vm": 0, "data": base64.b64encode(b"other VHV").decode()}})
            send(conn, {"jsonrpc": "2.0", "method": "event", "params": {
                "vhv": "vhv-1", "type": "vm-exit", "vm": 0, "reason": "poweroff", "code": 3,
                "message": "off", "counters": {"HVC64": 1}}})
        else:
            reply(conn, req, {})

    def test_a_vm_runs_prints_and_exits(self):
        c = self.serve(self.kernel)
        vhv = Vhv.create(c, name="lab")
        self.assertEqual([r["method"] for r in self.fake.requests],
                         ["vhv.create", "events.subscribe", "console.subscribe"])
        self.assertTrue(self.fake.requests[0]["params"]["ephemeral"])
        with tempfile.NamedTemporaryFile(suffix=".elf") as image:
            vm = vhv.run(image.name, append="x=1")
        run = self.fake.requests[-1]["params"]
        self.assertEqual((run["image_fd"], run["append"], run["vhv"]), (0, "x=1", "vhv-1"))
        self.assertEqual(run["image_name"], os.path.basename(image.name))
        self.assertEqual(vm.console.expect(r"Hel+o", timeout=5).group(0), "Hello")
        self.assertEqual(vm.console.expect(r"second line", timeout=5).group(0), "second line")
        exit = vm.wait(timeout=5)
        self.assertEqual((exit.reason, exit.code, exit.counters), ("poweroff", 3, {"HVC64": 1}))
        self.assertNotIn("other VHV", vm.console.text)
        with self.assertRaises(ConsoleTimeout) as e:
            vm.console.expect("never", timeout=0.2)
        self.assertEqual(e.exception.tail, ["Hello", "second line"])
        self.assertIn("  | second line", str(e.exception))

    def test_a_missing_image_names_its_path_before_asking_the_kernel(self):
        c = self.serve(self.kernel)
        vhv = Vhv.create(c)
        with self.assertRaisesRegex(NestlabError, "cannot open the image /no/such.elf: "
                                                  "No such file or directory"):
            vhv.run("/no/such.elf")
        self.assertNotIn("vm.run", [r["method"] for r in self.fake.requests])

    def test_a_directory_is_not_an_image(self):
        c = self.serve(self.kernel)
        with tempfile.TemporaryDirectory() as d:
            with self.assertRaisesRegex(NestlabError, "not a regular file"):
                Vhv.create(c).run(d)


class FakeVhv:
    name = "lab"

    def __init__(self):
        self.client = self

    def pump(self, timeout):
        time.sleep(min(timeout, 0.01))


class ConsoleTest(unittest.TestCase):
    def test_the_buffer_keeps_the_newest_bytes_and_offsets_stay_absolute(self):
        b = ConsoleBuffer(cap=10)
        b.append(b"0123456789")
        b.append(b"abcde")
        self.assertEqual((b.base, b.end), (5, 15))
        self.assertEqual(b.since(0), b"56789abcde")
        self.assertEqual(b.since(12), b"cde")

    def test_expect_consumes_what_it_matched(self):
        b = ConsoleBuffer()
        b.append(b"one\ntwo\none\n")
        c = Console(FakeVhv(), 0, b, 0)
        c.expect("one", 1)
        c.expect("two", 1)
        c.expect("one", 1)
        with self.assertRaises(ConsoleTimeout):
            c.expect("one", 0.05)

    def test_invalid_utf8_does_not_shift_offsets(self):
        b = ConsoleBuffer()
        b.append(b"\xff\xfeA marker\nB marker\n")
        c = Console(FakeVhv(), 0, b, 0)
        c.expect("A marker", 1)
        self.assertEqual(c.unread(), "\nB marker\n")

    def test_a_console_starts_at_its_vms_start(self):
        b = ConsoleBuffer()
        b.append(b"the previous VM\n")
        c = Console(FakeVhv(), 0, b, b.end)
        b.append(b"this VM\n")
        self.assertEqual(c.text, "this VM\n")
        with self.assertRaises(ConsoleTimeout):
            c.expect("previous", 0.05)


if __name__ == "__main__":
    unittest.main()
