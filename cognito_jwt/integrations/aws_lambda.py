"""AWS Lambda behind Amazon API Gateway: authorizers, and the claims of API Gateway's own.

::

    from cognito_jwt import CognitoVerifier
    from cognito_jwt.integrations.aws_lambda import http_api_authorizer

    verifier = CognitoVerifier(...)          # module level: once per container
    handler = http_api_authorizer(verifier, scopes=["orders/read"])

Answers, by the error's ``status_code`` (API Gateway, not the function,
chooses the HTTP status):

======================  ===========================  ===================================
verification            HTTP API (simple response)   REST API (``TOKEN``, ``REQUEST``)
======================  ===========================  ===================================
valid                   ``isAuthorized: true``       ``Allow`` policy
401: no or bad token    ``isAuthorized: false``      ``raise Exception("Unauthorized")``
403: group or scope     ``isAuthorized: false``      ``Deny`` policy
503: keys unavailable   the error is raised          the error is raised
======================  ===========================  ===================================

API Gateway answers a raised error with 500: an outage is not shown as a
refusal. No extra is needed: this module imports no framework.
"""

from __future__ import annotations

import calendar
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from cognito_jwt.claims import CognitoClaims
from cognito_jwt.exceptions import CognitoJWTError, ConfigurationError
from cognito_jwt.integrations._common import Verifier, log_refusal, names

__all__ = ["LambdaHandler", "claims_from_event", "http_api_authorizer", "rest_api_authorizer"]

logger = logging.getLogger(__name__)

LambdaHandler = Callable[[Mapping[str, Any], Any], dict[str, Any]]
"""A Lambda handler: ``handler(event, context) -> response``."""

_ContextValue = str | int | float | bool


def _header(headers: object, name: str) -> str | None:
    """A header by name, whatever its case (REST APIs keep the client's, HTTP APIs lowercase)."""
    if not isinstance(headers, Mapping):
        return None
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == name and isinstance(value, str):
            return value
    return None


def _context(claims: CognitoClaims) -> dict[str, _ContextValue]:
    """The claims as API Gateway takes an authorizer's context: flat, scalar values only.

    Strings, numbers and booleans pass as they are; lists and objects (such as
    ``cognito:groups``) become compact JSON text; ``null`` claims are left out.
    """
    context: dict[str, _ContextValue] = {}
    for name, value in claims.to_dict().items():
        if value is None:
            continue
        if isinstance(value, str | int | float | bool):
            context[name] = value
        else:
            context[name] = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return context


def _requirements(
    scopes: str | Iterable[str], groups: str | Iterable[str]
) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    return names(scopes) or None, names(groups) or None


def http_api_authorizer(
    verifier: Verifier,
    *,
    scopes: str | Iterable[str] = (),
    groups: str | Iterable[str] = (),
) -> LambdaHandler:
    """Build the handler of an HTTP API Lambda authorizer (payload 2.0, simple responses).

    The token comes from the ``Authorization`` header. A valid token that
    carries every one of ``scopes`` and is in one of ``groups`` (when given)
    answers ``{"isAuthorized": true, "context": {claims...}}``: the integration
    reads the claims in ``requestContext.authorizer.lambda``. Any refusal
    answers ``{"isAuthorized": false}`` (API Gateway sends 403); unavailable
    keys raise the ``CognitoJWTError`` (API Gateway sends 500).
    """
    required_scopes, allowed_groups = _requirements(scopes, groups)

    def handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:  # noqa: ARG001
        try:
            claims = verifier.verify_bearer(
                _header(event.get("headers"), "authorization"),
                allowed_groups=allowed_groups,
                required_scopes=required_scopes,
            )
        except CognitoJWTError as exc:
            log_refusal(logger, exc, f"HTTP API {event.get('routeArn', '')}")
            if exc.status_code in (401, 403):
                return {"isAuthorized": False}
            raise  # the keys are unavailable: neither allow nor deny
        return {"isAuthorized": True, "context": _context(claims)}

    return handler


def _stage_wide(method_arn: object) -> str:
    """``arn:...:api-id/stage/*`` of a method ARN: the answer depends on the token alone.

    So API Gateway may cache it (``authorizerResultTtlInSeconds``) for every
    route of the stage without allowing or denying one it was not computed for.
    """
    if not isinstance(method_arn, str) or method_arn.count("/") < 2:
        raise ConfigurationError(f"not a REST API authorizer event: methodArn is {method_arn!r}")
    api, _, rest = method_arn.partition("/")
    return f"{api}/{rest.partition('/')[0]}/*"


