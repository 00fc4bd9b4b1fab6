"""docs/api.md is checked against the code: every method the kernel's
dispatch table (kernel/kernel_methods.cpp) serves is documented, nothing
documented is missing from it, each documented parameter list is exactly
what a running nestlabd accepts (it names its known parameters when refusing
an unknown one), and every event type and notification the kernel sends is
described."""
import json
import os
import re
import socket
import unittest

from harness import KernelTestCase

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
DOC = os.path.join(ROOT, "docs", "api.md")
KERNEL = os.path.join(ROOT, "kernel")


def kernel_sources():
    for name in sorted(os.listdir(KERNEL)):
        if name.endswith(".cpp") and not name.endswith("_test.cpp"):
            with open(os.path.join(KERNEL, name)) as f:
                yield name, f.read()


def code_methods():
    with open(os.path.join(KERNEL, "kernel_methods.cpp")) as f:
        return set(re.findall(r'\{"([a-z]+\.[a-z.-]+)", &Kernel::', f.read()))


def code_events():
    found = set()
    for _, text in kernel_sources():
        found.update(re.findall(r'\{"type", "([a-z][a-z0-9-]*)"\}', text))
    return found


def code_notifications():
    found = set()
    for _, text in kernel_sources():
        found.update(re.findall(r'make_notification\(\s*"([a-z][a-z.-]*)"', text))
    return found


def doc_sections():
    """{method: [param names]} from '### `method`' headings and the first
    column of the parameter table under each."""
    with open(DOC) as f:
        text = f.read()
    methods = {}
    for block in re.split(r"^### ", text, flags=re.M)[1:]:
        block = block.split("\n## ")[0]  # the section ends at the next chapter
        title = block.splitlines()[0].strip()
        m = re.fullmatch(r"`([a-z]+\.[a-z.-]+)`", title)
        if not m:
            continue
        params = re.findall(r"^\| `([a-z_][a-z0-9_]*)` \|", block, flags=re.M)
        methods[m.group(1)] = params
    return methods, text


class ApiReferenceTest(KernelTestCase):
    def call(self, sock_file, method, params):
        self.request_id = getattr(self, "request_id", 0) + 1
        sock_file.write(json.dumps({"jsonrpc": "2.0", "id": self.request_id, "method": method,
                                    "params": params}) + "\n")
        sock_file.flush()
        line = sock_file.readline(1 << 20)
        self.assertTrue(line, f"nestlabd closed the connection on {method}")
        return json.loads(line)

    def test_every_method_is_documented_and_exists(self):
        documented, _ = doc_sections()
        served = code_methods()
        self.assertTrue(served, "no methods found in kernel/kernel_methods.cpp")
        self.assertEqual(sorted(served - documented.keys()), [],
                         "methods the kernel serves but docs/api.md does not describe")
        self.assertEqual(sorted(documented.keys() - served), [],
                         "methods docs/api.md describes but the kernel does not serve")

    def test_documented_parameters_are_the_accepted_ones(self):
        documented, _ = doc_sections()
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(10)
            s.connect(self.env["NESTLAB_SOCKET"])
            f = s.makefile("rw")
            for method, params in sorted(documented.items()):
                with self.subTest(method=method):
                    reply = self.call(f, method, {"__probe__": 1})
                    self.assertIn("error", reply, f"{method} accepted an unknown parameter")
                    message = reply["error"]["message"]
                    if "takes none" in message:
                        accepted = []
                    else:
                        m = re.search(r"\(known: ([^)]*)\)", message)
                        self.assertIsNotNone(m, f"{method}: unexpected refusal: {message}")
                        accepted = [p.strip() for p in m.group(1).split(",")]
                    self.assertEqual(sorted(params), sorted(accepted),
                                     f"docs/api.md's parameters of {method} differ from "
                                     "what nestlabd accepts")

    def test_every_event_and_notification_is_documented(self):
        _, text = doc_sections()
        events = code_events()
        self.assertIn("vm-exit", events)
        for event in sorted(events):
            with self.subTest(event=event):
                self.assertRegex(text, rf"\| `{re.escape(event)}` \|",
                                 f"event type {event} is sent but not in docs/api.md's table")
        for note in sorted(code_notifications() | {"console", "event"}):
            with self.subTest(notification=note):
                self.assertRegex(text, rf"`{re.escape(note)}`",
                                 f"notification {note} is sent but not in docs/api.md")


if __name__ == "__main__":
    unittest.main()
