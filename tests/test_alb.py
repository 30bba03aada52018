"""AlbVerifier: configuration, ALB tokens, their headers, the key cache and its fetches."""

from __future__ import annotations

import asyncio
import re
import threading
import uuid
from collections.abc import Awaitable
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from cognito_jwt import (
    AlbClaims,
    AlbVerifier,
    ConfigurationError,
    ExpiredTokenError,
    InvalidIssuerError,
    InvalidSignatureError,
    InvalidSignerError,
    InvalidTokenError,
    JWKSFetchError,
    JWKSFormatError,
    MalformedTokenError,
    MissingTokenError,
    UnknownKeyError,
    VerifierStats,
)
from cognito_jwt._keystore import MAX_NEW_KID_FETCHES
from cognito_jwt.testing import FakeAlb, FakeUserPool
from tests.conftest import FakeClock, JWKSServer
from tests.jwks_helpers import answer_chunked

ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188"
BAD_DER_PEM = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"


def arn(region: str, partition: str = "aws", name: str = "my-alb") -> str:
    return (
        f"arn:{partition}:elasticloadbalancing:{region}:123456789012"
        f":loadbalancer/app/{name}/0123456789abcdef"
    )


@pytest.fixture
def alb() -> FakeAlb:
    return FakeAlb(user_pool=FakeUserPool())


# ----------------------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    ("alb_arn", "keys_url"),
    [
        (arn("eu-west-1"), "https://public-keys.auth.elb.eu-west-1.amazonaws.com"),
        (arn("ap-southeast-5"), "https://public-keys.auth.elb.ap-southeast-5.amazonaws.com"),
        (
            arn("us-gov-west-1", "aws-us-gov"),
            "https://s3-us-gov-west-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-west-1",
        ),
        (
            arn("us-gov-east-1", "aws-us-gov"),
            "https://s3-us-gov-east-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-east-1",
        ),
        (arn("cn-north-1", "aws-cn"), "https://public-keys.auth.elb.cn-north-1.amazonaws.com.cn"),
    ],
)
def test_keys_url_is_derived_for_the_partition_and_region(alb_arn: str, keys_url: str) -> None:
    verifier = AlbVerifier(alb_arn, client_ids=None, issuer=None)
    assert verifier.keys_url == keys_url
    assert verifier.alb_arns == (alb_arn,)


@pytest.mark.parametrize(
    "bad",
    [
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/nlb/0123456789abcdef",
        "arn:aws:elasticloadbalancing:eu-west-1:1234:loadbalancer/app/my-alb/0123456789abcdef",
        "arn:aws:ec2:eu-west-1:123456789012:loadbalancer/app/my-alb/0123456789abcdef",
        arn("us-gov-west-1"),  # a GovCloud region in the standard partition
        arn("eu-west-1", "aws-us-gov"),
        arn("cn-north-1"),
        "my-alb",
        "",
    ],
)
def test_a_malformed_arn_is_a_configuration_error(bad: str) -> None:
    with pytest.raises(ConfigurationError):
        AlbVerifier(bad, client_ids=None, issuer=None)


def test_arns_of_several_regions_need_a_keys_url() -> None:
    arns = [arn("eu-west-1"), arn("eu-central-1")]
    with pytest.raises(ConfigurationError, match="more than one region"):
        AlbVerifier(arns, client_ids=None, issuer=None)
    verifier = AlbVerifier(arns, client_ids=None, issuer=None, keys_url="https://keys.example/alb")
    assert verifier.keys_url == "https://keys.example/alb"
    assert AlbVerifier(
        [arn("eu-west-1", name="a"), arn("eu-west-1", name="b")], client_ids=None, issuer=None
    )


def test_partition_without_a_known_key_url_needs_one() -> None:
    with pytest.raises(ConfigurationError, match="keys_url"):
        AlbVerifier(arn("eu-west-1", "aws-iso"), client_ids=None, issuer=None)


