"""The Django REST framework example answers each request as RFC 6750 and the error tree say.

Django's settings are process-wide: this module loads the example's settings
module, as ``python -m examples.django_app`` does, and each test overrides
``COGNITO`` with the fake pool's names. The application builds its verifier
from that setting exactly as in production, and the pool's real JWKS URL is
answered in process by ``cognito_pool.mock_jwks()``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import django
import pytest
import responses

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examples.django_app.settings")
django.setup()

from django.core.exceptions import ImproperlyConfigured  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from cognito_jwt.testing import FakeUserPool  # noqa: E402
from examples.django_app.authentication import get_verifier  # noqa: E402

INVALID = 'Bearer error="invalid_token", error_description="The access token is invalid"'
MALFORMED = 'Bearer error="invalid_token", error_description="The access token is malformed"'
EXPIRED = 'Bearer error="invalid_token", error_description="The access token expired"'
FORBIDDEN = (
    'Bearer error="insufficient_scope", '
    'error_description="The access token does not grant this request"'
)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def cognito_setting(cognito_pool: FakeUserPool) -> dict[str, str]:
    """``settings.COGNITO`` for the fake pool."""
    return {
        "REGION": cognito_pool.region,
        "USER_POOL_ID": cognito_pool.user_pool_id,
        "CLIENT_IDS": f"{cognito_pool.client_id},another-client",
        "TOKEN_USE": "access",
        "JWKS_URL": "",
    }


@pytest.fixture
def jwks_calls(
    cognito_pool: FakeUserPool, cognito_setting: dict[str, str]
) -> Iterator[responses.CallList]:
    """The example configured for the fake pool; yields the JWKS requests made."""
    with (
        override_settings(ALLOWED_HOSTS=["testserver"], COGNITO=cognito_setting),
        cognito_pool.mock_jwks() as mock,
    ):
        yield mock.calls


@pytest.fixture
def client(jwks_calls: responses.CallList) -> Client:
    return Client()


@pytest.mark.parametrize("path", ["/me", "/admin", "/orders"])
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": ""}, {"Authorization": "Bearer"}, {"Authorization": "Basic dTpw"}],
    ids=["no-header", "empty", "bearer-alone", "basic"],
)
def test_no_token_is_401_with_a_plain_bearer_challenge(
    client: Client, path: str, headers: dict[str, str]
) -> None:
    response = client.get(path, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_bad_tokens_are_401_invalid_token(client: Client, cognito_pool: FakeUserPool) -> None:
    cases = {
        "not-a-jwt": MALFORMED,
        cognito_pool.expired_token("access"): EXPIRED,
        cognito_pool.access_token(client_id="someone-else"): INVALID,
        cognito_pool.id_token(): INVALID,  # an ID token where access tokens are required
        cognito_pool.access_token(signing_key=cognito_pool.unpublished_key()): INVALID,
    }
    for token, challenge in cases.items():
        response = client.get("/me", headers=bearer(token))
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == challenge
        assert response.json() == {"detail": "Unauthorized"}


def test_a_missing_group_is_403_insufficient_scope(
    client: Client, cognito_pool: FakeUserPool
) -> None:
    response = client.get("/admin", headers=bearer(cognito_pool.access_token(groups=["staff"])))
    assert response.status_code == 403
    assert response.headers["WWW-Authenticate"] == FORBIDDEN
    assert response.json() == {"detail": "Forbidden"}


def test_a_missing_scope_is_403_naming_the_scope(
    client: Client, cognito_pool: FakeUserPool
) -> None:
    response = client.get("/orders", headers=bearer(cognito_pool.access_token(scopes=["profile"])))
    assert response.status_code == 403
    assert response.headers["WWW-Authenticate"] == FORBIDDEN + ', scope="orders/read"'


def test_jwks_unavailable_is_503_without_a_challenge(
    cognito_pool: FakeUserPool, cognito_setting: dict[str, str], unavailable_jwks_url: str
) -> None:
    down = {**cognito_setting, "JWKS_URL": unavailable_jwks_url}
    with override_settings(ALLOWED_HOSTS=["testserver"], COGNITO=down):
        assert get_verifier().jwks_url == unavailable_jwks_url
        response = Client().get("/me", headers=bearer(cognito_pool.access_token()))
    assert response.status_code == 503
    assert "WWW-Authenticate" not in response.headers
    assert response.json() == {"detail": "Service Unavailable"}


def test_a_good_token_reaches_the_view_with_its_claims(
    client: Client, cognito_pool: FakeUserPool
) -> None:
    token = cognito_pool.access_token("alice", groups=["staff"], scopes=["openid", "profile"])
    response = client.get("/me", headers=bearer(token))
    assert response.status_code == 200
    assert "WWW-Authenticate" not in response.headers
    assert response.json() == {
        "sub": cognito_pool.verifier().verify(token).sub,
        "username": "alice",
        "client_id": "test-client",
        "token_use": "access",
        "groups": ["staff"],
        "scopes": ["openid", "profile"],
    }


def test_the_group_and_scope_views_admit_the_right_tokens(
    client: Client, cognito_pool: FakeUserPool
) -> None:
    admin = cognito_pool.access_token("root", groups=["staff", "admin"])
    response = client.get("/admin", headers=bearer(admin))
    assert response.status_code == 200
    assert response.json()["groups"] == ["staff", "admin"]

    reader = cognito_pool.m2m_token(scopes=["orders/read"])  # a machine client, no user
    response = client.get("/orders", headers=bearer(reader))
    assert response.status_code == 200
    assert response.json()["reader"]["username"] is None
    assert response.json()["reader"]["sub"] == "test-client"


def test_one_verifier_serves_every_request(
    client: Client, cognito_pool: FakeUserPool, jwks_calls: responses.CallList
) -> None:
    verifier = get_verifier()
    assert verifier.jwks_url == cognito_pool.jwks_url  # the real URL, as in production
    for user in ("alice", "bob", "carol"):
        response = client.get("/me", headers=bearer(cognito_pool.access_token(user)))
        assert response.status_code == 200
        assert response.json()["username"] == user
    other = cognito_pool.access_token("dave", client_id="another-client")
    assert client.get("/me", headers=bearer(other)).status_code == 200
    assert get_verifier() is verifier
    assert len(jwks_calls) == 1  # one verifier, one JWKS fetch, for every request


def test_an_incomplete_cognito_setting_is_improperly_configured(
    cognito_setting: dict[str, str],
) -> None:
    with (
        override_settings(COGNITO={**cognito_setting, "USER_POOL_ID": "", "CLIENT_IDS": ""}),
        pytest.raises(ImproperlyConfigured, match="USER_POOL_ID, CLIENT_IDS"),
    ):
        get_verifier()
    with (
        override_settings(COGNITO={**cognito_setting, "TOKEN_USE": "both"}),
        pytest.raises(ImproperlyConfigured, match="TOKEN_USE"),
    ):
        get_verifier()
