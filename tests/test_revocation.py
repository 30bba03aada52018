"""RevocationList: revoked tokens are refused, in one process or shared through a real Redis."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, assert_type

import pytest
import redis

from cognito_jwt import (
    CognitoVerifier,
    ConfigurationError,
    InvalidAudienceError,
    MalformedTokenError,
    MultiPoolVerifier,
    RevocationCheckError,
    RevocationList,
    RevokedTokenError,
    UnavailableError,
)
from cognito_jwt.claims import AlbClaims, CognitoClaims
from cognito_jwt.revocation import MemoryRevocationStore, RedisRevocationStore, RevocationStore
from cognito_jwt.testing import FakeUserPool
from tests.conftest import FakeClock
from tests.redis_server import RedisServer, free_port, make_client, running_redis_server

MARGIN = 300.0  # entries outlive their bound by a verifier's largest leeway
REVOKED = 'Bearer error="invalid_token", error_description="The access token was revoked"'


def session_tokens(pool: FakeUserPool, username: str = "alice", **options: Any) -> list[str]:
    """The ID and access tokens of one sign-in and a refreshed access token: one origin_jti."""
    claims = {"origin_jti": f"origin-{username}-{time.monotonic_ns()}"}
    return [
        pool.id_token(username, claims=claims, **options),
        pool.access_token(username, claims=claims, **options),
        pool.access_token(username, claims=claims, **options),
    ]


@pytest.fixture
def clock() -> FakeClock:
    """A hand-moved clock a little ahead of time.time(), as the test kit mints tokens by it."""
    return FakeClock(time.time() + 2)


@pytest.fixture
def revocation(clock: FakeClock) -> RevocationList:
    return RevocationList(clock=clock)


@pytest.fixture
def verifier(pool: FakeUserPool, clock: FakeClock, revocation: RevocationList) -> CognitoVerifier:
    return pool.verifier(clock=clock, revocation=revocation)


def refused(verifier: CognitoVerifier, token: str) -> RevokedTokenError:
    with pytest.raises(RevokedTokenError) as caught:
        verifier.verify(token)
    return caught.value


# --------------------------------------------------------------------------- what is revoked


def test_revoke_by_origin_jti_refuses_every_token_of_that_sign_in(
    pool: FakeUserPool, verifier: CognitoVerifier, revocation: RevocationList
) -> None:
    tokens = session_tokens(pool)
    other_sign_in = session_tokens(pool)
    for token in tokens + other_sign_in:
        verifier.verify(token)

    revocation.revoke(tokens[1])  # the access token a logout handler was shown

    for token in tokens:
        error = refused(verifier, token)
        assert error.revoked_by == "origin_jti"
        assert error.status_code == 401
        assert error.www_authenticate == REVOKED
    for token in other_sign_in:  # the same user's other sign-in is untouched
        assert verifier.verify(token).username == "alice"


def test_revoked_token_error_carries_the_verified_claims(
    pool: FakeUserPool, verifier: CognitoVerifier, revocation: RevocationList
) -> None:
    token = pool.access_token("bob")
    claims = verifier.verify(token)
    revocation.revoke(claims)
    error = refused(verifier, token)
    assert isinstance(error.claims, CognitoClaims)
    assert error.claims == claims
    assert error.claims.username == "bob"
    assert token not in str(error)


def test_revoke_jti_refuses_that_token_only(
    pool: FakeUserPool, verifier: CognitoVerifier, revocation: RevocationList
) -> None:
    tokens = session_tokens(pool)
    jti = verifier.verify(tokens[0])["jti"]
    revocation.revoke_jti(jti)
    assert refused(verifier, tokens[0]).revoked_by == "jti"
    verifier.verify(tokens[1])  # same origin_jti, another jti
    verifier.verify(tokens[2])


def test_revoke_falls_back_to_jti_for_tokens_without_origin_jti(
    pool: FakeUserPool, verifier: CognitoVerifier, revocation: RevocationList
) -> None:
    machine = pool.m2m_token()
    other = pool.m2m_token()
    revocation.revoke(machine)  # a client_credentials token has no origin_jti
    assert refused(verifier, machine).revoked_by == "jti"
    verifier.verify(other)


def test_sign_out_refuses_tokens_issued_before_and_in_the_same_second(
    pool: FakeUserPool, clock: FakeClock, verifier: CognitoVerifier, revocation: RevocationList
) -> None:
    now = clock.now
    before = pool.access_token("alice", issued_at=now - 600)
    same_second = pool.id_token("alice", issued_at=now)
    after = pool.access_token("alice", issued_at=now + 1)
    someone_else = pool.access_token("carol", issued_at=now - 600)
    clock.advance(1)

    revocation.sign_out(verifier.verify(before).sub, at=now)

    assert refused(verifier, before).revoked_by == "sub"
    assert refused(verifier, same_second).revoked_by == "sub"
    assert verifier.verify(after).username == "alice"
    assert verifier.verify(someone_else).username == "carol"


def test_sign_out_defaults_to_now_and_takes_an_aware_datetime(
    pool: FakeUserPool, clock: FakeClock, verifier: CognitoVerifier, revocation: RevocationList
) -> None:
    token = pool.access_token("dave", issued_at=clock.now - 60)
    sub = verifier.verify(token).sub
    revocation.sign_out(sub)
    refused(verifier, token)

    later = pool.access_token("erin", issued_at=clock.now - 60)
    event_time = datetime.fromtimestamp(clock.now - 30, tz=UTC)  # a CloudTrail eventTime
    revocation.sign_out(verifier.verify(later).sub, at=event_time)
    refused(verifier, later)


def test_an_earlier_sign_out_never_shortens_a_later_one(
    pool: FakeUserPool, clock: FakeClock, verifier: CognitoVerifier, revocation: RevocationList
) -> None:
    token = pool.access_token("alice", issued_at=clock.now - 100)
    sub = verifier.verify(token).sub
    revocation.sign_out(sub, at=clock.now - 50)
    revocation.sign_out(sub, at=clock.now - 500)  # a late, older event
    assert refused(verifier, token).revoked_by == "sub"


def test_is_revoked_answers_for_claims(
    pool: FakeUserPool, verifier: CognitoVerifier, revocation: RevocationList
) -> None:
    kept, revoked = (verifier.verify(pool.access_token(name)) for name in ("a", "b"))
    revocation.revoke(revoked)
    assert revocation.is_revoked(revoked) is True
    assert revocation.is_revoked(kept) is False
    assert revocation.is_revoked({}) is False  # nothing to look up


def test_a_sign_out_refuses_claims_without_a_usable_iat(revocation: RevocationList) -> None:
    revocation.sign_out("user-1")
    assert revocation.is_revoked({"sub": "user-1"}) is True
    assert revocation.is_revoked({"sub": "user-1", "iat": "yesterday"}) is True
    assert revocation.is_revoked({"sub": "user-2"}) is False


# --------------------------------------------------------------------------- where the check runs


def test_a_cached_token_is_refused_once_revoked(
    pool: FakeUserPool, verifier: CognitoVerifier, revocation: RevocationList
) -> None:
    token = pool.access_token()
    verifier.verify(token)
    assert verifier._cached(token) is not None  # the next call is a cache hit
    revocation.revoke(token)
    refused(verifier, token)
    assert verifier._cached(token) is not None  # refused on the hit, not by a new verification


def test_revocation_comes_after_the_audience_and_before_groups_scopes_and_custom_check(
    pool: FakeUserPool, clock: FakeClock, revocation: RevocationList
) -> None:
    seen: list[str] = []
    verifier = pool.verifier(
        clock=clock, revocation=revocation, custom_check=lambda c: seen.append(c.sub)
    )
    token = pool.access_token(groups=["staff"], scopes=["read"])
    wrong_client = pool.access_token(client_id="another-client")
    revocation.revoke(token)
    revocation.revoke(wrong_client)

    with pytest.raises(InvalidAudienceError):
        verifier.verify(wrong_client)
    refused(verifier, token)
    with pytest.raises(RevokedTokenError):
        verifier.verify(token, allowed_groups="admins", required_scopes="write")
    assert seen == []


def test_without_revocation_nothing_is_checked(pool: FakeUserPool) -> None:
    verifier = pool.verifier()
    assert verifier._revocation_check is None
    token = pool.access_token()
    RevocationList().revoke(token)  # a list nobody gave the verifier
    verifier.verify(token)


def test_multi_pool_verifier_uses_each_pools_own_list(clock: FakeClock) -> None:
    pool_a = FakeUserPool(user_pool_id="eu-west-1_PoolA")
    pool_b = FakeUserPool(user_pool_id="eu-west-1_PoolB")
    list_a = RevocationList(clock=clock)
    router = MultiPoolVerifier(
        [pool_a.verifier(clock=clock, revocation=list_a), pool_b.verifier(clock=clock)]
    )
    token_a = pool_a.access_token("alice")
    token_b = pool_b.access_token("alice")
    router.verify(token_a)
    list_a.revoke(token_a)
    list_a.revoke(token_b)  # pool B's verifier has no list: its tokens stay accepted
    with pytest.raises(RevokedTokenError):
        router.verify(token_a)
    assert router.verify(token_b).username == "alice"


def test_averify_refuses_revoked_tokens(
    pool: FakeUserPool, verifier: CognitoVerifier, revocation: RevocationList
) -> None:
    token, other = pool.access_token(), pool.access_token()
    revocation.revoke(token)

    async def main() -> None:
        with pytest.raises(RevokedTokenError):
            await verifier.averify(token)
        await verifier.averify(other)

    asyncio.run(main())


# --------------------------------------------------------------------------- expiry


def test_entries_expire_with_the_token_in_the_memory_store(
    pool: FakeUserPool, clock: FakeClock
) -> None:
    revocation = RevocationList(clock=clock, max_token_lifetime=3600)
    store = revocation.store
    assert isinstance(store, MemoryRevocationStore)
    token = pool.m2m_token(expires_in=600, issued_at=clock.now)  # by jti: until exp + margin
    revocation.revoke(token)
    revocation.revoke_origin("sign-in-1")  # kept for max_token_lifetime
    revocation.sign_out("user-1", at=clock.now)  # kept for max_token_lifetime after `at`
    assert len(store) == 3

    clock.advance(600 + MARGIN - 2)
    assert len(store) == 3
    clock.advance(3)
    assert len(store) == 2
    clock.advance(3600 - 600)
    assert len(store) == 0
    assert not revocation.is_revoked({"origin_jti": "sign-in-1"})
    assert not revocation.is_revoked({"sub": "user-1", "iat": 0})


def test_revoke_jti_is_bounded_by_max_token_lifetime(clock: FakeClock) -> None:
    revocation = RevocationList(clock=clock, max_token_lifetime=60)
    revocation.revoke_jti("j1", expires_at=clock.now + 10 * 86400)  # a bogus far-away exp
    clock.advance(60 + MARGIN + 1)
    assert not revocation.is_revoked({"jti": "j1"})


def test_revoking_an_expired_token_stores_nothing(clock: FakeClock) -> None:
    revocation = RevocationList(clock=clock)
    revocation.revoke_jti("old", expires_at=clock.now - MARGIN - 1)
    revocation.revoke_jti("recent", expires_at=datetime.fromtimestamp(clock.now - 10, tz=UTC))
    assert revocation.is_revoked({"jti": "recent"})  # a verifier's leeway may still accept it
    assert not revocation.is_revoked({"jti": "old"})
    assert len(revocation.store) == 1  # type: ignore[arg-type]


def test_the_memory_store_sweeps_expired_entries(clock: FakeClock) -> None:
    store = MemoryRevocationStore(clock=clock)
    store.add({f"jti:{n}": (1.0, clock.now + 10) for n in range(1000)})
    clock.advance(11)
    store.add({f"jti:new{n}": (1.0, clock.now + 10) for n in range(100)})
    assert len(store._entries) == 100
    assert store.get(["jti:1", "jti:new1"]) == [None, 1.0]


def test_the_memory_store_keeps_the_larger_value(clock: FakeClock) -> None:
    store = MemoryRevocationStore(clock=clock)
    store.add({"k": (5.0, clock.now + 10)})
    store.add({"k": (3.0, clock.now + 100)})
    assert store.get(["k"]) == [5.0]
    store.add({"k": (7.0, clock.now + 20)})
    assert store.get(["k", "absent"]) == [7.0, None]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("lifetime", [0, -1, float("nan"), float("inf"), True, "3600", None])
def test_max_token_lifetime_must_be_a_positive_number(lifetime: object) -> None:
    with pytest.raises(ConfigurationError, match="max_token_lifetime"):
        RevocationList(max_token_lifetime=lifetime)  # type: ignore[arg-type]


def test_the_store_must_be_a_store() -> None:
    with pytest.raises(ConfigurationError, match="RevocationStore"):
        RevocationList(store={})  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="clock"):
        RevocationList(clock=5)  # type: ignore[arg-type]


def test_the_verifier_takes_only_a_revocation_list(pool: FakeUserPool) -> None:
    with pytest.raises(ConfigurationError, match="revocation must be a RevocationList"):
        pool.verifier(revocation=MemoryRevocationStore())


@pytest.mark.parametrize("value", ["", None, 5, "x" * 1025])
def test_ids_must_be_non_empty_strings(revocation: RevocationList, value: object) -> None:
    for method in (revocation.revoke_jti, revocation.revoke_origin, revocation.sign_out):
        with pytest.raises(ConfigurationError):
            method(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "when",
    [float("nan"), "2024-01-01", True, datetime(2024, 1, 1)],  # noqa: DTZ001 - naive on purpose
    ids=repr,
)
def test_times_must_be_numbers_or_aware_datetimes(revocation: RevocationList, when: Any) -> None:
    with pytest.raises(ConfigurationError):
        revocation.revoke_jti("j", expires_at=when)
    with pytest.raises(ConfigurationError):
        revocation.sign_out("s", at=when)


def test_a_sign_out_cannot_lie_in_the_future(revocation: RevocationList, clock: FakeClock) -> None:
    with pytest.raises(ConfigurationError, match="future"):
        revocation.sign_out("s", at=clock.now + 3600)
    revocation.sign_out("s", at=clock.now + 5)  # a few seconds for clock skew are fine


def test_revoke_refuses_what_is_not_a_token(revocation: RevocationList) -> None:
    with pytest.raises(MalformedTokenError):
        revocation.revoke("not-a-token")
    with pytest.raises(MalformedTokenError, match="origin_jti"):
        revocation.revoke({"origin_jti": 5})
    with pytest.raises(ConfigurationError, match="neither origin_jti nor jti"):
        revocation.revoke({"sub": "x"})
    with pytest.raises(ConfigurationError, match="takes a token or its claims"):
        revocation.revoke(b"abc")  # type: ignore[arg-type]


def test_a_token_string_is_revoked_without_its_signature_checked(
    pool: FakeUserPool, verifier: CognitoVerifier, revocation: RevocationList
) -> None:
    # Revoking grants nothing: a token signed by an unknown key may be revoked by its ids.
    forged = pool.access_token(signing_key=pool.unpublished_key(), claims={"origin_jti": "o-1"})
    revocation.revoke(forged)
    genuine = pool.access_token(claims={"origin_jti": "o-1"})
    refused(verifier, genuine)


# --------------------------------------------------------------------------- failing stores


class BrokenStore:
    """A store whose backend is down."""

    def add(self, entries: Mapping[str, tuple[float, float]]) -> None:
        raise TimeoutError("backend timed out")

    def get(self, keys: Sequence[str]) -> Sequence[float | None]:
        raise TimeoutError("backend timed out")


class ShortStore:
    """A store that answers fewer values than keys were asked."""

    def add(self, entries: Mapping[str, tuple[float, float]]) -> None:
        pass

    def get(self, keys: Sequence[str]) -> Sequence[float | None]:
        return [None]


@pytest.mark.parametrize("store", [BrokenStore(), ShortStore()], ids=lambda s: type(s).__name__)
def test_a_store_that_cannot_answer_fails_closed(
    pool: FakeUserPool, store: RevocationStore
) -> None:
    verifier = pool.verifier(revocation=RevocationList(store))
    token = pool.access_token()
    with pytest.raises(RevocationCheckError) as caught:
        verifier.verify(token)
    assert caught.value.status_code == 503
    assert isinstance(caught.value, UnavailableError)
    with pytest.raises(RevocationCheckError):  # and again on what would be a cache hit
        verifier.verify(token)


class GarbageStore:
    """A store whose entries were overwritten with nonsense."""

    def __init__(self, value: object) -> None:
        self.value = value

    def add(self, entries: Mapping[str, tuple[float, float]]) -> None:
        pass

    def get(self, keys: Sequence[str]) -> Sequence[Any]:
        return [self.value if key.startswith("sub:") else None for key in keys]


@pytest.mark.parametrize("value", ["yesterday", float("nan"), None.__class__, True])
def test_a_sign_out_time_that_is_no_number_fails_closed(value: object) -> None:
    revocation = RevocationList(GarbageStore(value))
    with pytest.raises(RevocationCheckError, match="sign-out time"):
        revocation.is_revoked({"sub": "s", "iat": 1})


def test_a_store_error_is_chained_and_raised_by_writes_too() -> None:
    revocation = RevocationList(BrokenStore())
    with pytest.raises(RevocationCheckError, match="TimeoutError") as caught:
        revocation.is_revoked({"jti": "j"})
    assert isinstance(caught.value.__cause__, TimeoutError)
    with pytest.raises(RevocationCheckError, match="could not be written"):
        revocation.revoke_jti("j")


# --------------------------------------------------------------------------- concurrency


def test_threads_revoking_while_others_verify_see_consistent_results(
    pool: FakeUserPool,
) -> None:
    revocation = RevocationList()
    verifier = pool.verifier(revocation=revocation)
    tokens = [pool.access_token(f"user{n}") for n in range(40)]
    to_revoke = set(tokens[::2])
    revoked_done: set[str] = set()
    problems: list[str] = []
    stop = threading.Event()

    def verify_all() -> None:
        while not stop.is_set():
            for token in tokens:
                done = token in revoked_done  # read before verifying
                try:
                    verifier.verify(token)
                except RevokedTokenError:
                    if token not in to_revoke:
                        problems.append("a token never revoked was refused")
                else:
                    if done:
                        problems.append("a token was accepted after its revocation returned")

    def revoke_some(mine: list[str]) -> None:
        for token in mine:
            revocation.revoke(token)
            revoked_done.add(token)

    verifiers = [threading.Thread(target=verify_all) for _ in range(3)]
    for thread in verifiers:
        thread.start()
    ordered = sorted(to_revoke)
    revokers = [threading.Thread(target=revoke_some, args=(ordered[n::2],)) for n in range(2)]
    for thread in revokers:
        thread.start()
    for thread in revokers:
        thread.join()
    stop.set()
    for thread in verifiers:
        thread.join()

    assert problems == []
    for token in tokens:
        if token in to_revoke:
            refused(verifier, token)
        else:
            verifier.verify(token)


# --------------------------------------------------------------------------- Redis


def test_importing_revocation_never_imports_redis() -> None:
    code = (
        "import sys, cognito_jwt, cognito_jwt.revocation\n"
        "cognito_jwt.RevocationList(); cognito_jwt.RevocationStore\n"
        "assert 'redis' not in sys.modules, 'redis was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_without_redis_py_the_store_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(ImportError, match=r"cognito-jwt\[redis\]"):
        RedisRevocationStore(object())  # type: ignore[arg-type]


def test_the_redis_store_takes_a_synchronous_client_and_a_str_prefix(
    redis_client: redis.Redis,
) -> None:
    import redis.asyncio

    with pytest.raises(ConfigurationError, match=r"synchronous redis\.Redis"):
        RedisRevocationStore(redis.asyncio.Redis())  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match=r"synchronous redis\.Redis"):
        RedisRevocationStore("redis://localhost")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="prefix"):
        RedisRevocationStore(redis_client, prefix=b"x")  # type: ignore[arg-type]


def test_two_verifiers_share_revocations_through_one_redis(
    pool: FakeUserPool, redis_server: RedisServer, redis_client: redis.Redis
) -> None:
    # Two processes' worth of objects: separate clients, lists and verifiers.
    other_client = redis_server.client()
    list_a = RevocationList(RedisRevocationStore(redis_client))
    list_b = RevocationList(RedisRevocationStore(other_client))
    verifier_a = pool.verifier(revocation=list_a)
    verifier_b = pool.verifier(revocation=list_b)
    sign_in = session_tokens(pool, "alice")
    single = pool.access_token("bob")
    old = pool.access_token("carol", issued_at=time.time() - 120)
    untouched = pool.access_token("dave")
    for token in [*sign_in, single, old, untouched]:
        verifier_b.verify(token)  # cached in B

    list_a.revoke(sign_in[0])
    list_a.revoke_jti(verifier_a.verify(single)["jti"])
    list_a.sign_out(verifier_a.verify(old).sub, at=time.time() - 60)

    for token in sign_in:
        assert refused(verifier_b, token).revoked_by == "origin_jti"
    assert refused(verifier_b, single).revoked_by == "jti"
    assert refused(verifier_b, old).revoked_by == "sub"
    assert verifier_b.verify(untouched).username == "dave"
    other_client.close()


def test_redis_entries_carry_ttls_and_prefixed_keys(redis_client: redis.Redis) -> None:
    revocation = RevocationList(
        RedisRevocationStore(redis_client, prefix="app1:"), max_token_lifetime=3600
    )
    now = time.time()
    revocation.revoke_jti("j1", expires_at=now + 100)
    revocation.revoke_origin("o1")
    revocation.sign_out("s1", at=now - 10)

    assert sorted(redis_client.keys("*")) == [b"app1:jti:j1", b"app1:origin:o1", b"app1:sub:s1"]
    for key, seconds in [("jti:j1", 100), ("origin:o1", 3600), ("sub:s1", 3590)]:
        ttl = redis_client.pttl(f"app1:{key}")
        assert (seconds + MARGIN - 5) * 1000 < ttl <= (seconds + MARGIN) * 1000, key
    assert float(redis_client.get("app1:sub:s1") or b"") == pytest.approx(now - 10)


def test_redis_keeps_the_later_sign_out(redis_client: redis.Redis) -> None:
    revocation = RevocationList(RedisRevocationStore(redis_client))
    now = time.time()
    revocation.sign_out("s1", at=now - 10)
    revocation.sign_out("s1", at=now - 1000)
    assert float(redis_client.get("cognito-jwt:sub:s1") or b"") == pytest.approx(now - 10)
    assert revocation.is_revoked({"sub": "s1", "iat": int(now - 20)})
    assert not revocation.is_revoked({"sub": "s1", "iat": int(now) + 1})


def test_redis_entries_expire_by_themselves(redis_client: redis.Redis) -> None:
    store = RedisRevocationStore(redis_client)
    store.add({"jti:short": (1.0, time.time() + 0.05), "jti:gone": (1.0, time.time() - 1)})
    assert redis_client.exists("cognito-jwt:jti:gone") == 0
    deadline = time.monotonic() + 5
    while store.get(["jti:short"]) != [None] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert store.get(["jti:short"]) == [None]
    assert redis_client.exists("cognito-jwt:jti:short") == 0


def test_a_redis_check_is_one_round_trip(
    redis_server: RedisServer, redis_client: redis.Redis
) -> None:
    checker = redis_server.client()
    revocation = RevocationList(RedisRevocationStore(checker))
    checker.ping()  # connected before the count starts
    redis_client.config_resetstat()
    assert not revocation.is_revoked({"jti": "a", "origin_jti": "b", "sub": "c", "iat": 1})
    stats = redis_client.info("commandstats")
    ours = {
        n: e["calls"]
        for n, e in stats.items()
        if not n.startswith(("cmdstat_info", "cmdstat_config"))
    }
    assert ours == {"cmdstat_mget": 1}
    checker.close()


def test_a_garbage_value_in_redis_fails_closed(redis_client: redis.Redis) -> None:
    redis_client.set("cognito-jwt:jti:j1", "not a number")
    revocation = RevocationList(RedisRevocationStore(redis_client))
    with pytest.raises(RevocationCheckError, match="not a number"):
        revocation.is_revoked({"jti": "j1"})


def test_redis_on_a_port_nobody_listens_on_means_503(pool: FakeUserPool) -> None:
    client = make_client(free_port())
    revocation = RevocationList(RedisRevocationStore(client))
    verifier = pool.verifier(revocation=revocation)
    with pytest.raises(RevocationCheckError) as caught:
        verifier.verify(pool.access_token())
    assert caught.value.status_code == 503
    assert isinstance(caught.value.__cause__, redis.ConnectionError)
    with pytest.raises(RevocationCheckError, match="could not be stored"):
        revocation.revoke_origin("o1")


def test_a_redis_server_that_stops_means_503_never_an_accepted_token(pool: FakeUserPool) -> None:
    with running_redis_server() as server:
        client = server.client(socket_timeout=1.0, socket_connect_timeout=1.0)
        verifier = pool.verifier(revocation=RevocationList(RedisRevocationStore(client)))
        token = pool.access_token()
        verifier.verify(token)  # now cached
        server.stop()
        for _ in range(3):  # a fresh connection is tried, and fails, every time
            with pytest.raises(RevocationCheckError):
                verifier.verify(token)
        with pytest.raises(RevocationCheckError):
            verifier.verify(pool.access_token())
        client.close()


def test_averify_asks_redis_without_blocking_and_refuses(
    pool: FakeUserPool, redis_client: redis.Redis
) -> None:
    revocation = RevocationList(RedisRevocationStore(redis_client))
    assert not revocation._inline
    verifier = pool.verifier(revocation=revocation)
    token, other = pool.access_token(groups=["staff"]), pool.access_token()
    revocation.revoke(token)

    async def main() -> None:
        with pytest.raises(RevokedTokenError) as caught:
            await verifier.averify(token, allowed_groups="admins")  # revocation first
        assert caught.value.claims is not None
        with pytest.raises(InvalidAudienceError):
            await verifier.averify(token, client_ids="another-client")
        assert (await verifier.averify(other)).username == "alice"

    asyncio.run(main())


def test_threads_revoking_through_redis_while_others_verify(
    pool: FakeUserPool, redis_server: RedisServer, redis_client: redis.Redis
) -> None:
    writer = RevocationList(RedisRevocationStore(redis_server.client()))
    verifier = pool.verifier(revocation=RevocationList(RedisRevocationStore(redis_client)))
    tokens = [pool.access_token(f"user{n}") for n in range(20)]
    to_revoke = set(tokens[1::2])
    revoked_done: set[str] = set()
    problems: list[str] = []
    stop = threading.Event()

    def verify_all() -> None:
        while not stop.is_set():
            for token in tokens:
                done = token in revoked_done
                try:
                    verifier.verify(token)
                except RevokedTokenError:
                    if token not in to_revoke:
                        problems.append("a token never revoked was refused")
                else:
                    if done:
                        problems.append("a token was accepted after its revocation returned")

    threads = [threading.Thread(target=verify_all) for _ in range(3)]
    for thread in threads:
        thread.start()
    for token in sorted(to_revoke):
        writer.revoke(token)
        revoked_done.add(token)
    stop.set()
    for thread in threads:
        thread.join()

    assert problems == []
    for token in tokens:
        if token in to_revoke:
            refused(verifier, token)
        else:
            verifier.verify(token)


def test_the_verifier_accepts_a_datetime_from_claims(
    pool: FakeUserPool, verifier: CognitoVerifier, revocation: RevocationList
) -> None:
    claims = verifier.verify(pool.m2m_token(expires_in=120))
    revocation.revoke_jti(claims["jti"], expires_at=claims.expires_at)
    assert revocation.is_revoked(claims)


def test_without_redis_server_the_redis_tests_fail_saying_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y redis-server"):
        running_redis_server().__enter__()


def test_public_types(redis_client: redis.Redis) -> None:
    # mypy --strict proves these; the stores satisfy the protocol statically.
    memory: RevocationStore = MemoryRevocationStore()
    shared: RevocationStore = RedisRevocationStore(redis_client)
    revocation = RevocationList(shared, max_token_lifetime=60)
    assert_type(revocation.store, RevocationStore)
    assert_type(revocation.max_token_lifetime, float)
    assert_type(revocation.is_revoked({"jti": "j"}), bool)
    assert_type(RevocationList(memory).revoke_jti("j"), None)
    error = RevokedTokenError("revoked", revoked_by="sub")
    assert_type(error.claims, CognitoClaims | AlbClaims | None)
    assert_type(error.revoked_by, str)
    assert repr(revocation) == "RevocationList(store=RedisRevocationStore, max_token_lifetime=60)"
