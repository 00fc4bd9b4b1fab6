"""A JSON-RPC 2.0 connection to nestlabd (docs/api.md).

One JSON object per line over a Unix stream socket; file descriptors travel as
SCM_RIGHTS on the same sendmsg as the request line. The client is synchronous
and single-threaded: replies and notifications are read whenever a call or a
wait needs them, and notifications go to the handlers registered for their
method (a VHV's console and events), or to a bounded queue.
"""
import collections
import json
import os
import select
import socket
import time

from .errors import ConnectionLost, NestlabError, NestlabTimeout, ProtocolError

DEFAULT_TIMEOUT = 60.0  # seconds, for any call that names none
DEFAULT_MAX_LINE = 8 << 20  # bytes: the largest line accepted from nestlabd
MAX_FDS = 16  # the kernel's bound per message (docs/api.md, "Errors")
QUEUE_CAP = 4096  # unhandled notifications kept (the oldest are dropped)

# JSON-RPC codes (docs/api.md, "Errors").
PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS = -32700, -32600, -32601, -32602
APPLICATION_ERROR = -32000


def default_socket_path():
    """Where the CLI looks for nestlabd (base/places.cpp): $NESTLAB_SOCKET, then
    the system socket for root, the session socket otherwise."""
    if os.environ.get("NESTLAB_SOCKET"):
        return os.environ["NESTLAB_SOCKET"]
    if os.geteuid() == 0:
        return "/run/nestlab/nestlab.sock"
    if os.environ.get("XDG_RUNTIME_DIR"):
        return os.path.join(os.environ["XDG_RUNTIME_DIR"], "nestlab", "nestlab.sock")
    return f"/tmp/nestlab-{os.getuid()}/nestlab.sock"


class Notification:
    __slots__ = ("method", "params")

    def __init__(self, method, params):
        self.method, self.params = method, params

    def __repr__(self):
        return f"Notification({self.method!r}, {self.params!r})"


