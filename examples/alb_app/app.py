"""FastAPI behind an Application Load Balancer with an ``authenticate-cognito`` action.

Run it (from the repository root)::

    export ALB_ARN=arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/my-alb/...
    export COGNITO_REGION=eu-west-1 COGNITO_USER_POOL_ID=eu-west-1_AbCdEf123
    export COGNITO_CLIENT_ID=my-app-client
    uvicorn --factory examples.alb_app.app:create_app

The load balancer signs the user in and forwards three headers. The service
verifies ``x-amzn-oidc-data`` (signed by the ALB) with
:meth:`~cognito_jwt.AlbVerifier.averify_headers`; where a route needs a scope,
it also verifies the forwarded Cognito access token (``x-amzn-oidc-accesstoken``)
with a :class:`~cognito_jwt.CognitoVerifier`, and checks that both name the
same user. Every refusal is a ``CognitoJWTError``, answered by one handler.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from cognito_jwt import (
    AlbClaims,
    AlbVerifier,
    CognitoClaims,
    CognitoJWTError,
    CognitoVerifier,
    InvalidTokenError,
    MissingTokenError,
)

__all__ = ["create_app", "verifiers_from_env"]

ACCESS_TOKEN_HEADER = "x-amzn-oidc-accesstoken"


def verifiers_from_env(
    environ: Mapping[str, str] = os.environ,
) -> tuple[AlbVerifier, CognitoVerifier]:
    """Build both verifiers from ``ALB_ARN`` and the ``COGNITO_*`` environment variables.

    ``ALB_KEYS_URL`` and ``COGNITO_JWKS_URL`` override where keys come from
    (a server on 127.0.0.1, for example).
    """
    cognito = CognitoVerifier(
        environ["COGNITO_REGION"],
        environ["COGNITO_USER_POOL_ID"],
        client_ids=environ["COGNITO_CLIENT_ID"],
        token_use="access",
        jwks_url=environ.get("COGNITO_JWKS_URL") or None,
    )
    alb = AlbVerifier(
        environ["ALB_ARN"],
        client_ids=environ["COGNITO_CLIENT_ID"],
        issuer=cognito.issuer,
        keys_url=environ.get("ALB_KEYS_URL") or None,
    )
    return alb, cognito


async def signed_in_user(request: Request) -> AlbClaims:
    """The user the load balancer signed in, from its signed ``x-amzn-oidc-data`` header."""
    verifier: AlbVerifier = request.app.state.alb_verifier
    return await verifier.averify_headers(request.headers)


async def orders_reader(
    request: Request, user: Annotated[AlbClaims, Depends(signed_in_user)]
) -> CognitoClaims:
    """The forwarded access token, which must carry ``orders/read`` and belong to ``user``."""
    verifier: CognitoVerifier = request.app.state.cognito_verifier
    token = request.headers.get(ACCESS_TOKEN_HEADER)
    if not token:
        raise MissingTokenError(f"no {ACCESS_TOKEN_HEADER} header")
    access = await verifier.averify(token, required_scopes=["orders/read"])
    if access.sub != user.sub:
        raise InvalidTokenError("the access token belongs to another user than the ALB's claims")
    return access


def create_app(
    alb_verifier: AlbVerifier | None = None, cognito_verifier: CognitoVerifier | None = None
) -> FastAPI:
    """Build the application; verifiers not given come from the environment."""
    if alb_verifier is None or cognito_verifier is None:
        from_env = verifiers_from_env()
        alb_verifier = alb_verifier or from_env[0]
        cognito_verifier = cognito_verifier or from_env[1]
    app = FastAPI(title="cognito-jwt behind an ALB")
    app.state.alb_verifier = alb_verifier
    app.state.cognito_verifier = cognito_verifier

    @app.exception_handler(CognitoJWTError)
    async def refuse(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, CognitoJWTError)  # noqa: S101 - registered for this class only
        headers = {"WWW-Authenticate": exc.www_authenticate} if exc.www_authenticate else None
        return JSONResponse(
            {"error": type(exc).__name__}, status_code=exc.status_code, headers=headers
        )

    @app.get("/me")
    async def me(user: Annotated[AlbClaims, Depends(signed_in_user)]) -> dict[str, Any]:
        return {"sub": user.sub, "email": user.email, "username": user.username}

    @app.get("/orders")
    async def orders(access: Annotated[CognitoClaims, Depends(orders_reader)]) -> dict[str, Any]:
        return {"user": access.username, "orders": []}

    return app
