"""The client example gets tokens both ways and calls an API with them, all offline.

The token endpoint and the API are answered by ``responses``; the API stand-in
verifies the bearer token with cognito-jwt, as a real API would. The password
sign-in runs against moto's Cognito emulator in process (``mock_aws``), which
checks the flow, the client and the ``SECRET_HASH`` as Cognito does.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import boto3
import pytest
import requests
import responses
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.cognitoidp.utils import check_secret_hash

from cognito_jwt import CognitoJWTError, CognitoVerifier
from cognito_jwt.testing import FakeUserPool
from examples.client.client import (
    SignInChallengeError,
    TokenEndpointError,
    Tokens,
    call_api,
    client_credentials_token,
    main,
    sign_in,
)

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

DOMAIN = "auth.example.com"
TOKEN_URL = f"https://{DOMAIN}/oauth2/token"
API_URL = "https://api.example.com/orders"
PASSWORD = "Correct-Horse-42!"

Callback = Callable[[requests.PreparedRequest], tuple[int, dict[str, str], str]]


def token_endpoint(pool: FakeUserPool, seen: list[requests.PreparedRequest]) -> Callback:
    """A client_credentials token endpoint for the app client ``m2m-client`` / ``s3cret``."""

    def answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        seen.append(request)
        expected = "Basic " + base64.b64encode(b"m2m-client:s3cret").decode()
        if request.headers.get("Authorization") != expected:
            return 400, {}, json.dumps({"error": "invalid_client"})
        form = parse_qs(str(request.body))
        scopes = form.get("scope", ["orders/read"])[0].split()
        token = pool.m2m_token(scopes=scopes, client_id="m2m-client")
        body = {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    return answer


def api(verifier: CognitoVerifier) -> Callback:
    """An API that verifies the bearer token and answers as the server examples do."""

    def answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        try:
            claims = verifier.verify_bearer(request.headers.get("Authorization"))
        except CognitoJWTError as exc:
            headers = {"WWW-Authenticate": exc.www_authenticate} if exc.www_authenticate else {}
            return exc.status_code, headers, json.dumps({"detail": "refused"})
        body = {"sub": claims.sub, "username": claims.username, "scopes": sorted(claims.scopes)}
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    return answer


@pytest.fixture
def m2m_pool() -> FakeUserPool:
    return FakeUserPool(client_id="m2m-client")


@pytest.fixture
def mock() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as rsps:  # any other request fails: nothing leaves
        yield rsps


# ---------------------------------------------------------------- client_credentials


def test_client_credentials_posts_the_grant_with_basic_auth(
    m2m_pool: FakeUserPool, mock: responses.RequestsMock
) -> None:
    seen: list[requests.PreparedRequest] = []
    mock.add_callback(responses.POST, TOKEN_URL, callback=token_endpoint(m2m_pool, seen))
    tokens = client_credentials_token(DOMAIN, "m2m-client", "s3cret", ["orders/read", "orders/w"])
    [request] = seen
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(str(request.body)) == {
        "grant_type": ["client_credentials"],
        "scope": ["orders/read orders/w"],
    }
    assert tokens.expires_in == 3600
    assert tokens.token_type == "Bearer"
    assert tokens.id_token is None
    claims = m2m_pool.verifier().verify(tokens.access_token)
    assert claims.sub == "m2m-client"
    assert claims.scopes == {"orders/read", "orders/w"}


def test_without_scopes_the_grant_names_none(
    m2m_pool: FakeUserPool, mock: responses.RequestsMock
) -> None:
    seen: list[requests.PreparedRequest] = []
    mock.add_callback(responses.POST, TOKEN_URL, callback=token_endpoint(m2m_pool, seen))
    client_credentials_token(DOMAIN, "m2m-client", "s3cret")
    assert parse_qs(str(seen[0].body)) == {"grant_type": ["client_credentials"]}


def test_a_refusal_of_the_token_endpoint_is_raised_with_its_error(
    m2m_pool: FakeUserPool, mock: responses.RequestsMock
) -> None:
    mock.add_callback(responses.POST, TOKEN_URL, callback=token_endpoint(m2m_pool, []))
    with pytest.raises(TokenEndpointError) as refused:
        client_credentials_token(DOMAIN, "m2m-client", "wrong-secret")
    assert (refused.value.status_code, refused.value.error) == (400, "invalid_client")


def test_the_access_token_calls_the_api(
    m2m_pool: FakeUserPool, mock: responses.RequestsMock
) -> None:
    mock.add_callback(responses.POST, TOKEN_URL, callback=token_endpoint(m2m_pool, []))
    mock.add_callback(responses.GET, API_URL, callback=api(m2m_pool.verifier()))
    tokens = client_credentials_token(DOMAIN, "m2m-client", "s3cret", ["orders/read"])
    response = call_api(API_URL, tokens)
    assert response.status_code == 200
    assert response.json() == {"sub": "m2m-client", "username": None, "scopes": ["orders/read"]}

    expired = Tokens(access_token=m2m_pool.expired_token("access"), expires_in=0)
    response = call_api(API_URL, expired)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == (
        'Bearer error="invalid_token", error_description="The access token expired"'
    )


def test_main_gets_a_machine_token_and_prints_the_answer(
    m2m_pool: FakeUserPool, mock: responses.RequestsMock, capsys: pytest.CaptureFixture[str]
) -> None:
    mock.add_callback(responses.POST, TOKEN_URL, callback=token_endpoint(m2m_pool, []))
    mock.add_callback(responses.GET, API_URL, callback=api(m2m_pool.verifier()))
    environ = {
        "COGNITO_CLIENT_ID": "m2m-client",
        "COGNITO_CLIENT_SECRET": "s3cret",
        "COGNITO_DOMAIN": DOMAIN,
        "COGNITO_SCOPES": "orders/read",
    }
    assert main(["client-credentials", API_URL], environ) == 0
    out = capsys.readouterr().out
    assert out.startswith("200 OK\n")
    assert json.loads(out.partition("\n")[2])["sub"] == "m2m-client"

    assert main(["client-credentials", API_URL], {**environ, "COGNITO_CLIENT_SECRET": "bad"}) == 1
    assert capsys.readouterr().err == (
        "no token: TokenEndpointError: token endpoint answered 400: invalid_client\n"
    )
    with pytest.raises(SystemExit) as usage:
        main(["client-credentials", API_URL], {"COGNITO_CLIENT_ID": "m2m-client"})
    assert usage.value.code == 2
    assert "COGNITO_CLIENT_SECRET" in capsys.readouterr().err


# ---------------------------------------------------------------- USER_PASSWORD_AUTH


@dataclass
class EmulatedPool:
    cognito: CognitoIdentityProviderClient
    pool_id: str
    client_id: str
    secret_client_id: str
    client_secret: str

    def verifier(self) -> CognitoVerifier:
        """A verifier of the emulated pool; moto answers its JWKS URL in process."""
        return CognitoVerifier(
            "eu-west-1", self.pool_id, client_ids=None, token_use="access", refresh_cooldown=0
        )


@pytest.fixture
def emulated() -> Iterator[EmulatedPool]:
    """A moto user pool with a user ``alice`` (in group ``staff``) and two app clients."""
    with mock_aws():
        cognito = boto3.client("cognito-idp", region_name="eu-west-1")
        pool_id = cognito.create_user_pool(PoolName="shop")["UserPool"]["Id"]
        public = cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="web",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
        )["UserPoolClient"]
        confidential = cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="backend",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
            GenerateSecret=True,
        )["UserPoolClient"]
        cognito.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS")
        cognito.admin_set_user_password(
            UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True
        )
        cognito.create_group(UserPoolId=pool_id, GroupName="staff")
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="staff")
        yield EmulatedPool(
            cognito,
            pool_id,
            public["ClientId"],
            confidential["ClientId"],
            confidential["ClientSecret"],
        )


def test_sign_in_returns_the_users_tokens(emulated: EmulatedPool) -> None:
    tokens = sign_in(emulated.cognito, "alice", PASSWORD, client_id=emulated.client_id)
    assert tokens.token_type == "Bearer"
    assert tokens.id_token is not None
    assert tokens.refresh_token is not None
    claims = emulated.verifier().verify(tokens.access_token)
    assert claims.username == "alice"
    assert claims.client_id == emulated.client_id
    assert claims.groups == ("staff",)


def test_sign_in_with_a_client_secret_sends_the_secret_hash(emulated: EmulatedPool) -> None:
    sent: list[dict[str, Any]] = []

    def capture(params: dict[str, Any], **kwargs: Any) -> None:
        sent.append(params)

    emulated.cognito.meta.events.register("provide-client-params.cognito-idp.InitiateAuth", capture)
    tokens = sign_in(
        emulated.cognito,
        "alice",
        PASSWORD,
        client_id=emulated.secret_client_id,
        client_secret=emulated.client_secret,
    )
    assert emulated.verifier().verify(tokens.access_token).client_id == emulated.secret_client_id
    [params] = sent
    assert params["AuthFlow"] == "USER_PASSWORD_AUTH"
    assert params["ClientId"] == emulated.secret_client_id
    assert set(params["AuthParameters"]) == {"USERNAME", "PASSWORD", "SECRET_HASH"}
    # moto checks SECRET_HASH in other flows only; its check is an independent oracle.
    assert check_secret_hash(
        emulated.client_secret,
        emulated.secret_client_id,
        "alice",
        params["AuthParameters"]["SECRET_HASH"],
    )


def test_a_wrong_password_is_refused_by_cognito(emulated: EmulatedPool) -> None:
    with pytest.raises(ClientError) as refused:
        sign_in(emulated.cognito, "alice", "wrong", client_id=emulated.client_id)
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"


def test_a_challenge_is_raised_not_mistaken_for_tokens(emulated: EmulatedPool) -> None:
    emulated.cognito.admin_create_user(
        UserPoolId=emulated.pool_id,
        Username="bob",
        TemporaryPassword="Temporary-42!",
        MessageAction="SUPPRESS",
    )
    with pytest.raises(SignInChallengeError) as challenged:
        sign_in(emulated.cognito, "bob", "Temporary-42!", client_id=emulated.client_id)
    assert challenged.value.challenge == "NEW_PASSWORD_REQUIRED"


def test_main_signs_in_with_a_password_and_calls_the_api(
    emulated: EmulatedPool, capsys: pytest.CaptureFixture[str]
) -> None:
    environ = {
        "COGNITO_REGION": "eu-west-1",
        "COGNITO_CLIENT_ID": emulated.secret_client_id,
        "COGNITO_CLIENT_SECRET": emulated.client_secret,
        "COGNITO_USERNAME": "alice",
        "COGNITO_PASSWORD": PASSWORD,
    }
    verifier = emulated.verifier()
    assert verifier.fetch_jwks() == 1  # from moto, before the API's mock takes over requests
    with responses.RequestsMock() as mock:
        mock.add_callback(responses.GET, API_URL, callback=api(verifier))
        assert main(["password", API_URL], environ) == 0
    out = capsys.readouterr().out
    assert out.startswith("200 OK\n")
    assert json.loads(out.partition("\n")[2])["username"] == "alice"
