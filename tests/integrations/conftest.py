"""Fixtures of the adapters' tests: the fake pool's verifier, and one whose keys cannot be had."""

from __future__ import annotations

import pytest

from cognito_jwt import CognitoVerifier
from cognito_jwt.testing import FakeUserPool
from tests.conftest import JWKSServer


@pytest.fixture
def verifier(pool: FakeUserPool) -> CognitoVerifier:
    """Access tokens of the fake pool's client, static keys."""
    return pool.verifier(token_use="access")


@pytest.fixture
def down_verifier(pool: FakeUserPool, jwks_server: JWKSServer) -> CognitoVerifier:
    """A verifier whose JWKS URL answers 500: every verification is a 503."""
    jwks_server.status = 500
    return pool.verifier(token_use="access", jwks_url=jwks_server.url)
