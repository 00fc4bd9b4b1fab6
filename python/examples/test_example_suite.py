"""An example suite: nestlab's test guests driven from Python (docs/python.md).

    /usr/bin/python3 -m pytest python/examples

Each test gets a fresh VHV of a private nestlabd (the fixtures in
python/nestlab/pytest_plugin.py); every wait is bounded.
"""
import pytest

from nestlab import NestlabError, guest_path

HELLO = "Hello from a nestlab guest!"


@pytest.mark.nestlab_vm("hello.elf")
def test_hello_prints_its_line_and_powers_off_with_code_0(vm, console):
    console.expect(HELLO, timeout=30)
    exit = vm.wait(timeout=60)
    assert (exit.reason, exit.code) == ("poweroff", 0), exit
    assert exit.counters, "a guest that ran took no exits?"
    assert all(n > 0 for n in exit.counters.values()), exit.counters
    assert sum(vm.counters().values()) == sum(exit.counters.values())


@pytest.mark.nestlab_vm("exitcode.elf", append="exit=42")
def test_the_exit_code_is_the_guests(vm, console):
    console.expect(r"exiting with (\d+)", timeout=30)
    exit = vm.wait(timeout=60)
    assert (exit.reason, exit.code) == ("poweroff", 42), exit


@pytest.mark.nestlab_vm("hello.elf")
def test_one_hvc_the_psci_system_off(vm):
    # hello.elf makes one hypercall: SYSTEM_OFF, the exit that ends it.
    exit = vm.wait(timeout=60)
    assert exit.counters["HVC64"] == 1, exit.counters
    hvcs = [e for e in vm.trace(limit=1024)["entries"] if e["class"] == "HVC64"]
    assert len(hvcs) == 1 and hvcs[0]["result"] == "stop", hvcs


@pytest.mark.nestlab_vm("backdoor.elf")
def test_backdoor_calls_are_brk64_traps(vm, console):
    # tests/guests/backdoor.cpp: 7 good backdoor requests (BRK #0x5658), 8
    # malformed ones and 1 BRK of its own that the lowvisor reflects.
    console.expect(r"backdoor: 0 failure\(s\)", timeout=60)
    exit = vm.wait(timeout=60)
    assert exit.ok, exit
    assert exit.counters["BRK64"] == 16, exit.counters


def test_a_missing_image_is_refused_with_its_path(vhv):
    missing = guest_path("no-such-guest.elf")
    with pytest.raises(NestlabError, match="cannot open the image .*no-such-guest.elf: "
                                           "No such file or directory"):
        vhv.run(missing)


def test_a_text_file_is_refused_by_the_kernel(vhv, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a guest\n")
    with pytest.raises(NestlabError) as e:
        vhv.run(str(notes))
    assert e.value.kind == "invalid-argument", e.value
    assert "not an AArch64 ELF" in e.value.message
    assert vhv.vms() == []  # Nothing runs then (docs/api.md, vm.run).


def test_guestinfo_set_at_start_is_visible(vhv):
    vm = vhv.run(guest_path("spin.elf"), guestinfo={"suite.name": "example"})
    try:
        vm.console.expect("spinning", timeout=30)
        assert vm.guestinfo("suite.name") == "example"
    finally:
        assert vm.stop(timeout=30).reason == "stopped"
