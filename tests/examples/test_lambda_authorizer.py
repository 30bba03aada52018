"""The Lambda example: handlers built at cold start from the environment, every outcome."""

from __future__ import annotations

import importlib
import io
import json
import sys
from collections.abc import Callable
from types import ModuleType

import pytest

from cognito_jwt import JWKSError
from cognito_jwt.testing import FakeUserPool
from examples.lambda_authorizer.__main__ import main as invoke_locally
from tests.adapter_answers import NEEDS_ORDERS_READ
from tests.integrations.apigateway_events import (
    STAGE_WIDE,
    http_api_authorizer_event,
    rest_token_event,
)

HANDLER = "examples.lambda_authorizer.handler"


@pytest.fixture
def cold_start(
    cognito_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., ModuleType]:
    """Import the handler module afresh with more variables, as a new container does."""

    def start(**environ: str) -> ModuleType:
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delitem(sys.modules, HANDLER, raising=False)
        return importlib.import_module(HANDLER)

    return start


def test_every_outcome_with_one_fetch_per_container(
    cognito_pool: FakeUserPool, cold_start: Callable[..., ModuleType]
) -> None:
    handler = cold_start(COGNITO_REQUIRED_SCOPES="orders/read")
    assert handler.VERIFIER.jwks_url == cognito_pool.jwks_url  # the real URL, as in production
    reader = f"Bearer {cognito_pool.access_token('alice', scopes=['orders/read'])}"
    other = f"Bearer {cognito_pool.access_token('bob')}"
    with cognito_pool.mock_jwks() as mock:
        allowed = handler.http_api_handler(http_api_authorizer_event(reader), None)
        assert (allowed["isAuthorized"], allowed["context"]["username"]) == (True, "alice")
        assert handler.http_api_handler(http_api_authorizer_event(other), None) == {
            "isAuthorized": False
        }
        policy = handler.rest_api_handler(rest_token_event(reader), None)
        assert policy["policyDocument"]["Statement"][0] == {
            "Action": "execute-api:Invoke",
            "Effect": "Allow",
            "Resource": STAGE_WIDE,
        }
        denied = handler.rest_api_handler(rest_token_event(other), None)
        assert denied["context"] == {"wwwAuthenticate": NEEDS_ORDERS_READ}
        with pytest.raises(Exception, match=r"^Unauthorized$"):
            handler.rest_api_handler(rest_token_event("Bearer not-a-jwt"), None)
        assert len(mock.calls) == 1  # one verifier per container


def test_keys_unavailable_fail_the_call(
    cognito_pool: FakeUserPool, cold_start: Callable[..., ModuleType], unavailable_jwks_url: str
) -> None:
    handler = cold_start(COGNITO_JWKS_URL=unavailable_jwks_url)
    token = f"Bearer {cognito_pool.access_token()}"
    with pytest.raises(JWKSError):  # API Gateway answers 500
        handler.rest_api_handler(rest_token_event(token), None)
    with pytest.raises(JWKSError):
        handler.http_api_handler(http_api_authorizer_event(token), None)


def test_the_handlers_can_be_invoked_locally(
    cognito_pool: FakeUserPool,
    cold_start: Callable[..., ModuleType],
    capsys: pytest.CaptureFixture[str],
) -> None:
    cold_start()
    token = cognito_pool.access_token("alice")
    with cognito_pool.mock_jwks():
        event = io.StringIO(json.dumps(http_api_authorizer_event(f"Bearer {token}")))
        assert invoke_locally(["http"], event) == 0
    assert json.loads(capsys.readouterr().out)["context"]["username"] == "alice"
    assert invoke_locally(["rest"], io.StringIO(json.dumps(rest_token_event(None)))) == 1
    assert capsys.readouterr().err == "Exception: Unauthorized\n"
