"""The FastAPI example answers each kind of request as RFC 6750 and the error tree say."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cognito_jwt import CognitoVerifier
from cognito_jwt.testing import FakeUserPool
from examples.fastapi_app.app import create_app, verifier_from_env

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
def client(cognito_pool: FakeUserPool) -> TestClient:
    return TestClient(create_app(cognito_pool.verifier(token_use="access")))


@pytest.mark.parametrize("path", ["/me", "/me/sync", "/admin", "/orders"])
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": ""}, {"Authorization": "Bearer"}, {"Authorization": "Basic dTpw"}],
    ids=["no-header", "empty", "bearer-alone", "basic"],
)
def test_no_token_is_401_with_a_plain_bearer_challenge(
    client: TestClient, path: str, headers: dict[str, str]
) -> None:
    response = client.get(path, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json() == {"detail": "Unauthorized"}


@pytest.mark.parametrize("path", ["/me", "/me/sync"])
def test_bad_tokens_are_401_invalid_token(
    client: TestClient, cognito_pool: FakeUserPool, path: str
) -> None:
    cases = {
        "not-a-jwt": MALFORMED,
        cognito_pool.expired_token("access"): EXPIRED,
        cognito_pool.access_token(client_id="someone-else"): INVALID,
        cognito_pool.id_token(): INVALID,  # an ID token where access tokens are required
        cognito_pool.access_token(signing_key=cognito_pool.unpublished_key()): INVALID,
    }
    for token, challenge in cases.items():
        response = client.get(path, headers=bearer(token))
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == challenge


def test_a_missing_group_is_403_insufficient_scope(
    client: TestClient, cognito_pool: FakeUserPool
) -> None:
    response = client.get("/admin", headers=bearer(cognito_pool.access_token(groups=["staff"])))
    assert response.status_code == 403
    assert response.headers["WWW-Authenticate"] == FORBIDDEN
    assert response.json() == {"detail": "Forbidden"}


def test_a_missing_scope_is_403_naming_the_scope(
    client: TestClient, cognito_pool: FakeUserPool
) -> None:
    token = cognito_pool.access_token(scopes=["profile"])
    response = client.get("/orders", headers=bearer(token))
    assert response.status_code == 403
    assert response.headers["WWW-Authenticate"] == FORBIDDEN + ', scope="orders/read"'


@pytest.mark.parametrize("path", ["/me", "/me/sync"])
def test_jwks_unavailable_is_503_without_a_challenge(
    cognito_pool: FakeUserPool, unavailable_jwks_url: str, path: str
) -> None:
    verifier = cognito_pool.verifier(token_use="access", jwks_url=unavailable_jwks_url)
    client = TestClient(create_app(verifier))
    response = client.get(path, headers=bearer(cognito_pool.access_token()))
    assert response.status_code == 503
    assert "WWW-Authenticate" not in response.headers
    assert response.json() == {"detail": "Service Unavailable"}


@pytest.mark.parametrize("path", ["/me", "/me/sync"])
def test_a_good_token_reaches_the_handler_with_its_claims(
    client: TestClient, cognito_pool: FakeUserPool, path: str
) -> None:
    token = cognito_pool.access_token("alice", groups=["staff"], scopes=["openid", "profile"])
    response = client.get(path, headers=bearer(token))
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


def test_the_group_and_scope_routes_admit_the_right_tokens(
    client: TestClient, cognito_pool: FakeUserPool
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


def test_the_verifier_comes_from_the_environment_and_is_built_once(
    cognito_pool: FakeUserPool, cognito_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in cognito_env.items():
        monkeypatch.setenv(name, value)
    with cognito_pool.mock_jwks() as mock:  # the pool's real JWKS URL, answered in process
        app = create_app()
        client = TestClient(app)
        verifier: CognitoVerifier = app.state.cognito_verifier
        assert verifier.jwks_url == cognito_pool.jwks_url
        for user in ("alice", "bob", "carol"):
            response = client.get("/me", headers=bearer(cognito_pool.access_token(user)))
            assert response.status_code == 200
            assert response.json()["username"] == user
        other = cognito_pool.access_token("dave", client_id="another-client")
        assert client.get("/me/sync", headers=bearer(other)).status_code == 200
        assert len(mock.calls) == 1  # one verifier, one JWKS fetch, for every request


def test_the_environment_names_the_token_use(cognito_env: dict[str, str]) -> None:
    assert "token_use='access'" in repr(verifier_from_env(cognito_env))
    assert "token_use=None" in repr(verifier_from_env({**cognito_env, "COGNITO_TOKEN_USE": "any"}))
    with pytest.raises(ValueError, match="COGNITO_TOKEN_USE"):
        verifier_from_env({**cognito_env, "COGNITO_TOKEN_USE": "both"})
    with pytest.raises(KeyError):
        verifier_from_env({k: v for k, v in cognito_env.items() if k != "COGNITO_CLIENT_IDS"})
