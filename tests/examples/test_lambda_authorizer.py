"""The Lambda authorizers return the response shapes API Gateway documents, for every outcome.

API Gateway turns them into the HTTP answer: for a REST API, the error
``Unauthorized`` into 401, a ``Deny`` policy into 403 and an ``Allow`` policy
into the call; for an HTTP API with simple responses, ``isAuthorized: false``
into 403. Any other error raised by the function becomes a 500.
"""

from __future__ import annotations

import importlib
import io
import json
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from cognito_jwt import CognitoVerifier, ConfigurationError, JWKSError
from cognito_jwt.testing import FakeUserPool
from examples.lambda_authorizer.__main__ import main as invoke_locally
from examples.lambda_authorizer.authorizer import (
    Requirements,
    authorize_http_api,
    authorize_rest_api,
    requirements_from_env,
    verifier_from_env,
)

METHOD_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abcdef123/prod/GET/orders/7"
API_WIDE = "arn:aws:execute-api:eu-west-1:123456789012:abcdef123/prod/*"
FORBIDDEN = (
    'Bearer error="insufficient_scope", '
    'error_description="The access token does not grant this request"'
)
NOTHING = Requirements()
ORDERS = Requirements(scopes=("orders/read",))
ADMINS = Requirements(groups=("admin", "ops"))


def http_event(authorization: str | None) -> dict[str, Any]:
    """An HTTP API (payload format 2.0) authorizer event; HTTP APIs lowercase header names."""
    headers = {"accept": "application/json", "user-agent": "curl/8.5.0"}
    if authorization is not None:
        headers["authorization"] = authorization
    return {
        "version": "2.0",
        "type": "REQUEST",
        "routeArn": METHOD_ARN,
        "identitySource": [authorization] if authorization else [],
        "routeKey": "GET /orders/{id}",
        "rawPath": "/orders/7",
        "headers": headers,
        "requestContext": {"apiId": "abcdef123", "stage": "prod", "routeKey": "GET /orders/{id}"},
    }


def token_event(authorization: str | None) -> dict[str, Any]:
    """A REST API TOKEN authorizer event."""
    event: dict[str, Any] = {"type": "TOKEN", "methodArn": METHOD_ARN}
    if authorization is not None:
        event["authorizationToken"] = authorization
    return event


