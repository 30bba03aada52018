"""cognito_jwt.integrations.django against real Django REST framework views and DRF's APIClient.

Django's settings are process-wide: the examples' settings module is loaded
(as tests/examples does), and each test overrides what it relies on, the URL
configuration and ``COGNITO_JWT`` included.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import django
import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examples.django_app.settings")
django.setup()

from django.core.exceptions import ImproperlyConfigured  # noqa: E402
from django.http import HttpRequest, HttpResponse, JsonResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import path  # noqa: E402
from rest_framework.renderers import JSONRenderer  # noqa: E402
from rest_framework.request import Request  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

from cognito_jwt import CognitoClaims, CognitoVerifier, ConfigurationError  # noqa: E402
from cognito_jwt.integrations.django import (  # noqa: E402
    CognitoAuthentication,
    CognitoUser,
    HasScopes,
    InGroups,
    get_verifier,
)
from cognito_jwt.testing import FakeUserPool  # noqa: E402
from tests.adapter_answers import (  # noqa: E402
    EXPIRED,
    FORBIDDEN,
    INVALID,
    NEEDS_ORDERS_READ,
    bad_tokens,
    no_token_headers,
)


class Api(APIView):
    authentication_classes = (CognitoAuthentication,)
    renderer_classes = (JSONRenderer,)

    def get(self, request: Request) -> Response:
        user = request.user
        return Response(
            {
                "user": str(user),
                "type": type(user).__name__,
                "sub": request.auth.sub if isinstance(request.auth, CognitoClaims) else None,
            }
        )


class Me(Api):
    pass


class Orders(Api):
    permission_classes = (HasScopes("orders/read"),)


class Admin(Api):
    permission_classes = (InGroups("admin", "ops"),)


class Both(Api):
    permission_classes = (InGroups("admin") & HasScopes("orders/write"),)


def plain(request: HttpRequest) -> HttpResponse:
    claims = request.cognito_claims  # type: ignore[attr-defined]
    return JsonResponse({"username": None if claims is None else claims.username})


urlpatterns = [
    path("me", Me.as_view()),
    path("orders", Orders.as_view()),
    path("admin", Admin.as_view()),
    path("both", Both.as_view()),
    path("plain", plain),
]


@dataclass
class AppUser:
    sub: str
    is_authenticated: bool = True

    def __str__(self) -> str:
        return f"app user {self.sub}"


KNOWN: set[str] = set()


def user_by_sub(claims: CognitoClaims) -> AppUser | None:
    """A USER_MAPPER: the application's user with the token's sub, or None."""
    return AppUser(claims.sub) if claims.sub in KNOWN else None


def configured(cognito: dict[str, Any], **more: Any) -> Any:
    options: dict[str, Any] = {
        "ALLOWED_HOSTS": ["testserver"],
        "ROOT_URLCONF": __name__,
        "MIDDLEWARE": [],
        "REST_FRAMEWORK": {"UNAUTHENTICATED_USER": None},
        "COGNITO_JWT": cognito,
    }
    return override_settings(**{**options, **more})


@pytest.fixture
def client(verifier: CognitoVerifier) -> Iterator[APIClient]:
    with configured({"VERIFIER": verifier}):
        yield APIClient()


def get(client: APIClient | Client, path: str, token: str | None = None) -> Any:
    if token is None:
        return client.get(path)
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("path", ["/me", "/orders", "/admin"])
@no_token_headers
def test_no_token_is_401_with_a_plain_bearer_challenge_not_403(
    client: APIClient, path: str, headers: dict[str, str]
) -> None:
    response = client.get(path, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_bad_tokens_are_401_invalid_token(client: APIClient, pool: FakeUserPool) -> None:
    for token, challenge in bad_tokens(pool).items():
        response = get(client, "/me", token)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == challenge
    assert get(client, "/me", "not-a-jwt").json() == {"detail": "The access token is malformed"}


def test_a_missing_scope_is_403_naming_the_scope(client: APIClient, pool: FakeUserPool) -> None:
    response = get(client, "/orders", pool.access_token(scopes=["profile"]))
    assert response.status_code == 403
    assert response.headers["WWW-Authenticate"] == NEEDS_ORDERS_READ
    assert response.json() == {"detail": "The access token does not grant this request"}


def test_a_missing_group_is_403_insufficient_scope(client: APIClient, pool: FakeUserPool) -> None:
    response = get(client, "/admin", pool.access_token(groups=["staff"]))
    assert response.status_code == 403
    assert response.headers["WWW-Authenticate"] == FORBIDDEN
    token = pool.access_token(groups=["admin"], scopes=["orders/read"])
    assert get(client, "/both", token).status_code == 403


def test_keys_unavailable_is_503_without_a_challenge(
    down_verifier: CognitoVerifier, pool: FakeUserPool
) -> None:
    with configured({"VERIFIER": down_verifier}):
        response = get(APIClient(), "/me", pool.access_token())
    assert response.status_code == 503
    assert "WWW-Authenticate" not in response.headers
    assert response.json() == {"detail": "Service Unavailable"}


def test_a_valid_token_authenticates_a_cognito_user(
    client: APIClient, pool: FakeUserPool, verifier: CognitoVerifier
) -> None:
    token = pool.access_token(
        "alice", groups=["ops", "admin"], scopes=["orders/read", "orders/write"]
    )
    sub = verifier.verify(token).sub
    expected = {"user": "alice", "type": "CognitoUser", "sub": sub}
    for view in ("/me", "/orders", "/admin", "/both"):
        response = get(client, view, token)
        assert response.status_code == 200
        assert response.json() == expected
    machine = get(client, "/orders", pool.m2m_token(scopes=["orders/read"]))
    assert machine.json() == {"user": "test-client", "type": "CognitoUser", "sub": "test-client"}


def test_cognito_user_is_authenticated_and_carries_the_claims(
    pool: FakeUserPool, verifier: CognitoVerifier
) -> None:
    claims = verifier.verify(pool.access_token("carol"))
    user = CognitoUser(claims)
    assert user.is_authenticated is True
    assert user.is_anonymous is False
    assert user.claims is claims
    assert (user.pk, user.username, user.get_username()) == (claims.sub, "carol", "carol")
    assert user == CognitoUser(claims)
    assert len({user, CognitoUser(claims)}) == 1


def test_the_user_mapper_makes_request_user_the_applications_own(
    pool: FakeUserPool, verifier: CognitoVerifier
) -> None:
    known = pool.access_token("dave")
    sub = verifier.verify(known).sub
    KNOWN.add(sub)
    try:
        mapper = f"{__name__}.user_by_sub"
        with configured({"VERIFIER": verifier, "USER_MAPPER": mapper}):
            client = APIClient()
            response = get(client, "/me", known)
            assert response.json() == {"user": f"app user {sub}", "type": "AppUser", "sub": sub}
            stranger = get(client, "/me", pool.access_token("eve"))
            assert stranger.status_code == 401
            assert stranger.headers["WWW-Authenticate"] == INVALID
    finally:
        KNOWN.discard(sub)


def test_settings_build_the_verifier_once(pool: FakeUserPool) -> None:
    settings = {
        "REGION": pool.region,
        "USER_POOL_ID": pool.user_pool_id,
        "CLIENT_IDS": ["test-client", "another-client"],
        "TOKEN_USE": "access",
    }
    with configured(settings), pool.mock_jwks() as mock:
        verifier = get_verifier()
        assert verifier.jwks_url == pool.jwks_url  # type: ignore[attr-defined]
        client = APIClient()
        for user in ("alice", "bob"):
            assert get(client, "/me", pool.access_token(user)).json()["user"] == user
        other = pool.access_token("carol", client_id="another-client")
        assert get(client, "/me", other).status_code == 200
        assert get_verifier() is verifier
        assert len(mock.calls) == 1


@pytest.mark.parametrize(
    ("cognito", "message"),
    [
        (None, "must be a dict"),
        ({"REGION": "eu-west-1"}, r"'USER_POOL_ID'\], .*'TOKEN_USE'\] must be set"),
        ({"REGIONS": "eu-west-1"}, "unknown settings.COGNITO_JWT keys: REGIONS"),
        ({"VERIFIER": "no.such.module.verifier"}, "cannot import"),
        ({"VERIFIER": object()}, "is not a verifier"),
        ({"VERIFIER": "x", "REGION": "eu-west-1"}, "VERIFIER and REGION"),
        (
            {
                "REGION": "eu-west-1",
                "USER_POOL_ID": "eu-west-1_TestPool1",
                "CLIENT_IDS": "c",
                "TOKEN_USE": "refresh",
            },
            r"TOKEN_USE'\] must be 'id', 'access', 'any' or None",
        ),
    ],
)
def test_bad_settings_are_improperly_configured(cognito: Any, message: str) -> None:
    with configured(cognito), pytest.raises(ImproperlyConfigured, match=message):
        get_verifier()


def test_permission_factories_need_names() -> None:
    with pytest.raises(ConfigurationError):
        HasScopes()
    with pytest.raises(ConfigurationError):
        InGroups("admin", "")
    assert "orders/read" in HasScopes("orders/read").__name__


def test_the_middleware_gives_plain_views_the_claims(
    verifier: CognitoVerifier, down_verifier: CognitoVerifier, pool: FakeUserPool
) -> None:
    middleware = ["cognito_jwt.integrations.django.CognitoMiddleware"]
    with configured({"VERIFIER": verifier}, MIDDLEWARE=middleware):
        client = Client()
        assert get(client, "/plain", pool.access_token("frank")).json() == {"username": "frank"}
        assert get(client, "/plain").json() == {"username": None}  # no token: the view decides
        bad = get(client, "/plain", pool.expired_token("access"))
        assert (bad.status_code, bad.headers["WWW-Authenticate"]) == (401, EXPIRED)
        assert bad.json() == {"detail": "The access token expired"}
    with configured({"VERIFIER": down_verifier}, MIDDLEWARE=middleware):
        down = get(Client(), "/plain", pool.access_token())
        assert down.status_code == 503
        assert "WWW-Authenticate" not in down.headers


def test_refusals_are_logged_at_info_never_the_token(
    client: APIClient, pool: FakeUserPool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cognito_jwt.integrations")
    token = pool.access_token(scopes=["profile"])
    get(client, "/orders", token)
    (record,) = [r for r in caplog.records if r.name == "cognito_jwt.integrations.django"]
    assert record.levelno == logging.INFO
    assert "GET /orders refused (403 InsufficientScopeError)" in record.getMessage()
    assert token not in record.getMessage()