def test_sovereign_cloud_load_balancers_need_a_keys_url() -> None:
    eusc = arn("eusc-de-east-1", "aws-eusc")
    with pytest.raises(ConfigurationError, match="keys_url"):
        AlbVerifier(eusc, client_ids=None, issuer=None)
    verifier = AlbVerifier(eusc, client_ids=None, issuer=None, keys_url="https://keys.example")
    assert verifier.keys_url == "https://keys.example"


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("cn-north-1", "aws"),
        ("eusc-de-east-1", "aws"),
        ("us-iso-east-1", "aws"),
        ("us-gov-west-1", "aws"),
        ("eu-west-1", "aws-cn"),
        ("eu-west-1", "aws-us-gov"),
        ("cn-north-1", "aws-eusc"),
    ],
)
def test_an_arn_naming_a_region_of_another_partition_is_refused(
    region: str, partition: str
) -> None:
    with pytest.raises(ConfigurationError, match="not in partition"):
        AlbVerifier(
            arn(region, partition), client_ids=None, issuer=None, keys_url="https://keys.example"
        )


@pytest.mark.parametrize(
    "options",
    [
        {"keys_url": "http://keys.example"},
        {"keys_url": "ftp://keys.example"},
        {"leeway": -1},
        {"leeway": 301},
        {"timeout": 0},
        {"refresh_cooldown": float("nan")},
        {"token_cache_size": -1},
        {"max_token_bytes": 0},
        {"issuer": "not a url"},
        {"client_ids": []},
        {"custom_check": "no"},
        {"session": object()},
    ],
)
def test_bad_options_are_configuration_errors(options: dict[str, Any]) -> None:
    kwargs: dict[str, Any] = {"client_ids": None, "issuer": None, **options}
    with pytest.raises(ConfigurationError):
        AlbVerifier(ARN, **kwargs)


def test_client_ids_and_issuer_have_no_default() -> None:
    with pytest.raises(TypeError):
        AlbVerifier(ARN)  # type: ignore[call-arg]


def test_a_str_arn_is_one_arn_never_split() -> None:
    verifier = AlbVerifier(ARN, client_ids="abc", issuer=None)
    assert verifier.alb_arns == (ARN,)
    assert verifier.client_ids == frozenset({"abc"})


# ----------------------------------------------------------------------------- verification


@pytest.mark.parametrize("padded", [True, False])
def test_a_token_as_the_alb_sends_it_verifies(alb: FakeAlb, padded: bool) -> None:
    token = alb.token(email="alice@example.com", padded=padded)
    assert ("=" in token) is padded or not padded
    claims = alb.verifier().verify(token)
    assert isinstance(claims, AlbClaims)
    assert claims.sub == alb.sub_of("alice")
    assert claims.email == "alice@example.com"
    assert claims.username == "alice"
    assert claims.client_id == alb.client_id
    assert claims.issuer == alb.issuer
    assert claims.signer == alb.alb_arn
    assert claims.header["alg"] == "ES256"
    assert claims["email_verified"] == "true"


def test_claims_are_deeply_read_only(alb: FakeAlb) -> None:
    claims = alb.verifier().verify(alb.token(claims={"groups": ["a", {"b": 1}]}))
    assert claims["groups"] == ("a", {"b": 1})
    with pytest.raises(TypeError):
        claims["groups"][1]["b"] = 2
    with pytest.raises(TypeError):
        claims.header["kid"] = "x"  # type: ignore[index]
    assert claims.to_dict()["groups"] == ["a", {"b": 1}]


def test_expires_at_is_the_earlier_exp(alb: FakeAlb, clock: FakeClock) -> None:
    token = alb.token(claims={"exp": int(clock.now) + 30}, issued_at=clock.now)
    claims = alb.verifier(clock=clock).verify(token)
    assert claims.expires_at.timestamp() == int(clock.now) + 30


def test_expiry_honours_the_leeway(alb: FakeAlb, clock: FakeClock) -> None:
    token = alb.token(expires_in=120, issued_at=clock.now)
    clock.advance(125)
    assert alb.verifier(clock=clock, leeway=10).verify(token)
    with pytest.raises(InvalidTokenError, match="expired"):
        alb.verifier(clock=clock).verify(token)


def test_none_accepts_any_client_and_issuer(alb: FakeAlb) -> None:
    verifier = alb.verifier(client_ids=None, issuer=None)
    token = alb.token(
        headers={"client": "another", "iss": "https://idp.example"}, claims={"iss": None}
    )
    assert verifier.verify(token).client_id == "another"


