"""VHV and VM objects over a Client (docs/api.md: vhv.*, vm.*, guestinfo.*).

    vhv = Vhv.create(client, name="lab", ephemeral=True)
    vm = vhv.run("build/share/nestlab/guests/hello.elf")
    vm.console.expect(r"Hello from a nestlab guest!", timeout=30)
    exit = vm.wait(timeout=60)
    assert exit.code == 0 and exit.counters["HVC64"] == 1

A Vhv subscribes to its VHV's events and consoles as soon as it exists, on
its client's connection, so nothing a VM prints or does is missed.
"""
import base64
import collections
import os
import stat

from .console import Console, ConsoleBuffer
from .errors import NestlabError

EVENTS_CAP = 4096  # events kept per VHV
CREATE_TIMEOUT = 120.0  # vhv.create/start return once QEMU booted the lowvisor


class VmExit:
    """How a VM ended: reason (`poweroff`, `reset`, `fault`, `stopped`,
    `vhv-died`), code, the kernel's message and the exit counters per class."""

    def __init__(self, params):
        self.params = params
        self.vm = params.get("vm")
        self.reason = params.get("reason", "unknown")
        self.code = params.get("code")
        self.message = params.get("message", "")
        self.counters = dict(params.get("counters") or {})

    @property
    def ok(self):
        return self.reason == "poweroff" and self.code == 0

    def __repr__(self):
        return (f"VmExit(vm={self.vm}, reason={self.reason!r}, code={self.code}, "
                f"message={self.message!r}, counters={self.counters})")


def open_image(path, what="image"):
    """An O_RDONLY fd for `path`, or NestlabError naming the path and why."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as e:
        raise NestlabError(f"cannot open the {what} {path}: {e.strerror}", kind="invalid-argument")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise NestlabError(f"the {what} {path} is not a regular file", kind="invalid-argument")
    return fd


class Vhv:
    """One VHV of a kernel, seen through `client`."""

    def __init__(self, client, info):
        self.client = client  # Not owned.
        self.info = info
        self.id = info["id"]
        self.name = info.get("name", self.id)
        self.events = collections.deque(maxlen=EVENTS_CAP)
        self._consoles = {}  # vm slot -> ConsoleBuffer
        self._exits = {}  # vm slot -> [VmExit], oldest first
        self._log = ConsoleBuffer()  # the VHV's own log (stream "vhv")
        client.on("event", self._on_event)
        client.on("console", self._on_console)
        client.call("events.subscribe", {"vhv": self.id})
        client.call("console.subscribe", {"vhv": self.id})

    # -- construction -----------------------------------------------------
    @classmethod
    def create(cls, client, *, name=None, mem=None, smp=None, ephemeral=True,
               timeout=CREATE_TIMEOUT, **params):
        """vhv.create; `ephemeral` (the default here) destroys the VHV when
        the client's connection closes. Other vhv.create parameters pass
        through as keywords (tenant, cpu_weight, cpu_quota)."""
        p = dict(params, ephemeral=ephemeral)
        if name is not None:
            p["name"] = name
        if mem is not None:
            p["mem"] = mem
        if smp is not None:
            p["smp"] = smp
        return cls(client, client.call("vhv.create", p, timeout=timeout))

    @classmethod
    def attach(cls, client, vhv):
        """An existing VHV by id or name."""
        return cls(client, client.call("vhv.inspect", {"vhv": vhv}))

    def close(self):
        """Stops routing this VHV's notifications (the VHV itself stays)."""
        self.client.off("event", self._on_event)
        self.client.off("console", self._on_console)

    # -- lifecycle --------------------------------------------------------
    def inspect(self):
        self.info = self.client.call("vhv.inspect", {"vhv": self.id})
        return self.info

    @property
    def state(self):
        return self.inspect()["state"]

    def stop(self, timeout=60.0):
        self.info = self.client.call("vhv.stop", {"vhv": self.id}, timeout=timeout)
        return self.info

    def start(self, timeout=CREATE_TIMEOUT):
        self.info = self.client.call("vhv.start", {"vhv": self.id}, timeout=timeout)
        return self.info

    def destroy(self, timeout=60.0):
        self.client.call("vhv.destroy", {"vhv": self.id}, timeout=timeout)
        self.close()

    def pause(self):
        return self.client.call("vhv.pause", {"vhv": self.id})

    def resume(self):
        return self.client.call("vhv.resume", {"vhv": self.id})

    def stats(self):
        return self.client.call("vhv.stats", {"vhv": self.id})

    def vms(self):
        return self.client.call("vm.list", {"vhv": self.id})["vms"]

    # -- VMs --------------------------------------------------------------
    def run(self, image, *, initrd=None, disks=(), image_name=None, timeout=60.0, **params):
        """vm.run with `image` (a path) sent as a file descriptor.

        `initrd` is a path; `disks` a list of paths or {"path", "ro"?,
        "name"?} dicts. Other vm.run parameters pass through as keywords
        (vm, mem, smp, append, guestinfo, tick_policy, weight, …)."""
        fds = []
        try:
            fds.append(open_image(image))
            p = dict(params, vhv=self.id, image_fd=0,
                     image_name=image_name or os.path.basename(image))
            if initrd is not None:
                fds.append(open_image(initrd, "initrd"))
                p.update(initrd_fd=1, initrd_name=os.path.basename(initrd))
            if disks:
                p["disks"] = []
                for d in disks:
                    d = {"path": d} if isinstance(d, str) else dict(d)
                    flags = os.O_RDONLY if d.get("ro") else os.O_RDWR
                    try:
                        fds.append(os.open(d["path"], flags | os.O_CLOEXEC))
                    except OSError as e:
                        raise NestlabError(f"cannot open the disk {d['path']}: {e.strerror}",
                                           kind="invalid-argument")
                    entry = {"fd": len(fds) - 1, "name": d.get("name") or
                             os.path.basename(d["path"])}
                    if "ro" in d:
                        entry["ro"] = bool(d["ro"])
                    p["disks"].append(entry)
            marks = {slot: buf.end for slot, buf in self._consoles.items()}
            exits_before = {slot: len(e) for slot, e in self._exits.items()}
            result = self.client.call("vm.run", p, fds=fds, timeout=timeout)
        finally:
            for fd in fds:
                os.close(fd)
        slot = result["vm"]
        buf = self._consoles.setdefault(slot, ConsoleBuffer())
        return Vm(self, slot, result, Console(self, slot, buf, marks.get(slot, 0)),
                  exits_before.get(slot, 0))

    # -- events -----------------------------------------------------------
    def wait_event(self, type_, timeout=30.0, predicate=None):
        """The first event of `type_` not yet taken (and matching predicate)."""
        found = []

        def seen():
            for e in self.events:
                if e.get("type") == type_ and (predicate is None or predicate(e)):
                    found.append(e)
                    return True
            return False

        self.client.wait_until(seen, timeout, f"a {type_} event of {self.name}")
        self.events.remove(found[0])
        return found[0]

    def log_text(self):
        """The VHV's own log (lowvisor and QEMU diagnostics) as received."""
        return self._log.since(0).decode(errors="replace")

    def _on_event(self, params):
        if params.get("vhv") not in (self.id, self.name):
            return
        self.events.append(params)
        if params.get("type") == "vm-exit":
            self._exits.setdefault(params.get("vm", 0), []).append(VmExit(params))

    def _on_console(self, params):
        if params.get("vhv") not in (self.id, self.name):
            return
        try:
            data = base64.b64decode(params.get("data", ""), validate=False)
        except ValueError:
            return
        vm = params.get("vm", 0)
        if vm == -1 or params.get("stream") == "vhv":
            self._log.append(data)
        else:
            self._consoles.setdefault(vm, ConsoleBuffer()).append(data)

    def __repr__(self):
        return f"Vhv({self.id!r}, name={self.name!r})"


