"""A deliberately hostile HTTP(S) server on 127.0.0.1 for the fetcher's fault tests.

Bounded by construction: every handler that streams (endless body, slowloris) stops after
``MAX_HANDLER_S`` seconds or as soon as the client goes away, threads are daemons, and the
server is shut down by the fixture that started it.
"""

from __future__ import annotations

import collections
import contextlib
import http.server
import ssl
import threading
import time
from collections.abc import Callable, Iterator

MAX_HANDLER_S = 8.0

Route = Callable[["HostileHandler"], None]


class HostileHandler(http.server.BaseHTTPRequestHandler):
    server: HostileServer
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: object) -> None:  # quiet tests
        pass

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        self.server.hits[path] += 1
        self.server.requests.append((path, dict(self.headers.items())))
        route = self.server.routes.get(path)
        if route is None:
            self.reply(404, b"not here", "text/plain")
            return
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            route(self)

    # helpers for routes ---------------------------------------------------------------------

    def reply(
        self,
        status: int,
        body: bytes = b"",
        content_type: str | None = "application/rss+xml",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def stream_forever(self, chunk: bytes, content_type: str = "application/rss+xml") -> None:
        """No Content-Length, then chunks until the client hangs up or the time bound."""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.end_headers()
        stop = time.monotonic() + MAX_HANDLER_S
        while time.monotonic() < stop:
            self.wfile.write(chunk)

    def trickle(self, data: bytes, interval_s: float = 1.0) -> None:
        """Write ``data`` one byte per ``interval_s`` (headers included if the caller wants)."""
        stop = time.monotonic() + MAX_HANDLER_S
        for byte in data:
            if time.monotonic() > stop:
                return
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(interval_s)


class HostileServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, routes: dict[str, Route]):
        super().__init__(("127.0.0.1", 0), HostileHandler)
        self.routes = routes
        self.hits: collections.Counter[str] = collections.Counter()
        self.requests: list[tuple[str, dict[str, str]]] = []

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # failed TLS handshakes from clients that refuse our cert are the point


@contextlib.contextmanager
def running(
    routes: dict[str, Route], ssl_context: ssl.SSLContext | None = None
) -> Iterator[HostileServer]:
    """Start a HostileServer in a daemon thread; always shut it down."""
    server = HostileServer(routes)
    if ssl_context is not None:
        server.socket = ssl_context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