def test_the_verified_token_cache_serves_repeats(alb: FakeAlb, clock: FakeClock) -> None:
    verifier = alb.verifier(clock=clock)
    token = alb.token(issued_at=clock.now, expires_in=120)
    first = verifier.verify(token)
    assert verifier.verify(token) is first
    stats = verifier.stats()
    assert (stats.token_cache_hits, stats.token_cache_misses) == (1, 1)
    clock.advance(121)
    with pytest.raises(InvalidTokenError, match="expired"):
        verifier.verify(token)


def test_counters_count_allowed_and_denied(alb: FakeAlb) -> None:
    verifier = alb.verifier()
    verifier.verify(alb.token())
    with pytest.raises(MalformedTokenError):
        verifier.verify("nonsense")
    with pytest.raises(MissingTokenError):
        verifier.verify_headers({})
    stats = verifier.stats()
    assert stats.allowed == 1
    assert stats.denied == 2
    assert stats.denied_by_error == {"MalformedTokenError": 1, "MissingTokenError": 1}
    assert stats.keys == 1


def test_custom_check_runs_and_its_errors_are_wrapped(alb: FakeAlb) -> None:
    seen: list[AlbClaims] = []

    def check(claims: AlbClaims) -> None:
        seen.append(claims)
        if claims.email == "mallory@example.com":
            raise RuntimeError("no")

    verifier = alb.verifier(custom_check=check)
    verifier.verify(alb.token(email="alice@example.com"))
    with pytest.raises(InvalidTokenError, match="RuntimeError"):
        verifier.verify(alb.token(email="mallory@example.com"))
    assert len(seen) == 2


def test_an_async_custom_check_needs_averify(alb: FakeAlb) -> None:
    async def check(claims: AlbClaims) -> None:
        if claims.username != "alice":
            raise InvalidTokenError("not alice")

    verifier = alb.verifier(custom_check=check)
    with pytest.raises(ConfigurationError, match="averify"):
        verifier.verify(alb.token())
    assert asyncio.run(verifier.averify(alb.token())).username == "alice"
    with pytest.raises(InvalidTokenError, match="not alice"):
        asyncio.run(verifier.averify(alb.token(username="bob")))


def test_verify_refuses_an_async_check_before_anything_else(alb: FakeAlb) -> None:
    class Check:
        async def __call__(self, claims: AlbClaims) -> None:
            del claims

    for check in (Check(), Check().__call__):
        verifier = alb.verifier(custom_check=check)
        with pytest.raises(ConfigurationError, match="averify"):
            verifier.verify("nonsense")  # not even parsed
        stats = verifier.stats()
        assert (stats.denied, stats.token_cache_misses, stats.allowed) == (0, 0, 0)
        assert asyncio.run(verifier.averify(alb.token())).username == "alice"


def test_a_sync_check_returning_a_coroutine_is_refused_by_verify(alb: FakeAlb) -> None:
    async def later(claims: AlbClaims) -> None:
        del claims

    def check(claims: AlbClaims) -> Awaitable[None]:
        return later(claims)  # a plain function: only what it returns tells

    verifier = alb.verifier(custom_check=check)
    # Refused, and the coroutine closed (an unawaited one would warn: an error here).
    with pytest.raises(ConfigurationError, match="averify"):
        verifier.verify(alb.token())
    assert asyncio.run(verifier.averify(alb.token())).username == "alice"
    assert verifier.stats().allowed == 1


@pytest.mark.parametrize("returned", [False, True, "ok", 0])
def test_a_check_returning_a_value_is_a_configuration_error(alb: FakeAlb, returned: object) -> None:
    async def async_check(claims: AlbClaims) -> object:
        del claims
        return returned

    verifier = alb.verifier(custom_check=lambda claims: returned)
    with pytest.raises(ConfigurationError, match="must return None"):
        verifier.verify(alb.token())
    verifier = alb.verifier(custom_check=async_check)
    with pytest.raises(ConfigurationError, match="must return None"):
        asyncio.run(verifier.averify(alb.token()))
    assert verifier.stats().denied == 0  # a misuse, not a refusal


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_a_check_s_unexpected_exception_is_chained_and_logged(
    alb: FakeAlb, caplog: pytest.LogCaptureFixture, use_async: bool
) -> None:
    def check(claims: AlbClaims) -> None:
        raise KeyError(claims.username)

    async def async_check(claims: AlbClaims) -> None:
        raise KeyError(claims.username)

    verifier = alb.verifier(custom_check=async_check if use_async else check)
    token = alb.token()
    with pytest.raises(InvalidTokenError, match="custom check failed with KeyError") as caught:
        asyncio.run(verifier.averify(token)) if use_async else verifier.verify(token)
    assert type(caught.value) is InvalidTokenError
    assert isinstance(caught.value.__cause__, KeyError)
    assert isinstance(caught.value.claims, AlbClaims)
    assert caught.value.claims.username == "alice"
    assert [r.getMessage() for r in caplog.records] == ["custom_check raised KeyError"]
    assert caplog.records[0].exc_info is not None
    assert verifier.stats().denied_by_error == {"InvalidTokenError": 1}


