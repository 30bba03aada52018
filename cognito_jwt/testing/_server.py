"""Loopback HTTP for tests, the demo and ``cognito-jwt fake-pool``: no outside network."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: What a handler answers for a path: (body, content type), or None for a 404.
Handler = Callable[[str], "tuple[bytes, str] | None"]
#: A route's answer, made per request: (Content-Type, body).
Answer = Callable[[], tuple[str, bytes]]


@contextmanager
def serve(answer: Handler, port: int = 0) -> Iterator[str]:
    """Serve ``answer(path)`` (called per GET) on 127.0.0.1:``port``; yield ``http://127.0.0.1:PORT``.

    Paths ``answer`` returns ``None`` for get a 404. ``port`` 0 lets the OS
    choose. The server runs in a daemon thread and is shut down when the block exits.

    Raises:
        OSError: the port cannot be bound (in use, or not allowed).

    """

    class _Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = answer(self.path)
            if found is None:
                self.send_error(404)
                return
            body, content_type = found
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Keep test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
    server.daemon_threads = True
    server.timeout = 0.05  # handle_request() returns this often to look at `stop`
    stop = threading.Event()

    def loop() -> None:
        # Not serve_forever(): its shutdown() waits without a limit, which hangs an
        # interpreter that exits with the block still open (its thread already frozen).
        while not stop.is_set():
            server.handle_request()

    thread = threading.Thread(target=loop, name="cognito-jwt-keys", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        server.server_close()


@contextmanager
def serve_routes(routes: Mapping[str, Answer], port: int = 0) -> Iterator[str]:
    """Serve GET ``routes`` (path to answer) on 127.0.0.1:``port``; yield ``http://127.0.0.1:PORT``.

    Other paths answer 404; otherwise as :func:`serve`.
    """

    def answer(path: str) -> tuple[bytes, str] | None:
        route = routes.get(path)
        if route is None:
            return None
        content_type, body = route()
        return body, content_type

    with serve(answer, port) as base:
        yield base


@contextmanager
def serve_jwks(jwks: Callable[[], dict[str, Any]], path: str) -> Iterator[str]:
    """Serve ``jwks()`` (called per request) at ``path`` on 127.0.0.1; yield the URL.

    Other paths answer 404.
    """

    def answer() -> tuple[str, bytes]:
        return "application/json", json.dumps(jwks()).encode()

    with serve_routes({path: answer}) as base:
        yield base + path
