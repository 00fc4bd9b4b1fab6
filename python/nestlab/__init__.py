"""nestlab: a Python client for nestlabd (docs/python.md).

    from nestlab import Client, Vhv
    with Client() as c:
        vm = Vhv.create(c).run("build/share/nestlab/guests/hello.elf")
        vm.console.expect("Hello from a nestlab guest!", timeout=30)
        print(vm.wait(timeout=60))
"""
from .client import Client, Notification, default_socket_path
from .console import Console
from .errors import (ConnectionLost, ConsoleTimeout, NestlabError, NestlabTimeout,
                     ProtocolError)
from .kernel import PrivateKernel, build_dir, guest_path, share_dir
from .vhv import Vhv, Vm, VmExit

__all__ = ["Client", "Console", "ConnectionLost", "ConsoleTimeout", "NestlabError",
           "NestlabTimeout", "Notification", "PrivateKernel", "ProtocolError", "Vhv", "Vm",
           "VmExit", "build_dir", "default_socket_path", "guest_path", "share_dir"]
