"""The test kit: FakeUserPool mints Cognito-shaped tokens its verifier accepts."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
from typing import Any

import pytest
import requests
import responses

from cognito_jwt import (
    CognitoVerifier,
    ConfigurationError,
    ExpiredTokenError,
    InvalidSignatureError,
    MalformedTokenError,
    UnknownKeyError,
)
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


def test_keys_are_generated_once_per_process_and_pool() -> None:
    same = [FakeUserPool(user_pool_id="eu-west-1_Same") for _ in range(20)]
    for index in (0, 1):
        first = same[0].signing_keys[index].private_key
        assert all(p.signing_keys[index].private_key is first for p in same)
    assert same[0].signing_keys[0].private_key is not same[0].signing_keys[1].private_key
    other = FakeUserPool(user_pool_id="eu-west-1_Other")
    assert other.jwks != same[0].jwks


def test_another_pools_key_is_not_accepted(pool: FakeUserPool) -> None:
    other = FakeUserPool(user_pool_id="eu-west-1_Other")
    forged = other.access_token(claims={"iss": pool.issuer})
    with pytest.raises(UnknownKeyError):
        pool.verifier().verify(forged)


def test_signing_key_with_kid_keeps_material() -> None:
    key = generate_key(5)
    renamed = key.with_kid("other")
    assert isinstance(renamed, SigningKey)
    assert renamed.kid == "other"
    assert renamed.private_key is key.private_key
    assert renamed.public_jwk["n"] == key.public_jwk["n"]


def test_m2m_token_has_client_credentials_shape(pool: FakeUserPool) -> None:
    token = pool.m2m_token(scopes=["orders/read", "orders/write"], client_id="machine")
    _, claims = decode(token)
    assert claims["sub"] == "machine"
    assert claims["client_id"] == "machine"
    assert claims["token_use"] == "access"
    assert claims["scope"] == "orders/read orders/write"
    for absent in ("username", "cognito:groups", "origin_jti", "event_id"):
        assert absent not in claims
    verified = pool.verifier(client_ids="machine", token_use="access").verify(
        token, required_scopes=["orders/write"]
    )
    assert verified.username is None
    assert verified.sub == "machine"


@pytest.mark.parametrize("kind", ["id", "access"])
def test_expired_token(pool: FakeUserPool, kind: str) -> None:
    token = pool.expired_token(kind)  # type: ignore[arg-type]
    _, claims = decode(token)
    assert claims["token_use"] == kind
    assert claims["exp"] < time.time()
    with pytest.raises(ExpiredTokenError):
        pool.verifier().verify(token)


def test_expired_token_rejects_other_kinds(pool: FakeUserPool) -> None:
    with pytest.raises(ConfigurationError):
        pool.expired_token("refresh")  # type: ignore[arg-type]


def test_unpublished_key(pool: FakeUserPool) -> None:
    key = pool.unpublished_key()
    assert key.kid not in {k["kid"] for k in pool.jwks["keys"]}
    with pytest.raises(UnknownKeyError):
        pool.verifier().verify(pool.access_token(signing_key=key))
    forged = key.with_kid(pool.signing_keys[1].kid)
    with pytest.raises(InvalidSignatureError):
        pool.verifier().verify(pool.access_token(signing_key=forged))


def test_rotate_keys(pool: FakeUserPool) -> None:
    old_token = pool.access_token()
    old_verifier = pool.verifier()
    old_kids = {k["kid"] for k in pool.jwks["keys"]}
    pool.rotate_keys()
    new_kids = {k["kid"] for k in pool.jwks["keys"]}
    assert len(new_kids) == 2
    assert not old_kids & new_kids
    new_token = pool.access_token()
    assert pool.verifier().verify(new_token).token_use == "access"
    with pytest.raises(UnknownKeyError):
        pool.verifier().verify(old_token)
    with pytest.raises(UnknownKeyError):
        old_verifier.verify(new_token)


def test_mock_jwks_serves_the_real_url(pool: FakeUserPool) -> None:
    verifier = CognitoVerifier(
        pool.region, pool.user_pool_id, client_ids=pool.client_id, token_use=None
    )
    with pool.mock_jwks() as rsps:
        verifier.verify(pool.id_token())
        verifier.verify(pool.access_token())
        assert [call.request.url for call in rsps.calls] == [pool.jwks_url]
        pool.rotate_keys()
        verifier.verify(pool.access_token())
        assert len(rsps.calls) == 2


def test_mock_jwks_registers_on_a_given_mock(pool: FakeUserPool) -> None:
    verifier = CognitoVerifier(
        pool.region, pool.user_pool_id, client_ids=pool.client_id, token_use="id"
    )
    with responses.RequestsMock() as rsps, pool.mock_jwks(rsps) as same:
        assert same is rsps
        assert verifier.verify(pool.id_token()).token_use == "id"
        assert len(rsps.calls) == 1


def test_serve_over_real_http(pool: FakeUserPool) -> None:
    with pool.serve() as url:
        assert url.startswith("http://127.0.0.1:")
        assert url.endswith(f"/{pool.user_pool_id}/.well-known/jwks.json")
        verifier = pool.verifier(jwks_url=url)
        assert verifier.fetch_jwks() == 2
        assert verifier.verify(pool.id_token("amy")).username == "amy"
        pool.rotate_keys()
        assert verifier.verify(pool.access_token("amy")).username == "amy"
        assert requests.get(url.replace(".well-known", "nope"), timeout=5).status_code == 404
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=5)


def test_an_interpreter_exits_with_a_serve_block_left_open() -> None:
    # A script that enters serve() and never leaves the block must still exit:
    # the loopback server is stopped without waiting on its (frozen) thread.
    script = (
        "from cognito_jwt.testing import FakeUserPool\n"
        "import requests\n"
        "pool = FakeUserPool()\n"
        "block = pool.serve()\n"
        "url = block.__enter__()\n"
        "assert requests.get(url, timeout=5).status_code == 200\n"
        "print('served')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout) == (0, "served\n"), done.stderr
