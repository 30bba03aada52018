"""cognito_jwt.integrations.fastapi against a real FastAPI application and its TestClient."""

# No "from __future__ import annotations": FastAPI reads the routes' annotations, which
# name the local "auth" of make_app().

import logging
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI, Security
from fastapi.testclient import TestClient

from cognito_jwt import CognitoClaims, CognitoVerifier
from cognito_jwt.integrations.fastapi import CognitoAuth
from cognito_jwt.testing import FakeUserPool
from tests.adapter_answers import (
    FORBIDDEN,
    NEEDS_ORDERS_READ,
    bad_tokens,
    bearer,
    no_token_headers,
)


def make_app(verifier: CognitoVerifier) -> FastAPI:
    auth = CognitoAuth(verifier)
    app = FastAPI()

    @app.get("/me")
    async def me(claims: Annotated[CognitoClaims, Depends(auth)]) -> dict[str, Any]:
        return {"username": claims.username, "scopes": sorted(claims.scopes)}

    @app.get("/orders")
    def orders(
        claims: Annotated[CognitoClaims, Depends(auth.require(scopes="orders/read"))],
    ) -> dict[str, Any]:
        return {"reader": claims.sub}

    @app.get("/admin")
    async def admin(
        claims: Annotated[CognitoClaims, Depends(auth.require(groups=["admin", "ops"]))],
    ) -> dict[str, Any]:
        return {"admin": claims.username}

    @app.get("/both")
    async def both(
        claims: Annotated[
            CognitoClaims, Depends(auth.require(scopes=["orders/write"], groups="admin"))
        ],
    ) -> dict[str, Any]:
        return {"writer": claims.username}

    @app.get("/security")
    async def security(
        claims: Annotated[CognitoClaims, Security(auth, scopes=["orders/read"])],
    ) -> dict[str, Any]:
        return {"reader": claims.username}

    @app.get("/public")
    async def public() -> str:
        return "hello"

    return app


@pytest.fixture
def client(verifier: CognitoVerifier) -> TestClient:
    return TestClient(make_app(verifier))


@pytest.mark.parametrize("path", ["/me", "/orders", "/admin", "/security"])
@no_token_headers
def test_no_token_is_401_with_a_plain_bearer_challenge(
    client: TestClient, path: str, headers: dict[str, str]
) -> None:
    response = client.get(path, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json() == {"detail": "Unauthorized"}


def test_bad_tokens_are_401_invalid_token(client: TestClient, pool: FakeUserPool) -> None:
    for token, challenge in bad_tokens(pool).items():
        response = client.get("/me", headers=bearer(token))
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == challenge
    assert client.get("/me", headers=bearer("not-a-jwt")).json() == {
        "detail": "The access token is malformed"
    }


def test_a_missing_scope_is_403_naming_the_scope(client: TestClient, pool: FakeUserPool) -> None:
    token = pool.access_token(scopes=["profile"])
    for path in ("/orders", "/security"):
        response = client.get(path, headers=bearer(token))
        assert response.status_code == 403
        assert response.headers["WWW-Authenticate"] == NEEDS_ORDERS_READ
        assert response.json() == {"detail": "The access token does not grant this request"}


def test_a_missing_group_is_403_insufficient_scope(client: TestClient, pool: FakeUserPool) -> None:
    response = client.get("/admin", headers=bearer(pool.access_token(groups=["staff"])))
    assert response.status_code == 403
    assert response.headers["WWW-Authenticate"] == FORBIDDEN
    both = pool.access_token(groups=["staff"], scopes=["orders/write"])
    assert client.get("/both", headers=bearer(both)).status_code == 403


@pytest.mark.parametrize("path", ["/me", "/orders"])
def test_keys_unavailable_is_503_without_a_challenge(
    down_verifier: CognitoVerifier, pool: FakeUserPool, path: str
) -> None:
    client = TestClient(make_app(down_verifier))
    response = client.get(path, headers=bearer(pool.access_token(scopes=["orders/read"])))
    assert response.status_code == 503
    assert "WWW-Authenticate" not in response.headers
    assert response.json() == {"detail": "Service Unavailable"}


def test_a_valid_token_reaches_sync_and_async_routes(
    client: TestClient, pool: FakeUserPool, verifier: CognitoVerifier
) -> None:
    token = pool.access_token("alice", groups=["ops"], scopes=["orders/read", "orders/write"])
    sub = verifier.verify(token).sub
    assert client.get("/me", headers=bearer(token)).json() == {
        "username": "alice",
        "scopes": ["orders/read", "orders/write"],
    }
    assert client.get("/orders", headers=bearer(token)).json() == {"reader": sub}
    assert client.get("/admin", headers=bearer(token)).json() == {"admin": "alice"}
    assert client.get("/security", headers=bearer(token)).json() == {"reader": "alice"}
    admin = pool.access_token("root", groups=["admin"], scopes=["orders/write"])
    assert client.get("/both", headers=bearer(admin)).json() == {"writer": "root"}
    assert client.get("/public").status_code == 200


def test_the_openapi_document_shows_the_bearer_scheme_with_the_required_scopes(
    client: TestClient,
) -> None:
    document = client.get("/openapi.json").json()
    assert document["components"]["securitySchemes"] == {
        "CognitoBearer": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": (
                "An access or ID token of the Amazon Cognito user pool, as `Bearer <token>`."
            ),
        }
    }
    security = {path: item["get"].get("security") for path, item in document["paths"].items()}
    assert security == {
        "/me": [{"CognitoBearer": []}],
        "/orders": [{"CognitoBearer": ["orders/read"]}],
        "/admin": [{"CognitoBearer": []}],
        "/both": [{"CognitoBearer": ["orders/write"]}],
        "/security": [{"CognitoBearer": ["orders/read"]}],
        "/public": None,
    }
    # Swagger UI's Authorize button needs the scheme, and /docs serves the UI.
    assert "swagger-ui" in client.get("/docs").text


