"""cognito_jwt.integrations.flask against a real Flask application and its test client."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cognito_jwt import CognitoVerifier, ConfigurationError
from cognito_jwt.integrations.flask import CognitoAuth, current_claims
from cognito_jwt.testing import FakeUserPool
from tests.adapter_answers import (
    FORBIDDEN,
    NEEDS_ORDERS_READ,
    bad_tokens,
    bearer,
    no_token_headers,
)


def make_app(auth: CognitoAuth, app: Flask | None = None) -> Flask:
    app = app or Flask(__name__)

    @app.get("/me")
    @auth.required
    def me() -> dict[str, Any]:
        return {"username": current_claims().username}

    @app.get("/orders/<int:order_id>")
    @auth.required(scopes="orders/read")
    def order(order_id: int) -> dict[str, Any]:
        return {"order": order_id, "reader": current_claims().sub}

    @app.get("/admin")
    @auth.required(groups=["admin", "ops"])
    async def admin() -> dict[str, Any]:
        return {"admin": current_claims().username}

    @app.get("/public")
    def public() -> dict[str, Any]:
        return {"claims": repr(current_claims())}

    return app


@pytest.fixture
def client(verifier: CognitoVerifier) -> FlaskClient:
    app = Flask(__name__)
    app.testing = True  # a view's own error reaches the test, not a 500
    return make_app(CognitoAuth(app, verifier=verifier), app).test_client()


@pytest.mark.parametrize("path", ["/me", "/orders/7", "/admin"])
@no_token_headers
def test_no_token_is_401_with_a_plain_bearer_challenge(
    client: FlaskClient, path: str, headers: dict[str, str]
) -> None:
    response = client.get(path, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json == {"detail": "Unauthorized"}


def test_bad_tokens_are_401_invalid_token(client: FlaskClient, pool: FakeUserPool) -> None:
    for token, challenge in bad_tokens(pool).items():
        response = client.get("/me", headers=bearer(token))
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == challenge
        assert response.is_json
    assert client.get("/me", headers=bearer("not-a-jwt")).json == {
        "detail": "The access token is malformed"
    }


def test_a_missing_scope_is_403_naming_the_scope(client: FlaskClient, pool: FakeUserPool) -> None:
    response = client.get("/orders/7", headers=bearer(pool.access_token(scopes=["profile"])))
    assert response.status_code == 403
    assert response.headers["WWW-Authenticate"] == NEEDS_ORDERS_READ
    assert response.json == {"detail": "The access token does not grant this request"}


def test_a_missing_group_is_403_insufficient_scope(client: FlaskClient, pool: FakeUserPool) -> None:
    response = client.get("/admin", headers=bearer(pool.access_token(groups=["staff"])))
    assert response.status_code == 403
    assert response.headers["WWW-Authenticate"] == FORBIDDEN


def test_keys_unavailable_is_503_without_a_challenge(
    down_verifier: CognitoVerifier, pool: FakeUserPool
) -> None:
    unregistered = make_app(CognitoAuth(verifier=down_verifier))
    unregistered.testing = True  # let the error through the test client
    client = unregistered.test_client()
    with pytest.raises(ConfigurationError, match="init_app"):
        client.get("/me", headers=bearer(pool.access_token()))  # never registered
    app = Flask(__name__)
    client = make_app(CognitoAuth(app, verifier=down_verifier), app).test_client()
    response = client.get("/me", headers=bearer(pool.access_token()))
    assert response.status_code == 503
    assert "WWW-Authenticate" not in response.headers
    assert response.json == {"detail": "Service Unavailable"}


def test_a_valid_token_reaches_the_view_and_its_arguments(
    client: FlaskClient, pool: FakeUserPool, verifier: CognitoVerifier
) -> None:
    token = pool.access_token("alice", groups=["ops"], scopes=["orders/read"])
    assert client.get("/me", headers=bearer(token)).json == {"username": "alice"}
    assert client.get("/orders/7", headers=bearer(token)).json == {
        "order": 7,
        "reader": verifier.verify(token).sub,
    }
    assert client.get("/admin", headers=bearer(token)).json == {"admin": "alice"}  # async view


def test_current_claims_outside_a_protected_view_raises(client: FlaskClient) -> None:
    with pytest.raises(RuntimeError, match=r"@auth\.required"):
        client.get("/public")
    with pytest.raises(RuntimeError, match=r"@auth\.required"):
        current_claims()


def test_init_app_builds_the_verifier_from_app_config(pool: FakeUserPool) -> None:
    app = Flask(__name__)
    app.config.update(
        COGNITO_REGION=pool.region,
        COGNITO_USER_POOL_ID=pool.user_pool_id,
        COGNITO_CLIENT_IDS="test-client, another-client",
        COGNITO_TOKEN_USE="access",
        COGNITO_LEEWAY=5,
    )
    auth = CognitoAuth()
    auth.init_app(make_app(auth, app))
    verifier = app.extensions["cognito_jwt"]
    assert repr(verifier) == (
        f"CognitoVerifier(issuer={pool.issuer!r}, "
        "client_ids=['another-client', 'test-client'], token_use='access')"
    )
    with pool.mock_jwks() as mock:  # the pool's real JWKS URL, answered in process
        client = app.test_client()
        for user in ("alice", "bob"):
            assert client.get("/me", headers=bearer(pool.access_token(user))).json == {
                "username": user
            }
        assert len(mock.calls) == 1  # one verifier per application
    with app.app_context():
        assert auth.verifier is verifier


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({}, r"app.config\['COGNITO_REGION'\], .*'COGNITO_TOKEN_USE'\] must be set"),
        (
            {"COGNITO_CLIENT_ID": "x"},
            r"found app.config\['COGNITO_CLIENT_ID'\]: the setting is .*'COGNITO_CLIENT_IDS'",
        ),
        ({"COGNITO_TOKEN_USE": "both"}, r"'COGNITO_TOKEN_USE'\] must be 'id', 'access'"),
        ({"COGNITO_CLIENT_IDS": " , "}, r"client_ids is empty"),
        ({"COGNITO_USER_POOL_ID": "us-east-1_x"}, r"user_pool_id"),
    ],
)
def test_bad_settings_are_refused_by_name(
    pool: FakeUserPool, config: dict[str, Any], message: str
) -> None:
    app = Flask(__name__)
    if config:
        app.config.update(
            COGNITO_REGION=pool.region,
            COGNITO_USER_POOL_ID=pool.user_pool_id,
            COGNITO_CLIENT_IDS="test-client",
            COGNITO_TOKEN_USE="any",
        )
        if "COGNITO_CLIENT_ID" in config:
            del app.config["COGNITO_CLIENT_IDS"]
        app.config.update(config)
    with pytest.raises(ConfigurationError, match=message):
        CognitoAuth(app)


def test_token_use_any_and_none_accept_both_kinds(pool: FakeUserPool) -> None:
    for token_use in ("any", None):
        app = Flask(__name__)
        app.config.update(
            COGNITO_REGION=pool.region,
            COGNITO_USER_POOL_ID=pool.user_pool_id,
            COGNITO_CLIENT_IDS=None,
            COGNITO_TOKEN_USE=token_use,
        )
        CognitoAuth(app)
        assert "client_ids=None, token_use=None" in repr(app.extensions["cognito_jwt"])


def test_refusals_are_logged_at_info_with_the_class_and_never_the_token(
    client: FlaskClient, pool: FakeUserPool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cognito_jwt.integrations")
    token = pool.access_token("bob", groups=["staff"])
    client.get("/admin", headers=bearer(token))
    (record,) = [r for r in caplog.records if r.name == "cognito_jwt.integrations.flask"]
    assert record.levelno == logging.INFO
    message = record.getMessage()
    assert "GET /admin refused (403 MissingGroupError)" in message
    assert token not in message
