"""An HTTP proxy in front of the private Elasticsearch that injects 429s and partial bulk
failures (a fault at the transport seam: the worker talks to a real node through it).

- the first ``reject_writes`` write requests (``_bulk`` and single-document writes) answer
  429 ``es_rejected_execution_exception`` without reaching the node;
- in the next ``partial_bulks`` bulk responses that hold two or more items, the first item is
  turned into 429 (transient: the task must retry) and the last into 400
  ``mapper_parsing_exception`` (permanent: recorded, never retried in a loop).
"""

from __future__ import annotations

import http.client
import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length"}


def _error(status: int, kind: str) -> dict[str, object]:
    return {"type": kind, "reason": f"injected by the fault suite ({kind})", "status": status}


class FaultyElasticsearch:
    """Serve on 127.0.0.1 (a free port) and forward to ``upstream`` with injected faults."""

    def __init__(self, upstream: str, *, reject_writes: int = 6, partial_bulks: int = 3) -> None:
        self.upstream = urlparse(upstream)
        self.reject_writes = reject_writes
        self.partial_bulks = partial_bulks
        self.injected: Counter[str] = Counter()
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, payload = proxy.handle(self.command, self.path, self.headers, body)
                self.send_response(status)
                for key, value in headers:
                    if key.lower() not in HOP_HEADERS:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _relay

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _take(self, budget: str) -> bool:
        with self._lock:
            if getattr(self, budget) > 0:
                setattr(self, budget, getattr(self, budget) - 1)
                return True
            return False

    def handle(
        self, method: str, path: str, headers: object, body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """Forward one request, or answer with an injected fault."""
        is_bulk = "/_bulk" in path
        is_write = is_bulk or (
            method in ("PUT", "POST") and ("/_doc/" in path or "/_update/" in path)
        )
        product = [("X-Elastic-Product", "Elasticsearch"), ("Content-Type", "application/json")]
        if is_write and self._take("reject_writes"):
            self.injected["429 request"] += 1
            doc = {"error": _error(429, "es_rejected_execution_exception"), "status": 429}
            return 429, product, json.dumps(doc).encode()
        connection = http.client.HTTPConnection(
            self.upstream.hostname, self.upstream.port, timeout=60
        )
        try:
            forward = {k: v for k, v in headers.items() if k.lower() not in HOP_HEADERS}  # type: ignore[attr-defined]
            connection.request(method, path, body=body or None, headers=forward)
            response = connection.getresponse()
            payload = response.read()
            status, out_headers = response.status, response.getheaders()
        finally:
            connection.close()
        if is_bulk and status == 200:
            payload = self._partial(payload)
        return status, out_headers, payload

    def _partial(self, payload: bytes) -> bytes:
        doc = json.loads(payload)
        items = doc.get("items", [])
        if len(items) < 2 or not self._take("partial_bulks"):
            return payload
        for item, (status, kind) in (
            (items[0], (429, "es_rejected_execution_exception")),
            (items[-1], (400, "mapper_parsing_exception")),
        ):
            op = next(iter(item))
            item[op]["status"] = status
            item[op]["error"] = _error(status, kind)
            self.injected[f"{status} bulk item"] += 1
        doc["errors"] = True
        return json.dumps(doc).encode()

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()
