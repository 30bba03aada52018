"""The Flask example: every answer of the status table, and the settings from the environment."""

from __future__ import annotations

from cognito_jwt.testing import FakeUserPool
from examples.flask_app.app import create_app
from tests.adapter_answers import bearer
from tests.examples.conftest import refusals


def test_the_status_table(cognito_pool: FakeUserPool, cognito_env: dict[str, str]) -> None:
    admin = cognito_pool.access_token("alice", groups=["admin"], scopes=["orders/read"])
    with cognito_pool.mock_jwks() as mock:  # the pool's real JWKS URL, answered in process
        client = create_app().test_client()
        for path, headers, status, challenge in refusals(cognito_pool, orders="/orders/7"):
            response = client.get(path, headers=headers)
            challenged = (response.status_code, response.headers["WWW-Authenticate"])
            assert challenged == (status, challenge)
        assert client.get("/me", headers=bearer(admin)).json == {
            "username": "alice",
            "groups": ["admin"],
        }
        assert client.get("/admin", headers=bearer(admin)).text == "hello, alice"
        machine = cognito_pool.m2m_token(scopes=["orders/read"])
        assert client.get("/orders/7", headers=bearer(machine)).json == {
            "order": 7,
            "reader": "test-client",
        }
        other = cognito_pool.access_token("carol", client_id="another-client")
        assert client.get("/me", headers=bearer(other)).status_code == 200
        assert len(mock.calls) == 1  # one verifier per application


def test_keys_unavailable_is_503(
    cognito_pool: FakeUserPool, cognito_env: dict[str, str], unavailable_jwks_url: str
) -> None:
    client = create_app(COGNITO_JWKS_URL=unavailable_jwks_url).test_client()
    response = client.get("/me", headers=bearer(cognito_pool.access_token()))
    assert response.status_code == 503
    assert "WWW-Authenticate" not in response.headers
