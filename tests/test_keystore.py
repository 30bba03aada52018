"""The key cache: TTL, outages, unknown kids, rotation, single flight, static and seeded keys.

Every cache scenario asserts how many requests the JWKS server saw. Time moves
only through the FakeClock; real sleeps appear only where network timing is the
point (single flight needs overlapping fetches).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import responses

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
from cognito_jwt.testing import FakeUserPool, SigningKey
from cognito_jwt.testing._keys import generate_key
from tests.conftest import FakeClock, JWKSServer
from tests.jwks_helpers import (
    COOLDOWN,
    MAX_STALE,
    NEWCOMER,
    STRANGER,
    STRANGER_2,
    STRANGER_3,
    TTL,
    CountingSession,
    StoppableServer,
    access_token,
    closed_port_url,
    count_signature_checks,
    fetching_verifier,
    hang_up,
    id_token,
    join_background_refreshes,
    jwks_of,
    quietly,
    store_of,
    warnings_of,
)


@pytest.fixture
def stoppable(pool: FakeUserPool) -> Iterator[StoppableServer]:
    server = StoppableServer(JWKSServer(body=pool.jwks))
    try:
        yield server
    finally:
        server.stop()


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


def requests_per_attempt(outage: str) -> int:
    """The requests one fetch attempt makes: a connection error is retried once at once."""
    return 2 if outage == "hang-up" else 1


@pytest.mark.parametrize(("outage", "error"), OUTAGES)
def test_stale_keys_serve_through_an_outage_for_max_stale(
    served_pool: tuple[FakeUserPool, JWKSServer],
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
    outage: str,
    error: type[JWKSError],
) -> None:
    per_attempt = requests_per_attempt(outage)
    caplog.set_level(logging.WARNING, logger="cognito_jwt")
    pool, server = served_pool
    verifier = fetching_verifier(pool, server.url, clock)
    fetched_at = clock.now
    verifier.verify(id_token(pool, clock))
    assert server.requests == 1

    break_server(server, pool, outage)
    clock.advance(TTL + 1)
    assert verifier.verify(id_token(pool, clock)).token_use == "id"
    assert server.requests == 1 + per_attempt
    assert len(warnings_of(caplog)) == 1
    assert server.url in warnings_of(caplog)[0].getMessage()

    # During the cooldown no request is made, however many verifications happen.
    for _ in range(20):
        verifier.verify(id_token(pool, clock))
        verifier.verify(access_token(pool, clock))
    clock.advance(COOLDOWN - 1)
    for _ in range(20):
        verifier.verify(access_token(pool, clock))
    assert server.requests == 1 + per_attempt

    # After the cooldown, exactly one more attempt.
    clock.advance(1.5)
    for _ in range(20):
        verifier.verify(access_token(pool, clock))
    assert server.requests == 1 + 2 * per_attempt
    assert len(warnings_of(caplog)) == 2

    # The last good keys serve until jwks_ttl + max_stale after their fetch...
    clock.now = fetched_at + TTL + MAX_STALE - 1
    verifier.verify(id_token(pool, clock))
    assert server.requests == 1 + 3 * per_attempt

    # ...and not after it: the keys are gone, the attempt is still cooling down.
    clock.now = fetched_at + TTL + MAX_STALE + 1
    started = time.monotonic()
    with pytest.raises(error):
        verifier.verify(id_token(pool, clock))
    assert time.monotonic() - started < 0.5
    assert server.requests == 1 + 3 * per_attempt

    clock.advance(COOLDOWN)
    with pytest.raises(error):
        verifier.verify(id_token(pool, clock))
    assert server.requests == 1 + 4 * per_attempt


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
    assert session.calls == 3  # one attempt: a request and its retry
    assert len(warnings_of(caplog)) == 1
    assert "connection refused" in warnings_of(caplog)[0].getMessage()

    clock.advance(COOLDOWN + 0.5)
    for _ in range(20):
        verifier.verify(access_token(pool, clock))
    assert session.calls == 5

    clock.advance(MAX_STALE)
    with pytest.raises(JWKSFetchError):
        verifier.verify(access_token(pool, clock))
    assert session.calls == 7
    assert stoppable.state.requests == 1


@pytest.mark.parametrize(("outage", "error"), OUTAGES)
def test_cold_start_failure_raises_then_fails_fast_during_the_cooldown(
    served_pool: tuple[FakeUserPool, JWKSServer],
    clock: FakeClock,
    outage: str,
    error: type[JWKSError],
) -> None:
    per_attempt = requests_per_attempt(outage)
    pool, server = served_pool
    break_server(server, pool, outage)
    verifier = fetching_verifier(pool, server.url, clock)
    token = id_token(pool, clock)

    with pytest.raises(error):
        verifier.verify(token)
    assert server.requests == per_attempt

    started = time.monotonic()
    for _ in range(10):
        with pytest.raises(error):
            verifier.verify(token)
        with pytest.raises(error):
            asyncio.run(verifier.averify(token))
    assert time.monotonic() - started < 0.5
    assert server.requests == per_attempt

    clock.advance(COOLDOWN)
    with pytest.raises(error):
        verifier.verify(token)
    assert server.requests == 2 * per_attempt

    # Once the server is healthy again, the next attempt after the cooldown works.
    server.status, server.respond, server.body = 200, None, pool.jwks
    clock.advance(COOLDOWN)
    assert verifier.verify(token).username == "alice"
    assert server.requests == 2 * per_attempt + 1


def test_cold_start_with_connection_refused(pool: FakeUserPool, clock: FakeClock) -> None:
    session = CountingSession()
    verifier = fetching_verifier(pool, closed_port_url(), clock, session=session)
    token = id_token(pool, clock)

    with pytest.raises(JWKSFetchError, match="failed"):
        verifier.verify(token)
    assert session.calls == 2  # the request and its one retry
    started = time.monotonic()
    with pytest.raises(JWKSFetchError):
        verifier.verify(token)
    assert time.monotonic() - started < 0.5
    assert session.calls == 2


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
    per_attempt = requests_per_attempt(outage)
    pool, server = served_pool
    break_server(server, pool, outage)
    verifier = fetching_verifier(pool, server.url, clock)
    with pytest.raises(error):
        verifier.fetch_jwks()
    assert server.requests == per_attempt


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


# --------------------------------------------------------------------------- refresh ahead

AHEAD = 60.0
# Longer than the gate below ever holds a request: a caller that waits for a held
# fetch is held until the gate opens, never released early by a timeout.
LONG_TIMEOUT = 30.0


class GatedAnswers:
    """Make the JWKS server hold every request at a gate the test opens.

    While the gate is shut no answer can be sent, so a verification that returns
    meanwhile provably did not wait for the fetch. ``arrived`` is set when a
    request reaches the gate; ``released`` counts the requests let through since
    the gate was last shut (counted before their answer is written). The answer
    is the server's ``status`` and ``body`` at the moment the gate opens.
    """

    def __init__(self, server: JWKSServer) -> None:
        self.server = server
        self.gate = threading.Event()
        self.arrived = threading.Event()
        self.released = 0
        server.respond = self._respond

    def _respond(self, handler: BaseHTTPRequestHandler) -> None:
        self.arrived.set()
        self.gate.wait(10)  # only a safety net: a failing test must not hang
        with self.server.lock:
            self.released += 1
        status, body = self.server.status, self.server.body_bytes()

        def write() -> None:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)

        quietly(write)

    def shut(self) -> None:
        """Hold every request from now on (call it when no request is under way)."""
        self.gate.clear()
        self.arrived.clear()
        self.released = 0


@pytest.fixture
def gated(served_pool: tuple[FakeUserPool, JWKSServer]) -> Iterator[GatedAnswers]:
    gated = GatedAnswers(served_pool[1])
    gated.gate.set()  # open until a test shuts it
    try:
        yield gated
    finally:
        gated.gate.set()
        join_background_refreshes()


def test_a_verification_in_the_refresh_window_does_not_wait_for_the_refresh(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock, gated: GatedAnswers
) -> None:
    pool, server = served_pool
    verifier = fetching_verifier(pool, server.url, clock, refresh_ahead=AHEAD, timeout=LONG_TIMEOUT)
    verifier.verify(id_token(pool, clock))
    assert server.requests == 1

    gated.shut()
    clock.advance(TTL - AHEAD + 1)
    for _ in range(10):
        assert verifier.verify(access_token(pool, clock)).token_use == "access"
    assert gated.arrived.wait(10)  # the refresh reached the server and waits there...
    assert gated.released == 0  # ...so every verification above returned without it
    assert server.requests == 2  # one refresh for all of them
    stats = verifier.stats()
    assert (stats.background_refreshes, stats.jwks_fetch_success, stats.stale_key_uses) == (1, 1, 0)

    gated.gate.set()
    join_background_refreshes()
    stats = verifier.stats()
    assert stats.jwks_fetch_success == 2
    assert stats.keys_fresh_until == clock.now + TTL
    # The refreshed set is fresh again: no refresh until its own window.
    clock.advance(TTL - AHEAD - 1)
    verifier.verify(access_token(pool, clock))
    join_background_refreshes()
    assert server.requests == 2


def test_async_and_threaded_callers_in_the_window_share_one_background_refresh(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock, gated: GatedAnswers
) -> None:
    pool, server = served_pool
    verifier = fetching_verifier(pool, server.url, clock, refresh_ahead=AHEAD, timeout=LONG_TIMEOUT)
    verifier.verify(id_token(pool, clock))

    gated.shut()
    clock.advance(TTL - 1)
    tokens = [access_token(pool, clock) for _ in range(8)]

    async def verify_all() -> list[CognitoClaims]:
        return await asyncio.gather(*(verifier.averify(token) for token in tokens))

    with ThreadPoolExecutor(max_workers=4) as executor:
        threaded = list(executor.map(verifier.verify, tokens))
    assert len(asyncio.run(verify_all())) == len(threaded) == 8
    assert gated.arrived.wait(10)
    assert gated.released == 0
    assert server.requests == 2
    assert verifier.stats().background_refreshes == 1


@pytest.mark.parametrize("refresh_ahead", [0.0, AHEAD])
def test_an_idle_set_past_jwks_ttl_is_refetched_in_the_caller(
    served_pool: tuple[FakeUserPool, JWKSServer],
    clock: FakeClock,
    gated: GatedAnswers,
    refresh_ahead: float,
) -> None:
    pool, server = served_pool
    verifier = fetching_verifier(
        pool, server.url, clock, refresh_ahead=refresh_ahead, timeout=LONG_TIMEOUT
    )
    verifier.verify(id_token(pool, clock))
    gated.shut()
    if not refresh_ahead:
        # Without refresh ahead the window does not exist: nothing is fetched in it.
        clock.advance(TTL - AHEAD + 1)
        verifier.verify(access_token(pool, clock))
        assert server.requests == 1

    clock.now += TTL + 1
    done = threading.Event()
    token = access_token(pool, clock)

    def verify() -> None:
        verifier.verify(token)
        done.set()

    thread = threading.Thread(target=verify)
    thread.start()
    assert gated.arrived.wait(10)
    assert not done.is_set()  # it waits on the fetch: the gate holds its answer
    gated.gate.set()
    thread.join(10)
    assert done.is_set()
    assert server.requests == 2
    assert verifier.stats().background_refreshes == 0


def test_through_an_outage_past_jwks_ttl_no_verification_waits(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock, gated: GatedAnswers
) -> None:
    pool, server = served_pool
    verifier = fetching_verifier(pool, server.url, clock, refresh_ahead=AHEAD, timeout=LONG_TIMEOUT)
    verifier.verify(id_token(pool, clock))

    # The endpoint hangs: the refresh started in the window never comes back...
    gated.shut()
    server.status = 500
    clock.advance(TTL - 1)
    verifier.verify(access_token(pool, clock))
    assert gated.arrived.wait(10)
    # ...yet past the TTL, and for many cooldowns, every verification returns.
    for step in (2.0, COOLDOWN, 3 * COOLDOWN):
        clock.advance(step)
        for _ in range(5):
            assert verifier.verify(access_token(pool, clock)).token_use == "access"
            assert verifier.verify(id_token(pool, clock)).token_use == "id"
    assert gated.released == 0
    assert server.requests == 2  # the one hanging refresh, nothing more

    # The hanging request fails at last; the next attempt waits out the cooldown.
    gated.gate.set()
    join_background_refreshes()
    gated.shut()
    for _ in range(5):
        verifier.verify(access_token(pool, clock))
    clock.advance(COOLDOWN - 1)
    verifier.verify(access_token(pool, clock))
    assert server.requests == 2
    # After it, exactly one retry, in the background: the verification returns at once.
    clock.advance(1.5)
    for _ in range(5):
        assert verifier.verify(id_token(pool, clock)).token_use == "id"
    assert gated.arrived.wait(10)
    assert gated.released == 0
    assert server.requests == 3

    gated.gate.set()
    join_background_refreshes()
    stats = verifier.stats()
    assert (stats.jwks_fetch_success, stats.jwks_fetch_failed, stats.background_refreshes) == (
        1,
        2,
        2,
    )
    assert stats.stale_key_uses == 30 + 6 + 5
    assert stats.last_fetch_error is not None
    assert "500" in stats.last_fetch_error


def test_a_removed_key_stops_verifying_after_the_background_refresh(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    id_key, _ = pool.signing_keys
    verifier = fetching_verifier(pool, server.url, clock, refresh_ahead=AHEAD)
    assert verifier.verify(access_token(pool, clock)).token_use == "access"

    server.body = jwks_of(id_key)  # the access tokens' key is withdrawn
    clock.advance(TTL - AHEAD + 1)
    assert verifier.verify(access_token(pool, clock)).token_use == "access"  # starts it
    join_background_refreshes()
    assert server.requests == 2
    with pytest.raises(UnknownKeyError):
        verifier.verify(access_token(pool, clock))
    assert verifier.verify(id_token(pool, clock)).token_use == "id"
    assert verifier.stats().keys == 1


def test_a_failed_refresh_in_the_window_is_retried_in_the_background(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    verifier = fetching_verifier(pool, server.url, clock, refresh_ahead=AHEAD)
    verifier.verify(id_token(pool, clock))
    server.status = 503
    clock.advance(TTL - AHEAD + 1)
    verifier.verify(id_token(pool, clock))
    join_background_refreshes()
    assert server.requests == 2
    clock.advance(COOLDOWN - 1)  # within the cooldown: no attempt, however many calls
    for _ in range(5):
        verifier.verify(id_token(pool, clock))
    assert server.requests == 2

    server.status = 200
    clock.advance(1.5)
    verifier.verify(id_token(pool, clock))
    join_background_refreshes()
    assert server.requests == 3
    stats = verifier.stats()
    assert (stats.jwks_fetch_failed, stats.jwks_fetch_success, stats.last_fetch_error) == (
        1,
        2,
        None,
    )
    assert stats.keys_fresh_until == clock.now + TTL


def test_refresh_ahead_is_capped_at_half_the_ttl(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    verifier = fetching_verifier(pool, server.url, clock, refresh_ahead=10 * TTL)
    assert store_of(verifier).refresh_ahead == TTL / 2
    verifier.verify(id_token(pool, clock))
    clock.advance(TTL / 2 - 1)
    verifier.verify(id_token(pool, clock))
    assert server.requests == 1
    clock.advance(2)
    verifier.verify(id_token(pool, clock))
    join_background_refreshes()
    assert server.requests == 2


def test_refresh_ahead_defaults_to_60_seconds(pool: FakeUserPool) -> None:
    verifier = CognitoVerifier(
        pool.region, pool.user_pool_id, client_ids=pool.client_id, token_use=None
    )
    assert store_of(verifier).refresh_ahead == AHEAD


@pytest.mark.parametrize("value", [-1.0, float("nan"), float("inf"), "60", True, None])
def test_refresh_ahead_must_be_a_finite_number_of_seconds(
    pool: FakeUserPool, value: object
) -> None:
    with pytest.raises(ConfigurationError, match="refresh_ahead"):
        pool.verifier(jwks=None, refresh_ahead=value)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_does_not_inherit_the_parents_refresh_in_flight(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock, gated: GatedAnswers
) -> None:
    pool, server = served_pool
    verifier = fetching_verifier(pool, server.url, clock, refresh_ahead=AHEAD, timeout=LONG_TIMEOUT)
    verifier.verify(id_token(pool, clock))
    gated.shut()
    clock.advance(TTL - 1)
    verifier.verify(access_token(pool, clock))  # the parent's refresh, held at the gate
    assert gated.arrived.wait(10)
    token = access_token(pool, clock)

    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through its exit code
        signal.alarm(20)  # a child stuck on an inherited lock dies instead of hanging
        try:
            verifier.verify(token)
            os._exit(0 if verifier.stats().background_refreshes == 2 else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    # The child starts a refresh of its own: the parent's is not under way there.
    assert os.waitstatus_to_exitcode(status) == 0
    assert verifier.stats().background_refreshes == 1