def request_event(authorization: str | None) -> dict[str, Any]:
    """A REST API REQUEST authorizer event; header names keep the client's case."""
    headers = {"Accept": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    return {
        "type": "REQUEST",
        "methodArn": METHOD_ARN,
        "resource": "/orders/{id}",
        "path": "/orders/7",
        "httpMethod": "GET",
        "headers": headers,
    }


@pytest.fixture
def verifier(cognito_pool: FakeUserPool) -> CognitoVerifier:
    return cognito_pool.verifier(token_use="access")


def bad_tokens(pool: FakeUserPool) -> list[str | None]:
    return [
        None,
        "",
        "Basic dTpw",
        "Bearer",
        "Bearer not-a-jwt",
        f"Bearer {pool.expired_token('access')}",
        f"Bearer {pool.access_token(client_id='someone-else')}",
        f"Bearer {pool.id_token()}",  # an ID token where access tokens are required
        f"Bearer {pool.access_token(signing_key=pool.unpublished_key())}",
    ]


# ---------------------------------------------------------------- HTTP API


def test_http_api_refuses_no_token_and_bad_tokens(
    cognito_pool: FakeUserPool, verifier: CognitoVerifier
) -> None:
    for authorization in bad_tokens(cognito_pool):
        assert authorize_http_api(http_event(authorization), verifier, NOTHING) == {
            "isAuthorized": False
        }


def test_http_api_refuses_a_missing_group_or_scope(
    cognito_pool: FakeUserPool, verifier: CognitoVerifier
) -> None:
    staff = f"Bearer {cognito_pool.access_token(groups=['staff'], scopes=['profile'])}"
    assert authorize_http_api(http_event(staff), verifier, ADMINS) == {"isAuthorized": False}
    assert authorize_http_api(http_event(staff), verifier, ORDERS) == {"isAuthorized": False}


def test_http_api_raises_when_the_keys_are_unavailable(
    cognito_pool: FakeUserPool, unavailable_jwks_url: str
) -> None:
    verifier = cognito_pool.verifier(token_use="access", jwks_url=unavailable_jwks_url)
    event = http_event(f"Bearer {cognito_pool.access_token()}")
    with pytest.raises(JWKSError) as raised:
        authorize_http_api(event, verifier, NOTHING)
    assert raised.value.status_code == 503  # raised, not denied: API Gateway answers 500


def test_http_api_allows_a_good_token_and_passes_its_claims(
    cognito_pool: FakeUserPool, verifier: CognitoVerifier
) -> None:
    token = cognito_pool.access_token("alice", groups=["ops", "staff"], scopes=["orders/read"])
    sub = verifier.verify(token).sub
    assert authorize_http_api(http_event(f"Bearer {token}"), verifier, ADMINS) == {
        "isAuthorized": True,
        "context": {
            "sub": sub,
            "username": "alice",
            "client_id": "test-client",
            "token_use": "access",
            "groups": "ops,staff",
            "scopes": "orders/read",
        },
    }


# ---------------------------------------------------------------- REST API


@pytest.mark.parametrize("make_event", [token_event, request_event], ids=["TOKEN", "REQUEST"])
def test_rest_api_raises_unauthorized_for_no_token_and_bad_tokens(
    cognito_pool: FakeUserPool,
    verifier: CognitoVerifier,
    make_event: Callable[[str | None], dict[str, Any]],
) -> None:
    for authorization in bad_tokens(cognito_pool):
        with pytest.raises(Exception) as raised:  # noqa: PT011 - the exact error is checked below
            authorize_rest_api(make_event(authorization), verifier, NOTHING)
        assert type(raised.value) is Exception
        assert raised.value.args == ("Unauthorized",)  # the message API Gateway maps to 401


@pytest.mark.parametrize("make_event", [token_event, request_event], ids=["TOKEN", "REQUEST"])
def test_rest_api_denies_a_missing_scope_with_the_challenge_in_context(
    cognito_pool: FakeUserPool,
    verifier: CognitoVerifier,
    make_event: Callable[[str | None], dict[str, Any]],
) -> None:
    event = make_event(f"Bearer {cognito_pool.access_token(scopes=['profile'])}")
    assert authorize_rest_api(event, verifier, ORDERS) == {
        "principalId": "denied",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": API_WIDE}],
        },
        "context": {"wwwAuthenticate": FORBIDDEN + ', scope="orders/read"'},
    }


def test_rest_api_denies_a_missing_group(
    cognito_pool: FakeUserPool, verifier: CognitoVerifier
) -> None:
    event = request_event(f"Bearer {cognito_pool.access_token(groups=['staff'])}")
    response = authorize_rest_api(event, verifier, ADMINS)
    assert response["policyDocument"]["Statement"][0]["Effect"] == "Deny"
    assert response["context"] == {"wwwAuthenticate": FORBIDDEN}


def test_rest_api_raises_the_key_error_not_unauthorized_when_the_keys_are_unavailable(
    cognito_pool: FakeUserPool, unavailable_jwks_url: str
) -> None:
    verifier = cognito_pool.verifier(token_use="access", jwks_url=unavailable_jwks_url)
    with pytest.raises(JWKSError):  # API Gateway answers 500, not a misleading 401
        authorize_rest_api(token_event(f"Bearer {cognito_pool.access_token()}"), verifier, NOTHING)


@pytest.mark.parametrize("make_event", [token_event, request_event], ids=["TOKEN", "REQUEST"])
def test_rest_api_allows_a_good_token_api_wide_with_its_claims(
    cognito_pool: FakeUserPool,
    verifier: CognitoVerifier,
    make_event: Callable[[str | None], dict[str, Any]],
) -> None:
    token = cognito_pool.access_token("alice", groups=["admin"], scopes=["orders/read", "openid"])
    sub = verifier.verify(token).sub
    assert authorize_rest_api(make_event(f"Bearer {token}"), verifier, ORDERS) == {
        "principalId": sub,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": API_WIDE}
            ],
        },
        "context": {
            "sub": sub,
            "username": "alice",
            "client_id": "test-client",
            "token_use": "access",
            "groups": "admin",
            "scopes": "openid orders/read",
        },
    }


def test_rest_api_allows_a_machine_token_without_a_username(
    cognito_pool: FakeUserPool, verifier: CognitoVerifier
) -> None:
    event = request_event(f"Bearer {cognito_pool.m2m_token(scopes=['orders/read'])}")
    response = authorize_rest_api(event, verifier, ORDERS)
    assert response["principalId"] == "test-client"
    assert "username" not in response["context"]


