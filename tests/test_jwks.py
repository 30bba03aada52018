"""The JWKS machinery: fetching, validation, the key cache, cooldowns and single flight.

Every cache scenario asserts how many requests the JWKS server saw. Time moves
only through the FakeClock; real sleeps appear only where network timing is the
point (single flight needs overlapping fetches, timeouts need a slow server).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import ipaddress
import json
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from cognito_jwt import (
    CognitoClaims,
    CognitoJWTError,
    CognitoVerifier,
    ConfigurationError,
    InvalidIssuerError,
    InvalidSignatureError,
    JWKSError,
    JWKSFetchError,
    JWKSFormatError,
    UnknownKeyError,
)
from cognito_jwt._crypto import VerifyingKey
from cognito_jwt._jwks import MAX_JWKS_BYTES, HttpFetcher, KeyStore, check_jwks_url, parse_jwks
from cognito_jwt.testing import FakeUserPool, SigningKey
from cognito_jwt.testing._keys import b64url, generate_key
from tests.conftest import FakeClock, JWKSServer, running_jwks_server

TTL = 600.0
COOLDOWN = 10.0
MAX_STALE = 3600.0
# Keys of these slots are never published by a pool unless a test publishes them.
STRANGER, STRANGER_2, STRANGER_3, NEWCOMER = 101, 102, 103, 104

Respond = Callable[[BaseHTTPRequestHandler], None]


# --------------------------------------------------------------------------- helpers


def fetching_verifier(
    pool: FakeUserPool, url: str, clock: FakeClock, **kwargs: Any
) -> CognitoVerifier:
    """A verifier that fetches from ``url``; the verified-token cache off unless asked for.

    With the token cache off every verification really looks its key up, so the
    request counts below say what the key cache did.
    """
    options: dict[str, Any] = {
        "jwks_ttl": TTL,
        "refresh_cooldown": COOLDOWN,
        "max_stale": MAX_STALE,
        "token_cache_size": 0,
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


@pytest.fixture
def stoppable(pool: FakeUserPool) -> Iterator[StoppableServer]:
    server = StoppableServer(JWKSServer(body=pool.jwks))
    try:
        yield server
    finally:
        server.stop()


def _self_signed_loopback_certificate(directory: Path) -> tuple[Path, Path]:
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


@pytest.fixture
def tls_jwks_server(
    pool: FakeUserPool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[JWKSServer]:
    """A JWKS server on https://127.0.0.1, trusted through REQUESTS_CA_BUNDLE."""
    cert_file, key_file = _self_signed_loopback_certificate(tmp_path)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert_file))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    with running_jwks_server(JWKSServer(body=pool.jwks), context) as state:
        yield state


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


# --------------------------------------------------------------------------- single flight


