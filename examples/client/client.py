"""The client side: get a Cognito access token, then call the API with it.

Two ways to a token:

* a user signs in with a username and password: boto3's ``initiate_auth``
  with the ``USER_PASSWORD_AUTH`` flow (the app client must allow
  ``ALLOW_USER_PASSWORD_AUTH``); and
* a machine signs in as itself: the OAuth 2.0 ``client_credentials`` grant
  at the user pool domain's token endpoint, ``https://<domain>/oauth2/token``,
  with the app client's id and secret as HTTP basic authentication.

Either way, send the *access* token to an API (``Authorization: Bearer``); the
ID token describes the user to the client and is not meant for APIs. A client
does not verify tokens: the API does.

Run it (from the repository root)::

    python -m examples.client password https://api.example.com/me
    python -m examples.client client-credentials https://api.example.com/orders

with the settings in ``COGNITO_*`` environment variables (see :func:`main`).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import requests

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

__all__ = [
    "SignInChallengeError",
    "TokenEndpointError",
    "Tokens",
    "call_api",
    "client_credentials_token",
    "main",
    "secret_hash",
    "sign_in",
]

TIMEOUT = 10.0  # seconds, for each HTTP request


@dataclass(frozen=True)
class Tokens:
    """The tokens Cognito issued; ``id_token`` and ``refresh_token`` only to users."""

    access_token: str
    expires_in: int
    token_type: str = "Bearer"
    id_token: str | None = None
    refresh_token: str | None = None


class SignInChallengeError(Exception):
    """Cognito answered the sign-in with a challenge (new password, MFA...), not tokens."""

    def __init__(self, challenge: str) -> None:
        """Name the ``challenge`` Cognito asked for."""
        super().__init__(f"Cognito asks for the {challenge} challenge")
        self.challenge = challenge


class TokenEndpointError(Exception):
    """The token endpoint refused the request; ``error`` is its OAuth 2.0 error code."""

    def __init__(self, status_code: int, error: str) -> None:
        """Record the HTTP status and the OAuth 2.0 ``error``."""
        super().__init__(f"token endpoint answered {status_code}: {error}")
        self.status_code = status_code
        self.error = error


def secret_hash(username: str, client_id: str, client_secret: str) -> str:
    """The ``SECRET_HASH`` Cognito requires from an app client that has a secret.

    Base64 of HMAC-SHA256 over the username followed by the client id, keyed
    by the client secret.
    """
    digest = hmac.new(
        client_secret.encode(), (username + client_id).encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def sign_in(
    cognito: CognitoIdentityProviderClient,
    username: str,
    password: str,
    *,
    client_id: str,
    client_secret: str | None = None,
) -> Tokens:
    """Sign a user in with ``USER_PASSWORD_AUTH`` and return the tokens.

    ``cognito`` is ``boto3.client("cognito-idp", region_name=...)``; the call
    needs no AWS credentials.

    Raises:
        SignInChallengeError: Cognito wants more (a new password, an MFA code).
        botocore.exceptions.ClientError: for example ``NotAuthorizedException``
            for a wrong password.

    """
    parameters = {"USERNAME": username, "PASSWORD": password}
    if client_secret is not None:
        parameters["SECRET_HASH"] = secret_hash(username, client_id, client_secret)
    response = cognito.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH", ClientId=client_id, AuthParameters=parameters
    )
    result = response.get("AuthenticationResult")
    if result is None:
        raise SignInChallengeError(response.get("ChallengeName", "unknown"))
    return Tokens(
        access_token=result["AccessToken"],
        expires_in=result["ExpiresIn"],
        token_type=result["TokenType"],
        id_token=result.get("IdToken"),
        refresh_token=result.get("RefreshToken"),
    )


def client_credentials_token(
    domain: str,
    client_id: str,
    client_secret: str,
    scopes: Iterable[str] = (),
    *,
    session: requests.Session | None = None,
) -> Tokens:
    """Get a machine-to-machine access token with the ``client_credentials`` grant.

    ``domain`` is the user pool domain, such as
    ``my-prefix.auth.eu-west-1.amazoncognito.com`` or a custom domain. Without
    ``scopes``, Cognito grants every custom scope the app client may ask for.

    Raises:
        TokenEndpointError: the endpoint refused (``invalid_client``, ``invalid_scope``...).

    """
    data = {"grant_type": "client_credentials"}
    scope = " ".join(scopes)
    if scope:
        data["scope"] = scope
    response = (session or requests).post(
        f"https://{domain}/oauth2/token",
        data=data,  # form-encoded, as the endpoint requires
        auth=(client_id, client_secret),
        timeout=TIMEOUT,
    )
    body = response.json() if response.content else {}
    if response.status_code != 200:
        raise TokenEndpointError(response.status_code, str(body.get("error", "unknown")))
    return Tokens(
        access_token=body["access_token"],
        expires_in=int(body["expires_in"]),
        token_type=body.get("token_type", "Bearer"),
    )


def call_api(
    url: str, tokens: Tokens, *, session: requests.Session | None = None
) -> requests.Response:
    """``GET url`` with the access token; the caller reads the answer's status."""
    return (session or requests).get(
        url, headers={"Authorization": f"Bearer {tokens.access_token}"}, timeout=TIMEOUT
    )


