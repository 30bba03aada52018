"""The test kit: FakeUserPool mints Cognito-shaped tokens its verifier accepts."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from cognito_jwt import ConfigurationError, InvalidSignatureError, MalformedTokenError
from cognito_jwt.testing import FakeUserPool, SigningKey
from cognito_jwt.testing._keys import generate_key


def decode(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header, payload, _ = token.split(".")
    return (
        json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))),
        json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))),
    )


def test_pool_names_like_a_real_pool() -> None:
    pool = FakeUserPool(region="us-east-2", user_pool_id="us-east-2_Abc123", client_id="app")
    assert pool.issuer == "https://cognito-idp.us-east-2.amazonaws.com/us-east-2_Abc123"
    assert pool.jwks_url == pool.issuer + "/.well-known/jwks.json"
    assert pool.verifier().issuer == pool.issuer


def test_pool_id_must_match_region() -> None:
    with pytest.raises(ConfigurationError):
        FakeUserPool(region="eu-west-1", user_pool_id="us-east-1_X")


def test_jwks_publishes_two_public_keys() -> None:
    keys = FakeUserPool().jwks["keys"]
    assert len(keys) == 2
    assert keys[0]["kid"] != keys[1]["kid"]
    for key in keys:
        assert set(key) == {"alg", "e", "kid", "kty", "n", "use"}
        assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")


def test_id_and_access_tokens_use_different_kids(pool: FakeUserPool) -> None:
    id_header, _ = decode(pool.id_token())
    access_header, _ = decode(pool.access_token())
    assert id_header == {"kid": pool.signing_keys[0].kid, "alg": "RS256"}
    assert access_header == {"kid": pool.signing_keys[1].kid, "alg": "RS256"}


def test_id_token_shape(pool: FakeUserPool) -> None:
    _, claims = decode(pool.id_token("alice", groups=["admin"], email="a@example.com"))
    assert claims["token_use"] == "id"
    assert claims["aud"] == "test-client"
    assert claims["cognito:username"] == "alice"
    assert claims["cognito:groups"] == ["admin"]
    assert claims["email"] == "a@example.com"
    assert claims["email_verified"] is True
    assert "client_id" not in claims
    assert "username" not in claims
    assert claims["exp"] - claims["iat"] == 3600
    assert {"sub", "origin_jti", "event_id", "auth_time", "jti", "iss"} <= set(claims)


def test_access_token_shape(pool: FakeUserPool) -> None:
    _, claims = decode(pool.access_token("bob", scopes=["a/read", "a/write"]))
    assert claims["token_use"] == "access"
    assert claims["client_id"] == "test-client"
    assert claims["username"] == "bob"
    assert claims["scope"] == "a/read a/write"
    assert claims["version"] == 2
    assert "aud" not in claims
    assert "cognito:groups" not in claims


def test_same_user_same_sub(pool: FakeUserPool) -> None:
    _, first = decode(pool.id_token("alice"))
    _, second = decode(pool.access_token("alice"))
    _, other = decode(pool.access_token("bob"))
    assert first["sub"] == second["sub"] != other["sub"]


def test_claims_override_and_none_removes(pool: FakeUserPool) -> None:
    token = pool.access_token(claims={"custom:tenant": "t1", "jti": None})
    _, claims = decode(token)
    assert claims["custom:tenant"] == "t1"
    assert "jti" not in claims
    assert pool.verifier().verify(token)["custom:tenant"] == "t1"


def test_headers_override(pool: FakeUserPool) -> None:
    token = pool.access_token(headers={"alg": "HS256"})
    assert decode(token)[0]["alg"] == "HS256"
    with pytest.raises(InvalidSignatureError):
        pool.verifier().verify(token)
    with pytest.raises(MalformedTokenError):
        pool.verifier().verify(pool.access_token(headers={"kid": None}))


def test_time_travel(pool: FakeUserPool) -> None:
    _, claims = decode(pool.access_token(issued_at=1_700_000_000, expires_in=60))
    assert (claims["iat"], claims["exp"], claims["auth_time"]) == (
        1_700_000_000,
        1_700_000_060,
        1_700_000_000,
    )


def test_keys_are_generated_once_per_process() -> None:
    pools = [FakeUserPool(user_pool_id=f"eu-west-1_P{i}") for i in range(20)]
    for index in (0, 1):
        first = pools[0].signing_keys[index].private_key
        assert all(p.signing_keys[index].private_key is first for p in pools)
    assert pools[0].signing_keys[0].private_key is not pools[0].signing_keys[1].private_key


def test_signing_key_with_kid_keeps_material() -> None:
    key = generate_key(5)
    renamed = key.with_kid("other")
    assert isinstance(renamed, SigningKey)
    assert renamed.kid == "other"
    assert renamed.private_key is key.private_key
    assert renamed.public_jwk["n"] == key.public_jwk["n"]
