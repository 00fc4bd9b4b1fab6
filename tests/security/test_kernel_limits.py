"""Attacks on nestlabd itself, from a client's seat and from a highvisor's:
each runs the real nestlabd and asserts what another user would notice
(the daemon answers, others can connect, the error names the bound). The
highvisor side is tests/security/hostile_highvisor.py, a process speaking the
control protocol over the real socket the kernel gives it, which breaks the
protocol on request (what a compromised nestlab-vhv could do). Every wait is
bounded, and every read capped.

The per-user bounds and their defaults are in docs/protocols.md, "Per-user
bounds". Tests needing a second user connect as nobody through
--socket-group, and need root; they skip otherwise, saying so."""
import array
import base64
import json
import os
import resource
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get("NESTLAB_BUILD_DIR", os.path.join(HERE, "../../build"))
NESTLABD = os.path.join(BUILD, "bin", "nestlabd")
HOSTILE = os.path.join(HERE, "hostile_highvisor.py")
NOBODY = 65534
READ_CAP = 64 << 20  # bytes any test reads from one connection


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class Kernel:
    """A private nestlabd: own socket, state directory and cgroup parent."""

    def __init__(self, tmp, name, args=(), env=None, nofile=None):
        self.tmp, self.args, self.nofile = tmp, list(args), nofile
        self.env = dict(os.environ)
        self.env.update({"NESTLAB_SOCKET": os.path.join(tmp, "run", "nestlab.sock"),
                         "NESTLAB_STATE_DIR": os.path.join(tmp, "state"),
                         "NESTLAB_CGROUP_PARENT": f"nestlab-limits-{os.getpid()}-{name}",
                         "NESTLAB_VHV": HOSTILE, "NESTLAB_NO_JAIL": "1"})
        self.env.update(env or {})
        self.socket = self.env["NESTLAB_SOCKET"]
        self.log_path = os.path.join(tmp, "nestlabd.log")
        self.proc = None

    def start(self):
        if os.geteuid() == 0:
            self.args += ["--socket-group", "nogroup"]  # so nobody may connect too
        log = open(self.log_path, "ab")

        def limit_fds():
            if self.nofile:
                resource.setrlimit(resource.RLIMIT_NOFILE, (self.nofile, self.nofile))

        self.proc = subprocess.Popen([NESTLABD, "--foreground", *self.args], env=self.env,
                                     stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, preexec_fn=limit_fds)
        log.close()
        deadline = time.time() + 10
        while True:
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("nestlabd did not start: " + self.log())
            if os.path.exists(self.socket):
                try:  # a killed kernel's socket file refuses until ours replaces it
                    c = Client(self.socket, timeout=2)
                except OSError:
                    time.sleep(0.05)
                    continue
                answered = c.call("kernel.hello").get("result")
                with_probe = self.open_fds()
                c.close()
                if answered:
                    # Tests count this user's connections: wait until the
                    # kernel has noticed the probe went away (a slow build,
                    # ASan, may take a moment).
                    while self.open_fds() >= with_probe and time.time() < deadline:
                        time.sleep(0.02)
                    return self
            time.sleep(0.05)

    def open_fds(self):
        try:
            return len(os.listdir(f"/proc/{self.proc.pid}/fd"))
        except OSError:
            return 0

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def alive(self):
        return self.proc.poll() is None

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read()[-20000:].decode(errors="replace")

    def cleanup_cgroups(self):
        parent = self.env["NESTLAB_CGROUP_PARENT"]
        for controller in ("cpu", "cpuacct", "memory", "pids", "cpuset", "unified", ""):
            base = os.path.join("/sys/fs/cgroup", controller, parent)
            for sub in (os.path.join(base, "default"), base):
                try:
                    os.rmdir(sub)
                except OSError:
                    pass


