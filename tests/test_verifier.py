"""CognitoVerifier and MultiPoolVerifier: configuration, the verification flow, caches."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

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
    MissingTokenError,
    MultiPoolVerifier,
    UnknownKeyError,
)
from cognito_jwt.testing import FakeUserPool
from cognito_jwt.testing._keys import generate_key
from tests.conftest import FakeClock

REGION = "eu-west-1"
POOL_ID = "eu-west-1_TestPool1"


def make_verifier(**overrides: Any) -> CognitoVerifier:
    options: dict[str, Any] = {"client_ids": "test-client", "token_use": "access"}
    options.update(overrides)
    return CognitoVerifier(REGION, POOL_ID, **options)


# --------------------------------------------------------------------------- configuration


class TestConfiguration:
    def test_client_ids_and_token_use_have_no_default(self) -> None:
        with pytest.raises(TypeError, match="client_ids"):
            CognitoVerifier(REGION, POOL_ID, token_use="access")  # type: ignore[call-arg]
        with pytest.raises(TypeError, match="token_use"):
            CognitoVerifier(REGION, POOL_ID, client_ids="c")  # type: ignore[call-arg]

    def test_derived_issuer_and_jwks_url(self) -> None:
        verifier = make_verifier()
        assert verifier.issuer == f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}"
        assert verifier.jwks_url == verifier.issuer + "/.well-known/jwks.json"
        assert verifier.issuers == (
            f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}",
            f"https://issuer-cognito-idp.{REGION}.amazonaws.com/{POOL_ID}",
        )

    def test_additional_regions_add_their_original_issuer(self) -> None:
        verifier = make_verifier(additional_regions=["us-east-1"])
        assert verifier.issuers[2:] == (f"https://cognito-idp.us-east-1.amazonaws.com/{POOL_ID}",)

    def test_issuer_override_skips_the_region_check(self) -> None:
        verifier = CognitoVerifier(
            "local",
            "local_5BBlVUcC",
            client_ids="c",
            token_use="id",
            issuer="http://localhost:9229/local_5BBlVUcC",
        )
        assert verifier.issuer == "http://localhost:9229/local_5BBlVUcC"
        assert verifier.issuers == ("http://localhost:9229/local_5BBlVUcC",)
        assert verifier.jwks_url == "http://localhost:9229/local_5BBlVUcC/.well-known/jwks.json"

    def test_jwks_url_override_applies_to_the_primary_issuer(self) -> None:
        verifier = make_verifier(jwks_url="http://127.0.0.1:9999/jwks.json")
        assert verifier.jwks_url == "http://127.0.0.1:9999/jwks.json"
        assert verifier.issuer == f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}"

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"client_ids": []}, "client_ids is empty"),
            ({"client_ids": ["ok", 3]}, "client_ids"),
            ({"client_ids": ""}, "client_ids"),
            ({"token_use": "refresh"}, "token_use"),
            ({"leeway": -1}, "leeway"),
            ({"leeway": float("nan")}, "leeway"),
            ({"leeway": 3600}, "leeway"),
            ({"timeout": 0}, "timeout"),
            ({"jwks_ttl": 0}, "jwks_ttl"),
            ({"max_stale": -5}, "max_stale"),
            ({"refresh_cooldown": "10"}, "refresh_cooldown"),
            ({"max_token_bytes": 0}, "max_token_bytes"),
            ({"token_cache_size": -1}, "token_cache_size"),
            ({"custom_check": "not callable"}, "custom_check"),
            ({"jwks_url": "http://example.com/jwks.json"}, "plain http"),
            ({"jwks_url": "ftp://example.com/jwks.json"}, "https"),
            ({"additional_regions": ["mars-1"]}, "region"),
            ({"jwks": {"keys": []}}, "jwks"),
            ({"jwks": "not a mapping"}, "jwks"),
            ({"session": object()}, "session"),
            ({"allow_http": "yes"}, "allow_http"),
        ],
    )
    def test_bad_arguments_raise_configuration_error(
        self, overrides: dict[str, Any], message: str
    ) -> None:
        with pytest.raises(ConfigurationError, match=message) as info:
            make_verifier(**overrides)
        assert isinstance(info.value, ValueError)

    @pytest.mark.parametrize(
        ("region", "pool_id"),
        [
            ("eu-west-1", "us-east-1_AbCdEf123"),
            ("eu-west-1", "AbCdEf123"),
            ("eu-west-1", "eu-west-1_"),
            ("eu-west-1", "eu-west-1_Ab/../x"),
            ("EU-WEST-1", "EU-WEST-1_AbCdEf123"),
            ("", "_x"),
        ],
    )
    def test_pool_id_must_belong_to_the_region(self, region: str, pool_id: str) -> None:
        with pytest.raises(ConfigurationError):
            CognitoVerifier(region, pool_id, client_ids="c", token_use="id")

    def test_http_jwks_url_allowed_with_allow_http(self) -> None:
        verifier = make_verifier(jwks_url="http://jwks.internal/keys", allow_http=True)
        assert verifier.jwks_url == "http://jwks.internal/keys"

    def test_constructor_makes_no_request(self, jwks_server: Any) -> None:
        make_verifier(jwks_url=jwks_server.url)
        assert jwks_server.requests == 0


# --------------------------------------------------------------------------- verification


class TestVerify:
    def test_access_token(self, pool: FakeUserPool) -> None:
        verifier = pool.verifier(token_use="access")
        claims = verifier.verify(pool.access_token("bob", groups=["admin"], scopes=["a/b", "c"]))
        assert isinstance(claims, CognitoClaims)
        assert claims.username == "bob"
        assert claims.token_use == "access"
        assert claims.client_id == "test-client"
        assert claims.groups == ("admin",)
        assert claims.scopes == frozenset({"a/b", "c"})

    def test_id_token(self, pool: FakeUserPool) -> None:
        claims = pool.verifier(token_use="id").verify(pool.id_token("carol", email="c@x.org"))
        assert claims.username == "carol"
        assert claims["email"] == "c@x.org"
        assert claims.client_id == "test-client"

    def test_token_use_none_accepts_both_kinds(self, pool: FakeUserPool) -> None:
        verifier = pool.verifier(token_use=None)
        assert verifier.verify(pool.id_token()).token_use == "id"
        assert verifier.verify(pool.access_token()).token_use == "access"

    def test_id_token_refused_where_access_token_required(self, pool: FakeUserPool) -> None:
        with pytest.raises(InvalidTokenUseError) as info:
            pool.verifier(token_use="access").verify(pool.id_token())
        assert (info.value.claim, info.value.expected, info.value.actual) == (
            "token_use",
            "access",
            "id",
        )

    def test_per_call_token_use_overrides_the_constructor(self, pool: FakeUserPool) -> None:
        verifier = pool.verifier(token_use="access")
        assert verifier.verify(pool.id_token(), token_use="id").token_use == "id"
        with pytest.raises(InvalidTokenUseError):
            verifier.verify(pool.access_token(), token_use="id")

    def test_other_client_refused(self, pool: FakeUserPool) -> None:
        verifier = pool.verifier()
        with pytest.raises(InvalidAudienceError) as info:
            verifier.verify(pool.access_token(client_id="someone-else"))
        assert info.value.claim == "client_id"
        assert info.value.actual == "someone-else"
        assert info.value.expected == ("test-client",)
        with pytest.raises(InvalidAudienceError) as id_info:
            verifier.verify(pool.id_token(client_id="someone-else"))
        assert id_info.value.claim == "aud"

    def test_client_ids_none_accepts_any_client(self, pool: FakeUserPool) -> None:
        verifier = pool.verifier(client_ids=None)
        assert verifier.verify(pool.access_token(client_id="any")).client_id == "any"

    def test_several_client_ids(self, pool: FakeUserPool) -> None:
        verifier = pool.verifier(client_ids=["web", "mobile"])
        assert verifier.verify(pool.id_token(client_id="mobile")).client_id == "mobile"
        with pytest.raises(InvalidAudienceError):
            verifier.verify(pool.id_token(client_id="test-client"))

    def test_per_call_client_ids(self, pool: FakeUserPool) -> None:
        verifier = pool.verifier()
        token = pool.access_token(client_id="other")
        assert verifier.verify(token, client_ids="other").client_id == "other"
        assert verifier.verify(token, client_ids=None).client_id == "other"

    def test_skip_access_token_audience_keeps_checking_id_tokens(self, pool: FakeUserPool) -> None:
        verifier = pool.verifier(skip_access_token_audience=True)
        assert verifier.verify(pool.access_token(client_id="other")).client_id == "other"
        with pytest.raises(InvalidAudienceError):
            verifier.verify(pool.id_token(client_id="other"))

    def test_access_token_aud_claim_is_not_an_app_client(self, pool: FakeUserPool) -> None:
        token = pool.access_token(claims={"aud": "https://api.example.com"})
        assert pool.verifier().verify(token)["aud"] == "https://api.example.com"

    def test_id_token_with_at_hash(self, pool: FakeUserPool) -> None:
        token = pool.id_token(claims={"at_hash": "x3CxRk2qHk8lCgFV6hG4mA"})
        assert pool.verifier().verify(token)["at_hash"] == "x3CxRk2qHk8lCgFV6hG4mA"

    def test_groups_any_of(self, pool: FakeUserPool) -> None:
        verifier = pool.verifier()
        token = pool.access_token(groups=["editors"])
        assert verifier.verify(token, allowed_groups=["admins", "editors"]).groups == ("editors",)
        with pytest.raises(MissingGroupError) as info:
            verifier.verify(token, allowed_groups="admins")
        assert info.value.required == ("admins",)
        assert info.value.status_code == 403
        with pytest.raises(MissingGroupError):
            verifier.verify(pool.access_token(), allowed_groups="admins")

    def test_scopes_all_of(self, pool: FakeUserPool) -> None:
        verifier = pool.verifier()
        token = pool.access_token(scopes=["orders/read", "orders/write"])
        verifier.verify(token, required_scopes=["orders/read", "orders/write"])
        with pytest.raises(InsufficientScopeError) as info:
            verifier.verify(token, required_scopes=["orders/read", "orders/delete"])
        assert info.value.missing == ("orders/delete",)
        assert info.value.www_authenticate is not None
        assert 'scope="orders/read orders/delete"' in info.value.www_authenticate

    def test_empty_allowed_groups_is_a_configuration_error(self, pool: FakeUserPool) -> None:
        with pytest.raises(ConfigurationError):
            pool.verifier().verify(pool.access_token(), allowed_groups=[])

    def test_expired(self, pool: FakeUserPool) -> None:
        token = pool.access_token(issued_at=1_000_000, expires_in=3600)
        with pytest.raises(ExpiredTokenError) as info:
            pool.verifier().verify(token)
        assert info.value.claim == "exp"
        assert info.value.actual == 1_003_600

    def test_leeway_applies_to_exp(self, pool: FakeUserPool, clock: FakeClock) -> None:
        token = pool.access_token(issued_at=clock.now - 100, expires_in=95)
        with pytest.raises(ExpiredTokenError):
            pool.verifier(clock=clock).verify(token)
        assert pool.verifier(clock=clock, leeway=10).verify(token).username == "alice"

    def test_unpublished_key_with_published_kid(self, pool: FakeUserPool) -> None:
        forged = generate_key(90).with_kid(pool.signing_keys[1].kid)
        with pytest.raises(InvalidSignatureError):
            pool.verifier().verify(pool.access_token(signing_key=forged))

    def test_unknown_kid_with_static_keys(self, pool: FakeUserPool) -> None:
        with pytest.raises(UnknownKeyError) as info:
            pool.verifier().verify(pool.access_token(signing_key=generate_key(91)))
        assert info.value.kid == generate_key(91).kid

    def test_other_issuer_refused(self, pool: FakeUserPool) -> None:
        other = FakeUserPool(user_pool_id="eu-west-1_Other")
        with pytest.raises(InvalidIssuerError) as info:
            pool.verifier().verify(other.access_token())
        assert info.value.actual == other.issuer

    def test_updated_issuer_format_accepted(self, pool: FakeUserPool) -> None:
        updated = f"https://issuer-cognito-idp.{pool.region}.amazonaws.com/{pool.user_pool_id}"
        claims = pool.verifier().verify(pool.access_token(claims={"iss": updated}))
        assert claims["iss"] == updated

    @pytest.mark.parametrize("token", [None, 42, b"a.b.c", "", "a.b", ["x"]])
    def test_non_tokens_are_malformed(self, pool: FakeUserPool, token: Any) -> None:
        with pytest.raises(MalformedTokenError):
            pool.verifier().verify(token)

    def test_token_over_max_token_bytes(self, pool: FakeUserPool) -> None:
        token = pool.access_token(claims={"pad": "x" * 3000})
        with pytest.raises(MalformedTokenError, match="limit"):
            pool.verifier(max_token_bytes=2048).verify(token)

    def test_error_messages_never_contain_the_token(self, pool: FakeUserPool) -> None:
        verifier = pool.verifier(token_use="id")
        token = pool.access_token()
        tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        for bad in (token, tampered, pool.access_token(client_id="x"), token + "."):
            with pytest.raises(CognitoJWTError) as info:
                verifier.verify(bad)
            text = str(info.value) + repr(info.value.args)
            assert bad not in text
            for segment in bad.split("."):
                if len(segment) > 16:
                    assert segment not in text


class TestVerifyBearer:
    @pytest.mark.parametrize(
        "header", [None, "", "   ", "Basic dXNlcjpwYXNz", "Bearer", "Bearer  "]
    )
    def test_missing_token(self, pool: FakeUserPool, header: str | None) -> None:
        with pytest.raises(MissingTokenError) as info:
            pool.verifier().verify_bearer(header)
        assert info.value.status_code == 401
        assert info.value.www_authenticate == "Bearer"

    @pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
    def test_scheme_is_case_insensitive(self, pool: FakeUserPool, scheme: str) -> None:
        claims = pool.verifier().verify_bearer(f"{scheme} {pool.access_token('dan')}")
        assert claims.username == "dan"

    def test_bytes_header(self, pool: FakeUserPool) -> None:
        header = f"Bearer {pool.access_token('erin')}".encode()
        assert pool.verifier().verify_bearer(header).username == "erin"  # type: ignore[arg-type]

    def test_bad_token_in_header(self, pool: FakeUserPool) -> None:
        with pytest.raises(MalformedTokenError) as info:
            pool.verifier().verify_bearer("Bearer not-a-jwt")
        assert info.value.www_authenticate is not None
        assert 'error="invalid_token"' in info.value.www_authenticate

    def test_options_pass_through(self, pool: FakeUserPool) -> None:
        with pytest.raises(AccessDeniedError):
            pool.verifier().verify_bearer(
                f"Bearer {pool.access_token()}", required_scopes=["orders/read"]
            )


class TestAverify:
    def test_averify_returns_the_same_claims(self, pool: FakeUserPool) -> None:
        verifier = pool.verifier(token_cache_size=0)
        token = pool.access_token("fay")
        claims = asyncio.run(verifier.averify(token, required_scopes=[]))
        assert claims == verifier.verify(token)
        assert claims.username == "fay"

    def test_averify_bearer(self, pool: FakeUserPool) -> None:
        verifier = pool.verifier()
        claims = asyncio.run(verifier.averify_bearer(f"bearer {pool.access_token('gus')}"))
        assert claims.username == "gus"
        with pytest.raises(MissingTokenError):
            asyncio.run(verifier.averify_bearer("Basic Zm9vOmJhcg=="))
        with pytest.raises(InsufficientScopeError):
            asyncio.run(
                verifier.averify_bearer(f"Bearer {pool.access_token()}", required_scopes="a/b")
            )

    def test_averify_raises_like_verify(self, pool: FakeUserPool) -> None:
        with pytest.raises(InvalidTokenUseError):
            asyncio.run(pool.verifier().averify(pool.id_token(), token_use="access"))


# --------------------------------------------------------------------------- caches


class TestKnownHeaders:
    def test_only_a_header_under_a_valid_signature_is_remembered(self, pool: FakeUserPool) -> None:
        verifier = pool.verifier(token_cache_size=0)
        forged = pool.access_token(headers={"typ": "JWT"}, signing_key=pool.unpublished_key())
        forged = forged.replace(forged.split(".")[1], pool.access_token().split(".")[1])
        with pytest.raises(CognitoJWTError):
            verifier.verify(forged)
        assert verifier._known_headers == {}
        token = pool.access_token()
        verifier.verify(token)
        assert verifier._known_headers == {token.split(".")[0].encode(): pool.signing_keys[1].kid}
        # The remembered header still leads to its own kid: a token signed by
        # another key under that header is refused.
        other = pool.access_token(
            signing_key=pool.unpublished_key().with_kid(pool.signing_keys[1].kid)
        )
        with pytest.raises(InvalidSignatureError):
            verifier.verify(other)


class TestTokenCache:
    def test_repeated_token_returns_the_cached_claims(self, pool: FakeUserPool) -> None:
        verifier = pool.verifier()
        token = pool.access_token()
        assert verifier.verify(token) is verifier.verify(token)

    def test_cache_off(self, pool: FakeUserPool) -> None:
        verifier = pool.verifier(token_cache_size=0)
        token = pool.access_token()
        assert verifier.verify(token) is not verifier.verify(token)

    def test_per_call_checks_run_on_a_hit(self, pool: FakeUserPool) -> None:
        verifier = pool.verifier(token_use=None)
        token = pool.access_token(groups=["a"])
        verifier.verify(token)
        with pytest.raises(InvalidTokenUseError):
            verifier.verify(token, token_use="id")
        with pytest.raises(InvalidAudienceError):
            verifier.verify(token, client_ids="other")
        with pytest.raises(MissingGroupError):
            verifier.verify(token, allowed_groups="b")

    def test_cached_claims_never_outlive_exp(self, pool: FakeUserPool, clock: FakeClock) -> None:
        verifier = pool.verifier(clock=clock)
        token = pool.access_token(issued_at=clock.now, expires_in=30)
        verifier.verify(token)
        clock.advance(29)
        verifier.verify(token)
        clock.advance(1)
        with pytest.raises(ExpiredTokenError):
            verifier.verify(token)

    def test_cache_entries_live_at_most_60_seconds(
        self, pool: FakeUserPool, clock: FakeClock
    ) -> None:
        verifier = pool.verifier(clock=clock)
        token = pool.access_token(issued_at=clock.now)
        first = verifier.verify(token)
        clock.advance(59)
        assert verifier.verify(token) is first
        clock.advance(2)
        assert verifier.verify(token) is not first

    def test_large_tokens_are_not_cached(self, pool: FakeUserPool) -> None:
        verifier = pool.verifier()
        token = pool.access_token(claims={"pad": "x" * 4000})
        assert len(token) > 4096
        assert verifier.verify(token) is not verifier.verify(token)

    def test_claims_are_deeply_read_only(self, pool: FakeUserPool) -> None:
        verifier = pool.verifier()
        token = pool.access_token(groups=["a"], claims={"custom:profile": {"tags": ["x"]}})
        claims = verifier.verify(token)
        with pytest.raises(TypeError):
            claims["sub"] = "evil"  # type: ignore[index]
        with pytest.raises(AttributeError):
            claims["cognito:groups"].append("admin")
        with pytest.raises(TypeError):
            claims["custom:profile"]["tags"] = ["admin"]
        again = verifier.verify(token)
        assert again["cognito:groups"] == ("a",)
        assert again["custom:profile"]["tags"] == ("x",)
        assert again.to_dict()["custom:profile"] == {"tags": ["x"]}


# --------------------------------------------------------------------------- custom check


class TestCustomCheck:
    def test_library_errors_pass_through(self, pool: FakeUserPool) -> None:
        revoked = set()

        def deny_revoked(claims: CognitoClaims) -> None:
            if claims["origin_jti"] in revoked:
                raise InvalidTokenError("token revoked")

        verifier = pool.verifier(custom_check=deny_revoked)
        token = pool.access_token()
        verifier.verify(token)
        revoked.add(verifier.verify(token)["origin_jti"])
        with pytest.raises(InvalidTokenError, match="revoked"):
            verifier.verify(token)

    def test_other_exceptions_are_wrapped_chained_and_logged(
        self, pool: FakeUserPool, caplog: pytest.LogCaptureFixture
    ) -> None:
        def broken(claims: CognitoClaims) -> None:
            raise KeyError("tenant")

        verifier = pool.verifier(custom_check=broken)
        with (
            caplog.at_level(logging.ERROR, logger="cognito_jwt"),
            pytest.raises(InvalidTokenError) as info,
        ):
            verifier.verify(pool.access_token())
        assert type(info.value) is InvalidTokenError
        assert isinstance(info.value.__cause__, KeyError)
        assert any("custom_check" in r.getMessage() for r in caplog.records)

    def test_runs_last(self, pool: FakeUserPool) -> None:
        calls: list[str] = []
        verifier = pool.verifier(custom_check=lambda c: calls.append(c.sub))
        with pytest.raises(InvalidAudienceError):
            verifier.verify(pool.access_token(client_id="other"))
        with pytest.raises(InsufficientScopeError):
            verifier.verify(pool.access_token(), required_scopes="x")
        assert calls == []
        verifier.verify(pool.access_token())
        assert len(calls) == 1


# --------------------------------------------------------------------------- multi-pool


class TestMultiPool:
    def test_routes_by_issuer(self) -> None:
        first = FakeUserPool(user_pool_id="eu-west-1_First")
        second = FakeUserPool(region="us-east-1", user_pool_id="us-east-1_Second", client_id="c2")
        multi = MultiPoolVerifier([first.verifier(), second.verifier()])
        assert multi.verify(first.access_token("a"))["iss"] == first.issuer
        assert multi.verify(second.id_token("b"))["iss"] == second.issuer
        assert multi.verify_bearer(f"Bearer {second.access_token()}").client_id == "c2"
        assert asyncio.run(multi.averify(first.id_token())).token_use == "id"
        header = f"Bearer {second.access_token('b')}"
        assert asyncio.run(multi.averify_bearer(header)).username == "b"
        with pytest.raises(InvalidIssuerError):
            multi.verify(FakeUserPool(user_pool_id="eu-west-1_Third").access_token())

    def test_unknown_issuer_makes_no_request(self, jwks_server: Any) -> None:
        pool = FakeUserPool()
        multi = MultiPoolVerifier([pool.verifier(jwks_url=jwks_server.url)])
        other = FakeUserPool(user_pool_id="eu-west-1_Other")
        with pytest.raises(InvalidIssuerError):
            multi.verify(other.access_token())
        assert jwks_server.requests == 0

    def test_a_token_is_parsed_once(
        self, pool: FakeUserPool, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from cognito_jwt import _token

        other = FakeUserPool(user_pool_id="eu-west-1_Other")
        multi = MultiPoolVerifier([pool.verifier(token_cache_size=0), other.verifier()])
        calls: list[object] = []
        real_parse = _token.parse

        def counting_parse(*args: Any, **kwargs: Any) -> _token.ParsedToken:
            calls.append(args[0])
            return real_parse(*args, **kwargs)

        monkeypatch.setattr(_token, "parse", counting_parse)
        token = pool.access_token()
        assert multi.verify(token).client_id == "test-client"
        assert asyncio.run(multi.averify(token)).client_id == "test-client"
        assert calls == [token, token]

    def test_per_call_options_apply_to_the_routed_verifier(self, pool: FakeUserPool) -> None:
        multi = MultiPoolVerifier([pool.verifier()])
        with pytest.raises(InvalidTokenUseError):
            multi.verify(pool.id_token(), token_use="access")
        with pytest.raises(MissingGroupError):
            multi.verify(pool.access_token(), allowed_groups="admins")

    def test_duplicate_issuer_and_empty_list(self, pool: FakeUserPool) -> None:
        with pytest.raises(ConfigurationError):
            MultiPoolVerifier([pool.verifier(), pool.verifier()])
        with pytest.raises(ConfigurationError):
            MultiPoolVerifier([])
