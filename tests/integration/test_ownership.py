"""Ownership (issue 3, seed S5): every VHV belongs to the Unix user who
created it. Two real Unix users, made by this test, share a system-mode
kernel through its --socket-group; one cannot list, inspect, control, destroy
or attach to the other's VHVs, while root and members of --admin-group can."""
import json
import os
import pwd
import grp
import shutil
import subprocess
import unittest

from harness import BIN, OUTPUT_CAP, KernelTestCase, Result, capped, guest, read_until

SUFFIX = str(os.getpid() % 100000)
SOCKET_GROUP = "nlsock" + SUFFIX
ADMIN_GROUP = "nladm" + SUFFIX
USER_A = "nlusra" + SUFFIX
USER_B = "nlusrb" + SUFFIX
USER_ADMIN = "nlusrc" + SUFFIX


def run_tool(*argv):
    subprocess.run(argv, check=True, timeout=30, capture_output=True)


def can_make_users():
    return os.geteuid() == 0 and all(shutil.which(t) for t in ("useradd", "userdel", "groupadd",
                                                                "groupdel"))


@unittest.skipUnless(can_make_users(), "needs root and useradd/groupadd to create test users")
class OwnershipTest(KernelTestCase):

    @classmethod
    def setUpClass(cls):
        cls.made_users, cls.made_groups = [], []
        try:
            for g in (SOCKET_GROUP, ADMIN_GROUP):
                run_tool("groupadd", g)
                cls.made_groups.append(g)
            for user, extra in ((USER_A, None), (USER_B, None), (USER_ADMIN, ADMIN_GROUP)):
                argv = ["useradd", "-M", "-N", "-g", SOCKET_GROUP, "-s", "/usr/sbin/nologin"]
                if extra:
                    argv += ["-G", extra]
                run_tool(*argv, user)
                cls.made_users.append(user)
        except Exception:
            cls.remove_users()
            raise
        os.environ["NESTLAB_SOCKET_GROUP"] = SOCKET_GROUP
        os.environ["NESTLAB_ADMIN_GROUP"] = ADMIN_GROUP
        try:
            super().setUpClass()
        except Exception:
            cls.remove_users()
            raise
        finally:
            del os.environ["NESTLAB_SOCKET_GROUP"]
            del os.environ["NESTLAB_ADMIN_GROUP"]

    @classmethod
    def remove_users(cls):
        for user in cls.made_users:
            subprocess.run(["userdel", user], timeout=30, capture_output=True)
        for g in cls.made_groups:
            subprocess.run(["groupdel", g], timeout=30, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.remove_users()

    def as_user(self, user, *args, timeout=90):
        """Runs the CLI as `user` (its groups from the group database)."""
        pw = pwd.getpwnam(user)
        groups = [g.gr_gid for g in grp.getgrall() if user in g.gr_mem]
        env = dict(self.env, HOME=self.tmp, USER=user, LOGNAME=user)
        env.pop("XDG_RUNTIME_DIR", None)
        p = subprocess.run([os.path.join(BIN, "nestlab"), *args], env=env, timeout=timeout,
                           capture_output=True, user=pw.pw_uid, group=pw.pw_gid,
                           extra_groups=groups, cwd=self.tmp)
        return Result(p.returncode, capped(p.stdout).decode(errors="replace"),
                      capped(p.stderr).decode(errors="replace"))

    def start_as_user(self, user, *args):
        pw = pwd.getpwnam(user)
        env = dict(self.env, HOME=self.tmp, USER=user, LOGNAME=user)
        env.pop("XDG_RUNTIME_DIR", None)
        return subprocess.Popen([os.path.join(BIN, "nestlab"), *args], env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, user=pw.pw_uid, group=pw.pw_gid,
                                extra_groups=[], cwd=self.tmp)

    def listed_names(self, user):
        r = self.as_user(user, "--json", "vhv", "list") if user else self.nestlab(
            "--json", "vhv", "list")
        self.assertEqual(r.code, 0, r)
        return {v["name"] for v in json.loads(r.out)}

    def create_as_a(self, name):
        r = self.as_user(USER_A, "vhv", "create", "--name", name)
        self.assertEqual(r.code, 0, r)
        self.addCleanup(self.nestlab, "vhv", "rm", name)

    def assertNotFound(self, r, name):
        """B's answer must be exactly the one for a VHV nobody has: no hint
        that `name` exists."""
        self.assertNotEqual(r.code, 0, r)
        self.assertIn(f'no VHV "{name}"', r.err + r.out, r)
        self.assertNotIn(str(pwd.getpwnam(USER_A).pw_uid), r.err + r.out)

    def test_socket_is_shared_through_its_group(self):
        st = os.stat(self.env["NESTLAB_SOCKET"])
        self.assertEqual(st.st_gid, grp.getgrnam(SOCKET_GROUP).gr_gid)
        self.assertEqual(st.st_mode & 0o777, 0o660)
        r = self.as_user(USER_B, "--json", "kernel", "status")
        self.assertEqual(r.code, 0, r)
        self.assertEqual(json.loads(r.out)["peer_uid"], pwd.getpwnam(USER_B).pw_uid)

    def test_other_user_cannot_see_or_control(self):
        self.create_as_a("own-a1")
        self.assertIn("own-a1", self.listed_names(USER_A))
        self.assertNotIn("own-a1", self.listed_names(USER_B))
        top = self.as_user(USER_B, "--json", "top", "--once", timeout=30)
        self.assertEqual(top.code, 0, top)
        self.assertNotIn("own-a1", {row["name"] for row in json.loads(top.out)})
        for argv in (("vhv", "inspect", "own-a1"), ("vhv", "stats", "own-a1"),
                     ("vm", "stats", "own-a1"), ("vhv", "rm", "own-a1"),
                     ("vm", "list", "own-a1"), ("vm", "stop", "own-a1", "--vm", "0"),
                     ("console", "own-a1", "--log")):
            with self.subTest(argv=argv):
                r = self.as_user(USER_B, *argv, timeout=30)
                self.assertNotFound(r, "own-a1")
                ghost = self.as_user(USER_B, *[a.replace("own-a1", "own-ghost") for a in argv],
                                     timeout=30)
                self.assertEqual((r.code, r.err.replace("own-a1", "own-ghost")),
                                 (ghost.code, ghost.err))
        # Still there, still A's.
        r = self.as_user(USER_A, "--json", "vhv", "inspect", "own-a1")
        self.assertEqual(r.code, 0, r)
        self.assertEqual(json.loads(r.out)["owner_uid"], pwd.getpwnam(USER_A).pw_uid)
        self.assertKernelAlive()

    def test_other_user_cannot_stop_a_vm(self):
        """Issue 13: vm.stop on another user's VHV is refused as if it did not
        exist, and the VM runs on."""
        self.create_as_a("own-a2")
        r = self.as_user(USER_A, "vm", "run", "own-a2", guest("spin.elf"))
        self.assertEqual(r.code, 0, r)
        r = self.as_user(USER_B, "vm", "stop", "own-a2", "--vm", "0", timeout=30)
        self.assertNotFound(r, "own-a2")
        listed = self.as_user(USER_A, "--json", "vm", "list", "own-a2")
        self.assertEqual(listed.code, 0, listed)
        self.assertEqual(json.loads(listed.out)["vms"][0]["state"], "running")
        r = self.as_user(USER_A, "vm", "stop", "own-a2", "--vm", "0", timeout=30)
        self.assertEqual(r.code, 0, r)
        listed = json.loads(self.as_user(USER_A, "--json", "vm", "list", "own-a2").out)
        self.assertEqual(listed["vms"][0]["reason"], "stopped")

    def test_root_and_admin_group_see_and_control_all(self):
        self.create_as_a("own-a2")
        self.create_as_a("own-a3")
        self.assertIn("own-a2", self.listed_names(None))
        self.assertIn("own-a2", self.listed_names(USER_ADMIN))
        r = self.as_user(USER_ADMIN, "--json", "vhv", "inspect", "own-a2")
        self.assertEqual(r.code, 0, r)
        self.assertEqual(json.loads(r.out)["owner_uid"], pwd.getpwnam(USER_A).pw_uid)
        r = self.as_user(USER_ADMIN, "vhv", "rm", "own-a2")
        self.assertEqual(r.code, 0, r)
        r = self.nestlab("vhv", "rm", "own-a3")
        self.assertEqual(r.code, 0, r)
        self.assertFalse({"own-a2", "own-a3"} & self.listed_names(USER_A))

    def test_console_of_a_running_guest(self):
        run = self.start_as_user(USER_A, "run", "--name", "own-mon", guest("monitor.elf"))
        try:
            out = read_until(run.stdout, b"monitor> ", timeout=30)
            self.assertIn(b"monitor> ", out, run.stderr.read(4000) if run.poll() is not None
                          else out)
            self.assertNotFound(self.as_user(USER_B, "console", "own-mon", "--log", timeout=30),
                                "own-mon")
            # Root follows the same console read-only and sees the replayed prompt.
            viewer = subprocess.Popen([os.path.join(BIN, "nestlab"), "console", "own-mon",
                                       "--log"], env=self.env, stdin=subprocess.DEVNULL,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            try:
                seen = read_until(viewer.stdout, b"monitor> ", timeout=20)
                self.assertIn(b"monitor> ", seen)
            finally:
                viewer.kill()
                viewer.wait(timeout=10)
                viewer.stdout.close()
                viewer.stderr.close()
        finally:
            if run.poll() is None:
                run.terminate()
            try:
                run.wait(timeout=20)
            except subprocess.TimeoutExpired:
                run.kill()
                run.wait()
            run.stdout.close()
            run.stderr.close()
            run.stdin.close()
        self.assertKernelAlive()


if __name__ == "__main__":
    unittest.main()