class Client:
    """A JSON-RPC connection; `as_uid` connects as that user (root only)."""

    def __init__(self, path, timeout=10, as_uid=None):
        self.timeout = timeout
        self.buf = b""
        self.next_id = 1
        self.notes = []
        if as_uid is None:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self.sock.connect(path)
            except OSError:
                self.sock.close()
                raise
        else:
            self.sock = self._connect_as(path, as_uid)
        self.sock.settimeout(timeout)

    @staticmethod
    def _connect_as(path, uid):
        # SO_PEERCRED records who connected: a child becomes `uid`,
        # connects, and hands the connection back over a socketpair.
        ours, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            try:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                theirs.sendmsg([b"x"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                                         array.array("i", [s.fileno()]))])
            finally:
                os._exit(0)
        theirs.close()
        _, anc, _, _ = ours.recvmsg(1, socket.CMSG_SPACE(4))
        os.waitpid(pid, 0)
        ours.close()
        fd = array.array("i", anc[0][2][:4])[0]
        return socket.socket(fileno=fd)

    def send_raw(self, data, fds=()):
        if fds:
            self.sock.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                                        array.array("i", fds))])
        else:
            self.sock.sendall(data)

    def read_message(self, timeout=None):
        deadline = time.time() + (timeout or self.timeout)
        while b"\n" not in self.buf:
            left = deadline - time.time()
            if left <= 0 or len(self.buf) > READ_CAP:
                return None
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return None
            try:
                data = self.sock.recv(1 << 20)
            except OSError:
                return None
            if not data:
                return None
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def call(self, method, params=None, fds=(), timeout=None):
        rid = self.next_id
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        try:
            self.send_raw((json.dumps(msg) + "\n").encode(), fds)
        except OSError as e:
            return {"send-failed": str(e)}
        deadline = time.time() + (timeout or self.timeout)
        while time.time() < deadline:
            m = self.read_message(deadline - time.time())
            if m is None:
                return {}
            if m.get("id") == rid or ("error" in m and m.get("id") is None):
                return m
            self.notes.append(m)
        return {}

    def notification(self, method, timeout=10, match=lambda m: True):
        for i, m in enumerate(self.notes):
            if m.get("method") == method and match(m):
                return self.notes.pop(i)
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = self.read_message(deadline - time.time())
            if m is None:
                return None
            if m.get("method") == method and match(m):
                return m
            self.notes.append(m)
        return None

    def closed_by_peer(self, timeout=5):
        """True once the kernel has closed this connection (what it sent
        before is read and dropped, up to READ_CAP)."""
        deadline, got = time.time() + timeout, 0
        while time.time() < deadline and got < READ_CAP:
            r, _, _ = select.select([self.sock], [], [], max(0, deadline - time.time()))
            if not r:
                return False
            try:
                data = self.sock.recv(1 << 20)
            except OSError:
                return True
            if not data:
                return True
            got += len(data)
        return False

    def close(self):
        self.sock.close()


def error_of(reply):
    return reply.get("error") or {}