def test_threads_missing_at_cold_start_share_one_fetch(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    server.delay = 0.3  # the fetch is still in flight when every thread asks
    verifier = fetching_verifier(pool, server.url, clock)
    tokens = [id_token(pool, clock, username=f"user{i}") for i in range(16)]
    barrier = threading.Barrier(len(tokens))

    def call(token: str) -> str | None:
        barrier.wait(timeout=5)
        return verifier.verify(token).username

    with ThreadPoolExecutor(max_workers=len(tokens)) as executor:
        usernames = list(executor.map(call, tokens))

    assert usernames == [f"user{i}" for i in range(16)]
    assert server.requests == 1


def test_threads_failing_at_cold_start_share_one_failed_fetch(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    server.delay = 0.3
    server.status = 500
    verifier = fetching_verifier(pool, server.url, clock)
    token = id_token(pool, clock)
    barrier = threading.Barrier(16)

    def call(_: int) -> type[BaseException] | None:
        barrier.wait(timeout=5)
        try:
            verifier.verify(token)
        except JWKSError as exc:
            return type(exc)
        return None

    with ThreadPoolExecutor(max_workers=16) as executor:
        outcomes = list(executor.map(call, range(16)))

    assert outcomes == [JWKSFetchError] * 16
    assert server.requests == 1


def test_async_tasks_missing_at_cold_start_share_one_fetch(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    server.delay = 0.3
    verifier = fetching_verifier(pool, server.url, clock)
    tokens = [access_token(pool, clock, username=f"user{i}") for i in range(20)]

    async def main() -> list[CognitoClaims]:
        return await asyncio.gather(*(verifier.averify(token) for token in tokens))

    claims = asyncio.run(main())

    assert [c.username for c in claims] == [f"user{i}" for i in range(20)]
    assert server.requests == 1


def test_sync_and_async_callers_share_one_fetch(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    server.delay = 0.5
    verifier = fetching_verifier(pool, server.url, clock)
    sync_tokens = [id_token(pool, clock, username=f"thread{i}") for i in range(8)]
    async_tokens = [id_token(pool, clock, username=f"task{i}") for i in range(8)]
    barrier = threading.Barrier(len(sync_tokens) + 1)

    def call(token: str) -> str | None:
        barrier.wait(timeout=5)
        return verifier.verify(token).username

    async def main() -> list[CognitoClaims]:
        return await asyncio.gather(*(verifier.averify(token) for token in async_tokens))

    with ThreadPoolExecutor(max_workers=len(sync_tokens)) as executor:
        sync_results = executor.map(call, sync_tokens)
        barrier.wait(timeout=5)
        async_results = asyncio.run(main())
        usernames = list(sync_results)

    assert usernames == [f"thread{i}" for i in range(8)]
    assert [c.username for c in async_results] == [f"task{i}" for i in range(8)]
    assert server.requests == 1


def test_averify_fetches_in_a_worker_thread_while_the_loop_runs_on(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    server.delay = 0.5
    verifier = fetching_verifier(pool, server.url, clock)
    token = id_token(pool, clock)

    async def main() -> tuple[int, str | None]:
        ticks = 0
        done = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                await asyncio.sleep(0.01)

        task = asyncio.create_task(ticker())
        await asyncio.sleep(0)  # let the ticker start before the fetch
        claims = await verifier.averify(token)
        done.set()
        await task
        return ticks, claims.username

    ticks, username = asyncio.run(main())

    assert username == "alice"
    assert server.requests == 1
    # A fetch blocking the loop would leave the ticker at one or two ticks; a
    # fetch in a worker thread lets it tick about 50 times during the 0.5 s.
    assert ticks >= 10


# --------------------------------------------------------------------------- TTL


def test_keys_are_trusted_for_jwks_ttl_then_refetched_once(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    verifier = fetching_verifier(pool, server.url, clock)
    verifier.verify(id_token(pool, clock))
    assert server.requests == 1

    clock.advance(TTL - 1)
    for _ in range(5):
        verifier.verify(id_token(pool, clock))
        verifier.verify(access_token(pool, clock))
    assert server.requests == 1

    clock.advance(2)
    verifier.verify(access_token(pool, clock))
    assert server.requests == 2
    for _ in range(5):
        verifier.verify(id_token(pool, clock))
        verifier.verify(access_token(pool, clock))
    assert server.requests == 2

    clock.advance(TTL + 1)
    assert asyncio.run(verifier.averify(id_token(pool, clock))).token_use == "id"
    assert asyncio.run(verifier.averify(access_token(pool, clock))).token_use == "access"
    assert server.requests == 3


# --------------------------------------------------------------------------- outages


def break_server(server: JWKSServer, pool: FakeUserPool, outage: str) -> None:
    if outage == "status 500":
        server.status = 500
    elif outage == "status 404":
        server.status = 404
    elif outage == "hang-up":
        server.respond = hang_up
    elif outage == "garbage":
        server.body = b"<html>Service Unavailable</html>"
    elif outage == "no usable key":
        server.body = {"keys": [{"kty": "oct", "kid": "k", "k": "c2VjcmV0"}]}
    elif outage == "duplicate kid":
        server.body = {"keys": pool.jwks["keys"] * 2}
    else:  # pragma: no cover - a typo in a parameter
        raise AssertionError(outage)


OUTAGES = [
    pytest.param("status 500", JWKSFetchError, id="status-500"),
    pytest.param("hang-up", JWKSFetchError, id="hang-up"),
    pytest.param("garbage", JWKSFormatError, id="garbage"),
    pytest.param("no usable key", JWKSFormatError, id="no-usable-key"),
    pytest.param("duplicate kid", JWKSFormatError, id="duplicate-kid"),
]


@pytest.mark.parametrize(("outage", "error"), OUTAGES)
def test_stale_keys_serve_through_an_outage_for_max_stale(
    served_pool: tuple[FakeUserPool, JWKSServer],
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
    outage: str,
    error: type[JWKSError],
) -> None:
    caplog.set_level(logging.WARNING, logger="cognito_jwt")
    pool, server = served_pool
    verifier = fetching_verifier(pool, server.url, clock)
    fetched_at = clock.now
    verifier.verify(id_token(pool, clock))
    assert server.requests == 1

    break_server(server, pool, outage)
    clock.advance(TTL + 1)
    assert verifier.verify(id_token(pool, clock)).token_use == "id"
    assert server.requests == 2
    assert len(warnings_of(caplog)) == 1
    assert server.url in warnings_of(caplog)[0].getMessage()

    # During the cooldown no request is made, however many verifications happen.
    for _ in range(20):
        verifier.verify(id_token(pool, clock))
        verifier.verify(access_token(pool, clock))
    clock.advance(COOLDOWN - 1)
    for _ in range(20):
        verifier.verify(access_token(pool, clock))
    assert server.requests == 2

    # After the cooldown, exactly one more attempt.
    clock.advance(1.5)
    for _ in range(20):
        verifier.verify(access_token(pool, clock))
    assert server.requests == 3
    assert len(warnings_of(caplog)) == 2

    # The last good keys serve until jwks_ttl + max_stale after their fetch...
    clock.now = fetched_at + TTL + MAX_STALE - 1
    verifier.verify(id_token(pool, clock))
    assert server.requests == 4

    # ...and not after it: the keys are gone, the attempt is still cooling down.
    clock.now = fetched_at + TTL + MAX_STALE + 1
    started = time.monotonic()
    with pytest.raises(error):
        verifier.verify(id_token(pool, clock))
    assert time.monotonic() - started < 0.5
    assert server.requests == 4

    clock.advance(COOLDOWN)
    with pytest.raises(error):
        verifier.verify(id_token(pool, clock))
    assert server.requests == 5


def test_stale_keys_serve_while_the_server_refuses_connections(
    stoppable: StoppableServer,
    pool: FakeUserPool,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="cognito_jwt")
    session = CountingSession()
    verifier = fetching_verifier(pool, stoppable.url, clock, session=session)
    verifier.verify(id_token(pool, clock))
    assert (stoppable.state.requests, session.calls) == (1, 1)

    stoppable.stop()
    clock.advance(TTL + 1)
    for _ in range(20):
        assert verifier.verify(access_token(pool, clock)).token_use == "access"
    assert session.calls == 2
    assert len(warnings_of(caplog)) == 1
    assert "connection refused" in warnings_of(caplog)[0].getMessage()

    clock.advance(COOLDOWN + 0.5)
    for _ in range(20):
        verifier.verify(access_token(pool, clock))
    assert session.calls == 3

    clock.advance(MAX_STALE)
    with pytest.raises(JWKSFetchError):
        verifier.verify(access_token(pool, clock))
    assert session.calls == 4
    assert stoppable.state.requests == 1


@pytest.mark.parametrize(("outage", "error"), OUTAGES)
def test_cold_start_failure_raises_then_fails_fast_during_the_cooldown(
    served_pool: tuple[FakeUserPool, JWKSServer],
    clock: FakeClock,
    outage: str,
    error: type[JWKSError],
) -> None:
    pool, server = served_pool
    break_server(server, pool, outage)
    verifier = fetching_verifier(pool, server.url, clock)
    token = id_token(pool, clock)

    with pytest.raises(error):
        verifier.verify(token)
    assert server.requests == 1

    started = time.monotonic()
    for _ in range(10):
        with pytest.raises(error):
            verifier.verify(token)
        with pytest.raises(error):
            asyncio.run(verifier.averify(token))
    assert time.monotonic() - started < 0.5
    assert server.requests == 1

    clock.advance(COOLDOWN)
    with pytest.raises(error):
        verifier.verify(token)
    assert server.requests == 2

    # Once the server is healthy again, the next attempt after the cooldown works.
    server.status, server.respond, server.body = 200, None, pool.jwks
    clock.advance(COOLDOWN)
    assert verifier.verify(token).username == "alice"
    assert server.requests == 3


def test_cold_start_with_connection_refused(pool: FakeUserPool, clock: FakeClock) -> None:
    session = CountingSession()
    verifier = fetching_verifier(pool, closed_port_url(), clock, session=session)
    token = id_token(pool, clock)

    with pytest.raises(JWKSFetchError, match="failed"):
        verifier.verify(token)
    assert session.calls == 1
    started = time.monotonic()
    with pytest.raises(JWKSFetchError):
        verifier.verify(token)
    assert time.monotonic() - started < 0.5
    assert session.calls == 1


def test_a_cold_start_failure_is_logged_as_an_error(
    served_pool: tuple[FakeUserPool, JWKSServer],
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="cognito_jwt")
    pool, server = served_pool
    server.status = 503
    verifier = fetching_verifier(pool, server.url, clock)
    with pytest.raises(JWKSFetchError, match="503"):
        verifier.verify(id_token(pool, clock))
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "503" in errors[0].getMessage()


# --------------------------------------------------------------------------- unknown kid


def test_unknown_kid_refetches_once_then_waits_out_the_cooldown(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    verifier = fetching_verifier(pool, server.url, clock)
    verifier.verify(id_token(pool, clock))
    assert server.requests == 1

    stranger = generate_key(STRANGER)
    with pytest.raises(UnknownKeyError) as info:
        verifier.verify(id_token(pool, clock, signing_key=stranger))
    assert info.value.kid == stranger.kid
    assert server.requests == 2

    # Further unknown kids fail fast without a request; known kids still verify.
    for slot in (STRANGER, STRANGER_2, STRANGER_3):
        with pytest.raises(UnknownKeyError):
            verifier.verify(access_token(pool, clock, signing_key=generate_key(slot)))
        with pytest.raises(UnknownKeyError):
            asyncio.run(verifier.averify(id_token(pool, clock, signing_key=generate_key(slot))))
        verifier.verify(access_token(pool, clock))
    clock.advance(COOLDOWN - 0.5)
    with pytest.raises(UnknownKeyError):
        verifier.verify(id_token(pool, clock, signing_key=stranger))
    assert server.requests == 2

    # After the cooldown one more refetch is allowed, and again only one.
    clock.advance(1)
    for _ in range(5):
        with pytest.raises(UnknownKeyError):
            verifier.verify(id_token(pool, clock, signing_key=stranger))
    assert server.requests == 3


def test_unknown_kid_whose_refetch_fails_is_a_fetch_error(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    verifier = fetching_verifier(pool, server.url, clock)
    verifier.verify(id_token(pool, clock))
    server.status = 500

    with pytest.raises(JWKSFetchError):
        verifier.verify(id_token(pool, clock, signing_key=generate_key(STRANGER)))
    assert server.requests == 2
    # The good keys are untouched, and the failure starts the cooldown too.
    verifier.verify(id_token(pool, clock))
    with pytest.raises(UnknownKeyError):
        verifier.verify(id_token(pool, clock, signing_key=generate_key(STRANGER_2)))
    assert server.requests == 2


def test_unknown_kid_in_the_first_fetch_starts_the_cooldown(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    verifier = fetching_verifier(pool, server.url, clock)

    with pytest.raises(UnknownKeyError):
        verifier.verify(id_token(pool, clock, signing_key=generate_key(STRANGER)))
    assert server.requests == 1
    # The set was fetched a moment ago for this very miss: no second fetch.
    for slot in (STRANGER, STRANGER_2):
        with pytest.raises(UnknownKeyError):
            verifier.verify(id_token(pool, clock, signing_key=generate_key(slot)))
    verifier.verify(id_token(pool, clock))
    assert server.requests == 1


def test_kid_dropped_by_a_ttl_refresh_starts_the_cooldown(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    id_key, _ = pool.signing_keys
    verifier = fetching_verifier(pool, server.url, clock)
    verifier.verify(access_token(pool, clock))

    server.body = jwks_of(id_key)  # the access-token key is withdrawn
    clock.advance(TTL + 1)
    with pytest.raises(UnknownKeyError):
        verifier.verify(access_token(pool, clock))
    assert server.requests == 2
    with pytest.raises(UnknownKeyError):
        verifier.verify(access_token(pool, clock))
    verifier.verify(id_token(pool, clock))
    assert server.requests == 2


# --------------------------------------------------------------------------- rotation


def test_a_rotated_in_key_verifies_after_exactly_one_refetch(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    verifier = fetching_verifier(pool, server.url, clock)
    verifier.verify(id_token(pool, clock))

    newcomer = generate_key(NEWCOMER)
    server.body = {"keys": [*pool.jwks["keys"], newcomer.public_jwk]}
    assert verifier.verify(id_token(pool, clock, signing_key=newcomer)).username == "alice"
    assert server.requests == 2
    verifier.verify(access_token(pool, clock, signing_key=newcomer))
    verifier.verify(id_token(pool, clock))
    verifier.verify(access_token(pool, clock))
    assert server.requests == 2


def test_the_same_key_under_a_new_kid_replaces_the_old_kid(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    id_key, access_key = pool.signing_keys
    verifier = fetching_verifier(pool, server.url, clock)
    verifier.verify(id_token(pool, clock))

    renamed = id_key.with_kid("rotated-id-key")
    server.body = jwks_of(renamed, access_key)
    assert verifier.verify(id_token(pool, clock, signing_key=renamed)).token_use == "id"
    assert server.requests == 2
    # The old kid went with that refetch; a token naming it is refused at once
    # (the refetch for the new kid started the cooldown).
    with pytest.raises(UnknownKeyError):
        verifier.verify(id_token(pool, clock))
    assert server.requests == 2
    clock.advance(COOLDOWN)
    with pytest.raises(UnknownKeyError):
        verifier.verify(id_token(pool, clock))
    assert server.requests == 3


def test_removed_keys_stop_verifying_after_the_refetch(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    id_key, _ = pool.signing_keys
    verifier = fetching_verifier(pool, server.url, clock)
    verifier.verify(access_token(pool, clock))

    server.body = jwks_of(id_key)
    clock.advance(TTL - 1)
    verifier.verify(access_token(pool, clock))  # still within the TTL: not refetched
    assert server.requests == 1
    clock.advance(2)
    verifier.verify(id_token(pool, clock))
    assert server.requests == 2
    with pytest.raises(UnknownKeyError):
        verifier.verify(access_token(pool, clock))


def test_token_cache_is_cleared_when_the_key_set_changes(
    served_pool: tuple[FakeUserPool, JWKSServer],
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pool, server = served_pool
    id_key, _ = pool.signing_keys
    checks = count_signature_checks(monkeypatch)
    # A TTL under the token cache's 60 s, so cached claims outlive a refetch.
    verifier = fetching_verifier(pool, server.url, clock, token_cache_size=1024, jwks_ttl=30.0)
    token = access_token(pool, clock)
    verifier.verify(token)
    verifier.verify(token)
    assert checks() == 1

    server.body = jwks_of(id_key)  # the key of `token` is withdrawn
    clock.advance(31)
    verifier.verify(id_token(pool, clock))
    assert server.requests == 2
    with pytest.raises(UnknownKeyError):
        verifier.verify(token)


def test_token_cache_survives_refetching_an_identical_set(
    served_pool: tuple[FakeUserPool, JWKSServer],
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pool, server = served_pool
    checks = count_signature_checks(monkeypatch)
    verifier = fetching_verifier(pool, server.url, clock, token_cache_size=1024, jwks_ttl=30.0)
    token = access_token(pool, clock)
    verifier.verify(token)
    assert checks() == 1

    clock.advance(31)
    verifier.verify(id_token(pool, clock))
    assert server.requests == 2
    assert checks() == 2
    assert verifier.verify(token).username == "alice"
    assert checks() == 2  # served from the verified-token cache


def test_key_objects_are_reused_when_a_refetch_brings_the_same_material(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    id_key, access_key = pool.signing_keys
    verifier = fetching_verifier(pool, server.url, clock)
    verifier.verify(id_token(pool, clock))
    before = store_of(verifier).current_keys(verifier.issuer)
    assert set(before) == {id_key.kid, access_key.kid}

    clock.advance(TTL + 1)
    verifier.verify(id_token(pool, clock))
    assert server.requests == 2
    after = store_of(verifier).current_keys(verifier.issuer)
    for kid in before:
        assert after[kid] is before[kid]
        assert after[kid].jose_key is before[kid].jose_key

    # New material under a known kid is a new key, built afresh.
    other = generate_key(NEWCOMER).private_key
    server.body = {"keys": [SigningKey(id_key.kid, other).public_jwk, access_key.public_jwk]}
    clock.advance(TTL + 1)
    with pytest.raises(InvalidSignatureError):
        verifier.verify(id_token(pool, clock))
    assert server.requests == 3
    latest = store_of(verifier).current_keys(verifier.issuer)
    assert latest[access_key.kid] is before[access_key.kid]
    assert latest[id_key.kid] is not before[id_key.kid]
    assert latest[id_key.kid].jose_key is not before[id_key.kid].jose_key


def test_parse_jwks_reuses_previous_keys_of_same_kid_and_material(pool: FakeUserPool) -> None:
    id_key, access_key = pool.signing_keys
    first = parse_jwks(jwks_of(id_key, access_key))
    again = parse_jwks(json.dumps(jwks_of(id_key, access_key)).encode(), first)
    assert again[id_key.kid] is first[id_key.kid]
    assert again[access_key.kid] is first[access_key.kid]

    swapped = parse_jwks(
        {"keys": [SigningKey(id_key.kid, access_key.private_key).public_jwk]}, first
    )
    assert swapped[id_key.kid] is not first[id_key.kid]
    assert swapped[id_key.kid].n == first[access_key.kid].n


# --------------------------------------------------------------------------- static and seeded keys


def test_static_keys_are_never_fetched_and_never_expire(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    verifier = pool.verifier(jwks=pool.jwks, jwks_url=server.url, clock=clock, jwks_ttl=1.0)
    verifier.verify(id_token(pool, clock))
    clock.advance(10 * 365 * 86400.0)
    verifier.verify(id_token(pool, clock))
    verifier.verify(access_token(pool, clock))
    with pytest.raises(UnknownKeyError):
        verifier.verify(id_token(pool, clock, signing_key=generate_key(STRANGER)))
    with pytest.raises(UnknownKeyError):
        asyncio.run(verifier.averify(id_token(pool, clock, signing_key=generate_key(STRANGER))))
    assert server.requests == 0


def test_fetch_and_load_are_configuration_errors_with_static_keys(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    verifier = pool.verifier(jwks=pool.jwks, jwks_url=server.url, clock=clock)
    with pytest.raises(ConfigurationError, match="fetch_jwks"):
        verifier.fetch_jwks()
    with pytest.raises(ConfigurationError, match="load_jwks"):
        verifier.load_jwks(pool.jwks)
    assert server.requests == 0


@pytest.mark.parametrize("form", ["mapping", "JSON text", "path str", "pathlib.Path"])
def test_load_jwks_seeds_the_cache_until_the_ttl(
    served_pool: tuple[FakeUserPool, JWKSServer],
    clock: FakeClock,
    tmp_path: Path,
    form: str,
) -> None:
    pool, server = served_pool
    verifier = fetching_verifier(pool, server.url, clock)
    file = tmp_path / "jwks.json"
    file.write_text(json.dumps(pool.jwks))
    source: Any = {
        "mapping": pool.jwks,
        "JSON text": "\n  " + json.dumps(pool.jwks),
        "path str": str(file),
        "pathlib.Path": file,
    }[form]

    assert verifier.load_jwks(source) == 2
    verifier.verify(id_token(pool, clock))
    clock.advance(TTL - 1)
    verifier.verify(access_token(pool, clock))
    assert server.requests == 0

    clock.advance(2)
    verifier.verify(access_token(pool, clock))
    assert server.requests == 1


def test_rotation_still_works_after_load_jwks(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    id_key, _ = pool.signing_keys
    verifier = fetching_verifier(pool, server.url, clock)
    assert verifier.load_jwks(jwks_of(id_key)) == 1
    verifier.verify(id_token(pool, clock))
    assert server.requests == 0
    # The access key is not in the loaded file: one refetch brings it.
    verifier.verify(access_token(pool, clock))
    assert server.requests == 1


def test_load_jwks_refuses_what_is_not_a_usable_jwks(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock, tmp_path: Path
) -> None:
    pool, server = served_pool
    verifier = fetching_verifier(pool, server.url, clock)
    with pytest.raises(JWKSFormatError):
        verifier.load_jwks({"keys": []})
    with pytest.raises(JWKSFormatError):
        verifier.load_jwks("{not json")
    with pytest.raises(ConfigurationError):
        verifier.load_jwks(tmp_path / "missing.json")
    assert server.requests == 0


def test_fetch_jwks_fetches_now_and_counts_usable_keys(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    server.body = {"keys": [*pool.jwks["keys"], {"kty": "EC", "kid": "ec", "crv": "P-256"}]}
    verifier = fetching_verifier(pool, server.url, clock)
    assert verifier.fetch_jwks() == 2
    assert server.requests == 1
    verifier.verify(id_token(pool, clock))
    verifier.verify(access_token(pool, clock))
    assert server.requests == 1
    # A warm-up always fetches, whatever the cache holds.
    assert verifier.fetch_jwks() == 2
    assert server.requests == 2


@pytest.mark.parametrize(("outage", "error"), OUTAGES)
def test_fetch_jwks_raises_when_the_fetch_fails(
    served_pool: tuple[FakeUserPool, JWKSServer],
    clock: FakeClock,
    outage: str,
    error: type[JWKSError],
) -> None:
    pool, server = served_pool
    break_server(server, pool, outage)
    verifier = fetching_verifier(pool, server.url, clock)
    with pytest.raises(error):
        verifier.fetch_jwks()
    assert server.requests == 1


# --------------------------------------------------------------------------- URL rules


@pytest.mark.parametrize(
    "url",
    [
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_X/.well-known/jwks.json",
        "http://127.0.0.1:9229/eu-west-1_X/.well-known/jwks.json",
        "http://127.1.2.3/jwks.json",
        "http://localhost:8080/jwks.json",
        "http://LOCALHOST/jwks.json",
        "http://[::1]:8080/jwks.json",
    ],
)
def test_https_or_loopback_http_urls_are_accepted(url: str) -> None:
    assert check_jwks_url(url, allow_http=False) == url


@pytest.mark.parametrize(
    "url",
    [
        "http://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_X/.well-known/jwks.json",
        "http://10.0.0.1/jwks.json",
        "http://localhost.example.com/jwks.json",
        "http://127.0.0.1.nip.io/jwks.json",
        "http://[::2]/jwks.json",
    ],
)
def test_plain_http_to_other_hosts_needs_allow_http(url: str) -> None:
    with pytest.raises(ConfigurationError, match="allow_http"):
        check_jwks_url(url, allow_http=False)
    assert check_jwks_url(url, allow_http=True) == url


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/jwks.json",
        "file:///etc/passwd",
        "example.com/jwks.json",
        "https:///jwks.json",
        "https://user:secret@example.com/jwks.json",
        "",
    ],
)
def test_other_urls_are_refused_even_with_allow_http(url: str) -> None:
    with pytest.raises(ConfigurationError):
        check_jwks_url(url, allow_http=True)


def test_the_constructor_checks_the_jwks_url(pool: FakeUserPool) -> None:
    plain = "http://jwks.example.com/.well-known/jwks.json"
    with pytest.raises(ConfigurationError, match="http"):
        pool.verifier(jwks_url=plain)
    assert pool.verifier(jwks_url=plain, allow_http=True).jwks_url == plain
    assert pool.verifier(jwks_url="http://localhost:9229/jwks.json").jwks_url.startswith("http:")
    with pytest.raises(ConfigurationError):
        pool.verifier(jwks_url="ftp://example.com/jwks.json", allow_http=True)


# --------------------------------------------------------------------------- HTTP rules


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_are_refused_and_never_followed(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock, status: int
) -> None:
    pool, server = served_pool
    server.status = status
    server.headers = {"Location": f"{server.base_url}/elsewhere.json"}
    verifier = fetching_verifier(pool, server.url, clock)
    with pytest.raises(JWKSFetchError, match="redirect"):
        verifier.verify(id_token(pool, clock))
    assert server.paths == ["/.well-known/jwks.json"]


@pytest.mark.parametrize("status", [201, 204, 304, 400, 403, 404, 500, 502, 503])
def test_only_status_200_is_accepted(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock, status: int
) -> None:
    pool, server = served_pool
    server.status = status  # with the pool's keys as the body all the same
    verifier = fetching_verifier(pool, server.url, clock)
    with pytest.raises(JWKSFetchError, match=str(status)):
        verifier.verify(id_token(pool, clock))
    assert server.requests == 1


BODY_FRAMINGS = [
    pytest.param(answer, id="content-length"),
    pytest.param(answer_without_length, id="no-content-length"),
    pytest.param(answer_chunked, id="chunked"),
]


@pytest.mark.parametrize("framing", BODY_FRAMINGS)
def test_a_body_of_64_kib_is_read(
    served_pool: tuple[FakeUserPool, JWKSServer],
    clock: FakeClock,
    framing: Callable[[bytes], Respond],
) -> None:
    pool, server = served_pool
    server.respond = framing(padded(pool.jwks, MAX_JWKS_BYTES))
    verifier = fetching_verifier(pool, server.url, clock)
    assert verifier.verify(id_token(pool, clock)).username == "alice"
    assert server.requests == 1


@pytest.mark.parametrize("framing", BODY_FRAMINGS)
@pytest.mark.parametrize("size", [MAX_JWKS_BYTES + 1, 1024 * 1024])
def test_a_body_over_64_kib_is_refused(
    served_pool: tuple[FakeUserPool, JWKSServer],
    clock: FakeClock,
    framing: Callable[[bytes], Respond],
    size: int,
) -> None:
    pool, server = served_pool
    server.respond = framing(padded(pool.jwks, size))
    verifier = fetching_verifier(pool, server.url, clock)
    with pytest.raises(JWKSFetchError, match="over"):
        verifier.verify(id_token(pool, clock))
    assert server.requests == 1


def test_a_declared_length_over_64_kib_is_refused_before_reading(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool

    def respond(handler: BaseHTTPRequestHandler) -> None:
        def write() -> None:
            handler.send_response(200)
            handler.send_header("Content-Length", str(10 * MAX_JWKS_BYTES))
            handler.end_headers()
            handler.wfile.write(b'{"keys": [')  # and never the rest

        quietly(write)
        time.sleep(2)

    server.respond = respond
    verifier = fetching_verifier(pool, server.url, clock, timeout=5.0)
    started = time.monotonic()
    with pytest.raises(JWKSFetchError, match=str(10 * MAX_JWKS_BYTES)):
        verifier.verify(id_token(pool, clock))
    assert time.monotonic() - started < 1.0


def slow_headers(handler: BaseHTTPRequestHandler) -> None:
    dribble(handler, b"HTTP/1.0 200 OK\r\n" + b"X-Padding: " + b"a" * 200 + b"\r\n\r\n", 0.02)


def slow_body_without_length(handler: BaseHTTPRequestHandler) -> None:
    quietly(lambda: handler.send_response(200))
    quietly(handler.end_headers)
    dribble(handler, b'{"keys": []' + b" " * 200 + b"}", 0.02)


def slow_body(handler: BaseHTTPRequestHandler) -> None:
    body = b'{"keys": []' + b" " * 200 + b"}"

    def head() -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()

    quietly(head)
    dribble(handler, body, 0.02)


SLOW_SERVERS = [
    pytest.param(3.0, answer(b'{"keys": []}'), id="answers-after-3s"),
    pytest.param(0.0, slow_body, id="dribbles-the-body"),
    pytest.param(0.0, slow_body_without_length, id="dribbles-a-body-without-length"),
    pytest.param(0.0, answer_chunked(b'{"keys": []' + b" " * 200 + b"}", pause=0.02), id="chunks"),
    pytest.param(0.0, slow_headers, id="dribbles-the-headers"),
]


@pytest.mark.parametrize(("delay", "respond"), SLOW_SERVERS)
def test_a_slow_server_times_out_within_the_timeout(
    served_pool: tuple[FakeUserPool, JWKSServer],
    clock: FakeClock,
    delay: float,
    respond: Respond,
) -> None:
    pool, server = served_pool
    server.delay, server.respond = delay, respond
    timeout = 0.5
    verifier = fetching_verifier(pool, server.url, clock, timeout=timeout)
    token = id_token(pool, clock)

    started = time.monotonic()
    with pytest.raises(JWKSFetchError, match="timed out"):
        verifier.verify(token)
    elapsed = time.monotonic() - started

    assert elapsed < timeout + 1.0
    assert server.requests == 1
    # The cooldown then answers at once, without waiting on the server again.
    started = time.monotonic()
    with pytest.raises(JWKSFetchError):
        verifier.verify(token)
    assert time.monotonic() - started < 0.2
    assert server.requests == 1


def test_keys_are_fetched_over_https(
    tls_jwks_server: JWKSServer, pool: FakeUserPool, clock: FakeClock
) -> None:
    verifier = fetching_verifier(pool, tls_jwks_server.url, clock)
    verifier.verify(id_token(pool, clock))
    clock.advance(TTL + 1)
    verifier.verify(access_token(pool, clock))
    assert tls_jwks_server.requests == 2


@pytest.mark.parametrize(
    "respond",
    [
        pytest.param(slow_headers, id="dribbles-the-headers"),
        pytest.param(slow_body, id="dribbles-the-body"),
    ],
)
def test_a_slow_https_server_times_out_within_the_timeout(
    tls_jwks_server: JWKSServer, pool: FakeUserPool, clock: FakeClock, respond: Respond
) -> None:
    tls_jwks_server.respond = respond
    verifier = fetching_verifier(pool, tls_jwks_server.url, clock, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(JWKSFetchError, match="timed out"):
        verifier.verify(id_token(pool, clock))
    assert time.monotonic() - started < 1.5


def test_the_fetcher_times_out_a_dribbling_body_with_a_callers_session(
    jwks_server: JWKSServer,
) -> None:
    jwks_server.respond = slow_body
    fetch = HttpFetcher(requests.Session(), timeout=0.5)
    started = time.monotonic()
    with pytest.raises(JWKSFetchError, match="timed out"):
        fetch(jwks_server.url)
    assert time.monotonic() - started < 1.5


def test_the_deadline_ends_a_read_in_progress_with_a_callers_session(
    jwks_server: JWKSServer,
) -> None:
    # A byte every 0.9 s never trips the 1 s read timeout; checking the deadline
    # between reads alone would notice it only at the second byte, at 1.8 s.
    def sparse_body(handler: BaseHTTPRequestHandler) -> None:
        def head() -> None:
            handler.send_response(200)
            handler.send_header("Content-Length", "100")
            handler.end_headers()

        quietly(head)
        dribble(handler, b" " * 100, 0.9)

    jwks_server.respond = sparse_body
    fetch = HttpFetcher(requests.Session(), timeout=1.0)
    started = time.monotonic()
    with pytest.raises(JWKSFetchError, match="timed out"):
        fetch(jwks_server.url)
    assert time.monotonic() - started < 1.5


def test_the_fetcher_returns_the_body_and_sends_no_compression_request(
    jwks_server: JWKSServer,
) -> None:
    seen: dict[str, str | None] = {}

    def respond(handler: BaseHTTPRequestHandler) -> None:
        seen["accept-encoding"] = handler.headers.get("Accept-Encoding")
        answer(b'{"keys": []}')(handler)

    jwks_server.respond = respond
    fetch = HttpFetcher(None, timeout=2.0)
    assert fetch(jwks_server.url) == b'{"keys": []}'
    assert seen["accept-encoding"] == "identity"


# --------------------------------------------------------------------------- document rules


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"not json", id="not-json"),
        pytest.param(b"", id="empty"),
        pytest.param(b"\xff\xfe{}", id="not-utf8"),
        pytest.param(b"[]", id="array"),
        pytest.param(b'"keys"', id="string"),
        pytest.param(b"{}", id="no-keys"),
        pytest.param(b'{"keys": {}}', id="keys-an-object"),
        pytest.param(b'{"keys": "[]"}', id="keys-a-string"),
        pytest.param(b'{"keys": null}', id="keys-null"),
        pytest.param(b'{"keys": []}', id="keys-empty"),
        pytest.param(b'{"keys": [1, "x", null, []]}', id="keys-not-objects"),
        pytest.param(b'{"keys": [], "keys": []}', id="duplicate-member"),
        pytest.param(b'{"keys": [NaN]}', id="nan"),
    ],
)
def test_a_document_that_is_not_a_jwks_is_a_format_error(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock, body: bytes
) -> None:
    pool, server = served_pool
    server.body = body
    verifier = fetching_verifier(pool, server.url, clock)
    with pytest.raises(JWKSFormatError):
        verifier.verify(id_token(pool, clock))
    assert server.requests == 1


def _edited(key: SigningKey, **changes: Any) -> dict[str, Any]:
    jwk = key.public_jwk
    for name, value in changes.items():
        if value is None:
            jwk.pop(name, None)
        else:
            jwk[name] = value
    return jwk


def _unusable_jwks() -> dict[str, dict[str, Any]]:
    key = generate_key(STRANGER)
    return {
        "kty oct": {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQ"},
        "kty EC": {
            "kty": "EC",
            "kid": "ec",
            "crv": "P-256",
            "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
            "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
        },
        "RSA with EC kty": _edited(key, kty="EC"),
        "kty missing": _edited(key, kty=None),
        "use enc": _edited(key, use="enc"),
        "alg RS512": _edited(key, alg="RS512"),
        "alg HS256": _edited(key, alg="HS256"),
        "alg none": _edited(key, alg="none"),
        "1024-bit": generate_key(STRANGER, bits=1024).public_jwk,
        "2047-bit": _edited(key, n=uint((1 << 2046) | 1)),
        "4097-bit": _edited(key, n=uint((1 << 4096) | 1)),
        "8192-bit": _edited(key, n=uint((1 << 8191) | 1)),
        "even modulus": _edited(key, n=uint(key.private_key.public_key().public_numbers().n - 1)),
        "even exponent": _edited(key, e=uint(65538)),
        "exponent 1": _edited(key, e=uint(1)),
        "exponent 0": _edited(key, e="AA"),
        "exponent over the modulus": _edited(key, e=uint((1 << 2049) | 1)),
        "n missing": _edited(key, n=None),
        "e missing": _edited(key, e=None),
        "n padded base64": _edited(key, n=key.public_jwk["n"] + "=="),
        "n standard base64": _edited(key, n=key.public_jwk["n"].replace("_", "/") + "+"),
        "n a number": _edited(key, n=12345),
        "kid missing": _edited(key, kid=None),
        "kid empty": _edited(key, kid=""),
        "kid a number": _edited(key, kid=7),
        "kid too long": _edited(key, kid="k" * 257),
    }


UNUSABLE = _unusable_jwks()


@pytest.mark.parametrize("name", sorted(UNUSABLE))
def test_unusable_keys_are_skipped(pool: FakeUserPool, name: str) -> None:
    id_key, _ = pool.signing_keys
    keys = parse_jwks({"keys": [UNUSABLE[name], id_key.public_jwk]})
    assert set(keys) == {id_key.kid}
    with pytest.raises(JWKSFormatError, match="no usable"):
        parse_jwks({"keys": [UNUSABLE[name]]})


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"alg": None}, id="alg-absent"),
        pytest.param({"use": None}, id="use-absent"),
        pytest.param({"alg": None, "use": None}, id="both-absent"),
        pytest.param({"x5t": "abc", "key_ops": ["verify"]}, id="extra-members"),
    ],
)
def test_rsa_signing_keys_without_optional_members_are_usable(
    pool: FakeUserPool, changes: dict[str, Any]
) -> None:
    id_key, _ = pool.signing_keys
    keys = parse_jwks({"keys": [_edited(id_key, **changes)]})
    assert set(keys) == {id_key.kid}


@pytest.mark.parametrize(
    ("bits", "exponent"), [(2048, 3), (2048, 65537), (4096, 65537), (4096, (1 << 64) + 1)]
)
def test_the_size_and_exponent_bounds_are_inclusive(bits: int, exponent: int) -> None:
    # Only the numbers are checked here, so a made-up modulus of the right size will do.
    modulus = (1 << (bits - 1)) | 0xFFFF_FFFF_FFFF_FFFF
    jwk = {"kty": "RSA", "kid": "k", "n": uint(modulus), "e": uint(exponent)}
    key = parse_jwks({"keys": [jwk]})["k"]
    assert (key.bits, key.e) == (bits, exponent)


def test_a_token_signed_by_a_skipped_key_is_refused(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    weak = generate_key(STRANGER, bits=1024)
    server.body = {"keys": [*pool.jwks["keys"], weak.public_jwk]}
    verifier = fetching_verifier(pool, server.url, clock)
    with pytest.raises(InvalidSignatureError, match="1024 bits"):
        verifier.verify(id_token(pool, clock, signing_key=weak))
    verifier.verify(id_token(pool, clock))
    # The set said why the kid is unusable: no refetch for it, however often it comes.
    for _ in range(3):
        with pytest.raises(InvalidSignatureError):
            verifier.verify(id_token(pool, clock, signing_key=weak))
    assert server.requests == 1


@pytest.mark.parametrize(
    "key_ops", [["encrypt"], ["sign"], [], "verify", {"verify": True}], ids=repr
)
def test_key_ops_must_allow_verify(pool: FakeUserPool, key_ops: object) -> None:
    id_key, access_key = pool.signing_keys
    jwks = {"keys": [{**id_key.public_jwk, "key_ops": key_ops}, access_key.public_jwk]}
    keys = parse_jwks(jwks)
    assert list(keys) == [access_key.kid]
    assert "key_ops" in keys.unusable[id_key.kid]
    verifier = pool.verifier(jwks=jwks)
    with pytest.raises(InvalidSignatureError, match="key_ops"):
        verifier.verify(pool.id_token())
    assert verifier.verify(pool.access_token()).token_use == "access"


def test_key_ops_with_verify_is_usable(pool: FakeUserPool) -> None:
    id_key, _ = pool.signing_keys
    keys = parse_jwks({"keys": [{**id_key.public_jwk, "key_ops": ["verify"]}]})
    assert list(keys) == [id_key.kid]


def test_a_set_of_only_unusable_keys_is_a_format_error(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    server.body = {"keys": [UNUSABLE["1024-bit"], UNUSABLE["use enc"], UNUSABLE["kty oct"]]}
    verifier = fetching_verifier(pool, server.url, clock)
    with pytest.raises(JWKSFormatError, match="no usable"):
        verifier.verify(id_token(pool, clock))


def test_a_duplicate_kid_refuses_the_whole_set(pool: FakeUserPool) -> None:
    id_key, access_key = pool.signing_keys
    twin = SigningKey(id_key.kid, access_key.private_key)
    for keys in (
        [id_key.public_jwk, id_key.public_jwk],
        [id_key.public_jwk, twin.public_jwk, access_key.public_jwk],
        [UNUSABLE["kty oct"] | {"kid": id_key.kid}, id_key.public_jwk],
    ):
        with pytest.raises(JWKSFormatError, match="repeats kid"):
            parse_jwks({"keys": keys})


def test_a_served_duplicate_kid_refuses_the_whole_set(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    id_key, access_key = pool.signing_keys
    twin = SigningKey(id_key.kid, generate_key(STRANGER).private_key)
    server.body = jwks_of(id_key, access_key, twin)
    verifier = fetching_verifier(pool, server.url, clock)
    with pytest.raises(JWKSFormatError, match="repeats kid"):
        verifier.verify(access_token(pool, clock))
    # Not even the token signed by the twin's material gets through.
    with pytest.raises(JWKSFormatError):
        verifier.verify(id_token(pool, clock, signing_key=twin))


# --------------------------------------------------------------------------- issuers


def test_each_issuer_has_its_own_jwks_url_and_keys(pool: FakeUserPool, clock: FakeClock) -> None:
    verifier = CognitoVerifier(
        pool.region,
        pool.user_pool_id,
        client_ids=pool.client_id,
        token_use=None,
        additional_regions=["us-east-1"],
        token_cache_size=0,
        clock=clock,
    )
    issuer_a = pool.issuer
    issuer_b = f"https://cognito-idp.us-east-1.amazonaws.com/{pool.user_pool_id}"
    updated_a = f"https://issuer-cognito-idp.eu-west-1.amazonaws.com/{pool.user_pool_id}"
    assert {issuer_a, issuer_b, updated_a} <= set(verifier.issuers)
    key_a, _ = pool.signing_keys
    key_b = generate_key(NEWCOMER)
    url_a = f"{issuer_a}/.well-known/jwks.json"
    url_b = f"{issuer_b}/.well-known/jwks.json"
    url_updated = f"{updated_a}/.well-known/jwks.json"

    with responses.RequestsMock() as mock:
        mock.get(url_a, json=jwks_of(key_a))
        mock.get(url_b, json=jwks_of(key_b))
        mock.get(url_updated, json=jwks_of(key_a))

        def calls(url: str) -> int:
            return sum(1 for call in mock.calls if call.request.url == url)

        assert verifier.verify(id_token(pool, clock, signing_key=key_a))["iss"] == issuer_a
        b_token = id_token(pool, clock, signing_key=key_b, claims={"iss": issuer_b})
        assert verifier.verify(b_token)["iss"] == issuer_b
        updated = id_token(pool, clock, signing_key=key_a, claims={"iss": updated_a})
        assert verifier.verify(updated)["iss"] == updated_a
        assert (calls(url_a), calls(url_b), calls(url_updated)) == (1, 1, 1)

        # Issuer A's key does not verify a token claiming issuer B, nor the reverse.
        with pytest.raises(UnknownKeyError):
            verifier.verify(id_token(pool, clock, signing_key=key_a, claims={"iss": issuer_b}))
        with pytest.raises(UnknownKeyError):
            verifier.verify(id_token(pool, clock, signing_key=key_b))
        assert (calls(url_a), calls(url_b), calls(url_updated)) == (2, 2, 1)
        assert len(mock.calls) == 5


def test_a_token_of_another_issuer_is_rejected_before_any_fetch(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    verifier = fetching_verifier(pool, server.url, clock)
    other = FakeUserPool(user_pool_id="eu-west-1_OtherPool")
    token = other.id_token(issued_at=clock.now)
    with pytest.raises(InvalidIssuerError):
        verifier.verify(token)
    with pytest.raises(InvalidIssuerError):
        asyncio.run(verifier.averify(token))
    forged = id_token(pool, clock, claims={"iss": "https://evil.example.com/eu-west-1_TestPool1"})
    with pytest.raises(InvalidIssuerError):
        verifier.verify(forged)
    assert server.requests == 0


# --------------------------------------------------------------------------- secrecy


def test_messages_and_logs_never_contain_the_token(
    served_pool: tuple[FakeUserPool, JWKSServer],
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="cognito_jwt")
    pool, server = served_pool
    tokens: list[str] = []
    errors: list[BaseException] = []

    def attempt(verifier: CognitoVerifier, token: str) -> None:
        tokens.append(token)
        with pytest.raises(CognitoJWTError) as info:
            verifier.verify(token)
        errors.append(info.value)

    verifier = fetching_verifier(pool, server.url, clock)
    good = id_token(pool, clock)
    verifier.verify(good)
    tokens.append(good)
    attempt(verifier, id_token(pool, clock, signing_key=generate_key(STRANGER)))
    head, payload, signature = id_token(pool, clock).split(".")
    attempt(verifier, f"{head}.{payload}.{signature[::-1]}")
    attempt(verifier, FakeUserPool(user_pool_id="eu-west-1_OtherPool").id_token())
    server.status = 500
    clock.advance(TTL + 1)
    verifier.verify(id_token(pool, clock))  # stale, with a warning
    attempt(fetching_verifier(pool, server.url, clock), id_token(pool, clock))
    server.status, server.body = 200, b"not json"
    attempt(fetching_verifier(pool, server.url, clock), access_token(pool, clock))

    assert len(errors) == 5
    assert len(warnings_of(caplog)) == 1
    texts = [text for exc in errors for text in (str(exc), repr(exc))]
    texts += [record.getMessage() for record in caplog.records]
    texts += [record.exc_text or "" for record in caplog.records]
    for token in tokens:
        signature = token.rsplit(".", 1)[1]
        for text in texts:
            assert token not in text
            assert signature not in text
            assert signature[:16] not in text
