"""Fixtures of the adapters' tests: the fake pool's verifier, and one whose keys cannot be had."""

from __future__ import annotations

import pytest

from cognito_jwt import CognitoVerifier
from cognito_jwt.testing import FakeUserPool
from tests.conftest import JWKSServer

INVALID = 'Bearer error="invalid_token", error_description="The access token is invalid"'
MALFORMED = 'Bearer error="invalid_token", error_description="The access token is malformed"'
EXPIRED = 'Bearer error="invalid_token", error_description="The access token expired"'
FORBIDDEN = (
    'Bearer error="insufficient_scope", '
    'error_description="The access token does not grant this request"'
)
NEEDS_ORDERS_READ = FORBIDDEN + ', scope="orders/read"'


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def verifier(pool: FakeUserPool) -> CognitoVerifier:
    """Access tokens of the fake pool's client, static keys."""
    return pool.verifier(token_use="access")


@pytest.fixture
def down_verifier(pool: FakeUserPool, jwks_server: JWKSServer) -> CognitoVerifier:
    """A verifier whose JWKS URL answers 500: every verification is a 503."""
    jwks_server.status = 500
    return pool.verifier(token_use="access", jwks_url=jwks_server.url)