# ----------------------------------------------------------------------------- claims on errors


def test_errors_after_the_signature_carry_the_verified_claims(
    alb: FakeAlb, clock: FakeClock
) -> None:
    verifier = alb.verifier(clock=clock)
    expired = alb.token(username="bob", issued_at=clock.now - 600, expires_in=60)
    with pytest.raises(ExpiredTokenError) as caught:
        verifier.verify(expired)
    assert isinstance(caught.value.claims, AlbClaims)
    assert caught.value.claims.username == "bob"
    assert caught.value.claims.signer == alb.alb_arn
    other_issuer = alb.token(username="carol", claims={"iss": "https://idp.example"})
    with pytest.raises(InvalidIssuerError) as issuer_error:
        verifier.verify(other_issuer)
    assert isinstance(issuer_error.value.claims, AlbClaims)
    assert issuer_error.value.claims.username == "carol"
    assert issuer_error.value.claims.header["iss"] == alb.issuer


def test_a_custom_check_s_refusal_carries_the_claims_also_on_a_cache_hit(alb: FakeAlb) -> None:
    refusal = InvalidTokenError("not today")  # one shared instance for every user

    def check(claims: AlbClaims) -> None:
        if claims.username != "alice":
            raise refusal

    async def async_check(claims: AlbClaims) -> None:
        check(claims)

    sync_verifier = alb.verifier(custom_check=check)
    async_verifier = alb.verifier(custom_check=async_check)
    tokens = {user: alb.token(username=user) for user in ("dave", "erin")}
    for user in ("dave", "erin", "dave"):  # the second "dave" is a cache hit
        token = tokens[user]
        with pytest.raises(InvalidTokenError, match="not today") as caught:
            sync_verifier.verify(token)
        assert isinstance(caught.value.claims, AlbClaims)
        assert caught.value.claims.username == user
        with pytest.raises(InvalidTokenError, match="not today") as caught:
            asyncio.run(async_verifier.averify(token))
        assert isinstance(caught.value.claims, AlbClaims)
        assert caught.value.claims.username == user
    assert sync_verifier.stats().token_cache_hits == 1
    assert async_verifier.stats().token_cache_hits == 1


def test_errors_before_the_signature_verified_carry_no_claims(alb: FakeAlb) -> None:
    verifier = alb.verifier()
    forged = alb.token(signing_key=alb.unpublished_key().with_kid(alb.signing_key.kid))
    with pytest.raises(InvalidSignatureError) as bad_signature:
        verifier.verify(forged)
    assert bad_signature.value.claims is None
    with pytest.raises(InvalidSignerError) as other_signer:
        verifier.verify(alb.token(headers={"signer": arn("eu-west-1", name="other")}))
    assert other_signer.value.claims is None
    with pytest.raises(UnknownKeyError) as unknown:
        verifier.verify(alb.token(signing_key=alb.unpublished_key()))
    assert unknown.value.claims is None


# ----------------------------------------------------------------------------- stats


