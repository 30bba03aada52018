"""The Django REST framework example: every answer of the status table, settings from the env.

Django's settings are process-wide: this module loads the example's settings
module, as ``python -m examples.django_app`` does, and overrides
``COGNITO_JWT`` with the fake pool's names.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import django
import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examples.django_app.settings")
django.setup()

from django.test import override_settings  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from cognito_jwt.testing import FakeUserPool  # noqa: E402
from tests.adapter_answers import bearer  # noqa: E402
from tests.examples.conftest import refusals  # noqa: E402


def setting(pool: FakeUserPool, **more: Any) -> dict[str, Any]:
    """``settings.COGNITO_JWT`` for the fake pool, as the settings module builds it."""
    return {
        "REGION": pool.region,
        "USER_POOL_ID": pool.user_pool_id,
        "CLIENT_IDS": f"{pool.client_id},another-client",
        "TOKEN_USE": "access",
        "JWKS_URL": None,
        **more,
    }


@pytest.fixture
def client(cognito_pool: FakeUserPool) -> Iterator[APIClient]:
    with (
        override_settings(ALLOWED_HOSTS=["testserver"], COGNITO_JWT=setting(cognito_pool)),
        cognito_pool.mock_jwks(),
    ):
        yield APIClient()


def get(client: APIClient, path: str, token: str) -> Any:
    return client.get(path, headers=bearer(token))


def test_the_status_table(client: APIClient, cognito_pool: FakeUserPool) -> None:
    for path, headers, status, challenge in refusals(cognito_pool):
        response = client.get(path, headers=headers)
        assert (response.status_code, response.headers["WWW-Authenticate"]) == (status, challenge)
    admin = cognito_pool.access_token("alice", groups=["admin"], scopes=["orders/read"])
    assert get(client, "/me", admin).json() == {"username": "alice", "groups": ["admin"]}
    assert get(client, "/admin", admin).json() == "hello, alice"
    machine = get(client, "/orders", cognito_pool.m2m_token(scopes=["orders/read"]))
    assert machine.json() == {"orders": [], "reader": "test-client"}
    other = cognito_pool.access_token("carol", client_id="another-client")
    assert get(client, "/me", other).status_code == 200


def test_keys_unavailable_is_503(cognito_pool: FakeUserPool, unavailable_jwks_url: str) -> None:
    down = setting(cognito_pool, JWKS_URL=unavailable_jwks_url)
    with override_settings(ALLOWED_HOSTS=["testserver"], COGNITO_JWT=down):
        response = get(APIClient(), "/me", cognito_pool.access_token())
    assert response.status_code == 503
    assert "WWW-Authenticate" not in response.headers