def _policy(principal_id: str, effect: str, resource: str) -> dict[str, Any]:
    return {
        "principalId": principal_id,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}],
        },
    }


def rest_api_authorizer(
    verifier: Verifier,
    *,
    scopes: str | Iterable[str] = (),
    groups: str | Iterable[str] = (),
) -> LambdaHandler:
    """Build the handler of a REST API Lambda authorizer, ``TOKEN`` or ``REQUEST`` type.

    The token comes from ``authorizationToken`` (``TOKEN``) or the
    ``Authorization`` header (``REQUEST``). A valid token that meets ``scopes``
    and ``groups`` answers an ``Allow`` policy for the whole stage, with
    ``principalId`` the ``sub`` and the claims as ``context`` (the integration
    reads them in ``requestContext.authorizer``). A missing or bad token raises
    ``Exception("Unauthorized")`` (API Gateway sends 401); a missing group or
    scope answers a ``Deny`` policy (403) whose context holds the challenge as
    ``wwwAuthenticate``, for a gateway response to send; unavailable keys
    raise the ``CognitoJWTError`` (500).
    """
    required_scopes, allowed_groups = _requirements(scopes, groups)

    def handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:  # noqa: ARG001
        resource = _stage_wide(event.get("methodArn"))
        if event.get("type") == "TOKEN":
            authorization = event.get("authorizationToken")
        else:
            authorization = _header(event.get("headers"), "authorization")
        try:
            claims = verifier.verify_bearer(
                authorization if isinstance(authorization, str) else None,
                allowed_groups=allowed_groups,
                required_scopes=required_scopes,
            )
        except CognitoJWTError as exc:
            log_refusal(logger, exc, f"REST API {event.get('methodArn')}")
            if exc.status_code == 401:
                # The exact error API Gateway documents for a 401 answer.
                raise Exception("Unauthorized") from None  # noqa: TRY002
            if exc.status_code != 403:
                raise  # the keys are unavailable: neither allow nor deny
            denied = _policy("denied", "Deny", resource)
            denied["context"] = {"wwwAuthenticate": exc.www_authenticate or "Bearer"}
            return denied
        allowed = _policy(claims.sub, "Allow", resource)
        allowed["context"] = _context(claims)
        return allowed

    return handler


# REST APIs render times as in "Tue Apr 04 18:39:39 UTC 2023".
_REST_TIME = "%a %b %d %H:%M:%S UTC %Y"
_TIMES = ("exp", "iat", "nbf", "auth_time")


def _time(value: object) -> object:
    if not isinstance(value, str):
        return value
    if value.isdigit():
        return int(value)
    try:
        return calendar.timegm(time.strptime(value, _REST_TIME))
    except ValueError:
        return value


def _groups(value: object) -> object:
    """``cognito:groups`` as a list: HTTP APIs send ``"[a b]"``, REST APIs ``"a,b"``."""
    if not isinstance(value, str):
        return value
    if value.startswith("[") and value.endswith("]"):
        return value[1:-1].split()
    return [group for group in value.split(",") if group]


def claims_from_event(event: Mapping[str, Any]) -> CognitoClaims:
    """The claims API Gateway's own Cognito or JWT authorizer passed to the integration.

    Reads ``requestContext.authorizer.claims`` (REST API, Cognito user pool
    authorizer) or ``requestContext.authorizer.jwt.claims`` (HTTP API, JWT
    authorizer). API Gateway verified the token and hands its claims on as
    strings; this gives them back their types where Cognito's are known:
    ``cognito:groups`` a list, ``exp``, ``iat``, ``nbf`` and ``auth_time``
    seconds since the epoch. Other claims stay as API Gateway sent them.

    Raises:
        ConfigurationError: the event holds no such claims (the route has no
            Cognito or JWT authorizer).

    """
    request_context = event.get("requestContext") if isinstance(event, Mapping) else None
    authorizer = request_context.get("authorizer") if isinstance(request_context, Mapping) else None
    claims: object = None
    if isinstance(authorizer, Mapping):
        jwt = authorizer.get("jwt")
        claims = jwt.get("claims") if isinstance(jwt, Mapping) else authorizer.get("claims")
    if not isinstance(claims, Mapping):
        raise ConfigurationError(
            "the event has no requestContext.authorizer.claims (REST API) or "
            "requestContext.authorizer.jwt.claims (HTTP API): is the route behind "
            "a Cognito or JWT authorizer?"
        )
    payload = dict(claims)
    for name in _TIMES:
        if name in payload:
            payload[name] = _time(payload[name])
    if "cognito:groups" in payload:
        payload["cognito:groups"] = _groups(payload["cognito:groups"])
    return CognitoClaims(payload)