class Vm:
    """One VM run by Vhv.run: its console, its exit, its counters and trace."""

    def __init__(self, vhv, slot, result, console, exit_index):
        self.vhv = vhv  # Not owned.
        self.id = slot
        self.result = result
        self.console = console
        self._exit_index = exit_index  # exits of this slot before this VM
        self.exit = None

    @property
    def client(self):
        return self.vhv.client

    def _params(self, **extra):
        return dict(extra, vhv=self.vhv.id, vm=self.id)

    def wait(self, timeout=60.0):
        """Waits for the VM's vm-exit event; returns its VmExit."""
        if self.exit is None:
            exits = self.vhv._exits
            self.client.wait_until(lambda: len(exits.get(self.id, ())) > self._exit_index,
                                   timeout, f"VM {self.id} of {self.vhv.name} to exit")
            self.exit = exits[self.id][self._exit_index]
        return self.exit

    def running(self):
        for row in self.vhv.vms():
            if row.get("vm") == self.id:
                return row.get("state") == "running"
        return False

    def stop(self, timeout=30.0):
        """vm.stop, then waits for the exit (reason `stopped`)."""
        self.client.call("vm.stop", self._params())
        return self.wait(timeout)

    def stats(self):
        return self.client.call("vm.stats", self._params())

    def counters(self):
        """Exits per class: the exit record's once the VM ended, else live."""
        if self.exit is not None:
            return dict(self.exit.counters)
        return dict(self.stats().get("counters") or {})

    def trace(self, limit=64, cursor=None):
        """vm.trace: {entries: [{vcpu, seq, class, ec, pc, iss, result, …}], cursor, lost}."""
        p = self._params(limit=limit)
        if cursor is not None:
            p["cursor"] = cursor
        return self.client.call("vm.trace", p)

    def guestinfo(self, key=None):
        """All guestinfo values as a dict, or one key's value (None when unset)."""
        if key is None:
            return self.client.call("guestinfo.get", self._params())["values"]
        return self.client.call("guestinfo.get", self._params(key=key))["value"]

    def set_guestinfo(self, key, value):
        return self.client.call("guestinfo.set", self._params(key=key, value=value))

    def __repr__(self):
        return f"Vm({self.vhv.name!r}, vm={self.id})"

