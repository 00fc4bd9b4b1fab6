"""pytest fixtures for suites that drive nestlab (docs/python.md).

Enable it in a conftest.py with `pytest_plugins = ["nestlab.pytest_plugin"]`
(python/ on sys.path), or `-p nestlab.pytest_plugin`.

Fixtures:
  nestlab_kernel   a private nestlabd for the session (PrivateKernel)
  nestlab_client   a connection to it, closed after the test
  vhv              a fresh ephemeral VHV, destroyed after the test
  vm               a VM in `vhv` running the image that the test's
                   @pytest.mark.nestlab_vm("hello.elf", append=…, …) names
                   (a bare name is one of build/share/nestlab/guests)
  console          the vm's console; an expect that times out fails the test
                   with the console's last lines
A failed test's report carries each VM's console tail and the kernel's log.
"""
import itertools
import os

import pytest

from .errors import ConsoleTimeout, NestlabError
from .kernel import PrivateKernel, guest_path
from .vhv import Vhv

REPORT_LINES = 40
_VHVS = pytest.StashKey()


def pytest_addoption(parser):
    group = parser.getgroup("nestlab")
    group.addoption("--nestlab-build-dir", default=None,
                    help="nestlab's build tree (default: $NESTLAB_BUILD_DIR or <checkout>/build)")
    group.addoption("--nestlab-socket", default=None,
                    help="use this running nestlabd instead of starting a private one")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "nestlab_vm(image, **params): the image (and vm.run parameters) of the "
        "`vm` fixture")


class _SharedKernel:
    """A kernel someone else runs (--nestlab-socket): nothing to start or stop."""

    def __init__(self, socket):
        self.socket = socket
        self.env = dict(os.environ, NESTLAB_SOCKET=socket)

    def client(self, **kwargs):
        from .client import Client
        return Client(self.socket, **kwargs)

    def alive(self):
        return True

    def log_text(self, limit=0):
        return ""


@pytest.fixture(scope="session")
def nestlab_kernel(request):
    socket = request.config.getoption("--nestlab-socket")
    if socket:
        yield _SharedKernel(socket)
        return
    build = request.config.getoption("--nestlab-build-dir")
    kernel = PrivateKernel(build, name="nestlab-pytest")
    try:
        kernel.start()
    except NestlabError as e:
        pytest.fail(str(e), pytrace=False)
    yield kernel
    kernel.stop()


@pytest.fixture
def nestlab_client(nestlab_kernel, request):
    client = nestlab_kernel.client()
    yield client
    client.close()
    if not nestlab_kernel.alive():
        pytest.fail("nestlabd died during the test:\n" + nestlab_kernel.log_text(), pytrace=False)


@pytest.fixture
def vhv(nestlab_client, request):
    v = Vhv.create(nestlab_client, name=_vhv_name(request.node.name))
    request.node.stash.setdefault(_VHVS, []).append(v)
    yield v
    if nestlab_client.connected:
        try:
            v.destroy()
        except NestlabError:
            pass  # Already gone (a test may destroy it); ephemeral covers the rest.


@pytest.fixture
def vm(vhv, request):
    marker = request.node.get_closest_marker("nestlab_vm")
    if marker is None or not marker.args:
        pytest.fail('the vm fixture needs @pytest.mark.nestlab_vm("IMAGE", ...)', pytrace=False)
    image = marker.args[0]
    if os.sep not in image:
        image = guest_path(image)
    return vhv.run(image, **marker.kwargs)


class FailingConsole:
    """A Console whose expect fails the test (pytest.fail) on timeout."""

    def __init__(self, console):
        self._console = console

    def expect(self, pattern, timeout=30.0):
        try:
            return self._console.expect(pattern, timeout)
        except ConsoleTimeout as e:
            message = str(e)
        pytest.fail(message, pytrace=False)  # Outside `except`: no chained traceback.

    def __getattr__(self, name):
        return getattr(self._console, name)


@pytest.fixture
def console(vm):
    return FailingConsole(vm.console)


_names = itertools.count(1)


def _vhv_name(test_name):
    """A VHV name from the test's (the kernel takes 1-32 of a-z, 0-9, '-')."""
    name = test_name[5:] if test_name.startswith("test_") else test_name
    keep = "".join(c if c.isalnum() else "-" for c in name.lower())
    return f"py{next(_names)}-{keep}"[:32].rstrip("-")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test's report shows the last lines of its VMs' consoles."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    for v in item.stash.get(_VHVS, []):
        for slot, buf in sorted(v._consoles.items()):
            text = buf.since(0).decode(errors="replace").replace("\r\n", "\n")
            lines = text.splitlines()[-REPORT_LINES:]
            if lines:
                report.sections.append((f"nestlab {v.name} VM {slot} console", "\n".join(lines)))
