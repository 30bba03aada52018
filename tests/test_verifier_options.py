"""CognitoVerifier options and outcomes a new user relies on.

Async custom checks, AWS partitions and replica issuers, the claims an error
carries after the signature verified, group and scope defaults, a str as one
name, ASCII bytes, and messages that say what was expected.
"""

from __future__ import annotations

import asyncio
import gc
import json
import warnings
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
import responses

from cognito_jwt import (
    AccessDeniedError,
    CognitoClaims,
    CognitoJWTError,
    CognitoVerifier,
    ConfigurationError,
    ExpiredTokenError,
    InsufficientScopeError,
    InvalidAudienceError,
    InvalidIssuerError,
    InvalidSignatureError,
    InvalidTokenError,
    InvalidTokenUseError,
    MalformedTokenError,
    MissingGroupError,
    MultiPoolVerifier,
)
from cognito_jwt.testing import FakeUserPool
from tests.conftest import FakeClock

POOL_ID = "eu-west-1_TestPool1"


@pytest.fixture
def pool() -> FakeUserPool:
    return FakeUserPool()


def _no_unawaited_coroutine_warning() -> Iterator[None]:
    """Fail if a coroutine was dropped without being awaited or closed."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
        gc.collect()
    assert not [w for w in caught if "never awaited" in str(w.message)]


no_unawaited_warning = pytest.fixture(_no_unawaited_coroutine_warning)


# --------------------------------------------------------------------------- async custom_check


class TestAsyncCustomCheck:
    """An async check is awaited by averify() and refused by verify(): never skipped."""

    def test_averify_awaits_an_async_check_that_accepts(self, pool: FakeUserPool) -> None:
        seen: list[str] = []

        async def check(claims: CognitoClaims) -> None:
            await asyncio.sleep(0)
            seen.append(claims.sub)

        verifier = pool.verifier(custom_check=check)
        claims = asyncio.run(verifier.averify(pool.access_token("alice")))
        assert seen == [claims.sub]

    def test_averify_awaits_an_async_check_that_refuses(self, pool: FakeUserPool) -> None:
        async def check(claims: CognitoClaims) -> None:
            await asyncio.sleep(0)
            raise AccessDeniedError(f"{claims.username} is suspended")

        verifier = pool.verifier(custom_check=check)
        with pytest.raises(AccessDeniedError, match="alice is suspended") as info:
            asyncio.run(verifier.averify(pool.access_token("alice")))
        assert info.value.claims is not None
        assert info.value.claims.username == "alice"

    def test_verify_refuses_an_async_def_check_without_calling_it(
        self, pool: FakeUserPool, no_unawaited_warning: None
    ) -> None:
        calls: list[str] = []

        async def check(claims: CognitoClaims) -> None:
            calls.append(claims.sub)
            raise AccessDeniedError("never accepted")

        verifier = pool.verifier(custom_check=check)
        with pytest.raises(ConfigurationError, match=r"custom_check is async.*averify\(\)"):
            verifier.verify(pool.access_token())
        with pytest.raises(ConfigurationError):
            verifier.verify_bearer(f"Bearer {pool.access_token()}")
        with pytest.raises(ConfigurationError):
            MultiPoolVerifier([verifier]).verify(pool.access_token())
        assert calls == []

    def test_an_object_with_an_async_call_is_async_too(
        self, pool: FakeUserPool, no_unawaited_warning: None
    ) -> None:
        class Check:
            def __init__(self) -> None:
                self.calls = 0

            async def __call__(self, claims: CognitoClaims) -> None:
                self.calls += 1

        check = Check()
        verifier = pool.verifier(custom_check=check)
        with pytest.raises(ConfigurationError, match="custom_check is async"):
            verifier.verify(pool.access_token())
        assert check.calls == 0
        asyncio.run(verifier.averify(pool.access_token()))
        assert check.calls == 1

    def test_a_sync_function_returning_a_coroutine_is_refused_and_the_coroutine_closed(
        self, pool: FakeUserPool, no_unawaited_warning: None
    ) -> None:
        ran: list[bool] = []

        async def deny(claims: CognitoClaims) -> None:
            ran.append(True)
            raise AccessDeniedError("denied")

        def check(claims: CognitoClaims) -> Awaitable[None]:
            return deny(claims)  # looks sync, returns an awaitable

        verifier = pool.verifier(custom_check=check)
        with pytest.raises(ConfigurationError, match="custom_check is async") as info:
            verifier.verify(pool.access_token())
        assert ran == []  # closed, never run: the token was not accepted either
        assert info.value.claims is None
        # The same check awaited by averify() runs and refuses.
        with pytest.raises(AccessDeniedError):
            asyncio.run(verifier.averify(pool.access_token()))
        assert ran == [True]

    def test_a_sync_check_returning_a_future_is_refused_by_verify(self, pool: FakeUserPool) -> None:
        loop = asyncio.new_event_loop()
        try:
            verifier = pool.verifier(custom_check=lambda claims: loop.create_future())
            with pytest.raises(ConfigurationError, match="custom_check is async"):
                verifier.verify(pool.access_token())
        finally:
            loop.close()

    @pytest.mark.parametrize("value", [False, True, 0, "no"])
    def test_a_check_returning_a_value_is_refused_not_taken_as_a_verdict(
        self, pool: FakeUserPool, value: object
    ) -> None:
        verifier = pool.verifier(custom_check=lambda claims: value)
        with pytest.raises(ConfigurationError, match="must return None"):
            verifier.verify(pool.access_token())

        async def check(claims: CognitoClaims) -> object:
            return value

        with pytest.raises(ConfigurationError, match="must return None"):
            asyncio.run(pool.verifier(custom_check=check).averify(pool.access_token()))

    def test_an_async_check_raising_another_exception_is_wrapped_and_logged(
        self, pool: FakeUserPool, caplog: pytest.LogCaptureFixture
    ) -> None:
        async def check(claims: CognitoClaims) -> None:
            raise KeyError("tier")

        verifier = pool.verifier(custom_check=check)
        with pytest.raises(InvalidTokenError, match="custom check failed with KeyError") as info:
            asyncio.run(verifier.averify(pool.access_token("carol")))
        assert type(info.value) is InvalidTokenError
        assert isinstance(info.value.__cause__, KeyError)
        assert info.value.claims is not None
        assert info.value.claims.username == "carol"
        assert any("custom_check raised KeyError" in r.getMessage() for r in caplog.records)

    def test_multi_pool_averify_awaits_the_async_check(self, pool: FakeUserPool) -> None:
        async def check(claims: CognitoClaims) -> None:
            raise AccessDeniedError("no")

        router = MultiPoolVerifier([pool.verifier(custom_check=check)])
        with pytest.raises(AccessDeniedError):
            asyncio.run(router.averify(pool.access_token()))

    def test_an_async_check_runs_on_every_cache_hit(self, pool: FakeUserPool) -> None:
        calls: list[str] = []

        async def check(claims: CognitoClaims) -> None:
            calls.append(claims.sub)

        verifier = pool.verifier(custom_check=check)
        token = pool.access_token()

        async def twice() -> None:
            await verifier.averify(token)
            await verifier.averify(token)

        asyncio.run(twice())
        assert len(calls) == 2


# --------------------------------------------------------------------------- partitions


@pytest.mark.parametrize(
    ("region", "domain"),
    [
        ("eu-west-1", "amazonaws.com"),
        ("ap-southeast-5", "amazonaws.com"),
        ("us-gov-west-1", "amazonaws.com"),
        ("us-gov-east-1", "amazonaws.com"),
        ("cn-north-1", "amazonaws.com.cn"),
        ("cn-northwest-1", "amazonaws.com.cn"),
        ("eusc-de-east-1", "amazonaws.eu"),
    ],
)
def test_every_partition_s_region_derives_its_issuer_domain(region: str, domain: str) -> None:
    pool_id = f"{region}_AbCdEf123"
    verifier = CognitoVerifier(region, pool_id, client_ids="c", token_use="access")
    assert verifier.issuer == f"https://cognito-idp.{region}.{domain}/{pool_id}"
    assert verifier.issuers[1] == f"https://issuer-cognito-idp.{region}.{domain}/{pool_id}"
    assert (
        verifier.jwks_url
        == f"https://cognito-idp.{region}.{domain}/{pool_id}/.well-known/jwks.json"
    )


@pytest.mark.parametrize(
    "region", ["EU-WEST-1", "eu-west", "eu_west_1", "e-west-1", "europe-west-1", "eu-west-1a", ""]
)
def test_what_is_no_region_name_is_still_refused(region: str) -> None:
    with pytest.raises(ConfigurationError, match="is not an AWS region name"):
        CognitoVerifier(region, f"{region}_AbC", client_ids="c", token_use="access")


def test_a_china_pool_verifies_end_to_end_with_keys_from_its_own_domain() -> None:
    pool = FakeUserPool(region="cn-north-1", user_pool_id="cn-north-1_AbCdEf123", client_id="c")
    assert pool.jwks_url.startswith("https://cognito-idp.cn-north-1.amazonaws.com.cn/")
    verifier = CognitoVerifier(pool.region, pool.user_pool_id, client_ids="c", token_use="id")
    with pool.mock_jwks() as mock:
        assert verifier.verify(pool.id_token("li")).username == "li"
        assert [call.request.url for call in mock.calls] == [pool.jwks_url]


def test_the_issuer_override_still_wins_in_any_partition() -> None:
    verifier = CognitoVerifier(
        "eusc-de-east-1",
        "eusc-de-east-1_AbC",
        client_ids="c",
        token_use="access",
        issuer="https://cognito-idp.eusc-de-east-1.example.eu/eusc-de-east-1_AbC",
    )
    assert verifier.issuers == ("https://cognito-idp.eusc-de-east-1.example.eu/eusc-de-east-1_AbC",)


# --------------------------------------------------------------------------- replica issuers

PRIMARY_ORIGINAL = f"https://cognito-idp.eu-west-1.amazonaws.com/{POOL_ID}"
PRIMARY_UPDATED = f"https://issuer-cognito-idp.eu-west-1.amazonaws.com/{POOL_ID}"
REPLICA_ORIGINAL = f"https://cognito-idp.eu-central-1.amazonaws.com/{POOL_ID}"
REPLICA_UPDATED = f"https://issuer-cognito-idp.eu-central-1.amazonaws.com/{POOL_ID}"


@pytest.fixture
def replicated(pool: FakeUserPool) -> Iterator[tuple[CognitoVerifier, responses.RequestsMock]]:
    """A verifier of a pool replicated to eu-central-1; every Cognito JWKS URL answers."""
    verifier = pool.verifier(jwks=None, additional_regions="eu-central-1")
    body = json.dumps(pool.jwks)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for issuer in (PRIMARY_ORIGINAL, PRIMARY_UPDATED, REPLICA_ORIGINAL, REPLICA_UPDATED):
            mock.add(responses.GET, issuer + "/.well-known/jwks.json", body=body)
        yield verifier, mock


def test_a_replica_adds_its_original_issuer_and_the_updated_issuer_names_the_primary(
    replicated: tuple[CognitoVerifier, responses.RequestsMock],
) -> None:
    verifier, _ = replicated
    assert verifier.issuers == (PRIMARY_ORIGINAL, PRIMARY_UPDATED, REPLICA_ORIGINAL)


@pytest.mark.parametrize("issuer", [PRIMARY_ORIGINAL, PRIMARY_UPDATED, REPLICA_ORIGINAL])
def test_each_issuer_cognito_issues_is_accepted_with_keys_from_its_own_url(
    replicated: tuple[CognitoVerifier, responses.RequestsMock], pool: FakeUserPool, issuer: str
) -> None:
    verifier, mock = replicated
    claims = verifier.verify(pool.access_token(claims={"iss": issuer}))
    assert claims["iss"] == issuer
    assert [call.request.url for call in mock.calls] == [issuer + "/.well-known/jwks.json"]


def test_an_updated_issuer_naming_a_replica_is_refused_before_any_fetch(
    replicated: tuple[CognitoVerifier, responses.RequestsMock], pool: FakeUserPool
) -> None:
    verifier, mock = replicated
    with pytest.raises(InvalidIssuerError) as info:
        verifier.verify(pool.access_token(claims={"iss": REPLICA_UPDATED}))
    assert info.value.actual == REPLICA_UPDATED
    assert REPLICA_UPDATED not in info.value.expected
    assert len(mock.calls) == 0


# --------------------------------------------------------------------------- messages


def test_an_issuer_error_names_the_accepted_issuers(pool: FakeUserPool) -> None:
    other = FakeUserPool(region="us-east-1", user_pool_id="us-east-1_Other1")
    with pytest.raises(InvalidIssuerError) as info:
        pool.verifier().verify(other.access_token())
    message = str(info.value)
    assert message == (
        f"issuer '{other.issuer}' is not accepted; accepted: {PRIMARY_ORIGINAL}, {PRIMARY_UPDATED}"
    )


def test_a_long_issuer_list_is_cut_with_a_count(pool: FakeUserPool) -> None:
    regions = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "ap-south-1", "sa-east-1"]
    verifier = pool.verifier(additional_regions=regions)
    other = FakeUserPool(region="us-east-1", user_pool_id="us-east-1_Other1")
    with pytest.raises(InvalidIssuerError, match=r"and 2 more$"):
        verifier.verify(other.access_token())


# --------------------------------------------------------------------------- claims on errors


def _refusal(verifier: CognitoVerifier, token: str, **options: Any) -> CognitoJWTError:
    with pytest.raises(CognitoJWTError) as info:
        verifier.verify(token, **options)
    return info.value


class TestClaimsOnErrors:
    """After a valid signature the error says whose token it refused; before it, nothing."""

    def test_claim_errors_carry_the_claims(self, pool: FakeUserPool) -> None:
        clock = FakeClock()
        verifier = pool.verifier(token_use="access", clock=clock)
        expired = pool.access_token("dan", issued_at=clock.now - 7200, expires_in=3600)
        error = _refusal(verifier, expired)
        assert type(error) is ExpiredTokenError
        assert isinstance(error.claims, CognitoClaims)
        assert error.claims.username == "dan"

        error = _refusal(verifier, pool.id_token("dan"))
        assert type(error) is InvalidTokenUseError
        assert error.claims is not None
        assert error.claims["cognito:username"] == "dan"

        error = _refusal(verifier, pool.access_token("dan", client_id="other-app"))
        assert type(error) is InvalidAudienceError
        assert error.claims is not None
        assert error.claims.client_id == "other-app"

    def test_access_denied_errors_carry_the_claims(self, pool: FakeUserPool) -> None:
        verifier = pool.verifier()
        token = pool.access_token("erin", groups="staff", scopes="orders/read")
        error = _refusal(verifier, token, allowed_groups="admin")
        assert type(error) is MissingGroupError
        assert isinstance(error.claims, CognitoClaims)
        assert error.claims.groups == ("staff",)
        # Also on a verified-token cache hit (the token was cached by the call above).
        error = _refusal(verifier, token, required_scopes="orders/write")
        assert type(error) is InsufficientScopeError
        assert isinstance(error.claims, CognitoClaims)
        assert error.claims.scopes == frozenset({"orders/read"})

    def test_a_custom_check_s_errors_carry_the_claims(self, pool: FakeUserPool) -> None:
        def check(claims: CognitoClaims) -> None:
            raise AccessDeniedError("suspended")

        error = _refusal(pool.verifier(custom_check=check), pool.access_token("fay"))
        assert error.claims is not None
        assert error.claims.username == "fay"

    def test_a_shared_error_instance_names_each_user_in_turn(self, pool: FakeUserPool) -> None:
        denied = AccessDeniedError("closed")

        def check(claims: CognitoClaims) -> None:
            raise denied

        verifier = pool.verifier(custom_check=check)
        for user in ("kim", "lou"):
            error = _refusal(verifier, pool.access_token(user))
            assert error.claims is not None
            assert error.claims.username == user

    def test_errors_before_the_signature_verified_carry_none(self, pool: FakeUserPool) -> None:
        verifier = pool.verifier()
        forged = pool.access_token(
            "gil", signing_key=pool.unpublished_key().with_kid(pool.signing_keys[1].kid)
        )
        assert type(error := _refusal(verifier, forged)) is InvalidSignatureError
        assert error.claims is None
        other = FakeUserPool(region="us-east-1", user_pool_id="us-east-1_Other1")
        assert type(error := _refusal(verifier, other.access_token("gil"))) is InvalidIssuerError
        assert error.claims is None
        assert type(error := _refusal(verifier, "a.b")) is MalformedTokenError
        assert error.claims is None

    def test_the_claims_never_hold_the_token_text(self, pool: FakeUserPool) -> None:
        token = pool.access_token("hal")
        error = _refusal(pool.verifier(), token, allowed_groups="admin")
        assert error.claims is not None
        assert token not in repr(error.claims.to_dict())
        assert token not in repr(vars(error))


# --------------------------------------------------------------------------- defaults


class TestGroupAndScopeDefaults:
    def test_constructor_groups_and_scopes_apply_to_every_call(self, pool: FakeUserPool) -> None:
        verifier = pool.verifier(allowed_groups="admin", required_scopes="orders/read")
        good = pool.access_token(groups=["admin"], scopes=["orders/read", "profile"])
        assert verifier.verify(good).groups == ("admin",)
        with pytest.raises(MissingGroupError):
            verifier.verify(pool.access_token(groups="staff", scopes="orders/read"))
        with pytest.raises(InsufficientScopeError):
            verifier.verify(pool.access_token(groups="admin", scopes="profile"))
        with pytest.raises(MissingGroupError):
            asyncio.run(verifier.averify(pool.access_token(scopes="orders/read")))

    def test_a_call_s_own_argument_replaces_the_default(self, pool: FakeUserPool) -> None:
        verifier = pool.verifier(allowed_groups="admin", required_scopes="orders/read")
        staff = pool.access_token(groups="staff", scopes="orders/write")
        claims = verifier.verify(staff, allowed_groups="staff", required_scopes="orders/write")
        assert claims.groups == ("staff",)
        # Replaced, not merged: the default scope is not also required.
        assert verifier.verify(staff, allowed_groups=["staff"], required_scopes=()).groups
        with pytest.raises(InsufficientScopeError):
            verifier.verify(staff, allowed_groups="staff")  # the default scope still applies

    @pytest.mark.parametrize(
        ("option", "value"),
        [("allowed_groups", []), ("allowed_groups", 5), ("required_scopes", [""])],
    )
    def test_invalid_defaults_are_refused_at_construction(
        self, pool: FakeUserPool, option: str, value: object
    ) -> None:
        with pytest.raises(ConfigurationError, match=option):
            pool.verifier(**{option: value})


# --------------------------------------------------------------------------- a str is one name


class TestAStrIsOneName:
    """Everywhere the API takes str | Iterable[str], a str is one name, never its characters."""

    def test_fake_pool_groups_and_scopes(self, pool: FakeUserPool) -> None:
        verifier = pool.verifier()
        claims = verifier.verify(pool.access_token("alice", groups="staff", scopes="orders/read"))
        assert claims.groups == ("staff",)
        assert claims.scopes == frozenset({"orders/read"})
        assert verifier.verify(pool.id_token("alice", groups="staff")).groups == ("staff",)
        assert verifier.verify(pool.m2m_token(scopes="orders/read")).scopes == {"orders/read"}

    def test_verifier_client_ids_groups_and_scopes(self, pool: FakeUserPool) -> None:
        verifier = pool.verifier(client_ids="test-client")
        token = pool.access_token(groups=["staff"], scopes=["orders/read"])
        claims = verifier.verify(
            token, client_ids="test-client", allowed_groups="staff", required_scopes="orders/read"
        )
        assert claims.client_id == "test-client"
        # "staff" as characters would let a user of group "s" in: it must not.
        with pytest.raises(MissingGroupError):
            verifier.verify(pool.access_token(groups=["s"]), allowed_groups="staff")
        with pytest.raises(InvalidAudienceError):
            verifier.verify(pool.access_token(client_id="t"), client_ids="test-client")

    def test_additional_regions(self) -> None:
        verifier = CognitoVerifier(
            "eu-west-1", POOL_ID, client_ids="c", token_use="access", additional_regions="us-east-1"
        )
        assert verifier.issuers[2] == f"https://cognito-idp.us-east-1.amazonaws.com/{POOL_ID}"

    def test_multi_pool_options(self, pool: FakeUserPool) -> None:
        router = MultiPoolVerifier([pool.verifier()])
        token = pool.access_token(groups="staff", scopes="orders/read")
        claims = router.verify(token, allowed_groups="staff", required_scopes="orders/read")
        assert claims.groups == ("staff",)


@pytest.mark.parametrize("scopes", ["orders/read orders/write", ["ok", "a\tb"], "a\nb"])
def test_a_scope_containing_whitespace_is_named_as_the_mistake(
    pool: FakeUserPool, scopes: object
) -> None:
    verifier = pool.verifier()
    pattern = "one scope containing whitespace"
    with pytest.raises(ConfigurationError, match=pattern) as info:
        verifier.verify(pool.access_token(), required_scopes=scopes)  # type: ignore[arg-type]
    assert "required_scopes" in str(info.value)
    with pytest.raises(ConfigurationError, match=pattern):
        pool.verifier(required_scopes=scopes)
    with pytest.raises(ConfigurationError, match=pattern):
        pool.access_token(scopes=scopes)  # type: ignore[arg-type]


def test_the_scope_message_shows_the_scopes_meant() -> None:
    with pytest.raises(ConfigurationError) as info:
        FakeUserPool().verifier(required_scopes="orders/read orders/write")
    assert "['orders/read', 'orders/write']" in str(info.value)


# --------------------------------------------------------------------------- bytes


def test_ascii_bytes_verify_like_the_str(pool: FakeUserPool) -> None:
    verifier = pool.verifier()
    token = pool.access_token("ivy")
    assert verifier.verify(token.encode("ascii")).username == "ivy"
    assert asyncio.run(verifier.averify(token.encode())).username == "ivy"
    assert MultiPoolVerifier([verifier]).verify(token.encode()).username == "ivy"
    with pytest.raises(MalformedTokenError, match="not ASCII"):
        verifier.verify(token.encode() + b"\xff")


# --------------------------------------------------------------------------- messages for verify()


@pytest.mark.parametrize(
    ("mangle", "hint"),
    [
        (lambda t: f"Bearer {t}", "verify_bearer()"),
        (lambda t: t + "\n", "strip() it"),
        (lambda t: f"  {t}  ", "strip() it"),
    ],
)
def test_verify_says_what_is_wrong_with_a_pasted_token(
    pool: FakeUserPool, mangle: Callable[[str], str], hint: str
) -> None:
    with pytest.raises(MalformedTokenError) as info:
        pool.verifier().verify(mangle(pool.access_token()))
    assert hint in str(info.value)
    assert "outside unpadded base64url" not in str(info.value)