class Client:
    """A connection to nestlabd.

        with Client() as c:               # $NESTLAB_SOCKET or the session socket
            print(c.call("kernel.hello"))

    Every call has a timeout (`timeout=` or the client's default); a reply
    line over `max_line` bytes, a line that is not JSON or not JSON-RPC 2.0
    closes the connection and raises ProtocolError. An error object from the
    kernel raises NestlabError with the kernel's message.
    """

    def __init__(self, path=None, *, timeout=DEFAULT_TIMEOUT, max_line=DEFAULT_MAX_LINE,
                 connect_timeout=10.0):
        self.path = path or default_socket_path()
        self.timeout = timeout
        self.max_line = max_line
        self._next_id = 1
        self._buffer = bytearray()
        self._replies = {}
        self._handlers = {}  # method -> [callable(params)]
        self.notifications = collections.deque(maxlen=QUEUE_CAP)
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.settimeout(connect_timeout)
        try:
            self._sock.connect(self.path)
        except OSError as e:
            self._sock.close()
            raise NestlabError(f"cannot connect to nestlabd at {self.path}: {e.strerror or e}"
                               " (is it running? `nestlab kernel start`, or set NESTLAB_SOCKET)")
        self._sock.setblocking(False)
        self._closed = False

    # -- lifetime ---------------------------------------------------------
    def close(self):
        if not self._closed:
            self._closed = True
            self._sock.close()

    @property
    def connected(self):
        return not self._closed

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def fileno(self):
        return self._sock.fileno()

    # -- requests ---------------------------------------------------------
    def call(self, method, params=None, *, fds=(), timeout=None):
        """Sends a request and returns its result (bounded by `timeout` seconds)."""
        rid = self.send_request(method, params, fds=fds)
        return self.wait_reply(rid, method=method, timeout=timeout)

    def send_request(self, method, params=None, *, fds=()):
        """Sends a request without waiting; returns its id for wait_reply."""
        if self._closed:
            raise ConnectionLost("the connection to nestlabd is closed", method=method)
        if len(fds) > MAX_FDS:
            raise NestlabError(f"at most {MAX_FDS} file descriptors per request", method=method)
        rid = self._next_id
        self._next_id += 1
        request = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            request["params"] = params
        line = (json.dumps(request, separators=(",", ":")) + "\n").encode()
        self._send(line, list(fds), method)
        return rid

    def wait_reply(self, rid, *, method=None, timeout=None):
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while rid not in self._replies:
            left = deadline - time.monotonic()
            if left <= 0:
                raise NestlabTimeout(f"no reply from nestlabd within "
                                     f"{self.timeout if timeout is None else timeout:g} s",
                                     method=method)
            self.pump(left)
        reply = self._replies.pop(rid)
        if "error" in reply:
            raise self._error_from(reply["error"], method)
        return reply["result"]

    # -- notifications ----------------------------------------------------
    def on(self, method, handler):
        """Calls handler(params) for each notification `method` from now on."""
        self._handlers.setdefault(method, []).append(handler)

    def off(self, method, handler):
        handlers = self._handlers.get(method, [])
        if handler in handlers:
            handlers.remove(handler)

    def wait_until(self, predicate, timeout, what="the condition"):
        """Reads from nestlabd until predicate() holds; NestlabTimeout after `timeout` s."""
        deadline = time.monotonic() + timeout
        while not predicate():
            left = deadline - time.monotonic()
            if left <= 0:
                raise NestlabTimeout(f"timed out after {timeout:g} s waiting for {what}")
            self.pump(left)

    def next_notification(self, timeout):
        """The oldest notification no handler took, or None after `timeout` s."""
        deadline = time.monotonic() + timeout
        while not self.notifications:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.pump(left)
        return self.notifications.popleft()

    # -- the wire ---------------------------------------------------------
    def pump(self, timeout):
        """Waits up to `timeout` s for data, then reads and dispatches what came."""
        if self._closed:
            raise ConnectionLost("the connection to nestlabd is closed")
        r, _, _ = select.select([self._sock], [], [], max(0.0, min(timeout, 3600)))
        if not r:
            return False
        try:
            chunk = self._sock.recv(1 << 16)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError as e:
            self.close()
            raise ConnectionLost(f"lost the connection to nestlabd: {e.strerror or e}")
        if not chunk:
            self.close()
            raise ConnectionLost("nestlabd closed the connection")
        self._buffer += chunk
        while True:
            nl = self._buffer.find(b"\n")
            if nl < 0:
                if len(self._buffer) > self.max_line:
                    self._protocol_error(f"nestlabd sent a line over {self.max_line} bytes")
                break
            if nl > self.max_line:
                self._protocol_error(f"nestlabd sent a line over {self.max_line} bytes")
            line = bytes(self._buffer[:nl])
            del self._buffer[:nl + 1]
            if line.strip():
                self._dispatch(line)
        return True

    def _send(self, data, fds, method):
        deadline = time.monotonic() + self.timeout
        sent = 0
        while sent < len(data):
            try:
                if sent == 0 and fds:
                    n = socket.send_fds(self._sock, [data], fds)
                else:
                    n = self._sock.send(data[sent:])
                sent += n
            except (BlockingIOError, InterruptedError):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise NestlabTimeout("nestlabd does not read its socket", method=method)
                select.select([], [self._sock], [], left)
            except OSError as e:
                self.close()
                raise ConnectionLost(f"lost the connection to nestlabd: {e.strerror or e}",
                                     method=method)

    def _dispatch(self, line):
        try:
            msg = json.loads(line)
        except ValueError:
            self._protocol_error("nestlabd sent a line that is not JSON: " + _excerpt(line))
        if not isinstance(msg, dict) or msg.get("jsonrpc") != "2.0":
            self._protocol_error('nestlabd sent a message without "jsonrpc":"2.0": '
                                 + _excerpt(line))
        method = msg.get("method")
        if isinstance(method, str):
            params = msg.get("params", {})
            handlers = self._handlers.get(method)
            if handlers:
                for handler in list(handlers):
                    handler(params)
            else:
                self.notifications.append(Notification(method, params))
            return
        rid = msg.get("id")
        if "result" not in msg and not isinstance(msg.get("error"), dict):
            self._protocol_error("nestlabd sent a message that is neither a response nor a "
                                 "notification: " + _excerpt(line))
        if not isinstance(rid, int) or isinstance(rid, bool):
            if "error" in msg:  # An error about no request in particular: the line was refused.
                error = self._error_from(msg["error"], None)
                self.close()
                raise error
            self._protocol_error("nestlabd sent a response without a numeric id: " + _excerpt(line))
        self._replies[rid] = msg

    def _protocol_error(self, message):
        self.close()
        raise ProtocolError(message)

    @staticmethod
    def _error_from(error, method):
        message = error.get("message") if isinstance(error.get("message"), str) else None
        message = message or "nestlabd reported an error without a message"
        data = error.get("data") if isinstance(error.get("data"), dict) else {}
        code = error.get("code")
        kind = data.get("code")
        if kind is None:
            kind = {PARSE_ERROR: "protocol", INVALID_REQUEST: "protocol",
                    METHOD_NOT_FOUND: "no-such-method", INVALID_PARAMS: "invalid-params"}.get(code)
        return NestlabError(message, code=code, kind=kind, method=method, data=data)

    # -- convenience --------------------------------------------------------
    def hello(self):
        return self.call("kernel.hello")


def _excerpt(line, n=200):
    text = line.decode(errors="replace") if isinstance(line, bytes) else str(line)
    return text if len(text) <= n else text[:n] + "…"
