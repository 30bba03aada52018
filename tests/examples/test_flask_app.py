"""The Flask example's decorator answers each kind of request as RFC 6750 and the error tree say."""

from __future__ import annotations

import pytest
from flask import Flask, g
from flask.testing import FlaskClient

from cognito_jwt import CognitoClaims, CognitoVerifier
from cognito_jwt.testing import FakeUserPool
from examples.flask_app.app import create_app, require_cognito

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
def client(cognito_pool: FakeUserPool) -> FlaskClient:
    return create_app(cognito_pool.verifier(token_use="access")).test_client()


@pytest.mark.parametrize("path", ["/me", "/admin", "/orders/7"])
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": ""}, {"Authorization": "Bearer"}, {"Authorization": "Basic dTpw"}],
    ids=["no-header", "empty", "bearer-alone", "basic"],
)
def test_no_token_is_401_with_a_plain_bearer_challenge(
    client: FlaskClient, path: str, headers: dict[str, str]
) -> None:
    response = client.get(path, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json == {"detail": "Unauthorized"}


def test_bad_tokens_are_401_invalid_token(client: FlaskClient, cognito_pool: FakeUserPool) -> None:
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


def test_a_missing_group_is_403_insufficient_scope(
    client: FlaskClient, cognito_pool: FakeUserPool
) -> None:
    response = client.get("/admin", headers=bearer(cognito_pool.access_token(groups=["staff"])))
    assert response.status_code == 403
    assert response.headers["WWW-Authenticate"] == FORBIDDEN
    assert response.json == {"detail": "Forbidden"}


def test_a_missing_scope_is_403_naming_the_scope(
    client: FlaskClient, cognito_pool: FakeUserPool
) -> None:
    token = cognito_pool.access_token(scopes=["profile"])
    response = client.get("/orders/7", headers=bearer(token))
    assert response.status_code == 403
    assert response.headers["WWW-Authenticate"] == FORBIDDEN + ', scope="orders/read"'


def test_jwks_unavailable_is_503_without_a_challenge(
    cognito_pool: FakeUserPool, unavailable_jwks_url: str
) -> None:
    verifier = cognito_pool.verifier(token_use="access", jwks_url=unavailable_jwks_url)
    client = create_app(verifier).test_client()
    response = client.get("/me", headers=bearer(cognito_pool.access_token()))
    assert response.status_code == 503
    assert "WWW-Authenticate" not in response.headers
    assert response.json == {"detail": "Service Unavailable"}


def test_a_good_token_reaches_the_view_with_its_claims(
    client: FlaskClient, cognito_pool: FakeUserPool
) -> None:
    token = cognito_pool.access_token("alice", groups=["staff"], scopes=["openid", "profile"])
    response = client.get("/me", headers=bearer(token))
    assert response.status_code == 200
    assert "WWW-Authenticate" not in response.headers
    assert response.json == {
        "sub": cognito_pool.verifier().verify(token).sub,
        "username": "alice",
        "client_id": "test-client",
        "token_use": "access",
        "groups": ["staff"],
        "scopes": ["openid", "profile"],
    }


def test_the_group_and_scope_views_admit_the_right_tokens(
    client: FlaskClient, cognito_pool: FakeUserPool
) -> None:
    admin = cognito_pool.access_token("root", groups=["staff", "admin"])
    response = client.get("/admin", headers=bearer(admin))
    assert response.status_code == 200
    assert response.json is not None
    assert response.json["groups"] == ["staff", "admin"]

    reader = cognito_pool.m2m_token(scopes=["orders/read"])  # a machine client, no user
    response = client.get("/orders/7", headers=bearer(reader))
    assert response.status_code == 200
    assert response.json is not None
    assert response.json["order"] == 7  # the view's own arguments pass through the decorator
    assert response.json["reader"]["sub"] == "test-client"


def test_the_decorator_puts_the_claims_on_g_and_keeps_the_view_name(
    cognito_pool: FakeUserPool,
) -> None:
    app = Flask(__name__)
    app.extensions["cognito_jwt"] = cognito_pool.verifier(token_use="access")
    seen: list[CognitoClaims] = []

    @app.get("/seen")
    @require_cognito(groups=["admin", "ops"], scopes=["orders/write"])
    def seen_view() -> str:
        seen.append(g.cognito_claims)
        return "ok"

    assert seen_view.__name__ == "seen_view"
    client = app.test_client()
    token = cognito_pool.access_token("erin", groups=["ops"], scopes=["orders/write"])
    assert client.get("/seen", headers=bearer(token)).status_code == 200
    assert [claims.username for claims in seen] == ["erin"]
    assert isinstance(seen[0], CognitoClaims)

    wrong = cognito_pool.access_token("erin", groups=["ops"], scopes=["orders/read"])
    assert client.get("/seen", headers=bearer(wrong)).status_code == 403
    assert len(seen) == 1  # the view never ran


def test_the_verifier_comes_from_the_environment_and_is_built_once(
    cognito_pool: FakeUserPool, cognito_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in cognito_env.items():
        monkeypatch.setenv(name, value)
    with cognito_pool.mock_jwks() as mock:  # the pool's real JWKS URL, answered in process
        app = create_app()
        verifier: CognitoVerifier = app.extensions["cognito_jwt"]
        assert verifier.jwks_url == cognito_pool.jwks_url
        client = app.test_client()
        for user in ("alice", "bob", "carol"):
            response = client.get("/me", headers=bearer(cognito_pool.access_token(user)))
            assert response.status_code == 200
            assert response.json is not None
            assert response.json["username"] == user
        other = cognito_pool.access_token("dave", client_id="another-client")
        assert client.get("/me", headers=bearer(other)).status_code == 200
        assert len(mock.calls) == 1  # one verifier, one JWKS fetch, for every request
