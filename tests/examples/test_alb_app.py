"""The ALB example: the load balancer's signed claims, and the forwarded access token's scopes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cognito_jwt.testing import FakeAlb, FakeUserPool
from examples.alb_app.app import create_app, verifiers_from_env


@pytest.fixture
def client(cognito_alb: FakeAlb, cognito_pool: FakeUserPool) -> TestClient:
    return TestClient(create_app(cognito_alb.verifier(), cognito_pool.verifier(token_use="access")))


def test_me_returns_the_albs_user(client: TestClient, cognito_alb: FakeAlb) -> None:
    response = client.get("/me", headers=cognito_alb.headers("bob", email="bob@example.com"))
    assert response.status_code == 200
    assert response.json() == {
        "sub": cognito_alb.sub_of("bob"),
        "email": "bob@example.com",
        "username": "bob",
    }


def test_unpadded_and_mixed_case_headers_are_read(client: TestClient, cognito_alb: FakeAlb) -> None:
    token = cognito_alb.token(padded=False)
    assert client.get("/me", headers={"X-Amzn-Oidc-Data": token}).status_code == 200


def test_no_alb_header_is_401_with_a_plain_challenge(client: TestClient) -> None:
    response = client.get("/me", headers={"Authorization": "Bearer x"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("forge", "error"),
    [
        (lambda alb: alb.token(headers={"client": "other"}), "InvalidAudienceError"),
        (lambda alb: alb.token(signing_key=alb.unpublished_key()), "UnknownKeyError"),
        (lambda alb: alb.token(expires_in=-10), "ExpiredTokenError"),
        (
            lambda alb: alb.token(headers={"signer": alb.alb_arn.replace("test-alb", "other-alb")}),
            "InvalidSignerError",
        ),
    ],
)
def test_bad_alb_tokens_are_401(
    client: TestClient, cognito_alb: FakeAlb, forge: object, error: str
) -> None:
    assert callable(forge)
    response = client.get("/me", headers={"x-amzn-oidc-data": forge(cognito_alb)})
    assert response.status_code == 401
    assert response.json() == {"error": error}
    assert response.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')


def test_orders_needs_the_scope_in_the_forwarded_access_token(
    client: TestClient, cognito_alb: FakeAlb
) -> None:
    allowed = client.get("/orders", headers=cognito_alb.headers(scopes=("openid", "orders/read")))
    assert allowed.status_code == 200
    assert allowed.json() == {"user": "alice", "orders": []}
    refused = client.get("/orders", headers=cognito_alb.headers(scopes=("openid",)))
    assert refused.status_code == 403
    assert 'scope="orders/read"' in refused.headers["WWW-Authenticate"]


def test_orders_refuses_another_users_access_token(
    client: TestClient, cognito_alb: FakeAlb
) -> None:
    headers = cognito_alb.headers("alice", scopes=("orders/read",))
    headers["x-amzn-oidc-accesstoken"] = cognito_alb.headers("bob", scopes=("orders/read",))[
        "x-amzn-oidc-accesstoken"
    ]
    response = client.get("/orders", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"error": "InvalidTokenError"}


def test_orders_without_an_access_token_is_401(client: TestClient, cognito_alb: FakeAlb) -> None:
    headers = cognito_alb.headers()
    del headers["x-amzn-oidc-accesstoken"]
    assert client.get("/orders", headers=headers).status_code == 401


def test_unavailable_alb_keys_are_503(cognito_alb: FakeAlb, cognito_pool: FakeUserPool) -> None:
    from cognito_jwt import AlbVerifier

    verifier = AlbVerifier(
        cognito_alb.alb_arn,
        client_ids=cognito_alb.client_id,
        issuer=cognito_alb.issuer,
        keys_url="http://127.0.0.1:9",
        timeout=0.5,
    )
    client = TestClient(create_app(verifier, cognito_pool.verifier(token_use="access")))
    response = client.get("/me", headers=cognito_alb.headers())
    assert response.status_code == 503
    assert "WWW-Authenticate" not in response.headers


def test_verifiers_from_env(cognito_alb: FakeAlb, cognito_pool: FakeUserPool) -> None:
    alb, cognito = verifiers_from_env(
        {
            "ALB_ARN": cognito_alb.alb_arn,
            "COGNITO_REGION": cognito_pool.region,
            "COGNITO_USER_POOL_ID": cognito_pool.user_pool_id,
            "COGNITO_CLIENT_ID": cognito_pool.client_id,
        }
    )
    assert alb.keys_url == "https://public-keys.auth.elb.eu-west-1.amazonaws.com"
    assert alb.issuer == cognito.issuer == cognito_pool.issuer
