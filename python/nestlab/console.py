"""A VM's console: what its guest printed, and expect(regex, timeout) on it."""
import base64
import re
import time

from .errors import ConsoleTimeout

BUFFER_CAP = 4 << 20  # bytes of output kept per VM (the oldest are dropped)
TAIL_LINES = 20  # lines quoted when an expectation times out


class ConsoleBuffer:
    """The output of one VM slot, with absolute offsets that survive trimming."""

    def __init__(self, cap=BUFFER_CAP):
        self.cap = cap
        self.base = 0  # absolute offset of data[0]
        self.data = bytearray()

    @property
    def end(self):
        return self.base + len(self.data)

    def append(self, chunk):
        self.data += chunk
        if len(self.data) > self.cap:
            drop = len(self.data) - self.cap
            del self.data[:drop]
            self.base += drop

    def since(self, offset):
        return bytes(self.data[max(0, offset - self.base):])


class Console:
    """The console of one VM, from the moment it was started.

    `expect(pattern, timeout)` searches the output not yet consumed by an
    earlier expect and returns the re.Match (on text, not bytes); on timeout
    it raises ConsoleTimeout quoting the last lines seen.
    """

    def __init__(self, vhv, vm, buffer, start):
        self._vhv = vhv  # Not owned.
        self.vm = vm
        self._buffer = buffer
        self._start = start
        self._pos = start

    @property
    def text(self):
        """Everything the guest printed (up to the buffer's cap)."""
        return self._buffer.since(self._start).decode(errors="replace")

    def unread(self):
        return self._buffer.since(self._pos).decode(errors="replace")

    def tail(self, lines=TAIL_LINES):
        return self.text.replace("\r\n", "\n").splitlines()[-lines:]

    def expect(self, pattern, timeout=30.0):
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        while True:
            chunk = self._buffer.since(self._pos)
            # surrogateescape: every byte maps to one character and back, so
            # the match's end converts exactly to a byte offset.
            text = chunk.decode(errors="surrogateescape")
            m = regex.search(text)
            if m:
                consumed = len(text[:m.end()].encode(errors="surrogateescape"))
                self._pos = max(self._pos, self._buffer.base) + consumed
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                lines = self.tail()
                shown = "\n".join("  | " + line for line in lines) if lines else "  (no output)"
                raise ConsoleTimeout(
                    f"{self._vhv.name} VM {self.vm}: no match for {regex.pattern!r} within "
                    f"{timeout:g} s; the last {len(lines)} lines of its console:\n{shown}",
                    pattern=regex.pattern, tail=lines)
            self._vhv.client.pump(min(left, 0.5))

    def send(self, data):
        """Types `data` (str or bytes) on the guest's UART (console.input)."""
        if isinstance(data, str):
            data = data.encode()
        for i in range(0, len(data), 4096):
            self._vhv.client.call("console.input", {
                "vhv": self._vhv.id, "vm": self.vm,
                "data": base64.b64encode(data[i:i + 4096]).decode()})
