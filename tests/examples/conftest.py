"""Fixtures for the examples' tests: the pool's environment and a JWKS endpoint that fails.

The examples are imported as the ``examples`` package from the repository root,
which pytest puts on ``sys.path`` (``tests`` is a package), as ``python -m``
does when an example is run from the root as its README says.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from cognito_jwt.testing import FakeUserPool


class _Failing(BaseHTTPRequestHandler):
    """Answer every request with 500, as a JWKS endpoint in an outage might."""

    def do_GET(self) -> None:
        body = b'{"message": "Internal server error"}'
        self.send_response(500)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="session")
def unavailable_jwks_url() -> Iterator[str]:
    """The URL of a JWKS endpoint on 127.0.0.1 that answers 500 to every request.

    One server for the whole session: the examples' 503 tests only need it to fail.
    """
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
    httpd.daemon_threads = True
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/.well-known/jwks.json"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def cognito_env(cognito_pool: FakeUserPool) -> dict[str, str]:
    """The ``COGNITO_*`` settings of the fake pool, as the examples read them."""
    return {
        "COGNITO_REGION": cognito_pool.region,
        "COGNITO_USER_POOL_ID": cognito_pool.user_pool_id,
        "COGNITO_CLIENT_IDS": f"{cognito_pool.client_id}, another-client",
        "COGNITO_TOKEN_USE": "access",
    }
