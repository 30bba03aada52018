"""A hostile or broken JWKS endpoint, served for real on 127.0.0.1.

For every fault: a cold verifier gets the right JWKSError subclass within
``timeout`` plus a margin; a warm verifier (good keys fetched before) keeps
verifying valid tokens from the last good keys, logs a warning, and makes one
refresh attempt per ``refresh_cooldown``, not one per request.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from cognito_jwt import CognitoVerifier, JWKSError, JWKSFetchError, JWKSFormatError
from cognito_jwt.testing import FakeUserPool
from cognito_jwt.testing._keys import generate_key
from tests.conftest import FakeClock, JWKSServer
from tests.jwks_helpers import join_background_refreshes

TIMEOUT = 0.5
# Generous for a shared, noisy machine: the point is "bounded", not "fast".
MARGIN = 1.0
TTL = 600.0
COOLDOWN = 10.0


def _raw(
    status_line: bytes,
    headers: list[tuple[str, str]],
    body: bytes,
    *,
    drip: float = 0.0,
    drip_head: bool = False,
) -> Callable[[BaseHTTPRequestHandler], None]:
    """An answer written by hand; with ``drip``, byte by byte with a pause (body or head)."""
    head = status_line + b"\r\n"
    head += b"".join(f"{name}: {value}\r\n".encode() for name, value in headers) + b"\r\n"

    def send(out: Any, data: bytes, pause: float) -> bool:
        step = 1 if pause else len(data) or 1
        for index in range(0, len(data), step):
            try:
                out.write(data[index : index + step])
                out.flush()
            except OSError:  # the client gave up: the point of the test
                return False
            if pause:
                time.sleep(pause)
        return True

    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.close_connection = True
        if send(handler.wfile, head, drip if drip_head else 0.0):
            send(handler.wfile, body, 0.0 if drip_head else drip)

    return respond


def _hang_up(handler: BaseHTTPRequestHandler) -> None:
    handler.close_connection = True
    handler.connection.shutdown(socket.SHUT_RDWR)


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


@dataclass(frozen=True)
class Fault:
    """How the server misbehaves, and what a verifier with no good keys must raise."""

    expected: type[JWKSError]
    body: Any = None
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    respond: Callable[[BaseHTTPRequestHandler], None] | None = None
    # A connection that breaks (no answer, a body cut short) is retried once at once.
    requests_per_attempt: int = 1


def _weak_jwk(bits: int) -> dict[str, Any]:
    return generate_key(f"hostile-{bits}", bits=bits).public_jwk


def _edited(changes: dict[str, Any]) -> dict[str, Any]:
    return {**FakeUserPool().signing_keys[0].public_jwk, **changes}


FAULTS: dict[str, Fault] = {
    "404": Fault(JWKSFetchError, body={"message": "not found"}, status=404),
    "500": Fault(JWKSFetchError, body=b"internal error", status=500),
    "302 redirect": Fault(
        JWKSFetchError, body=b"", status=302, headers=(("Location", "http://127.0.0.1:9/"),)
    ),
    "hang up without answering": Fault(JWKSFetchError, respond=_hang_up, requests_per_attempt=2),
    "body slower than timeout": Fault(
        JWKSFetchError,
        respond=_raw(
            b"HTTP/1.1 200 OK",
            [("Content-Type", "application/json"), ("Content-Length", "4000")],
            b"{" + b" " * 3999,
            drip=0.05,
        ),
    ),
    "headers slower than timeout": Fault(
        JWKSFetchError,
        respond=_raw(b"HTTP/1.1 200 OK", [("X-Slow", "y" * 40)], b"{}", drip=0.05, drip_head=True),
    ),
    "truncated body": Fault(
        JWKSFetchError,
        respond=_raw(
            b"HTTP/1.1 200 OK",
            [("Content-Type", "application/json"), ("Content-Length", "1000")],
            b'{"keys": [',
        ),
        requests_per_attempt=2,
    ),
    "2 MB body": Fault(JWKSFetchError, body=b'{"keys": [], "pad": "' + b"x" * 2_000_000 + b'"}'),
    "2 MB body without length": Fault(
        JWKSFetchError,
        respond=_raw(b"HTTP/1.0 200 OK", [], b'{"keys": [], "pad": "' + b"x" * 2_000_000),
    ),
    "invalid JSON": Fault(JWKSFormatError, body=b'{"keys": [}'),
    "JSON not an object": Fault(JWKSFormatError, body=b'[{"kty": "RSA"}]'),
    "keys not a list": Fault(JWKSFormatError, body={"keys": {"kid": "x"}}),
    "no usable key": Fault(JWKSFormatError, body={"keys": []}),
    "duplicate kid": Fault(
        JWKSFormatError,
        body={"keys": [FakeUserPool().signing_keys[0].public_jwk] * 2},
    ),
    "1024-bit key": Fault(JWKSFormatError, body={"keys": [_weak_jwk(1024)]}),
    "use enc": Fault(JWKSFormatError, body={"keys": [_edited({"use": "enc"})]}),
    "alg RS512": Fault(JWKSFormatError, body={"keys": [_edited({"alg": "RS512"})]}),
    "oct key": Fault(JWKSFormatError, body={"keys": [{"kty": "oct", "kid": "k", "k": "c2VjcmV0"}]}),
}


def _apply(server: JWKSServer, fault: Fault) -> None:
    server.respond = fault.respond
    server.status = fault.status
    server.body = fault.body if fault.body is not None else b""
    server.headers = dict(fault.headers)


def _verifier(pool: FakeUserPool, url: str, clock: FakeClock) -> CognitoVerifier:
    return pool.verifier(
        jwks_url=url,
        clock=clock,
        timeout=TIMEOUT,
        jwks_ttl=TTL,
        refresh_cooldown=COOLDOWN,
        token_cache_size=0,
    )


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_cold_verifier_gets_the_right_error_in_bounded_time(
    name: str, served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    fault = FAULTS[name]
    _apply(server, fault)
    verifier = _verifier(pool, server.url, clock)
    start = time.monotonic()
    with pytest.raises(JWKSError) as info:
        verifier.verify(pool.access_token(issued_at=clock.now))
    elapsed = time.monotonic() - start
    assert type(info.value) is fault.expected, str(info.value)
    assert elapsed < TIMEOUT + MARGIN
    assert info.value.status_code == 503
    assert server.requests == fault.requests_per_attempt
    # Within the cooldown the failure is remembered: no request, the same class.
    with pytest.raises(fault.expected):
        verifier.verify(pool.access_token(issued_at=clock.now))
    assert server.requests == fault.requests_per_attempt


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_warm_verifier_keeps_serving_the_last_good_keys(
    name: str,
    served_pool: tuple[FakeUserPool, JWKSServer],
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    pool, server = served_pool
    fault = FAULTS[name]
    verifier = _verifier(pool, server.url, clock)
    assert verifier.verify(pool.id_token(issued_at=clock.now)).token_use == "id"
    assert server.requests == 1

    _apply(server, fault)
    clock.advance(TTL + 1)
    with caplog.at_level(logging.WARNING, logger="cognito_jwt"):
        start = time.monotonic()
        for _ in range(20):
            assert verifier.verify(pool.id_token(issued_at=clock.now)).token_use == "id"
            assert verifier.verify(pool.access_token(issued_at=clock.now)).token_use == "access"
        elapsed = time.monotonic() - start
    # One refresh attempt (an idle set past its TTL: in the caller), then the cooldown.
    assert server.requests == 1 + fault.requests_per_attempt
    assert elapsed < TIMEOUT + MARGIN
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "serving the last good keys" in warnings[0].getMessage()

    # After the cooldown, exactly one more attempt: in the background (refresh ahead
    # is on by default) while the last good keys go on serving.
    clock.advance(COOLDOWN + 1)
    assert verifier.verify(pool.id_token(issued_at=clock.now)).token_use == "id"
    join_background_refreshes()
    assert server.requests == 1 + 2 * fault.requests_per_attempt


def test_connection_refused(pool: FakeUserPool, clock: FakeClock) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port any more.
    verifier = _verifier(pool, f"http://127.0.0.1:{port}/jwks.json", clock)
    start = time.monotonic()
    with pytest.raises(JWKSFetchError, match="failed"):
        verifier.verify(pool.access_token(issued_at=clock.now))
    assert time.monotonic() - start < TIMEOUT + MARGIN


def test_redirect_target_is_never_requested(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    server.status = 302
    server.body = b""
    server.headers = {"Location": server.base_url + "/elsewhere"}
    with pytest.raises(JWKSFetchError, match="redirect"):
        _verifier(pool, server.url, clock).verify(pool.access_token(issued_at=clock.now))
    assert server.paths == ["/.well-known/jwks.json"]
