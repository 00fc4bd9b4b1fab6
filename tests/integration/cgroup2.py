"""Running a test class's nestlabd on cgroup v2 on any host: in a private
mount namespace whose /sys/fs/cgroup is a cgroup2 mount. On a v2 host
(Debian 12's default) that is the host's own hierarchy; on a v1 or hybrid
host it is the v2 hierarchy with only the controllers no v1 hierarchy holds
(on this project's machines: hugetlb), so VHV groups there are real groups
without memory, pids or cpu limits."""
import os
import shutil
import subprocess

from harness import BIN

SWAP_TO_CGROUP2 = ("umount -l /sys/fs/cgroup 2>/dev/null; "
                   "mount -t cgroup2 none /sys/fs/cgroup")


def kernel_command():
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c",
            SWAP_TO_CGROUP2 + ' && exec "$0" --foreground', os.path.join(BIN, "nestlabd")]


def unusable():
    """None if a cgroup2 kernel can run here, else why not."""
    if os.geteuid() != 0:
        return "needs root to mount cgroup2 in a private mount namespace"
    if shutil.which("unshare") is None or shutil.which("nsenter") is None:
        return "unshare and nsenter (util-linux) are missing"
    p = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                        SWAP_TO_CGROUP2 + " && test -e /sys/fs/cgroup/cgroup.procs"],
                       capture_output=True, timeout=30)
    if p.returncode != 0:
        return "this kernel does not let root mount cgroup2 in a private mount namespace"
    return None


def host_v2_root():
    """Where this process sees the v2 hierarchy, or None."""
    for root in ("/sys/fs/cgroup", "/sys/fs/cgroup/unified"):
        if os.path.exists(os.path.join(root, "cgroup.controllers")):
            return root
    return None


def in_kernel_ns(kernel_pid, *argv):
    """Runs argv in the kernel's mount namespace (where /sys/fs/cgroup is v2)."""
    return subprocess.run(["nsenter", "-t", str(kernel_pid), "-m", "--", *argv],
                          capture_output=True, text=True, timeout=30)
