"""Counters and log events: ``stats()`` of every verifier, exact for a scripted sequence."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

import pytest

from cognito_jwt import (
    CognitoJWTError,
    ConfigurationError,
    MultiPoolVerifier,
    UnknownKeyError,
    VerifierStats,
)
from cognito_jwt._stats import total
from cognito_jwt.testing import FakeUserPool
from tests.conftest import FakeClock, JWKSServer
from tests.jwks_helpers import (
    COOLDOWN,
    TTL,
    access_token,
    fetching_verifier,
    id_token,
    join_background_refreshes,
)

AHEAD = 60.0


def refused(call: Any, *args: Any, **kwargs: Any) -> type[CognitoJWTError]:
    """Call ``call`` expecting a library error; return its class."""
    with pytest.raises(CognitoJWTError) as info:
        call(*args, **kwargs)
    return type(info.value)


def events(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.cognito_jwt_event for r in caplog.records if hasattr(r, "cognito_jwt_event")]


def test_a_new_verifier_has_counted_nothing(pool: FakeUserPool, clock: FakeClock) -> None:
    verifier = fetching_verifier(pool, "https://example.com/jwks.json", clock)
    assert verifier.stats() == VerifierStats()
    assert VerifierStats().denied_by_error == {}
    assert VerifierStats().keys_fetched_at is None


def test_counters_are_exact_for_a_scripted_sequence(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    verifier = fetching_verifier(pool, server.url, clock, token_cache_size=16, refresh_ahead=AHEAD)
    started = clock.now
    token = id_token(pool, clock)

    verifier.verify(token)  # a cache miss, the first fetch
    verifier.verify(token)  # a cache hit
    assert refused(verifier.verify, pool.expired_token()).__name__ == "ExpiredTokenError"
    assert refused(verifier.verify, "not a token").__name__ == "MalformedTokenError"
    assert refused(verifier.verify_bearer, None).__name__ == "MissingTokenError"
    assert refused(verifier.verify_bearer, "Basic dXNlcg==").__name__ == "MissingTokenError"
    scoped = access_token(pool, clock)
    assert refused(verifier.verify, scoped, required_scopes="admin").__name__ == (
        "InsufficientScopeError"
    )
    with pytest.raises(ConfigurationError):  # the caller's bug: not a refusal
        verifier.verify(token, token_use="bogus")  # type: ignore[arg-type]
    asyncio.run(verifier.averify(token))  # a hit, through the async path
    stranger = pool.id_token(issued_at=clock.now, signing_key=pool.unpublished_key())
    assert refused(verifier.verify, stranger) is UnknownKeyError  # one refetch for it

    assert verifier.stats() == VerifierStats(
        allowed=3,
        denied=6,
        denied_by_error={
            "ExpiredTokenError": 1,
            "MalformedTokenError": 1,
            "MissingTokenError": 2,
            "InsufficientScopeError": 1,
            "UnknownKeyError": 1,
        },
        token_cache_hits=2,
        token_cache_misses=5,
        jwks_fetch_success=2,
        keys=2,
        keys_fetched_at=started,
        keys_fresh_until=started + TTL,
    )

    # The endpoint fails: a refresh from the window, a retry past the TTL (both in
    # the background), and the last good keys serving meanwhile.
    server.status = 500
    clock.advance(TTL - AHEAD / 2)
    verifier.verify(id_token(pool, clock))  # in the window: refresh 1
    join_background_refreshes()
    clock.advance(AHEAD)
    verifier.verify(id_token(pool, clock))  # stale, cooldown over: refresh 2
    join_background_refreshes()
    verifier.verify(id_token(pool, clock))  # stale, in the cooldown
    failing = verifier.stats()
    assert failing.last_fetch_error is not None
    assert "status 500" in failing.last_fetch_error
    assert (failing.jwks_fetch_failed, failing.background_refreshes) == (2, 2)
    assert failing.stale_key_uses == 2
    assert failing.keys_fresh_until == started + TTL
    assert failing.keys == 2

    server.status = 200
    clock.advance(COOLDOWN)
    verifier.verify(id_token(pool, clock))  # stale, cooldown over: refresh 3 succeeds
    join_background_refreshes()
    assert verifier.stats() == dataclasses.replace(
        failing,
        allowed=7,
        token_cache_misses=9,
        jwks_fetch_success=3,
        background_refreshes=3,
        stale_key_uses=3,
        keys_fetched_at=clock.now,
        keys_fresh_until=clock.now + TTL,
        last_fetch_error=None,
    )


def test_a_snapshot_is_frozen_and_does_not_change_with_later_calls(pool: FakeUserPool) -> None:
    verifier = pool.verifier()
    refused(verifier.verify, "x")
    snapshot = verifier.stats()
    refused(verifier.verify, "y")
    assert snapshot.denied_by_error == {"MalformedTokenError": 1}
    assert verifier.stats().denied_by_error == {"MalformedTokenError": 2}
    with pytest.raises(dataclasses.FrozenInstanceError):
        snapshot.allowed = 5  # type: ignore[misc]
    with pytest.raises(TypeError):
        snapshot.denied_by_error["MalformedTokenError"] = 0  # type: ignore[index]
    assert hash(snapshot) == hash(dataclasses.replace(snapshot))


def test_static_keys_count_verifications_and_their_keys(pool: FakeUserPool) -> None:
    verifier = pool.verifier()
    verifier.verify(pool.access_token())
    stats = verifier.stats()
    assert (stats.allowed, stats.keys, stats.jwks_fetch_success) == (1, 2, 0)
    assert (stats.keys_fetched_at, stats.keys_fresh_until, stats.last_fetch_error) == (
        None,
        None,
        None,
    )


def test_a_cold_start_failure_is_counted_and_named(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    server.status = 503
    verifier = fetching_verifier(pool, server.url, clock)
    refused(verifier.verify, id_token(pool, clock))
    refused(verifier.verify, id_token(pool, clock))  # within the cooldown: no attempt
    stats = verifier.stats()
    assert (stats.jwks_fetch_failed, stats.jwks_fetch_success, stats.keys) == (1, 0, 0)
    assert stats.denied_by_error == {"JWKSFetchError": 2}
    assert stats.last_fetch_error is not None
    assert "503" in stats.last_fetch_error
    assert stats.keys_fetched_at is None


def test_load_jwks_is_not_a_fetch_but_sets_the_key_state(
    pool: FakeUserPool, clock: FakeClock
) -> None:
    verifier = fetching_verifier(pool, "https://example.com/jwks.json", clock)
    verifier.load_jwks(pool.jwks)
    stats = verifier.stats()
    assert (stats.jwks_fetch_success, stats.keys) == (0, 2)
    assert (stats.keys_fetched_at, stats.keys_fresh_until) == (clock.now, clock.now + TTL)


def test_the_router_sums_its_pools_and_counts_what_no_pool_saw() -> None:
    first = FakeUserPool(user_pool_id="eu-west-1_PoolOne")
    second = FakeUserPool(user_pool_id="eu-west-1_PoolTwo")
    router = MultiPoolVerifier([first.verifier(), second.verifier()])
    token = second.access_token()
    router.verify(first.id_token())
    router.verify(token)
    router.verify(token)  # a cache hit
    assert refused(router.verify, second.expired_token()).__name__ == "ExpiredTokenError"
    other = FakeUserPool(user_pool_id="eu-west-1_Elsewhere")
    assert refused(router.verify, other.id_token()).__name__ == "InvalidIssuerError"
    assert refused(router.verify_bearer, "").__name__ == "MissingTokenError"
    assert router.stats() == VerifierStats(
        allowed=3,
        denied=3,
        denied_by_error={"ExpiredTokenError": 1, "InvalidIssuerError": 1, "MissingTokenError": 1},
        token_cache_hits=1,
        token_cache_misses=3,
        keys=4,
    )


def test_summed_stats_take_the_latest_fetch_and_the_earliest_expiry() -> None:
    one = VerifierStats(
        allowed=1, keys=2, keys_fetched_at=100.0, keys_fresh_until=700.0, denied_by_error={"A": 1}
    )
    two = VerifierStats(
        allowed=2,
        keys=1,
        keys_fetched_at=200.0,
        keys_fresh_until=650.0,
        last_fetch_error="down",
        denied_by_error={"A": 2, "B": 1},
    )
    summed = total([one, VerifierStats(), two])
    assert summed == VerifierStats(
        allowed=3,
        keys=3,
        keys_fetched_at=200.0,
        keys_fresh_until=650.0,
        last_fetch_error="down",
        denied_by_error={"A": 3, "B": 1},
    )


# --------------------------------------------------------------------------- log events


def test_fetches_refreshes_failures_and_key_changes_are_tagged_log_events(
    served_pool: tuple[FakeUserPool, JWKSServer],
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="cognito_jwt")
    pool, server = served_pool
    verifier = fetching_verifier(pool, server.url, clock, refresh_ahead=AHEAD)
    verifier.verify(id_token(pool, clock))
    assert events(caplog) == ["jwks_fetch"]
    fetched = caplog.records[-1]
    assert fetched.levelno == logging.INFO
    assert (vars(fetched)["jwks_url"], vars(fetched)["keys"]) == (server.url, 2)

    caplog.clear()
    server.status = 500
    clock.advance(TTL - 1)
    verifier.verify(id_token(pool, clock))
    join_background_refreshes()
    assert events(caplog) == ["jwks_refresh_started", "jwks_fetch_failed"]
    failed = caplog.records[-1]
    assert failed.levelno == logging.WARNING
    assert "status 500" in vars(failed)["error"]

    caplog.clear()
    old_kids = sorted(key.kid for key in pool.signing_keys)
    pool.rotate_keys()
    server.status, server.body = 200, pool.jwks
    clock.advance(COOLDOWN)
    verifier.verify(id_token(pool, clock))  # the new key's kid: fetched in the caller
    assert events(caplog) == ["jwks_keys_changed", "jwks_fetch"]
    changed = caplog.records[0]
    assert vars(changed)["removed_kids"] == old_kids
    assert vars(changed)["added_kids"] == sorted(key.kid for key in pool.signing_keys)


def test_a_cold_start_failure_is_an_error_event(
    served_pool: tuple[FakeUserPool, JWKSServer],
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="cognito_jwt")
    pool, server = served_pool
    server.status = 404
    verifier = fetching_verifier(pool, server.url, clock)
    refused(verifier.verify, id_token(pool, clock))
    assert events(caplog) == ["jwks_fetch_failed"]
    assert caplog.records[0].levelno == logging.ERROR
    assert vars(caplog.records[0])["issuer"] == pool.issuer