def test_stats_count_a_scripted_sequence_exactly(alb: FakeAlb, clock: FakeClock) -> None:
    key_url = f"{alb.keys_url}/{alb.signing_key.kid}"
    unpublished = alb.unpublished_key()
    with responses.RequestsMock() as rsps:
        rsps.get(key_url, status=503)
        rsps.get(f"{alb.keys_url}/{unpublished.kid}", status=404)
        verifier = AlbVerifier(
            alb.alb_arn, client_ids=alb.client_id, issuer=alb.issuer, clock=clock
        )
        assert verifier.stats() == VerifierStats()
        token = alb.token(issued_at=clock.now, expires_in=3600)
        with pytest.raises(JWKSFetchError):
            verifier.verify(token)  # cache miss, fetch failed
        failing = verifier.stats()
        assert (failing.jwks_fetch_failed, failing.jwks_fetch_success, failing.keys) == (1, 0, 0)
        assert failing.last_fetch_error is not None
        assert "503" in failing.last_fetch_error
        clock.advance(10)  # the cooldown is over
        rsps.replace(responses.GET, key_url, body=alb.public_keys[alb.signing_key.kid])
        fetched_at = clock.now
        verifier.verify(token)  # miss, fetch succeeded, allowed
        verifier.verify(token)  # hit, allowed
        asyncio.run(verifier.averify(token))  # hit, allowed
        with pytest.raises(MalformedTokenError):
            verifier.verify("nonsense")  # miss, denied
        with pytest.raises(InvalidSignerError):
            verifier.verify(alb.token(headers={"signer": arn("eu-west-1", name="other")}))  # miss
        with pytest.raises(MissingTokenError):
            verifier.verify_headers({})  # no token: no cache lookup
        with pytest.raises(UnknownKeyError):
            verifier.verify(alb.token(signing_key=unpublished))  # miss, a 404: not a failure
        clock.advance(5)
        with pytest.raises(ExpiredTokenError):
            verifier.verify(alb.token(issued_at=clock.now - 600, expires_in=60))  # miss
        assert len(rsps.calls) == 3
    assert verifier.stats() == VerifierStats(
        allowed=3,
        denied=6,
        denied_by_error={
            "JWKSFetchError": 1,
            "MalformedTokenError": 1,
            "InvalidSignerError": 1,
            "MissingTokenError": 1,
            "UnknownKeyError": 1,
            "ExpiredTokenError": 1,
        },
        token_cache_hits=2,
        token_cache_misses=6,
        jwks_fetch_success=1,
        jwks_fetch_failed=1,
        keys=1,
        keys_fetched_at=fetched_at,
        last_fetch_error=None,
    )
    # ALB keys never expire: no freshness, no background refresh, no stale key.
    stats = verifier.stats()
    assert (stats.keys_fresh_until, stats.background_refreshes, stats.stale_key_uses) == (
        None,
        0,
        0,
    )


def test_load_keys_sets_keys_and_their_time_but_counts_no_fetch(
    alb: FakeAlb, clock: FakeClock
) -> None:
    verifier = alb.verifier(clock=clock)
    assert verifier.stats() == VerifierStats(keys=1, keys_fetched_at=clock.now)


def test_averify_fetches_in_a_worker_thread(alb: FakeAlb) -> None:
    with alb.mock_keys() as rsps:
        verifier = AlbVerifier(alb.alb_arn, client_ids=alb.client_id, issuer=alb.issuer)

        async def main() -> list[AlbClaims]:
            return await asyncio.gather(*(verifier.averify(alb.token()) for _ in range(5)))

        assert len(asyncio.run(main())) == 5
        assert len(rsps.calls) == 1


# ----------------------------------------------------------------------------- headers


def test_verify_headers_reads_the_header_in_any_case(alb: FakeAlb) -> None:
    verifier = alb.verifier()
    headers = alb.headers()
    for name in ("x-amzn-oidc-data", "X-Amzn-Oidc-Data", "X-AMZN-OIDC-DATA"):
        assert verifier.verify_headers({name: headers["x-amzn-oidc-data"]}).username == "alice"
    assert asyncio.run(verifier.averify_headers(headers)).username == "alice"


@pytest.mark.parametrize(
    "headers",
    [{}, {"x-amzn-oidc-data": ""}, {"x-amzn-oidc-data": "  "}, {"Authorization": "Bearer x"}],
)
def test_no_data_header_is_a_missing_token(alb: FakeAlb, headers: dict[str, str]) -> None:
    with pytest.raises(MissingTokenError) as caught:
        alb.verifier().verify_headers(headers)
    assert caught.value.www_authenticate == "Bearer"


def test_two_different_data_headers_are_refused(alb: FakeAlb) -> None:
    headers = {"x-amzn-oidc-data": alb.token(), "X-Amzn-Oidc-Data": alb.token(username="bob")}
    with pytest.raises(MalformedTokenError, match="more than once"):
        alb.verifier().verify_headers(headers)