def test_the_scheme_name_and_description_can_be_chosen(verifier: CognitoVerifier) -> None:
    auth = CognitoAuth(verifier, scheme_name="Cognito", description="Sign in at example.com")
    app = FastAPI()

    @app.get("/x")
    async def x(claims: Annotated[CognitoClaims, Depends(auth.require(scopes=["a/b"]))]) -> str:
        return claims.sub

    document = TestClient(app).get("/openapi.json").json()
    assert document["components"]["securitySchemes"]["Cognito"]["description"] == (
        "Sign in at example.com"
    )
    assert document["paths"]["/x"]["get"]["security"] == [{"Cognito": ["a/b"]}]


def test_verification_runs_through_averify_and_never_blocks(
    pool: FakeUserPool, jwks_server: Any, verifier: CognitoVerifier
) -> None:
    # A JWKS fetched over real HTTP: the fetch runs in a worker thread (averify), and
    # the application keeps serving; one fetch serves every request.
    jwks_server.body = pool.jwks
    fetching = pool.verifier(token_use="access", jwks_url=jwks_server.url)
    client = TestClient(make_app(fetching))
    for user in ("alice", "bob"):
        response = client.get("/me", headers=bearer(pool.access_token(user)))
        assert response.json()["username"] == user
    assert jwks_server.requests == 1


def test_refusals_are_logged_at_info_with_the_class_and_never_the_token(
    client: TestClient, pool: FakeUserPool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cognito_jwt.integrations")
    expired = pool.expired_token("access")
    client.get("/me", headers=bearer(expired))
    staff = pool.access_token("bob", groups=["staff"])
    client.get("/admin", headers=bearer(staff))
    records = [r for r in caplog.records if r.name == "cognito_jwt.integrations.fastapi"]
    assert [r.levelno for r in records] == [logging.INFO, logging.INFO]
    assert "GET /me refused (401 ExpiredTokenError)" in records[0].getMessage()
    assert "GET /admin refused (403 MissingGroupError)" in records[1].getMessage()
    for record in records:
        assert expired not in record.getMessage()
        assert staff not in record.getMessage()
        assert staff.split(".")[2] not in record.getMessage()
