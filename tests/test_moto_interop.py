"""Interoperability: tokens issued by moto's Cognito emulator, run as a real server.

The verifier must accept what a real Cognito implementation issues, not only
what the project's own test kit mints. moto_server runs on 127.0.0.1; a user
pool, an app client and a user in a group are created through boto3, the user
signs in, and the emulator's ID and access tokens are verified against the
emulator's own JWKS.

Where moto and AWS's documentation differ, the verifier follows AWS: moto's
tokens carry a ``typ: JWT`` header that Cognito's do not (the verifier accepts
``typ`` only when it is ``JWT``), and moto's pool ids have 32 characters after
the region where Cognito's have 9 (both fit ``<region>_<id>``).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from cognito_jwt import (
    CognitoVerifier,
    InvalidAudienceError,
    InvalidTokenUseError,
    MalformedTokenError,
    MissingGroupError,
)

boto3 = pytest.importorskip("boto3")

REGION = "eu-west-1"
PASSWORD = "Correct-Horse-42!"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    """Start moto_server on a free loopback port; stop it after the module."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class EmulatedPool:
    pool_id: str
    client_id: str
    other_client_id: str
    jwks_url: str
    tokens: dict[str, Any]

    def verifier(self, **options: Any) -> CognitoVerifier:
        settings: dict[str, Any] = {"client_ids": self.client_id, "token_use": None}
        settings.update(options)
        return CognitoVerifier(REGION, self.pool_id, jwks_url=self.jwks_url, **settings)


@pytest.fixture(scope="module")
def emulated(moto_endpoint: str) -> EmulatedPool:
    client = boto3.client(
        "cognito-idp",
        region_name=REGION,
        endpoint_url=moto_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    pool_id = client.create_user_pool(PoolName="interop")["UserPool"]["Id"]
    flows = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    app = client.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=flows
    )["UserPoolClient"]["ClientId"]
    other = client.create_user_pool_client(
        UserPoolId=pool_id, ClientName="other", ExplicitAuthFlows=flows
    )["UserPoolClient"]["ClientId"]
    client.create_group(GroupName="admins", UserPoolId=pool_id)
    client.admin_create_user(
        UserPoolId=pool_id,
        Username="alice",
        TemporaryPassword="Temporary-Pass-1!",
        MessageAction="SUPPRESS",
    )
    client.admin_set_user_password(
        UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True
    )
    client.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="admins")
    tokens: dict[str, Any] = {}
    for name, client_id in (("app", app), ("other", other)):
        tokens[name] = client.admin_initiate_auth(
            UserPoolId=pool_id,
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
        )["AuthenticationResult"]
    return EmulatedPool(
        pool_id=pool_id,
        client_id=app,
        other_client_id=other,
        jwks_url=f"{moto_endpoint}/{pool_id}/.well-known/jwks.json",
        tokens=tokens,
    )


def test_emulator_id_token_verifies(emulated: EmulatedPool) -> None:
    verifier = emulated.verifier(token_use="id")
    claims = verifier.verify(emulated.tokens["app"]["IdToken"], allowed_groups="admins")
    assert claims.token_use == "id"
    assert claims.username == "alice"
    assert claims.client_id == emulated.client_id
    assert claims.groups == ("admins",)
    assert claims["iss"] == verifier.issuer


def test_emulator_access_token_verifies(emulated: EmulatedPool) -> None:
    verifier = emulated.verifier(token_use="access")
    claims = verifier.verify(
        emulated.tokens["app"]["AccessToken"],
        allowed_groups=["admins", "editors"],
        required_scopes="aws.cognito.signin.user.admin",
    )
    assert claims.token_use == "access"
    assert claims.username == "alice"
    assert claims.client_id == emulated.client_id


def test_group_check_refuses_other_groups(emulated: EmulatedPool) -> None:
    with pytest.raises(MissingGroupError):
        emulated.verifier().verify(emulated.tokens["app"]["AccessToken"], allowed_groups="billing")


def test_token_of_another_app_client_is_refused(emulated: EmulatedPool) -> None:
    verifier = emulated.verifier()
    for kind, claim in (("IdToken", "aud"), ("AccessToken", "client_id")):
        with pytest.raises(InvalidAudienceError) as info:
            verifier.verify(emulated.tokens["other"][kind])
        assert info.value.claim == claim
        assert info.value.actual == emulated.other_client_id


def test_id_token_refused_where_access_token_required(emulated: EmulatedPool) -> None:
    with pytest.raises(InvalidTokenUseError):
        emulated.verifier(token_use="access").verify(emulated.tokens["app"]["IdToken"])


def test_refresh_token_is_not_a_jwt_to_verify(emulated: EmulatedPool) -> None:
    with pytest.raises(MalformedTokenError):
        emulated.verifier().verify(emulated.tokens["app"]["RefreshToken"])


def test_keys_fetched_once_from_the_emulator(emulated: EmulatedPool) -> None:
    session = requests.Session()
    fetched: list[str] = []
    session.hooks["response"].append(lambda response, *args, **kwargs: fetched.append(response.url))
    verifier = emulated.verifier(session=session, token_cache_size=0)
    for _ in range(3):
        verifier.verify(emulated.tokens["app"]["IdToken"])
        verifier.verify(emulated.tokens["app"]["AccessToken"])
    assert fetched == [emulated.jwks_url]
