"""AlbKeyStore: per-kid PEM keys, single flight, the 404 cooldown and the new-kid budget.

The fetcher is injected, so the order of events is set by the test (events,
not sleeps) and every fetch is counted.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable

import pytest

from cognito_jwt import JWKSFetchError, JWKSFormatError, UnknownKeyError
from cognito_jwt._crypto import build_ec_key
from cognito_jwt._fetch import NotFoundError
from cognito_jwt._keystore import MAX_NEW_KID_FETCHES, AlbKeyStore
from cognito_jwt._stats import Counters, VerifierStats
from cognito_jwt.testing import FakeAlb
from tests.conftest import FakeClock

URL = "https://public-keys.auth.elb.eu-west-1.amazonaws.com"


def kid(n: int) -> str:
    return f"00000000-0000-0000-0000-{n:012d}"


class Fetcher:
    """Answers from ``bodies`` (kid to PEM bytes, or an exception to raise); counts calls."""

    def __init__(self, bodies: dict[str, bytes | Exception]) -> None:
        self.bodies = bodies
        self.urls: list[str] = []
        self.gate: threading.Event | None = None
        self.entered = threading.Event()

    def __call__(self, url: str) -> bytes:
        self.urls.append(url)
        self.entered.set()
        if self.gate is not None:
            self.gate.wait(5)
        answer = self.bodies.get(url.rsplit("/", 1)[1], NotFoundError("404"))
        if isinstance(answer, Exception):
            raise answer
        return answer


def store_with(fetcher: Callable[[str], bytes], clock: FakeClock) -> AlbKeyStore:
    return AlbKeyStore(URL + "/", fetcher=fetcher, cooldown=10.0, clock=clock)


@pytest.fixture
def alb() -> FakeAlb:
    return FakeAlb()


def test_a_key_is_fetched_once_from_keys_url_slash_kid(alb: FakeAlb, clock: FakeClock) -> None:
    the_kid = alb.signing_key.kid
    fetcher = Fetcher({the_kid: alb.public_keys[the_kid].encode()})
    store = store_with(fetcher, clock)
    fetched_at = clock.now
    first = store.get(the_kid)
    clock.advance(100_000)  # keys never change for a kid: no TTL
    assert store.get(the_kid) is first
    assert fetcher.urls == [f"{URL}/{the_kid}"]
    stats = store.stats()
    assert (stats.jwks_fetch_success, stats.jwks_fetch_failed, stats.keys) == (1, 0, 1)
    assert stats.keys_fetched_at == fetched_at


def test_concurrent_misses_share_one_fetch(alb: FakeAlb, clock: FakeClock) -> None:
    the_kid = alb.signing_key.kid
    fetcher = Fetcher({the_kid: alb.public_keys[the_kid].encode()})
    fetcher.gate = threading.Event()
    store = store_with(fetcher, clock)
    results: list[object] = []
    threads = [
        threading.Thread(target=lambda: results.append(store.get(the_kid))) for _ in range(20)
    ]
    threads[0].start()
    assert fetcher.entered.wait(5)  # the first caller is inside the fetch
    for thread in threads[1:]:
        thread.start()
    fetcher.gate.set()
    for thread in threads:
        thread.join(5)
    assert len(results) == 20
    assert len({id(r) for r in results}) == 1
    assert len(fetcher.urls) == 1


def test_waiters_of_a_failed_fetch_get_their_own_error(clock: FakeClock) -> None:
    fetcher = Fetcher({kid(1): JWKSFetchError("refused")})
    fetcher.gate = threading.Event()
    store = store_with(fetcher, clock)
    errors: list[BaseException] = []

    def call() -> None:
        try:
            store.get(kid(1))
        except JWKSFetchError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(5)]
    threads[0].start()
    assert fetcher.entered.wait(5)
    for thread in threads[1:]:
        thread.start()
    fetcher.gate.set()
    for thread in threads:
        thread.join(5)
    assert len(errors) == 5
    assert len({id(e) for e in errors}) == 5
    assert len(fetcher.urls) == 1
    stats = store.stats()
    assert (stats.jwks_fetch_failed, stats.jwks_fetch_success) == (1, 0)
    assert stats.last_fetch_error == "refused"


def test_404_is_unknown_for_the_cooldown_only(clock: FakeClock) -> None:
    fetcher = Fetcher({})
    store = store_with(fetcher, clock)
    for _ in range(3):
        with pytest.raises(UnknownKeyError) as caught:
            store.get(kid(1))
        assert caught.value.kid == kid(1)
    assert len(fetcher.urls) == 1
    with pytest.raises(UnknownKeyError):
        store.cached(kid(1))  # answered from memory too
    clock.advance(9.9)
    with pytest.raises(UnknownKeyError):
        store.get(kid(1))
    assert len(fetcher.urls) == 1
    clock.advance(0.1)
    assert store.cached(kid(1)) is None  # the cooldown is over
    with pytest.raises(UnknownKeyError):
        store.get(kid(1))
    assert len(fetcher.urls) == 2
    stats = store.stats()
    # An unknown kid is the token's fault, not a failed fetch.
    assert (stats.jwks_fetch_failed, stats.jwks_fetch_success, stats.last_fetch_error) == (
        0,
        0,
        None,
    )


def test_at_most_five_new_kids_per_cooldown(alb: FakeAlb, clock: FakeClock) -> None:
    the_kid = alb.signing_key.kid
    fetcher = Fetcher({the_kid: alb.public_keys[the_kid].encode()})
    store = store_with(fetcher, clock)
    for n in range(MAX_NEW_KID_FETCHES):
        with pytest.raises(UnknownKeyError):
            store.get(kid(n))
    with pytest.raises(UnknownKeyError, match="not fetching it"):
        store.get(the_kid)  # even a real new kid waits: the budget is spent
    assert len(fetcher.urls) == MAX_NEW_KID_FETCHES
    clock.advance(10)
    assert store.get(the_kid).kid == the_kid
    assert len(fetcher.urls) == MAX_NEW_KID_FETCHES + 1


def test_a_format_error_is_remembered_for_the_cooldown(clock: FakeClock) -> None:
    fetcher = Fetcher({kid(1): b"not a key"})
    store = store_with(fetcher, clock)
    for _ in range(2):
        with pytest.raises(JWKSFormatError, match="not a P-256 public key"):
            store.get(kid(1))
    assert len(fetcher.urls) == 1


def test_install_adds_keys_and_forgets_refusals(alb: FakeAlb, clock: FakeClock) -> None:
    the_kid = alb.signing_key.kid
    store = store_with(Fetcher({}), clock)
    with pytest.raises(UnknownKeyError):
        store.get(the_kid)
    key = build_ec_key(the_kid, alb.public_keys[the_kid].encode())
    store.install({the_kid: key})
    assert store.get(the_kid) is key


def test_the_least_recently_used_key_goes_first(clock: FakeClock) -> None:
    keys = {
        kid(n): FakeAlb(
            f"arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/a{n}/0123456789abcdef"
        ).signing_key
        for n in range(3)
    }
    built = {k: build_ec_key(k, v.public_pem.encode()) for k, v in keys.items()}
    store = AlbKeyStore(URL, fetcher=Fetcher({}), cooldown=10.0, clock=clock, max_keys=2)
    store.install({kid(0): built[kid(0)], kid(1): built[kid(1)]})
    assert store.cached(kid(0)) is not None  # kid(0) is now the most recently used
    store.install({kid(2): built[kid(2)]})
    assert store.cached(kid(1)) is None
    assert store.cached(kid(0)) is built[kid(0)]


def test_fetches_are_logged_with_their_event(
    alb: FakeAlb, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    the_kid = alb.signing_key.kid
    store = store_with(Fetcher({the_kid: alb.public_keys[the_kid].encode(), kid(1): b"x"}), clock)
    caplog.set_level("INFO", logger="cognito_jwt")
    store.get(the_kid)
    with pytest.raises(JWKSFormatError):
        store.get(kid(1))
    with pytest.raises(UnknownKeyError):
        store.get(kid(2))  # a 404 is the token's fault: no failure logged
    events = [getattr(r, "cognito_jwt_event", None) for r in caplog.records]
    assert events == ["jwks_fetch", "jwks_fetch_failed"]
    fetched, failed = caplog.records
    assert (fetched.levelname, failed.levelname) == ("INFO", "ERROR")
    assert (fetched.kid, fetched.jwks_url, fetched.keys) == (the_kid, URL, 1)  # type: ignore[attr-defined]
    assert (failed.kid, failed.jwks_url) == (kid(1), URL)  # type: ignore[attr-defined]
    assert failed.error.startswith(f"key at {URL}/{kid(1)} is not a P-256")  # type: ignore[attr-defined]


def test_stats_follow_a_scripted_sequence(alb: FakeAlb, clock: FakeClock) -> None:
    the_kid = alb.signing_key.kid
    counters = Counters()
    fetcher = Fetcher({the_kid: JWKSFetchError("refused"), kid(1): b"not a key"})
    store = AlbKeyStore(URL, fetcher=fetcher, cooldown=10.0, clock=clock, counters=counters)
    assert store.stats() == VerifierStats()
    with pytest.raises(JWKSFetchError):
        store.get(the_kid)  # failed: 0 / 1
    with pytest.raises(JWKSFormatError):
        store.get(kid(1))  # failed: 0 / 2
    with pytest.raises(UnknownKeyError):
        store.get(kid(2))  # 404: counted as neither
    with pytest.raises(JWKSFetchError):
        store.get(the_kid)  # within the cooldown: no fetch, nothing counted
    failing = store.stats()
    assert (failing.jwks_fetch_success, failing.jwks_fetch_failed) == (0, 2)
    assert (failing.keys, failing.keys_fetched_at) == (0, None)
    assert str(failing.last_fetch_error).startswith(f"key at {URL}/{kid(1)} is not a P-256")
    clock.advance(10)
    fetcher.bodies[the_kid] = alb.public_keys[the_kid].encode()
    fetched_at = clock.now
    store.get(the_kid)
    clock.advance(1)
    store.install({kid(3): build_ec_key(kid(3), alb.public_keys[the_kid].encode())})
    store.get(the_kid)  # cached: no fetch
    stats = store.stats()
    assert stats == VerifierStats(
        jwks_fetch_success=1,
        jwks_fetch_failed=2,
        keys=2,
        keys_fetched_at=fetched_at + 1,  # load_keys counts as a fetch in time, not in number
        last_fetch_error=None,  # a fetch succeeded since
    )
    # The counters are the ones given: the verifier's, which adds its own.
    assert (counters.jwks_fetch_success, counters.jwks_fetch_failed) == (1, 2)
    # ALB keys never expire: nothing is ever fresh until, refreshed or stale.
    assert (stats.keys_fresh_until, stats.background_refreshes, stats.stale_key_uses) == (
        None,
        0,
        0,
    )


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_does_not_wait_for_the_parents_fetch(alb: FakeAlb, clock: FakeClock) -> None:
    the_kid = alb.signing_key.kid
    fetcher = Fetcher({the_kid: alb.public_keys[the_kid].encode()})
    fetcher.gate = threading.Event()
    store = store_with(fetcher, clock)
    parent = threading.Thread(target=store.get, args=(the_kid,))
    parent.start()
    assert fetcher.entered.wait(5)  # the parent's fetch is under way, held at the gate

    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through its exit code
        signal.alarm(20)  # a child waiting on the parent's flight dies instead of hanging
        try:
            fetcher.gate = None
            key = store.get(the_kid)  # fetched by the child itself
            own_fetch = fetcher.urls == [f"{URL}/{the_kid}"] * 2
            os._exit(0 if key.kid == the_kid and own_fetch else 1)
        except BaseException:
            os._exit(2)
    try:
        _, status = os.waitpid(pid, 0)
    finally:
        fetcher.gate.set()
        parent.join(5)
    assert os.waitstatus_to_exitcode(status) == 0
    assert store.stats().jwks_fetch_success == 1  # the child's fetch is the child's
    assert fetcher.urls == [f"{URL}/{the_kid}"]
