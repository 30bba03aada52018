"""FastAPI: a dependency that verifies the request's Cognito access token.

Run it (from the repository root)::

    export COGNITO_REGION=eu-west-1 COGNITO_USER_POOL_ID=eu-west-1_AbCdEf123
    export COGNITO_CLIENT_IDS=my-app-client COGNITO_TOKEN_USE=access
    uvicorn --factory examples.fastapi_app.app:create_app

``require_cognito()`` is the dependency: it reads the ``Authorization: Bearer``
header, verifies the token with ``averify`` (a JWKS fetch never blocks the
event loop) and returns the claims; a route that needs a group or a scope
says so. Every refusal becomes a ``CognitoJWTError``, which one exception
handler turns into the answer its ``status_code`` and ``www_authenticate`` name.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from cognito_jwt import CognitoClaims, CognitoJWTError, CognitoVerifier, MissingTokenError

__all__ = ["create_app", "require_cognito", "verifier_from_env"]

logger = logging.getLogger(__name__)

_TOKEN_USES: dict[str, Literal["id", "access"] | None] = {
    "access": "access",
    "id": "id",
    "any": None,
}

# auto_error=False: a missing header is answered by the verifier's rules (a plain
# "Bearer" challenge), not by FastAPI's own 403. It also documents the scheme in OpenAPI.
_bearer = HTTPBearer(auto_error=False)


def verifier_from_env(environ: Mapping[str, str] = os.environ) -> CognitoVerifier:
    """Build the application's verifier from ``COGNITO_*`` environment variables.

    ``COGNITO_REGION``, ``COGNITO_USER_POOL_ID`` and ``COGNITO_CLIENT_IDS``
    (comma-separated) are required; ``COGNITO_TOKEN_USE`` is ``access`` (the
    default), ``id`` or ``any``; ``COGNITO_JWKS_URL`` overrides the JWKS URL
    (an emulator on 127.0.0.1, for example).
    """
    client_ids = [c.strip() for c in environ["COGNITO_CLIENT_IDS"].split(",") if c.strip()]
    token_use = environ.get("COGNITO_TOKEN_USE", "access")
    if token_use not in _TOKEN_USES:
        raise ValueError(f"COGNITO_TOKEN_USE must be access, id or any, not {token_use!r}")
    return CognitoVerifier(
        environ["COGNITO_REGION"],
        environ["COGNITO_USER_POOL_ID"],
        client_ids=client_ids,
        token_use=_TOKEN_USES[token_use],
        jwks_url=environ.get("COGNITO_JWKS_URL") or None,
    )


def require_cognito(
    *, groups: Iterable[str] | None = None, scopes: Iterable[str] | None = None
) -> Callable[..., Awaitable[CognitoClaims]]:
    """Return a dependency giving the request's verified claims.

    ``groups``: the user must be in at least one. ``scopes``: the token must
    carry every one. Raises ``CognitoJWTError`` (answered by the handler that
    :func:`create_app` installs).
    """
    allowed_groups = None if groups is None else tuple(groups)
    required_scopes = None if scopes is None else tuple(scopes)

    async def cognito_claims(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> CognitoClaims:
        if credentials is None:  # no header, another scheme, or "Bearer" alone
            raise MissingTokenError("no bearer token")
        verifier: CognitoVerifier = request.app.state.cognito_verifier
        return await verifier.averify(
            credentials.credentials,
            allowed_groups=allowed_groups,
            required_scopes=required_scopes,
        )

    return cognito_claims


async def _cognito_error(request: Request, exc: Exception) -> JSONResponse:
    """Answer a refused request with the status and challenge the error names."""
    if not isinstance(exc, CognitoJWTError):  # registered for CognitoJWTError only
        raise exc
    logger.info("%s %s refused: %s", request.method, request.url.path, exc)
    headers = {"WWW-Authenticate": exc.www_authenticate} if exc.www_authenticate else None
    return JSONResponse(
        {"detail": HTTPStatus(exc.status_code).phrase},
        status_code=exc.status_code,
        headers=headers,
    )


def user_info(claims: CognitoClaims) -> dict[str, Any]:
    """The parts of the claims these routes answer with."""
    return {
        "sub": claims.sub,
        "username": claims.username,
        "client_id": claims.client_id,
        "token_use": claims.token_use,
        "groups": list(claims.groups),
        "scopes": sorted(claims.scopes),
    }


Claims = Annotated[CognitoClaims, Depends(require_cognito())]
AdminClaims = Annotated[CognitoClaims, Depends(require_cognito(groups=["admin"]))]
OrdersReader = Annotated[CognitoClaims, Depends(require_cognito(scopes=["orders/read"]))]


def create_app(verifier: CognitoVerifier | None = None) -> FastAPI:
    """Create the application with ``verifier``, or one built from the environment.

    The verifier is created once, here, and shared by every request: it holds
    the JWKS cache.
    """
    app = FastAPI(title="cognito-jwt FastAPI example")
    app.state.cognito_verifier = verifier if verifier is not None else verifier_from_env()
    app.add_exception_handler(CognitoJWTError, _cognito_error)

    @app.get("/me")
    async def me(claims: Claims) -> dict[str, Any]:
        """Any signed-in user (an async route)."""
        return user_info(claims)

    @app.get("/me/sync")
    def me_sync(claims: Claims) -> dict[str, Any]:
        """The same, as a sync route: FastAPI runs it in a worker thread."""
        return user_info(claims)

    @app.get("/admin")
    async def admin(claims: AdminClaims) -> dict[str, Any]:
        """Members of the ``admin`` group only."""
        return user_info(claims)

    @app.get("/orders")
    def orders(claims: OrdersReader) -> dict[str, Any]:
        """Tokens with the ``orders/read`` scope only."""
        return {"orders": [], "reader": user_info(claims)}

    return app