def test_headers_carry_identity_and_the_pools_access_token(alb: FakeAlb) -> None:
    headers = alb.headers("bob", scopes=("openid", "orders/read"))
    assert headers["x-amzn-oidc-identity"] == alb.sub_of("bob")
    pool = alb.user_pool
    assert pool is not None
    access = pool.verifier(token_use="access").verify(headers["x-amzn-oidc-accesstoken"])
    assert access.sub == headers["x-amzn-oidc-identity"]
    assert "orders/read" in access.scopes
    assert "x-amzn-oidc-accesstoken" not in FakeAlb().headers()


# ----------------------------------------------------------------------------- load_keys


def test_load_keys_seeds_the_cache_without_requests(alb: FakeAlb) -> None:
    with alb.mock_keys() as rsps:
        verifier = AlbVerifier(alb.alb_arn, client_ids=alb.client_id, issuer=alb.issuer)
        assert verifier.load_keys(alb.public_keys) == 1
        verifier.verify(alb.token())
        assert len(rsps.calls) == 0


@pytest.mark.parametrize(
    "keys",
    [
        {"not-a-uuid": "x"},
        {"00000000-0000-0000-0000-000000000000": BAD_DER_PEM},
        {"00000000-0000-0000-0000-000000000000": 5},
    ],
)
def test_load_keys_refuses_what_is_not_a_p256_key(alb: FakeAlb, keys: dict[str, Any]) -> None:
    verifier = AlbVerifier(alb.alb_arn, client_ids=None, issuer=None)
    with pytest.raises(JWKSFormatError):
        verifier.load_keys(keys)
    with pytest.raises(ConfigurationError):
        verifier.load_keys([])  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- fetching


def pem_server(jwks_server: JWKSServer, keys: dict[str, str], *, delay: float = 0.0) -> str:
    """Serve ``keys`` (kid to PEM) at ``/<kid>`` from the loopback server; return its base URL."""

    def respond(handler: BaseHTTPRequestHandler) -> None:
        pem = keys.get(handler.path.lstrip("/"))
        if pem is None:
            handler.send_error(404)
            return
        body = pem.encode()
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    jwks_server.respond = respond
    jwks_server.delay = delay
    return jwks_server.base_url


def test_cold_start_under_20_threads_makes_one_request_per_kid(
    alb: FakeAlb, jwks_server: JWKSServer
) -> None:
    second = FakeAlb(alb.alb_arn, client_id=alb.client_id, issuer=alb.issuer)
    second.rotate_keys()  # a second kid, published by the same server
    keys = {**alb.public_keys, **second.public_keys}
    # The delay keeps the first request in flight while the other threads arrive.
    base = pem_server(jwks_server, keys, delay=0.2)
    verifier = AlbVerifier(alb.alb_arn, client_ids=alb.client_id, issuer=alb.issuer, keys_url=base)
    tokens = [alb.token(), second.token()]
    barrier = threading.Barrier(20)
    results: list[object] = []

    def work(index: int) -> None:
        barrier.wait()
        try:
            results.append(verifier.verify(tokens[index % 2]))
        except Exception as exc:  # collected for the assertion
            results.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 20
    assert all(isinstance(r, AlbClaims) for r in results), results
    assert jwks_server.requests == 2
    assert sorted(jwks_server.paths) == sorted(f"/{kid}" for kid in keys)
    verifier.verify(alb.token())
    assert jwks_server.requests == 2  # cache hit


def test_a_404_kid_stays_unknown_for_the_cooldown(alb: FakeAlb, clock: FakeClock) -> None:
    token = alb.token(signing_key=alb.unpublished_key(), issued_at=clock.now, expires_in=3600)
    with alb.mock_keys() as rsps:
        verifier = AlbVerifier(
            alb.alb_arn,
            client_ids=alb.client_id,
            issuer=alb.issuer,
            clock=clock,
            refresh_cooldown=10,
        )
        for _ in range(3):
            with pytest.raises(UnknownKeyError) as caught:
                verifier.verify(token)
            assert caught.value.kid == alb.unpublished_key().kid
        assert len(rsps.calls) == 1
        clock.advance(10)
        with pytest.raises(UnknownKeyError):
            verifier.verify(token)
        assert len(rsps.calls) == 2
        stats = verifier.stats()
        assert (stats.jwks_fetch_failed, stats.jwks_fetch_success) == (0, 0)
        assert stats.denied_by_error == {"UnknownKeyError": 4}