class LimitsTestCase(unittest.TestCase):
    def setUp(self):
        if not os.path.exists(NESTLABD):
            self.fail(f"{NESTLABD} is not built")
        self.tmp = tempfile.mkdtemp(prefix="nestlab-limits-")
        os.chmod(self.tmp, 0o755)
        self.kernels = []
        self.files = []

    def tearDown(self):
        for k in self.kernels:
            k.stop()
            k.cleanup_cgroups()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def kernel(self, *args, env=None, nofile=None, tmp=None):
        k = Kernel(tmp or self.tmp, self.id().rsplit(".", 1)[1], args, env, nofile)
        self.kernels.append(k)
        return k.start()

    def connect(self, k, **kw):
        c = Client(k.socket, **kw)
        self.addCleanup(c.close)
        return c

    def need_root(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to connect as a second user (nobody)")

    def image(self, data):
        path = os.path.join(self.tmp, f"image{len(self.files)}")
        with open(path, "wb") as f:
            f.write(data)
        self.files.append(path)
        return path

    def create(self, c, name, **params):
        r = c.call("vhv.create", {"name": name, **params}, timeout=30)
        self.assertIn("result", r, r)
        return r["result"]

    def run_image(self, c, vhv, data):
        fd = os.open(self.image(data), os.O_RDONLY)
        try:
            r = c.call("vm.run", {"vhv": vhv, "image_fd": 0, "image_name": "img"}, fds=[fd],
                       timeout=30)
        finally:
            os.close(fd)
        self.assertIn("result", r, r)
        return r

    def assertLimitReached(self, reply, bound):
        self.assertIsNotNone(reply, f"no answer where the bound {bound} should be reached")
        e = error_of(reply)
        self.assertEqual(e.get("data", {}).get("code"), "limit-reached", reply)
        self.assertIn(f'"{bound}"', e.get("message", ""), reply)


class ClientAttacks(LimitsTestCase):
    def test_a_500000_deep_request_is_refused_and_the_next_is_answered(self):
        k = self.kernel()
        c = self.connect(k, timeout=20)
        n = 500_000
        line = ('{"jsonrpc":"2.0","id":1,"method":"vhv.inspect","params":{"name":' + "[" * n +
                "]" * n + "}}\n").encode()
        self.assertLess(len(line), 1 << 20)
        c.send_raw(line)
        r = c.read_message(timeout=20)
        self.assertIsNotNone(r, "no answer to the deep request: " + k.log())
        self.assertEqual(error_of(r).get("code"), -32600, r)
        self.assertIn("nested deeper than 64", error_of(r)["message"])
        self.assertTrue(k.alive(), k.log())
        self.assertIn("result", c.call("kernel.hello"))

    def test_errors_do_not_echo_a_parameter_whole(self):
        k = self.kernel()
        c = self.connect(k)
        deep = json.loads("[" * 60 + "]" * 60)
        cases = [("vhv.create", {"mem": deep}), ("vhv.create", {"smp": "9" * 500_000}),
                 ("vhv.inspect", {"vhv": "v" * 500_000}), ("vhv.create", {"name": "n" * 500_000}),
                 ("vhv.inspect", {"k" * 500_000: 1}), ("m" * 500_000, {})]
        for method, params in cases:
            r = c.call(method, params)
            self.assertIn("error", r, (method[:20], r))
            self.assertLess(len(json.dumps(r)), 1000, (method[:20], json.dumps(r)[:300]))
        self.assertTrue(k.alive())

    def test_a_flood_of_fds_without_a_newline_is_refused(self):
        # As observed: 300 sendmsg of one byte and 16 fds each, no newline,
        # to a kernel whose fd limit is high enough to take them all.
        k = self.kernel(nofile=20000)
        before = fd_count(k.proc.pid)
        c = self.connect(k)
        null = os.open("/dev/null", os.O_RDONLY)
        self.addCleanup(os.close, null)
        for _ in range(300):
            try:
                c.send_raw(b"{", [null] * 16)
            except OSError:
                break  # the kernel has closed the connection
        time.sleep(0.5)
        held = fd_count(k.proc.pid) - before
        self.assertLess(held, 40, f"nestlabd holds {held} more fds after the flood")
        r = c.read_message(timeout=5)
        self.assertIsNotNone(r)
        self.assertIn("file descriptors", error_of(r).get("message", ""), r)
        self.assertTrue(c.closed_by_peer())
        self.assertIn("result", self.connect(k).call("kernel.hello"))

    def test_received_fds_are_bounded_per_user(self):
        self.need_root()
        k = self.kernel()  # received-fds: 64, so four connections of 16 each
        null = os.open("/dev/null", os.O_RDONLY)
        self.addCleanup(os.close, null)
        holders = [self.connect(k) for _ in range(4)]
        for h in holders:
            h.send_raw(b'{"jsonrpc":"2.0",', [null] * 16)  # a line begun, not ended
        time.sleep(0.3)
        fifth = self.connect(k)
        fifth.send_raw(b'{"jsonrpc":"2.0",', [null] * 16)
        r = fifth.read_message(timeout=5)
        self.assertLimitReached(r, "received-fds")
        self.assertTrue(fifth.closed_by_peer())
        # Another user is not affected; this user gets room back as lines end.
        other = self.connect(k, as_uid=NOBODY)
        self.assertIn("result", other.call("kernel.hello"))
        holders[0].send_raw(b'"id":1,"method":"kernel.hello"}\n')
        self.assertIn("result", holders[0].read_message(timeout=5) or {})
        again = self.connect(k)
        again.send_raw(b'{"jsonrpc":"2.0",', [null] * 16)
        again.send_raw(b'"id":2,"method":"kernel.hello"}\n')
        self.assertIn("result", again.read_message(timeout=5) or {})

    def test_connections_are_bounded_per_user_and_others_still_connect(self):
        self.need_root()
        k = self.kernel("--limit", "connections=8")
        held = [self.connect(k) for _ in range(8)]
        for h in held:
            self.assertIn("result", h.call("kernel.hello"))
        for _ in range(20):
            extra = self.connect(k)
            r = extra.read_message(timeout=5)
            self.assertLimitReached(r, "connections")
            self.assertTrue(extra.closed_by_peer())
        self.assertEqual(k.log().count("refusing connections"), 1, k.log())
        other = self.connect(k, as_uid=NOBODY)
        self.assertIn("result", other.call("kernel.hello"))
        before = k.open_fds()
        held[0].close()
        deadline = time.time() + 5
        while k.open_fds() >= before and time.time() < deadline:
            time.sleep(0.02)
        self.assertIn("result", self.connect(k).call("kernel.hello"))

    def test_accept_failing_for_lack_of_fds_backs_off_instead_of_spinning(self):
        k = self.kernel("--limit", "connections=1000", "--limit", "received-fds=100000",
                        nofile=64)
        held = []
        # Fill the kernel's fd table with connections (each costs it one fd).
        for _ in range(80):
            c = self.connect(k, timeout=2)
            held.append(c)
            if not c.call("kernel.hello", timeout=2).get("result"):
                break
        self.assertTrue(k.alive(), k.log())
        # Clients now wait in the listen backlog; the kernel must not spin.
        waiting = [Client(k.socket, timeout=3) for _ in range(3)]
        t0, cpu0 = time.time(), cpu_seconds(k.proc.pid)
        time.sleep(3)
        used = cpu_seconds(k.proc.pid) - cpu0
        self.assertLess(used, 0.5, f"nestlabd used {used:.2f} s of CPU in 3 s with accept failing")
        self.assertIn("cannot accept connections", k.log())
        self.assertEqual(k.log().count("cannot accept connections"), 1, k.log())
        told = [w.read_message(timeout=3) for w in waiting]
        self.assertTrue(any("cannot take more connections" in error_of(t or {}).get("message", "")
                            for t in told), told)
        for c in held + waiting:
            c.close()
        deadline = time.time() + 5
        ok = False
        while not ok and time.time() < deadline:
            probe = Client(k.socket, timeout=2)
            ok = bool(probe.call("kernel.hello", timeout=2).get("result"))
            probe.close()
        self.assertTrue(ok, "nestlabd did not accept again: " + k.log())


class ResourceBounds(LimitsTestCase):
    def test_vm_numbers_that_do_not_exist_open_nothing(self):
        k = self.kernel()
        c = self.connect(k)
        self.create(c, "a")
        before = fd_count(k.proc.pid)
        # A VHV has VMs 0 to 3 (issue 13): a console of each may be opened,
        # before its VM runs too; no other number opens anything.
        for vm in range(1, 4):
            self.assertIn("result", c.call("console.attach", {"vhv": "a", "vm": vm}))
        for vm in range(4, 256):
            for method, params in (("console.attach", {"vhv": "a", "vm": vm}),
                                   ("console.resize", {"vhv": "a", "vm": vm, "rows": 5,
                                                       "cols": 5}),
                                   ("console.subscribe", {"vhv": "a", "vm": vm})):
                r = c.call(method, params)
                self.assertEqual(error_of(r).get("data", {}).get("code"), "not-found",
                                 (method, vm, r))
        self.assertLessEqual(fd_count(k.proc.pid), before + 2 + 3)
        self.assertIn("result", c.call("console.attach", {"vhv": "a", "vm": 0}))

    def test_trace_followers_are_bounded(self):
        k = self.kernel("--limit", "trace-followers=4")
        c = self.connect(k)
        self.create(c, "t")
        for _ in range(4):
            r = c.call("vm.trace", {"vhv": "t", "follow": True})
            self.assertTrue(r.get("result", {}).get("following"), r)
        self.assertLimitReached(c.call("vm.trace", {"vhv": "t", "follow": True}),
                                "trace-followers")
        self.assertIn("result", c.call("vm.trace", {"vhv": "t"}))  # a plain read still works
        c.close()
        d = self.connect(k)
        deadline, r = time.time() + 3, {}
        while time.time() < deadline and "result" not in r:
            time.sleep(0.1)
            r = d.call("vm.trace", {"vhv": "t", "follow": True})
        self.assertIn("result", r, "the followers of a closed connection were not released")

    def test_subscriptions_are_bounded_per_user(self):
        self.need_root()
        k = self.kernel("--limit", "subscriptions=3")
        c = self.connect(k)
        for name in ("s1", "s2"):
            self.create(c, name)
        self.assertIn("result", c.call("events.subscribe"))
        self.assertIn("result", c.call("events.subscribe", {"vhv": "s1"}))
        self.assertIn("result", c.call("console.subscribe", {"vhv": "s1"}))
        self.assertIn("result", c.call("console.subscribe", {"vhv": "s1"}))  # the same again
        self.assertLimitReached(c.call("events.subscribe", {"vhv": "s2"}), "subscriptions")
        d = self.connect(k)  # the bound is the user's, not the connection's
        self.assertLimitReached(d.call("console.subscribe", {"vhv": "s2"}), "subscriptions")
        other = self.connect(k, as_uid=NOBODY)
        self.assertIn("result", other.call("events.subscribe"))

    def test_console_attachments_are_bounded_per_user(self):
        k = self.kernel("--limit", "console-streams=2")
        c = self.connect(k)
        for name in ("c1", "c2"):
            self.create(c, name)
        self.assertIn("result", c.call("console.attach", {"vhv": "c1"}))
        self.assertIn("result", c.call("console.attach", {"vhv": "c1", "stream": "vhv"}))
        self.assertIn("result", c.call("console.attach", {"vhv": "c1"}))  # already attached
        self.assertLimitReached(c.call("console.attach", {"vhv": "c2"}), "console-streams")
        self.assertIn("result", c.call("console.detach", {"vhv": "c1"}))
        self.assertIn("result", c.call("console.attach", {"vhv": "c2"}))

    def test_vhvs_are_bounded_per_user(self):
        k = self.kernel("--limit", "vhvs=2")
        c = self.connect(k)
        self.create(c, "v1")
        self.create(c, "v2")
        self.assertLimitReached(c.call("vhv.create", {"name": "v3"}, timeout=30), "vhvs")
        self.assertIn("result", c.call("vhv.destroy", {"vhv": "v1"}, timeout=30))
        self.create(c, "v3")

    def test_queued_output_is_bounded_across_a_users_connections(self):
        k = self.kernel("--limit", "queued-output=2M")
        c = self.connect(k, timeout=30)
        self.create(c, "flood")
        sleepers = [self.connect(k) for _ in range(3)]
        for s in sleepers:  # subscribe, then never read again
            self.assertIn("result", s.call("console.subscribe", {"vhv": "flood"}))
        self.run_image(c, "flood", b"flood=40000000")
        deadline = time.time() + 120
        while "queued-output" not in k.log() and time.time() < deadline and k.alive():
            time.sleep(0.2)
        self.assertIn('"queued-output"', k.log())
        self.assertTrue(k.alive(), k.log())
        self.assertLess(rss_bytes(k.proc.pid), 200 << 20)
        self.assertTrue(any(s.closed_by_peer(timeout=10) for s in sleepers))
        self.assertIn("result", self.connect(k).call("kernel.hello"))


class HostileHighvisor(LimitsTestCase):
    def test_malformed_replies_fail_the_request_and_mark_the_vhv(self):
        sys.path.insert(0, HERE)
        from hostile_highvisor import MODES_FOR_STATS
        k = self.kernel()
        c = self.connect(k)
        self.create(c, "evil")
        self.create(c, "good")
        self.assertIn("result", c.call("events.subscribe", {"vhv": "evil"}))
        requests = [("vm.stats", {}), ("vm.trace", {}), ("vhv.inspect", {}), ("vhv.pause", {}),
                    ("guestinfo.get", {})]
        for mode in MODES_FOR_STATS:
            r = c.call("guestinfo.set", {"vhv": "evil", "key": "mode", "value": mode})
            self.assertIn("result", r, r)
            for method, extra in requests:
                r = c.call(method, {"vhv": "evil", **extra}, timeout=5)
                self.assertTrue(k.alive(), f"{mode}/{method} killed nestlabd:\n" + k.log())
                if method == "vhv.inspect":
                    continue  # it reports what it has without the highvisor's figures
                e = error_of(r)
                self.assertTrue(e, (mode, method, r))
                self.assertLess(len(json.dumps(r)), 5000, (mode, method))
                if not mode.startswith("error-"):
                    self.assertIn("malformed", e["message"], (mode, method, r))
                self.assertNotEqual(e.get("code"), -32602, (mode, method, r))
        # A reply under an id no request has (a string) answers nothing.
        c.call("guestinfo.set", {"vhv": "evil", "key": "mode", "value": "id-string"})
        self.assertEqual(c.call("vm.stats", {"vhv": "evil"}, timeout=2), {})
        self.assertTrue(k.alive(), k.log())
        c.call("guestinfo.set", {"vhv": "evil", "key": "mode", "value": "ok"})
        info = c.call("vhv.inspect", {"vhv": "evil"})["result"]
        self.assertGreater(info["protocol_errors"]["count"], 20, info)
        self.assertTrue(info["protocol_errors"]["last"])
        ev = c.notification("event", match=lambda m: m["params"]["type"] == "vhv-protocol-error")
        self.assertIsNotNone(ev)
        self.assertEqual(ev["params"]["vhv"], info["id"])
        # The other VHV, and the kernel, are unharmed.
        self.assertIn("result", c.call("vm.stats", {"vhv": "good"}))
        good = c.call("vhv.inspect", {"vhv": "good"})["result"]
        self.assertEqual(good["protocol_errors"]["count"], 0)

    def test_malformed_events_are_dropped_and_counted(self):
        k = self.kernel()
        c = self.connect(k, timeout=30)
        self.create(c, "storm")
        self.assertIn("result", c.call("console.subscribe", {"vhv": "storm"}))
        before = fd_count(k.proc.pid)
        self.assertIn("result", c.call("guestinfo.set", {"vhv": "storm", "key": "emit",
                                                        "value": "storm"}))
        text = b""
        deadline = time.time() + 30
        while b"AFTER-THE-STORM" not in text and time.time() < deadline:
            m = c.notification("console", timeout=max(0.1, deadline - time.time()))
            if m is None:
                break
            self.assertEqual(m["params"]["vm"], 0, m)  # no stream for a made-up VM
            text += base64.b64decode(m["params"]["data"])
        self.assertIn(b"AFTER-THE-STORM", text, k.log())
        self.assertNotIn(b"hi", text.replace(b"AFTER-THE-STORM", b""))
        self.assertTrue(k.alive())
        self.assertLessEqual(fd_count(k.proc.pid), before + 2)
        info = c.call("vhv.inspect", {"vhv": "storm"})["result"]
        self.assertGreaterEqual(info["protocol_errors"]["count"], 1000, info)
        consoles = os.path.join(k.env["NESTLAB_STATE_DIR"], "consoles", info["id"])
        self.assertLessEqual(len(os.listdir(consoles)) if os.path.isdir(consoles) else 0, 2)
        # A log spammed by a broken highvisor stays short.
        self.assertLess(k.log().count("broke the control protocol"), 20)


class ConsoleLogs(LimitsTestCase):
    def attach_replay(self, c, vhv):
        r = c.call("console.attach", {"vhv": vhv})
        self.assertIn("result", r, r)
        text = b""
        while len(text) < r["result"]["replayed"]:
            m = c.notification("console", timeout=5)
            if m is None:
                break
            text += base64.b64decode(m["params"]["data"])
        return text

    def test_a_new_owner_never_replays_an_old_ones_output(self):
        # vhv A prints a secret and is destroyed; after restarts (one with
        # re-adoption) a new VHV, perhaps under the same id, must not show it.
        k = self.kernel()
        c = self.connect(k)
        a = self.create(c, "alice")
        self.run_image(c, "alice", b"SECRET-OF-A\n")
        logdir = os.path.join(k.env["NESTLAB_STATE_DIR"], "consoles", a["id"])
        deadline = time.time() + 10
        while time.time() < deadline and not os.path.exists(os.path.join(logdir, "vm0.log")):
            time.sleep(0.05)
        time.sleep(0.3)
        with open(os.path.join(logdir, "vm0.log"), "rb") as f:
            self.assertIn(b"SECRET-OF-A", f.read())
        self.assertIn("result", c.call("vhv.destroy", {"vhv": "alice"}, timeout=30))
        self.assertFalse(os.path.exists(logdir), "the destroyed VHV's console logs stayed")
        c.close()
        k.stop()

        k2 = self.kernel()
        c = self.connect(k2)
        self.create(c, "bob")
        self.run_image(c, "bob", b"hello-from-bob\n")
        time.sleep(0.5)
        c.close()
        k2.stop(signal.SIGKILL)  # the VHV keeps running, to be re-adopted

        k3 = self.kernel()
        c = self.connect(k3)
        deadline = time.time() + 10
        while time.time() < deadline:
            info = c.call("vhv.inspect", {"vhv": "bob"}).get("result", {})
            if info.get("adopted"):
                break
            time.sleep(0.1)
        replay = self.attach_replay(c, "bob")
        self.assertIn(b"hello-from-bob", replay)
        self.assertNotIn(b"SECRET-OF-A", replay)
        for root, _, files in os.walk(os.path.join(k3.env["NESTLAB_STATE_DIR"], "consoles")):
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    self.assertNotIn(b"SECRET-OF-A", f.read(), name)
        self.assertIn("result", c.call("vhv.destroy", {"vhv": "bob"}, timeout=30))

    def test_console_disk_is_capped_per_user_and_others_keep_theirs(self):
        self.need_root()
        k = self.kernel("--limit", "console-disk=64K", env={"NESTLAB_CONSOLE_LOG": "32768"})
        consoles = os.path.join(k.env["NESTLAB_STATE_DIR"], "consoles")
        other = self.connect(k, as_uid=NOBODY)
        self.create(other, "nobodys")
        self.run_image(other, "nobodys", b"N" * 10000 + b"END-OF-NOBODY\n")
        c = self.connect(k)
        names = ["r1", "r2", "r3", "r4"]
        for name in names:
            self.create(c, name)
            self.run_image(c, name, name.encode() * 20000 + f"END-OF-{name}\n".encode())
        time.sleep(1)

        def used(ids):
            total = 0
            for vid in ids:
                d = os.path.join(consoles, vid)
                if os.path.isdir(d):
                    total += sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
            return total

        ids = {n: c.call("vhv.inspect", {"vhv": n})["result"]["id"] for n in names}
        mine = used(ids.values())
        self.assertLessEqual(mine, 64 << 10, f"root's console logs hold {mine} bytes")
        self.assertGreater(mine, 16 << 10)
        with open(os.path.join(consoles, ids["r4"], "vm0.log"), "rb") as f:
            self.assertIn(b"END-OF-r4", f.read())  # the newest output is kept
        nid = other.call("vhv.inspect", {"vhv": "nobodys"})["result"]["id"]
        with open(os.path.join(consoles, nid, "vm0.log"), "rb") as f:
            self.assertIn(b"END-OF-NOBODY", f.read())  # another user's is untouched
        self.assertIn('"console-disk"', k.log())


if __name__ == "__main__":
    unittest.main()
