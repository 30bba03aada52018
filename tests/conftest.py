"""Shared fixtures: a fake pool, a controllable clock, and a real JWKS server on 127.0.0.1."""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from cognito_jwt.testing import FakeUserPool

pytest_plugins = ("pytester", "tests.redis_server")


class FakeClock:
    """A clock the test moves by hand: ``clock()`` returns the current epoch seconds."""

    def __init__(self, start: float | None = None) -> None:
        self.now = time.time() if start is None else start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class JWKSServer:
    """A real HTTP server on 127.0.0.1 whose answer the test controls.

    ``body`` (bytes or a JSON-able object), ``status``, ``headers`` and ``delay``
    (seconds before answering) shape the next answers; ``respond`` replaces the
    whole handler. ``requests`` counts the requests served, ``paths`` records them.
    """

    url: str = ""
    base_url: str = ""
    body: Any = field(default_factory=lambda: {"keys": []})
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    respond: Callable[[BaseHTTPRequestHandler], None] | None = None
    requests: int = 0
    paths: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def body_bytes(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode()


def _handler_for(server: JWKSServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with server.lock:
                server.requests += 1
                server.paths.append(self.path)
            if server.delay:
                time.sleep(server.delay)
            if server.respond is not None:
                server.respond(self)
                return
            body = server.body_bytes()
            self.send_response(server.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in server.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    return Handler


@contextmanager
def running_jwks_server(
    state: JWKSServer, tls: ssl.SSLContext | None = None
) -> Iterator[JWKSServer]:
    """Serve ``state`` on a free 127.0.0.1 port (https with ``tls``) until the block ends."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(state))
    httpd.daemon_threads = True
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    scheme = "http" if tls is None else "https"
    state.base_url = f"{scheme}://127.0.0.1:{httpd.server_address[1]}"
    state.url = f"{state.base_url}/.well-known/jwks.json"
    # A short poll interval: shutdown() waits for the serve loop's next poll.
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def jwks_server() -> Iterator[JWKSServer]:
    """A loopback JWKS server (empty key set until the test sets ``body``)."""
    with running_jwks_server(JWKSServer()) as state:
        yield state


@pytest.fixture
def pool() -> FakeUserPool:
    """A fake pool: region eu-west-1, pool eu-west-1_TestPool1, client test-client."""
    return FakeUserPool()


@pytest.fixture
def clock() -> FakeClock:
    """A clock that only moves when the test says so."""
    return FakeClock()


@pytest.fixture
def served_pool(pool: FakeUserPool, jwks_server: JWKSServer) -> tuple[FakeUserPool, JWKSServer]:
    """The fake pool's JWKS served by the loopback server."""
    jwks_server.body = pool.jwks
    return pool, jwks_server
