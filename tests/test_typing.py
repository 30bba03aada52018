"""The public API's types, proven by ``mypy --strict`` (``make typecheck`` covers tests/).

``typing.assert_type`` does nothing at run time; mypy fails the build when a
type differs. The test also runs, so the calls are real.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from typing import Any, assert_type

import pytest

from cognito_jwt import (
    AlbClaims,
    ClaimError,
    CognitoClaims,
    CognitoJWTError,
    CognitoVerifier,
    InsufficientScopeError,
    MultiPoolVerifier,
    UnverifiedToken,
    VerifierStats,
    decode_unverified,
)
from cognito_jwt.testing import FakeAlb, FakeUserPool, SigningKey


def test_public_types() -> None:
    pool = FakeUserPool()
    verifier = pool.verifier(token_use="access")
    assert_type(verifier, CognitoVerifier)
    assert_type(verifier.issuer, str)
    assert_type(verifier.jwks_url, str)
    assert_type(verifier.issuers, tuple[str, ...])

    claims = verifier.verify(pool.access_token(groups=["g"]), required_scopes=[])
    assert_type(claims, CognitoClaims)
    assert_type(claims.groups, tuple[str, ...])
    assert_type(claims.scopes, frozenset[str])
    assert_type(claims.sub, str)
    assert_type(claims.token_use, str)
    assert_type(claims.username, str | None)
    assert_type(claims.client_id, str | None)
    assert_type(claims.expires_at, datetime)
    assert_type(claims.issued_at, datetime)
    assert_type(claims["sub"], Any)
    assert_type(claims.to_dict(), dict[str, Any])

    assert_type(verifier.verify_bearer(f"Bearer {pool.access_token()}"), CognitoClaims)
    assert_type(asyncio.run(verifier.averify(pool.access_token())), CognitoClaims)
    fetching = CognitoVerifier(
        pool.region, pool.user_pool_id, client_ids=pool.client_id, token_use=None
    )
    assert_type(fetching.load_jwks(pool.jwks), int)

    multi = MultiPoolVerifier([verifier])
    assert_type(multi.verify(pool.access_token()), CognitoClaims)
    stats = multi.stats()
    assert_type(stats, VerifierStats)
    assert_type(verifier.stats().denied_by_error.get("ExpiredTokenError", 0), int)
    assert_type(FakeAlb().verifier().stats(), VerifierStats)
    assert_type(stats.keys_fetched_at, float | None)
    assert_type(stats.last_fetch_error, str | None)

    assert_type(verifier.verify(pool.access_token().encode()), CognitoClaims)
    unverified = decode_unverified(pool.access_token())
    assert_type(unverified, UnverifiedToken)
    assert_type(unverified.header, Mapping[str, Any])
    assert_type(unverified.claims, Mapping[str, Any])

    async def check(claims: CognitoClaims) -> None:
        del claims

    async_checked = pool.verifier(token_use="access", custom_check=check, allowed_groups="g")
    assert_type(asyncio.run(async_checked.averify(pool.access_token(groups="g"))), CognitoClaims)
    try:
        async_checked.verify(pool.access_token(groups="g"))
    except CognitoJWTError as exc:
        assert_type(exc.claims, CognitoClaims | AlbClaims | None)

    key = pool.unpublished_key()
    assert_type(key, SigningKey)
    assert_type(pool.id_token(signing_key=key), str)

    with pytest.raises(ClaimError) as expired:
        verifier.verify(pool.expired_token())
    assert_type(expired.value.claim, str)
    assert_type(expired.value.status_code, int)
    assert_type(expired.value.www_authenticate, str | None)
    assert isinstance(expired.value, CognitoJWTError)
    with pytest.raises(InsufficientScopeError) as scope:
        verifier.verify(pool.access_token(), required_scopes="orders/read")
    assert_type(scope.value.missing, tuple[str, ...])
    assert scope.value.missing == ("orders/read",)
    assert claims.groups == ("g",)
