"""Fixtures for the examples' tests: the pool's environment, a JWKS endpoint that fails, and
the status table every server example answers alike.

The examples are imported as the ``examples`` package from the repository root,
which pytest puts on ``sys.path`` (``tests`` is a package), as ``python -m``
does when an example is run from the root as its README says.
"""

from __future__ import annotations

import pytest

from cognito_jwt.testing import FakeUserPool
from tests.adapter_answers import EXPIRED, FORBIDDEN, NEEDS_ORDERS_READ, bearer
from tests.conftest import JWKSServer


def refusals(
    pool: FakeUserPool, orders: str = "/orders"
) -> list[tuple[str, dict[str, str], int, str]]:
    """The refusals of the examples' status table: path, request headers, status, challenge.

    ``/me`` wants any valid access token, ``/admin`` the ``admin`` group and
    ``orders`` (the path of the example's orders route) the ``orders/read`` scope.
    """
    staff = bearer(pool.access_token("bob", groups=["staff"]))
    return [
        ("/me", {}, 401, "Bearer"),
        ("/admin", {}, 401, "Bearer"),
        ("/me", bearer(pool.expired_token("access")), 401, EXPIRED),
        ("/admin", staff, 403, FORBIDDEN),
        (orders, staff, 403, NEEDS_ORDERS_READ),
    ]


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
