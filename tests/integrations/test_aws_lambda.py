"""cognito_jwt.integrations.aws_lambda with API Gateway's documented event and response shapes.

API Gateway turns the answers into the HTTP status: for a REST API the error
``Unauthorized`` into 401, a ``Deny`` policy into 403 and an ``Allow`` policy
into the call; for an HTTP API with simple responses ``isAuthorized: false``
into 403. Any other error raised by the function becomes a 500.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from cognito_jwt import CognitoClaims, CognitoVerifier, ConfigurationError, JWKSError
from cognito_jwt.integrations.aws_lambda import (
    claims_from_event,
    http_api_authorizer,
    rest_api_authorizer,
)
from cognito_jwt.testing import FakeUserPool
from tests.adapter_answers import FORBIDDEN, NEEDS_ORDERS_READ
from tests.integrations.apigateway_events import (
    STAGE_WIDE,
    http_api_authorizer_event,
    http_api_event_with_jwt_claims,
    rest_proxy_event_with_cognito_claims,
    rest_request_event,
    rest_token_event,
)

REST_EVENTS = pytest.mark.parametrize(
    "make_event", [rest_token_event, rest_request_event], ids=["TOKEN", "REQUEST"]
)
EventMaker = Callable[[str | None], dict[str, Any]]


def bad_authorizations(pool: FakeUserPool) -> list[str | None]:
    return [
        None,
        "",
        "Basic dTpw",
        "Bearer",
        "Bearer not-a-jwt",
        f"Bearer {pool.expired_token('access')}",
        f"Bearer {pool.access_token(client_id='someone-else')}",
        f"Bearer {pool.id_token()}",
        f"Bearer {pool.access_token(signing_key=pool.unpublished_key())}",
    ]


# ---------------------------------------------------------------- HTTP API


def test_http_api_refuses_no_token_and_bad_tokens(
    pool: FakeUserPool, verifier: CognitoVerifier
) -> None:
    handler = http_api_authorizer(verifier)
    for authorization in bad_authorizations(pool):
        assert handler(http_api_authorizer_event(authorization), None) == {"isAuthorized": False}


def test_http_api_refuses_a_missing_scope_or_group(
    pool: FakeUserPool, verifier: CognitoVerifier
) -> None:
    token = f"Bearer {pool.access_token(groups=['staff'], scopes=['profile'])}"
    event = http_api_authorizer_event(token)
    assert http_api_authorizer(verifier, scopes="orders/read")(event, None) == {
        "isAuthorized": False
    }
    assert http_api_authorizer(verifier, groups=["admin"])(event, None) == {"isAuthorized": False}


def test_http_api_raises_when_the_keys_are_unavailable(
    pool: FakeUserPool, down_verifier: CognitoVerifier
) -> None:
    event = http_api_authorizer_event(f"Bearer {pool.access_token()}")
    with pytest.raises(JWKSError) as raised:
        http_api_authorizer(down_verifier)(event, None)
    assert raised.value.status_code == 503  # raised, not refused: API Gateway answers 500


def test_http_api_allows_a_valid_token_with_its_claims_flattened(
    pool: FakeUserPool, verifier: CognitoVerifier
) -> None:
    token = pool.access_token("alice", groups=["ops", "staff"], scopes=["orders/read"])
    claims = verifier.verify(token)
    handler = http_api_authorizer(verifier, scopes=["orders/read"], groups=("admin", "ops"))
    answer = handler(http_api_authorizer_event(f"Bearer {token}"), None)
    assert answer["isAuthorized"] is True
    context = answer["context"]
    # API Gateway accepts strings, numbers and booleans only.
    assert all(isinstance(value, str | int | float | bool) for value in context.values())
    assert context["sub"] == claims.sub
    assert context["username"] == "alice"
    assert context["scope"] == "orders/read"
    assert context["exp"] == claims["exp"]
    assert json.loads(context["cognito:groups"]) == ["ops", "staff"]
    assert set(context) == set(claims)


# ---------------------------------------------------------------- REST API


@REST_EVENTS
def test_rest_api_raises_unauthorized_for_no_token_and_bad_tokens(
    pool: FakeUserPool, verifier: CognitoVerifier, make_event: EventMaker
) -> None:
    handler = rest_api_authorizer(verifier)
    for authorization in bad_authorizations(pool):
        with pytest.raises(Exception) as raised:  # noqa: PT011 - the exact error is checked below
            handler(make_event(authorization), None)
        assert type(raised.value) is Exception
        assert raised.value.args == ("Unauthorized",)  # the message API Gateway maps to 401


@REST_EVENTS
def test_rest_api_denies_a_missing_scope_with_the_challenge_in_context(
    pool: FakeUserPool, verifier: CognitoVerifier, make_event: EventMaker
) -> None:
    event = make_event(f"Bearer {pool.access_token(scopes=['profile'])}")
    assert rest_api_authorizer(verifier, scopes=["orders/read"])(event, None) == {
        "principalId": "denied",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": STAGE_WIDE}
            ],
        },
        "context": {"wwwAuthenticate": NEEDS_ORDERS_READ},
    }


@REST_EVENTS
def test_rest_api_denies_a_missing_group(
    pool: FakeUserPool, verifier: CognitoVerifier, make_event: EventMaker
) -> None:
    event = make_event(f"Bearer {pool.access_token(groups=['staff'])}")
    answer = rest_api_authorizer(verifier, groups="admin")(event, None)
    assert answer["policyDocument"]["Statement"][0]["Effect"] == "Deny"
    assert answer["context"] == {"wwwAuthenticate": FORBIDDEN}


@REST_EVENTS
def test_rest_api_raises_the_key_error_when_the_keys_are_unavailable(
    pool: FakeUserPool, down_verifier: CognitoVerifier, make_event: EventMaker
) -> None:
    with pytest.raises(JWKSError):  # API Gateway answers 500, not a misleading 401
        rest_api_authorizer(down_verifier)(make_event(f"Bearer {pool.access_token()}"), None)


@REST_EVENTS
def test_rest_api_allows_a_valid_token_for_the_whole_stage(
    pool: FakeUserPool, verifier: CognitoVerifier, make_event: EventMaker
) -> None:
    token = pool.access_token("alice", groups=["admin"], scopes=["orders/read", "openid"])
    claims = verifier.verify(token)
    handler = rest_api_authorizer(verifier, scopes="orders/read", groups="admin")
    answer = handler(make_event(f"Bearer {token}"), None)
    assert answer["principalId"] == claims.sub
    assert answer["policyDocument"] == {
        "Version": "2012-10-17",
        "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": STAGE_WIDE}],
    }
    assert answer["context"]["cognito:groups"] == '["admin"]'
    assert answer["context"]["username"] == "alice"


def test_rest_api_refuses_an_event_without_a_method_arn(verifier: CognitoVerifier) -> None:
    with pytest.raises(ConfigurationError, match="methodArn"):
        rest_api_authorizer(verifier)({"type": "TOKEN", "authorizationToken": "Bearer x"}, None)


def test_refusals_are_logged_at_info_never_the_token(
    pool: FakeUserPool, verifier: CognitoVerifier, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cognito_jwt.integrations")
    token = pool.expired_token("access")
    http_api_authorizer(verifier)(http_api_authorizer_event(f"Bearer {token}"), None)
    (record,) = [r for r in caplog.records if r.name == "cognito_jwt.integrations.aws_lambda"]
    assert record.levelno == logging.INFO
    assert "refused (401 ExpiredTokenError)" in record.getMessage()
    assert token not in record.getMessage()


# ---------------------------------------------------------------- claims_from_event


def test_claims_from_a_rest_api_cognito_authorizer() -> None:
    claims = claims_from_event(rest_proxy_event_with_cognito_claims())
    assert isinstance(claims, CognitoClaims)
    assert claims.username == "alice"
    assert claims.client_id == "test-client"
    assert claims.groups == ("admin", "staff")
    assert claims["auth_time"] == 1680629979
    assert claims.expires_at == datetime(2023, 4, 4, 18, 39, 39, tzinfo=UTC)
    assert claims.issued_at == datetime(2023, 4, 4, 17, 39, 39, tzinfo=UTC)
    assert claims["email_verified"] == "true"  # other claims stay as API Gateway sent them


def test_claims_from_an_http_api_jwt_authorizer() -> None:
    claims = claims_from_event(http_api_event_with_jwt_claims())
    assert claims.token_use == "access"
    assert claims.username == "alice"
    assert claims.groups == ("admin", "staff")
    assert claims.scopes == frozenset({"orders/read", "openid"})
    assert claims["exp"] == 1680633579
    assert claims.expires_at == datetime.fromtimestamp(1680633579, tz=UTC)


def test_claims_from_an_event_without_an_authorizer_is_refused() -> None:
    events: list[dict[str, Any]] = [
        {},
        {"requestContext": {}},
        {"requestContext": {"authorizer": {"lambda": {}}}},
    ]
    for event in events:
        with pytest.raises(ConfigurationError, match="authorizer"):
            claims_from_event(event)


def test_claims_from_event_keeps_typed_values() -> None:
    event: dict[str, Any] = {
        "requestContext": {
            "authorizer": {"claims": {"sub": "s", "cognito:groups": ["a"], "exp": 5, "iat": "x"}}
        }
    }
    claims = claims_from_event(event)
    assert (claims.groups, claims["exp"], claims["iat"]) == (("a",), 5, "x")