# ---------------------------------------------------------------- configuration and handlers


def test_the_environment_configures_verifier_and_requirements(
    cognito_env: dict[str, str],
) -> None:
    verifier = verifier_from_env(cognito_env)
    assert "client_ids=['another-client', 'test-client'], token_use='access'" in repr(verifier)
    assert requirements_from_env(cognito_env) == NOTHING
    env = {
        **cognito_env,
        "COGNITO_ALLOWED_GROUPS": "admin, ops",
        "COGNITO_REQUIRED_SCOPES": "orders/read orders/write",
    }
    assert requirements_from_env(env) == Requirements(
        groups=("admin", "ops"), scopes=("orders/read", "orders/write")
    )
    with pytest.raises(ConfigurationError, match="client_ids"):
        verifier_from_env({**cognito_env, "COGNITO_CLIENT_IDS": " , "})
    with pytest.raises(ValueError, match="COGNITO_TOKEN_USE"):
        verifier_from_env({**cognito_env, "COGNITO_TOKEN_USE": "both"})


HANDLER = "examples.lambda_authorizer.handler"


@pytest.fixture
def cold_start(monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[str, str]], ModuleType]:
    """Import the handler module afresh with an environment, as a new container does."""

    def start(environ: dict[str, str]) -> ModuleType:
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delitem(sys.modules, HANDLER, raising=False)
        return importlib.import_module(HANDLER)

    return start


def test_a_container_builds_one_verifier_at_cold_start_and_reuses_it(
    cognito_pool: FakeUserPool,
    cognito_env: dict[str, str],
    cold_start: Callable[[dict[str, str]], ModuleType],
) -> None:
    handler = cold_start({**cognito_env, "COGNITO_REQUIRED_SCOPES": "orders/read"})
    verifier = handler.VERIFIER
    assert isinstance(verifier, CognitoVerifier)
    assert verifier.jwks_url == cognito_pool.jwks_url  # the pool's real URL, as in production
    assert handler.REQUIREMENTS == ORDERS
    with cognito_pool.mock_jwks() as mock:
        for user in ("alice", "bob"):
            token = cognito_pool.access_token(user, scopes=["orders/read"])
            answer = handler.http_api_handler(http_event(f"Bearer {token}"), None)
            assert answer["isAuthorized"] is True
            assert answer["context"]["username"] == user
            policy = handler.rest_api_handler(token_event(f"Bearer {token}"), None)
            assert policy["policyDocument"]["Statement"][0]["Effect"] == "Allow"
        denied = handler.http_api_handler(http_event(f"Bearer {cognito_pool.access_token()}"), None)
        assert denied == {"isAuthorized": False}
        with pytest.raises(Exception, match=r"^Unauthorized$"):
            handler.rest_api_handler(token_event(None), None)
        assert handler.VERIFIER is verifier
        assert len(mock.calls) == 1  # one verifier per container: one JWKS fetch for every call


def test_a_container_whose_keys_are_unavailable_fails_the_call(
    cognito_pool: FakeUserPool,
    cognito_env: dict[str, str],
    cold_start: Callable[[dict[str, str]], ModuleType],
    unavailable_jwks_url: str,
) -> None:
    handler = cold_start({**cognito_env, "COGNITO_JWKS_URL": unavailable_jwks_url})
    assert handler.VERIFIER.jwks_url == unavailable_jwks_url
    event = token_event(f"Bearer {cognito_pool.access_token()}")
    with pytest.raises(JWKSError):
        handler.rest_api_handler(event, None)
    with pytest.raises(JWKSError):
        handler.http_api_handler(http_event(event["authorizationToken"]), None)


def test_the_handlers_can_be_invoked_locally(
    cognito_pool: FakeUserPool,
    cognito_env: dict[str, str],
    cold_start: Callable[[dict[str, str]], ModuleType],
    capsys: pytest.CaptureFixture[str],
) -> None:
    cold_start(cognito_env)
    token = cognito_pool.access_token("alice")
    with cognito_pool.mock_jwks():
        event = io.StringIO(json.dumps(http_event(f"Bearer {token}")))
        assert invoke_locally(["http"], event) == 0
    assert json.loads(capsys.readouterr().out)["context"]["username"] == "alice"

    assert invoke_locally(["rest"], io.StringIO(json.dumps(token_event(None)))) == 1
    assert capsys.readouterr().err == "Exception: Unauthorized\n"
