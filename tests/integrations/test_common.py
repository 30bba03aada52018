"""What the adapters share: the refusal log line, the error body, settings."""

from __future__ import annotations

import logging

import pytest

from cognito_jwt import (
    ExpiredTokenError,
    InsufficientScopeError,
    JWKSFetchError,
    MissingTokenError,
)
from cognito_jwt.claims import CognitoClaims
from cognito_jwt.integrations._common import (
    Refusal,
    detail,
    error_headers,
    log_refusal,
    names,
    refusal,
)
from tests.adapter_answers import NEEDS_ORDERS_READ

logger = logging.getLogger("cognito_jwt.integrations.test")


def test_a_refusal_after_the_signature_verified_logs_the_sub(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="cognito_jwt.integrations")
    error = ExpiredTokenError("token expired", claim="exp", expected=1, actual=0)
    log_refusal(logger, error, "GET /me")
    error.claims = CognitoClaims({"sub": "user-1", "exp": 0})
    log_refusal(logger, error, "GET /me")
    first, second = (record.getMessage() for record in caplog.records)
    assert first == "GET /me refused (401 ExpiredTokenError): token expired"
    assert second == "GET /me refused (401 ExpiredTokenError) for sub 'user-1': token expired"
    assert all(record.levelno == logging.INFO for record in caplog.records)


def test_the_body_and_headers_come_from_the_error() -> None:
    missing = MissingTokenError("no header")
    assert (detail(missing), error_headers(missing)) == (
        "Unauthorized",
        {"WWW-Authenticate": "Bearer"},
    )
    scope = InsufficientScopeError("needs orders/read", required=("orders/read",))
    assert detail(scope) == "The access token does not grant this request"
    assert error_headers(scope)["WWW-Authenticate"].endswith('scope="orders/read"')
    down = JWKSFetchError("refused")
    assert (detail(down), error_headers(down)) == ("Service Unavailable", {})


def test_a_refusal_is_logged_and_answered_with_the_errors_status_challenge_and_detail(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="cognito_jwt.integrations")
    scope = InsufficientScopeError("needs orders/read", required=("orders/read",))
    assert refusal(logger, scope, "GET /orders") == Refusal(
        403,
        {"WWW-Authenticate": NEEDS_ORDERS_READ},
        {"detail": "The access token does not grant this request"},
    )
    assert refusal(logger, JWKSFetchError("refused"), "GET /orders") == Refusal(
        503, {}, {"detail": "Service Unavailable"}
    )
    assert [record.getMessage() for record in caplog.records] == [
        "GET /orders refused (403 InsufficientScopeError): needs orders/read",
        "GET /orders refused (503 JWKSFetchError): refused",
    ]


def test_names_keeps_a_str_whole() -> None:
    assert names("orders/read") == ("orders/read",)
    assert names(["a", "b"]) == ("a", "b")
    assert names(None) is None
