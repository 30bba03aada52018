"""The FastAPI example: every answer of the status table, and the verifier from the environment."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cognito_jwt.testing import FakeUserPool
from examples.fastapi_app.app import create_app
from tests.adapter_answers import bearer
from tests.examples.conftest import refusals


@pytest.fixture
def client(cognito_pool: FakeUserPool) -> TestClient:
    return TestClient(create_app(cognito_pool.verifier(token_use="access")))


def test_the_status_table(client: TestClient, cognito_pool: FakeUserPool) -> None:
    for path, headers, status, challenge in refusals(cognito_pool):
        response = client.get(path, headers=headers)
        assert (response.status_code, response.headers["WWW-Authenticate"]) == (status, challenge)
    admin = cognito_pool.access_token("alice", groups=["admin"], scopes=["orders/read"])
    assert client.get("/me", headers=bearer(admin)).json() == {
        "username": "alice",
        "groups": ["admin"],
    }
    assert client.get("/admin", headers=bearer(admin)).json() == "hello, alice"
    machine = client.get("/orders", headers=bearer(cognito_pool.m2m_token(scopes=["orders/read"])))
    assert machine.json() == {"orders": [], "reader": "test-client"}


def test_keys_unavailable_is_503(cognito_pool: FakeUserPool, unavailable_jwks_url: str) -> None:
    verifier = cognito_pool.verifier(token_use="access", jwks_url=unavailable_jwks_url)
    response = TestClient(create_app(verifier)).get(
        "/me", headers=bearer(cognito_pool.access_token())
    )
    assert response.status_code == 503
    assert "WWW-Authenticate" not in response.headers


def test_the_environment_names_the_pool_and_one_fetch_serves_every_request(
    cognito_pool: FakeUserPool, cognito_env: dict[str, str]
) -> None:
    with cognito_pool.mock_jwks() as mock:  # the pool's real JWKS URL, answered in process
        client = TestClient(create_app())
        for user in ("alice", "bob"):
            response = client.get("/me", headers=bearer(cognito_pool.access_token(user)))
            assert response.json()["username"] == user
        other = cognito_pool.access_token("carol", client_id="another-client")
        assert client.get("/me", headers=bearer(other)).status_code == 200
        assert len(mock.calls) == 1


def test_the_openapi_document_has_the_authorize_scheme(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert document["components"]["securitySchemes"]["CognitoBearer"]["scheme"] == "bearer"
    assert document["paths"]["/orders"]["get"]["security"] == [{"CognitoBearer": ["orders/read"]}]