def _tokens_from_env(flow: str, environ: Mapping[str, str]) -> Tokens:
    client_id = environ["COGNITO_CLIENT_ID"]
    client_secret = environ.get("COGNITO_CLIENT_SECRET") or None
    if flow == "password":
        import boto3  # noqa: PLC0415 - only this flow needs the AWS SDK

        cognito = boto3.client("cognito-idp", region_name=environ["COGNITO_REGION"])
        return sign_in(
            cognito,
            environ["COGNITO_USERNAME"],
            environ["COGNITO_PASSWORD"],
            client_id=client_id,
            client_secret=client_secret,
        )
    if client_secret is None:
        raise KeyError("COGNITO_CLIENT_SECRET")
    return client_credentials_token(
        environ["COGNITO_DOMAIN"],
        client_id,
        client_secret,
        environ.get("COGNITO_SCOPES", "").split(),
    )


_SETTINGS = """\
environment:
  COGNITO_CLIENT_ID      the app client id
  COGNITO_CLIENT_SECRET  its secret, if it has one (required for client-credentials)
  password flow:         COGNITO_REGION, COGNITO_USERNAME, COGNITO_PASSWORD
  client-credentials:    COGNITO_DOMAIN (the user pool domain), COGNITO_SCOPES (optional)
"""


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] = os.environ) -> int:
    """Get a token with ``password`` or ``client-credentials``, call the URL, print the answer.

    Settings: ``COGNITO_CLIENT_ID``, ``COGNITO_CLIENT_SECRET`` (if the app
    client has one; required for ``client-credentials``); for ``password``,
    ``COGNITO_REGION``, ``COGNITO_USERNAME`` and ``COGNITO_PASSWORD``; for
    ``client-credentials``, ``COGNITO_DOMAIN`` and ``COGNITO_SCOPES``
    (space-separated, optional). Exit status 0 for a 2xx answer, 1 otherwise.
    """
    parser = argparse.ArgumentParser(
        prog="python -m examples.client",
        description="Get a Cognito access token, GET the URL with it, print the answer.",
        epilog=_SETTINGS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("flow", choices=["password", "client-credentials"])
    parser.add_argument("url", help="the API URL to GET with the access token")
    args = parser.parse_args(argv)
    try:
        tokens = _tokens_from_env(args.flow, environ)
    except KeyError as missing:
        parser.error(f"set the environment variable {missing.args[0]}")
    except Exception as exc:  # noqa: BLE001 - a command reports any failure in one line
        print(f"no token: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    response = call_api(args.url, tokens)
    print(response.status_code, response.reason)
    challenge = response.headers.get("WWW-Authenticate")
    if challenge:
        print("WWW-Authenticate:", challenge)
    try:
        print(json.dumps(response.json(), indent=2))
    except requests.JSONDecodeError:
        print(response.text)
    return 0 if response.ok else 1
