"""The errors the package raises: one base class, so `except NestlabError` catches all."""


class NestlabError(Exception):
    """nestlabd refused a request, or the package could not do what was asked.

    `message` is the kernel's own text when the kernel answered; `code` the
    JSON-RPC error code (None when the error arose on this side) and `kind`
    the kernel's `data.code` (`invalid-argument`, `not-found`, …, docs/api.md).
    """

    def __init__(self, message, *, code=None, kind=None, method=None, data=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.kind = kind
        self.method = method
        self.data = data

    def __str__(self):
        where = f"{self.method}: " if self.method else ""
        kind = f" [{self.kind}]" if self.kind else ""
        return f"{where}{self.message}{kind}"


class NestlabTimeout(NestlabError, TimeoutError):
    """A call, a wait or a console expectation ran out of time."""


class ProtocolError(NestlabError):
    """nestlabd sent something that is not JSON-RPC 2.0 as docs/api.md describes,
    or a line over the client's reply bound. The connection is closed: a peer
    that breaks framing cannot be trusted further."""


class ConnectionLost(NestlabError):
    """The socket closed (nestlabd exited, or dropped this connection)."""


class ConsoleTimeout(NestlabTimeout):
    """`Console.expect` saw no match in time; `tail` holds the last lines seen."""

    def __init__(self, message, *, pattern=None, tail=()):
        super().__init__(message)
        self.pattern = pattern
        self.tail = list(tail)
