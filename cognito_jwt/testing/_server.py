"""Loopback HTTP for tests, the demo and ``cognito-jwt fake-pool``: no outside network."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: A route's answer, made per request: (Content-Type, body).
Answer = Callable[[], tuple[str, bytes]]


@contextmanager
def serve_jwks(jwks: Callable[[], dict[str, Any]], path: str) -> Iterator[str]:
    """Serve ``jwks()`` (called per request) at ``path`` on 127.0.0.1; yield the URL.

    Other paths answer 404. The server runs in a daemon thread and is shut down
    when the block exits.
    """

    def answer() -> tuple[str, bytes]:
        return "application/json", json.dumps(jwks()).encode()

    with serve_routes({path: answer}) as base:
        yield base + path


@contextmanager
def serve_routes(routes: Mapping[str, Answer], port: int = 0) -> Iterator[str]:
    """Serve GET ``routes`` (path to answer) on 127.0.0.1:``port``; yield ``http://127.0.0.1:PORT``.

    ``port`` 0 lets the OS choose. Other paths answer 404. The server runs in a
    daemon thread and is shut down when the block exits.

    Raises:
        OSError: the port cannot be bound (in use, or not allowed).

    """

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answer = routes.get(self.path)
            if answer is None:
                self.send_error(404)
                return
            content_type, body = answer()
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Keep test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="cognito-jwt-jwks",
        daemon=True,
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
