"""Helpers shared by the JWKS tests: verifiers that fetch, canned server answers, TLS."""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from cognito_jwt import CognitoVerifier
from cognito_jwt._crypto import VerifyingKey
from cognito_jwt._keystore import KeyStore
from cognito_jwt.testing import FakeUserPool, SigningKey
from cognito_jwt.testing._keys import b64url
from tests.conftest import FakeClock, JWKSServer, running_jwks_server

TTL = 600.0
COOLDOWN = 10.0
MAX_STALE = 3600.0
# Keys of these slots are never published by a pool unless a test publishes them.
STRANGER, STRANGER_2, STRANGER_3, NEWCOMER = 101, 102, 103, 104

Respond = Callable[[BaseHTTPRequestHandler], None]
# The name of the daemon threads that refresh keys in the background.
BACKGROUND_THREAD = "cognito-jwt-jwks-refresh"


# --------------------------------------------------------------------------- helpers


def fetching_verifier(
    pool: FakeUserPool, url: str, clock: FakeClock, **kwargs: Any
) -> CognitoVerifier:
    """A verifier that fetches from ``url``; the verified-token cache off unless asked for.

    With the token cache off every verification really looks its key up, so the
    request counts below say what the key cache did. Refresh ahead is off unless
    asked for: every fetch then happens in the caller, where a test can count it.
    """
    options: dict[str, Any] = {
        "jwks_ttl": TTL,
        "refresh_cooldown": COOLDOWN,
        "max_stale": MAX_STALE,
        "token_cache_size": 0,
        "refresh_ahead": 0.0,
    }
    options.update(kwargs)
    return pool.verifier(jwks_url=url, clock=clock, **options)


def id_token(pool: FakeUserPool, clock: FakeClock, **kwargs: Any) -> str:
    """A fresh ID token issued at the fake clock's now."""
    return pool.id_token(issued_at=clock.now, **kwargs)


def access_token(pool: FakeUserPool, clock: FakeClock, **kwargs: Any) -> str:
    """A fresh access token issued at the fake clock's now."""
    return pool.access_token(issued_at=clock.now, **kwargs)


def jwks_of(*keys: SigningKey) -> dict[str, Any]:
    return {"keys": [key.public_jwk for key in keys]}


def uint(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def store_of(verifier: CognitoVerifier) -> KeyStore:
    store = verifier._store
    assert store is not None
    return store


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "cognito_jwt" and r.levelno == logging.WARNING]


def quietly(write: Callable[[], object]) -> None:
    """Run a server-side write; the client may have hung up already (that is the test)."""
    with contextlib.suppress(OSError):
        write()


def answer(body: bytes) -> Respond:
    """A handler answering 200 with ``body``, tolerant of a client that left."""

    def respond(handler: BaseHTTPRequestHandler) -> None:
        def write() -> None:
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)

        quietly(write)

    return respond


def answer_without_length(body: bytes) -> Respond:
    """A handler answering an HTTP/1.0 body delimited by closing the connection."""

    def respond(handler: BaseHTTPRequestHandler) -> None:
        def write() -> None:
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.end_headers()
            handler.wfile.write(body)

        quietly(write)

    return respond


def answer_chunked(body: bytes, chunk: int = 4096, pause: float = 0.0) -> Respond:
    """A handler answering with Transfer-Encoding: chunked, ``pause`` seconds between bytes."""

    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.close_connection = True
        encoded = b"".join(
            b"%x\r\n" % len(body[i : i + chunk]) + body[i : i + chunk] + b"\r\n"
            for i in range(0, len(body), chunk)
        )
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        head += b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        if not pause:
            quietly(lambda: handler.wfile.write(head + encoded + b"0\r\n\r\n"))
            return
        quietly(lambda: handler.wfile.write(head))
        dribble(handler, encoded + b"0\r\n\r\n", pause)

    return respond


def dribble(handler: BaseHTTPRequestHandler, data: bytes, pause: float) -> None:
    """Send ``data`` one byte at a time; give up after 6 s or once the client is gone."""
    give_up = time.monotonic() + 6.0
    for byte in data:
        if time.monotonic() > give_up:
            return
        try:
            handler.wfile.write(bytes([byte]))
        except OSError:
            return
        time.sleep(pause)


def hang_up(handler: BaseHTTPRequestHandler) -> None:
    """Close the connection without any answer."""
    handler.close_connection = True


def closed_port_url() -> str:
    """A loopback URL nothing listens on: connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/.well-known/jwks.json"


def padded(document: dict[str, Any], size: int) -> bytes:
    """``document`` as JSON padded with blanks to exactly ``size`` bytes."""
    body = json.dumps(document).encode()
    assert len(body) < size
    return body[:-1] + b" " * (size - len(body)) + b"}"


class CountingSession(requests.Session):
    """A session counting the requests it is asked to make (even those refused)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        self.calls += 1
        return super().request(*args, **kwargs)


class StoppableServer:
    """A loopback JWKS server a test can stop, after which connecting is refused."""

    def __init__(self, state: JWKSServer) -> None:
        self.state = state
        self._stack = contextlib.ExitStack()
        self._stack.enter_context(running_jwks_server(state))
        self.url = state.url
        self.running = True

    def stop(self) -> None:
        if self.running:
            self.running = False
            self._stack.close()


def self_signed_loopback_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (its own CA) and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def count_signature_checks(monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    """Count RS256 signature checks (a verified-token cache hit makes none)."""
    calls = 0
    original = VerifyingKey.verify

    def spy(self: VerifyingKey, signing_input: bytes, signature: bytes) -> bool:
        nonlocal calls
        calls += 1
        return original(self, signing_input, signature)

    monkeypatch.setattr(VerifyingKey, "verify", spy)
    return lambda: calls


def join_background_refreshes(timeout: float = 10.0) -> None:
    """Wait until every background JWKS refresh under way has finished."""
    for thread in threading.enumerate():
        if thread.name == BACKGROUND_THREAD:
            thread.join(timeout)
            assert not thread.is_alive(), "a background refresh is still running"