def test_a_rotated_in_key_is_fetched_once(alb: FakeAlb) -> None:
    with alb.mock_keys() as rsps:
        verifier = AlbVerifier(alb.alb_arn, client_ids=alb.client_id, issuer=alb.issuer)
        verifier.verify(alb.token())
        alb.rotate_keys()
        for _ in range(3):
            verifier.verify(alb.token())
        assert len(rsps.calls) == 2
        stats = verifier.stats()
        assert (stats.keys, stats.jwks_fetch_success) == (2, 2)


def test_a_flood_of_random_kids_costs_at_most_5_requests_per_cooldown(
    alb: FakeAlb, clock: FakeClock
) -> None:
    cooldown = 10.0
    request_times: list[float] = []

    def not_found(request: Any) -> tuple[int, dict[str, str], str]:
        del request
        request_times.append(clock.now)
        return 404, {}, "Not Found"

    tokens = [
        alb.token(headers={"kid": str(uuid.uuid4())}, issued_at=clock.now, expires_in=3600)
        for _ in range(10_000)
    ]
    with responses.RequestsMock() as rsps:
        rsps.add_callback(
            responses.GET, re.compile(re.escape(alb.keys_url) + "/.*"), callback=not_found
        )
        verifier = AlbVerifier(
            alb.alb_arn,
            client_ids=alb.client_id,
            issuer=alb.issuer,
            clock=clock,
            refresh_cooldown=cooldown,
            token_cache_size=0,
        )
        for index, token in enumerate(tokens):
            with pytest.raises(UnknownKeyError):
                verifier.verify(token)
            if index % 100 == 99:
                clock.advance(0.3)  # 10,000 tokens over 30 s of the fake clock
    assert request_times
    for start in request_times:
        in_window = [t for t in request_times if start <= t < start + cooldown]
        assert len(in_window) <= MAX_NEW_KID_FETCHES
    assert len(request_times) <= MAX_NEW_KID_FETCHES * 4


def test_the_flood_does_not_evict_or_block_known_keys(alb: FakeAlb, clock: FakeClock) -> None:
    verifier = alb.verifier(clock=clock)
    for _ in range(50):
        with pytest.raises(UnknownKeyError):
            verifier.verify(alb.token(headers={"kid": str(uuid.uuid4())}, issued_at=clock.now))
    assert verifier.verify(alb.token(issued_at=clock.now)).username == "alice"


def p384_pem() -> bytes:
    key = ec.generate_private_key(ec.SECP384R1()).public_key()
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def rsa_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def p256_private_pem() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"garbage", "not one PEM"),
        (b"", "not one PEM"),
        (b"<html>Access Denied</html>", "not one PEM"),
        (rsa_pem(), "not an EC public key"),
        (p384_pem(), "secp384r1"),
        (p256_private_pem(), "not one PEM"),
        (b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "refused"),
    ],
    ids=["garbage", "empty", "html", "rsa", "p384", "private-key", "bad-der"],
)
def test_a_hostile_key_body_is_a_format_error(
    alb: FakeAlb, clock: FakeClock, body: bytes, match: str
) -> None:
    with responses.RequestsMock() as rsps:
        rsps.get(f"{alb.keys_url}/{alb.signing_key.kid}", body=body)
        verifier = AlbVerifier(
            alb.alb_arn, client_ids=alb.client_id, issuer=alb.issuer, clock=clock
        )
        token = alb.token(issued_at=clock.now)
        with pytest.raises(JWKSFormatError, match=match):
            verifier.verify(token)
        with pytest.raises(JWKSFormatError):  # within the cooldown: no request
            verifier.verify(token)
        assert len(rsps.calls) == 1
        stats = verifier.stats()
        assert (stats.jwks_fetch_failed, stats.jwks_fetch_success) == (1, 0)
        assert stats.last_fetch_error is not None
        assert re.search(match, stats.last_fetch_error)


def test_a_body_over_64_kib_is_refused(alb: FakeAlb, jwks_server: JWKSServer) -> None:
    jwks_server.body = alb.public_keys[alb.signing_key.kid].encode() + b"\n" * (64 * 1024)
    verifier = AlbVerifier(alb.alb_arn, client_ids=None, issuer=None, keys_url=jwks_server.base_url)
    with pytest.raises(JWKSFetchError, match="over 65536"):
        verifier.verify(alb.token())


