"""Key servers on 127.0.0.1 for tests and the demo: real HTTP, no outside network."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: What a handler answers for a path: (body, content type), or None for a 404.
Answer = Callable[[str], "tuple[bytes, str] | None"]


@contextmanager
def serve(answer: Answer) -> Iterator[str]:
    """Serve ``answer(path)`` (called per request) on 127.0.0.1; yield the base URL.

    Paths ``answer`` returns ``None`` for get a 404. The server runs in a daemon
    thread and is shut down when the block exits.
    """

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = answer(self.path)
            if found is None:
                self.send_error(404)
                return
            body, content_type = found
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Keep test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="cognito-jwt-keys",
        daemon=True,
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def serve_jwks(jwks: Callable[[], dict[str, Any]], path: str) -> Iterator[str]:
    """Serve ``jwks()`` (called per request) at ``path`` on 127.0.0.1; yield the URL.

    Other paths answer 404.
    """

    def answer(requested: str) -> tuple[bytes, str] | None:
        if requested != path:
            return None
        return json.dumps(jwks()).encode(), "application/json"

    with serve(answer) as base:
        yield base + path
