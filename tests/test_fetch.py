"""The JWKS fetch: URL rules, HTTP rules, the size cap and the whole-request deadline.

Real sleeps appear only where network timing is the point (timeouts need a slow server).
"""

from __future__ import annotations

import json
import logging
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import requests

from cognito_jwt import ConfigurationError, JWKSFetchError
from cognito_jwt._fetch import MAX_JWKS_BYTES, HttpFetcher
from cognito_jwt._pool import check_jwks_url
from cognito_jwt.testing import FakeUserPool
from tests.conftest import FakeClock, JWKSServer, running_jwks_server
from tests.jwks_helpers import (
    TTL,
    CountingSession,
    Respond,
    access_token,
    answer,
    answer_chunked,
    answer_without_length,
    closed_port_url,
    dribble,
    fetching_verifier,
    hang_up,
    id_token,
    padded,
    quietly,
    self_signed_loopback_certificate,
)


@pytest.fixture
def tls_jwks_server(
    pool: FakeUserPool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[JWKSServer]:
    """A JWKS server on https://127.0.0.1, trusted through REQUESTS_CA_BUNDLE."""
    cert_file, key_file = self_signed_loopback_certificate(tmp_path)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert_file))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    with running_jwks_server(JWKSServer(body=pool.jwks), context) as state:
        yield state


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


# --------------------------------------------------------------------------- one retry


def test_a_connection_closed_without_an_answer_is_retried_once_at_once(
    jwks_server: JWKSServer,
) -> None:
    def drop_the_first(handler: BaseHTTPRequestHandler) -> None:
        if jwks_server.requests == 1:
            hang_up(handler)
        else:
            answer(b'{"keys": []}')(handler)

    jwks_server.respond = drop_the_first
    assert HttpFetcher(None, timeout=5.0)(jwks_server.url) == b'{"keys": []}'
    assert jwks_server.requests == 2


def test_a_connection_closed_twice_fails_after_one_retry(jwks_server: JWKSServer) -> None:
    jwks_server.respond = hang_up
    with pytest.raises(JWKSFetchError, match="failed"):
        HttpFetcher(None, timeout=5.0)(jwks_server.url)
    assert jwks_server.requests == 2


def test_a_refused_connection_is_retried_once() -> None:
    session = CountingSession()
    with pytest.raises(JWKSFetchError, match="connection refused"):
        HttpFetcher(session, timeout=5.0)(closed_port_url())
    assert session.calls == 2


def test_a_timeout_is_not_retried(jwks_server: JWKSServer) -> None:
    release = threading.Event()

    def stall(handler: BaseHTTPRequestHandler) -> None:
        release.wait(10)
        hang_up(handler)

    jwks_server.respond = stall
    try:
        with pytest.raises(JWKSFetchError, match="timed out"):
            HttpFetcher(None, timeout=0.3)(jwks_server.url)
    finally:
        release.set()
    assert jwks_server.requests == 1


@pytest.mark.parametrize("status", [500, 503, 404, 302])
def test_an_http_error_is_not_retried(jwks_server: JWKSServer, status: int) -> None:
    jwks_server.status = status
    with pytest.raises(JWKSFetchError, match=str(status)):
        HttpFetcher(None, timeout=5.0)(jwks_server.url)
    assert jwks_server.requests == 1


def test_a_tls_failure_is_not_retried(pool: FakeUserPool, tmp_path: Path) -> None:
    # A certificate the client does not trust: not a connection that broke.
    cert_file, key_file = self_signed_loopback_certificate(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    session = CountingSession()
    with (
        running_jwks_server(JWKSServer(body=pool.jwks), context) as server,
        pytest.raises(JWKSFetchError, match="failed"),
    ):
        HttpFetcher(session, timeout=5.0)(server.url)
    assert session.calls == 1


def test_the_retry_is_logged_at_debug_level(
    jwks_server: JWKSServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="cognito_jwt")
    jwks_server.respond = hang_up
    with pytest.raises(JWKSFetchError):
        HttpFetcher(None, timeout=5.0)(jwks_server.url)
    retries = [r for r in caplog.records if "retrying once" in r.getMessage()]
    assert len(retries) == 1
    assert retries[0].levelno == logging.DEBUG


def test_a_verification_counts_a_retried_fetch_as_one_attempt(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool

    def drop_the_first(handler: BaseHTTPRequestHandler) -> None:
        if server.requests == 1:
            hang_up(handler)
        else:
            answer(json.dumps(pool.jwks).encode())(handler)

    server.respond = drop_the_first
    verifier = fetching_verifier(pool, server.url, clock)
    assert verifier.verify(id_token(pool, clock)).token_use == "id"
    stats = verifier.stats()
    assert (server.requests, stats.jwks_fetch_success, stats.jwks_fetch_failed) == (2, 1, 0)


# --------------------------------------------------------------------------- imports


def test_a_verifier_with_static_keys_never_imports_the_http_stack(pool: FakeUserPool) -> None:
    # In a fresh interpreter: requests (and urllib3 under it) are imported only by
    # the fetcher, the test kit and the command line, none of which runs here.
    script = (
        "import json, sys\n"
        "import cognito_jwt\n"
        f"jwks = json.loads({json.dumps(pool.jwks)!r})\n"
        "verifier = cognito_jwt.CognitoVerifier(\n"
        f"    {pool.region!r}, {pool.user_pool_id!r},\n"
        f"    client_ids={pool.client_id!r}, token_use=None, jwks=jwks)\n"
        f"verifier.verify({pool.access_token()!r})\n"
        "print(verifier.stats().allowed)\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in ('requests', 'urllib3')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split("\n")[:2] == ["1", "[]"]


def test_a_session_that_is_not_a_requests_session_is_refused(pool: FakeUserPool) -> None:
    with pytest.raises(ConfigurationError, match=r"requests\.Session"):
        pool.verifier(jwks=None, session=object())
