"""The authorizers' logic: an API Gateway event and a verifier in, the documented answer out.

No environment and no global state here (``handler.py`` has both), so each
function can be tested with any verifier.

Answers, by the error's ``status_code``:

======================  ===========================  ===============================
verification            HTTP API (simple response)   REST API (IAM policy)
======================  ===========================  ===============================
token valid             ``isAuthorized: true``       ``Allow``, with ``context``
401: no or bad token    ``isAuthorized: false``      ``raise Exception("Unauthorized")``
403: group or scope     ``isAuthorized: false``      ``Deny``
503: keys unavailable   the error is raised          the error is raised
======================  ===========================  ===============================

API Gateway turns a raised error into 500: it cannot be told to answer 503.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from cognito_jwt import CognitoClaims, CognitoJWTError, CognitoVerifier

__all__ = [
    "Requirements",
    "authorize_http_api",
    "authorize_rest_api",
    "requirements_from_env",
    "verifier_from_env",
]

logger = logging.getLogger(__name__)

_TOKEN_USES: dict[str, Literal["id", "access"] | None] = {
    "access": "access",
    "id": "id",
    "any": None,
}


@dataclass(frozen=True)
class Requirements:
    """What a token needs besides being valid: one of ``groups``, every one of ``scopes``."""

    groups: tuple[str, ...] | None = None
    scopes: tuple[str, ...] | None = None


def _names(value: str) -> tuple[str, ...] | None:
    names = tuple(name for name in value.replace(",", " ").split() if name)
    return names or None


def verifier_from_env(environ: Mapping[str, str] = os.environ) -> CognitoVerifier:
    """Build a verifier from ``COGNITO_*`` environment variables.

    ``COGNITO_REGION``, ``COGNITO_USER_POOL_ID`` and ``COGNITO_CLIENT_IDS``
    (comma-separated) are required; ``COGNITO_TOKEN_USE`` is ``access`` (the
    default), ``id`` or ``any``; ``COGNITO_JWKS_URL`` overrides the JWKS URL.
    """
    token_use = environ.get("COGNITO_TOKEN_USE", "access")
    if token_use not in _TOKEN_USES:
        raise ValueError(f"COGNITO_TOKEN_USE must be access, id or any, not {token_use!r}")
    return CognitoVerifier(
        environ["COGNITO_REGION"],
        environ["COGNITO_USER_POOL_ID"],
        # An empty list is refused by the verifier: "any client" must be said with None.
        client_ids=_names(environ["COGNITO_CLIENT_IDS"]) or (),
        token_use=_TOKEN_USES[token_use],
        jwks_url=environ.get("COGNITO_JWKS_URL") or None,
    )


def requirements_from_env(environ: Mapping[str, str] = os.environ) -> Requirements:
    """Read ``COGNITO_ALLOWED_GROUPS`` and ``COGNITO_REQUIRED_SCOPES`` (comma or space separated).

    Either may be unset: a valid token is then enough.
    """
    return Requirements(
        groups=_names(environ.get("COGNITO_ALLOWED_GROUPS", "")),
        scopes=_names(environ.get("COGNITO_REQUIRED_SCOPES", "")),
    )


def _header(headers: object, name: str) -> str | None:
    """Look a header up by name, whatever its case (REST APIs keep the client's)."""
    if not isinstance(headers, Mapping):
        return None
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == name and isinstance(value, str):
            return value
    return None


def _context(claims: CognitoClaims) -> dict[str, str]:
    """The claims handed to the integration: strings only, as REST APIs require."""
    context = {
        "sub": claims.sub,
        "token_use": claims.token_use,
        "client_id": claims.client_id or "",
        "groups": ",".join(claims.groups),
        "scopes": " ".join(sorted(claims.scopes)),
    }
    if claims.username is not None:  # machine-to-machine tokens have no user
        context["username"] = claims.username
    return context


def _verify(
    verifier: CognitoVerifier, authorization: str | None, requirements: Requirements
) -> CognitoClaims:
    return verifier.verify_bearer(
        authorization,
        allowed_groups=requirements.groups,
        required_scopes=requirements.scopes,
    )


def authorize_http_api(
    event: Mapping[str, Any], verifier: CognitoVerifier, requirements: Requirements
) -> dict[str, Any]:
    """Answer an HTTP API authorizer event (payload 2.0, simple responses enabled).

    Raises:
        JWKSError: the keys could not be had; API Gateway answers 500.

    """
    try:
        claims = _verify(verifier, _header(event.get("headers"), "authorization"), requirements)
    except CognitoJWTError as exc:
        if exc.status_code not in (401, 403):
            raise  # the keys are unavailable: neither allow nor deny
        logger.info("denied (%d): %s", exc.status_code, exc)
        return {"isAuthorized": False}
    return {"isAuthorized": True, "context": _context(claims)}


def _api_wide(method_arn: str) -> str:
    """``arn:...:api-id/stage/*``: the same answer for every route of the stage.

    The answer depends on the token alone, so it may be cached for the whole
    API (``authorizerResultTtlInSeconds``) without allowing or denying a route
    it was not computed for.
    """
    api, _, rest = method_arn.partition("/")
    stage = rest.partition("/")[0]
    return f"{api}/{stage}/*"


def _policy(principal_id: str, effect: str, method_arn: str) -> dict[str, Any]:
    return {
        "principalId": principal_id,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": "execute-api:Invoke",
                    "Effect": effect,
                    "Resource": _api_wide(method_arn),
                }
            ],
        },
    }


def authorize_rest_api(
    event: Mapping[str, Any], verifier: CognitoVerifier, requirements: Requirements
) -> dict[str, Any]:
    """Answer a REST API authorizer event (``TOKEN`` or ``REQUEST``) with an IAM policy.

    Raises:
        Exception: ``"Unauthorized"`` for a missing or invalid token, which API
            Gateway answers with 401.
        JWKSError: the keys could not be had; API Gateway answers 500.

    """
    if event.get("type") == "TOKEN":
        authorization = event.get("authorizationToken")
    else:
        authorization = _header(event.get("headers"), "authorization")
    method_arn: str = event["methodArn"]
    try:
        claims = _verify(verifier, authorization, requirements)
    except CognitoJWTError as exc:
        if exc.status_code == 401:
            logger.info("unauthorized: %s", exc)
            # The exact error API Gateway documents for a 401 answer.
            raise Exception("Unauthorized") from None  # noqa: TRY002
        if exc.status_code != 403:
            raise  # the keys are unavailable: neither allow nor deny
        logger.info("denied: %s", exc)
        denied = _policy("denied", "Deny", method_arn)
        # A gateway response can send it: WWW-Authenticate = context.authorizer.wwwAuthenticate
        denied["context"] = {"wwwAuthenticate": exc.www_authenticate or "Bearer"}
        return denied
    allowed = _policy(claims.sub, "Allow", method_arn)
    allowed["context"] = _context(claims)
    return allowed
