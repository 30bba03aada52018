"""Fixtures for the examples' tests: the pool's environment and a JWKS endpoint that fails.

The examples are imported as the ``examples`` package from the repository root,
which pytest puts on ``sys.path`` (``tests`` is a package), as ``python -m``
does when an example is run from the root as its README says.
"""

from __future__ import annotations

import pytest

from cognito_jwt.testing import FakeUserPool
from tests.conftest import JWKSServer

INVALID = 'Bearer error="invalid_token", error_description="The access token is invalid"'
EXPIRED = 'Bearer error="invalid_token", error_description="The access token expired"'
FORBIDDEN = (
    'Bearer error="insufficient_scope", '
    'error_description="The access token does not grant this request"'
)
NEEDS_ORDERS_READ = FORBIDDEN + ', scope="orders/read"'


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def unavailable_jwks_url(jwks_server: JWKSServer) -> str:
    """The URL of a JWKS endpoint on 127.0.0.1 that answers 500 to every request."""
    jwks_server.status = 500
    return jwks_server.url


@pytest.fixture
def cognito_env(cognito_pool: FakeUserPool, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The ``COGNITO_*`` variables of the fake pool, set in the environment."""
    env = {
        "COGNITO_REGION": cognito_pool.region,
        "COGNITO_USER_POOL_ID": cognito_pool.user_pool_id,
        "COGNITO_CLIENT_IDS": f"{cognito_pool.client_id},another-client",
        "COGNITO_TOKEN_USE": "access",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env