def test_a_slow_drip_is_cut_by_the_timeout(alb: FakeAlb, jwks_server: JWKSServer) -> None:
    jwks_server.respond = answer_chunked(
        alb.public_keys[alb.signing_key.kid].encode(), chunk=1, pause=0.05
    )
    verifier = AlbVerifier(
        alb.alb_arn, client_ids=None, issuer=None, keys_url=jwks_server.base_url, timeout=0.3
    )
    with pytest.raises(JWKSFetchError, match=r"timed out after 0\.3 s"):
        verifier.verify(alb.token())


def test_a_server_error_is_a_fetch_error_then_waits_the_cooldown(
    alb: FakeAlb, clock: FakeClock
) -> None:
    with responses.RequestsMock() as rsps:
        rsps.get(f"{alb.keys_url}/{alb.signing_key.kid}", status=503)
        verifier = AlbVerifier(alb.alb_arn, client_ids=None, issuer=None, clock=clock)
        token = alb.token(issued_at=clock.now, expires_in=3600)
        with pytest.raises(JWKSFetchError, match="503"):
            verifier.verify(token)
        with pytest.raises(JWKSFetchError):
            verifier.verify(token)
        assert len(rsps.calls) == 1
        clock.advance(10)
        rsps.replace(
            responses.GET,
            f"{alb.keys_url}/{alb.signing_key.kid}",
            body=alb.public_keys[alb.signing_key.kid],
        )
        assert verifier.verify(token).username == "alice"
        stats = verifier.stats()
        assert (stats.jwks_fetch_failed, stats.jwks_fetch_success) == (1, 1)
        assert stats.last_fetch_error is None


def test_the_fake_alb_serves_its_keys_on_loopback(alb: FakeAlb) -> None:
    with alb.serve() as url:
        verifier = alb.verifier(keys_url=url)
        assert verifier.verify(alb.token()).username == "alice"
        with pytest.raises(UnknownKeyError):
            verifier.verify(alb.token(signing_key=alb.unpublished_key()))


def test_the_cognito_alb_fixture(cognito_alb: FakeAlb, cognito_pool: FakeUserPool) -> None:
    assert cognito_alb.user_pool is cognito_pool
    assert (
        cognito_alb.verifier().verify_headers(cognito_alb.headers()).issuer == cognito_pool.issuer
    )


def test_the_fake_albs_offline_session_answers_its_key_url_only(alb: FakeAlb) -> None:
    session = alb.offline_session()
    kid = alb.signing_key.kid
    found = session.get(f"{alb.keys_url}/{kid}")
    assert found.status_code == 200
    assert found.content.decode() == alb.public_keys[kid]
    assert session.get(f"{alb.keys_url}/{uuid.uuid4()}").status_code == 404
    assert session.get("https://example.com/anything").status_code == 404


def test_mock_keys_answers_published_kids_and_404(alb: FakeAlb) -> None:
    with alb.mock_keys() as rsps:
        verifier = AlbVerifier(alb.alb_arn, client_ids=None, issuer=None)
        verifier.verify(alb.token())
        with pytest.raises(UnknownKeyError):
            verifier.verify(alb.token(signing_key=alb.unpublished_key()))
        assert [call.response.status_code for call in rsps.calls] == [200, 404]  # type: ignore[union-attr]


def test_fake_alb_in_govcloud_and_its_region_checks() -> None:
    gov = FakeAlb(region="us-gov-east-1")
    assert gov.alb_arn.startswith("arn:aws-us-gov:elasticloadbalancing:us-gov-east-1:")
    assert gov.keys_url.endswith("/aws-elb-public-keys-prod-us-gov-east-1")
    assert gov.verifier().verify(gov.token()).signer == gov.alb_arn
    with pytest.raises(ConfigurationError):
        FakeAlb(gov.alb_arn, region="eu-west-1")


def test_header_values_as_bytes_and_bad_mappings(alb: FakeAlb) -> None:
    verifier = alb.verifier()
    raw = {"x-amzn-oidc-data": alb.token().encode()}
    assert verifier.verify_headers(raw).username == "alice"  # type: ignore[arg-type]
    with pytest.raises(MalformedTokenError, match="not ASCII"):
        verifier.verify_headers({"x-amzn-oidc-data": b"\xff"})  # type: ignore[dict-item]
    with pytest.raises(MalformedTokenError, match="mapping"):
        verifier.verify_headers([("x-amzn-oidc-data", alb.token())])  # type: ignore[arg-type]
