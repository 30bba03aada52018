"""FastAPI: a dependency that yields the request's verified claims.

::

    from fastapi import Depends, FastAPI
    from cognito_jwt.integrations.fastapi import CognitoAuth

    auth = CognitoAuth(verifier)
    app = FastAPI()

    @app.get("/me")
    async def me(claims: Annotated[CognitoClaims, Depends(auth)]) -> str: ...

    @app.get("/orders")
    async def orders(
        claims: Annotated[CognitoClaims, Depends(auth.require(scopes="orders/read"))],
    ) -> str: ...

Verification runs through ``averify_bearer``: a JWKS fetch never blocks the
event loop. A refusal is an ``HTTPException`` with the error's status, its
``WWW-Authenticate`` challenge and a JSON body ``{"detail": ...}``. The routes
show an HTTP Bearer security scheme, with their required scopes, in the
OpenAPI document, so ``/docs`` has an Authorize button.

Needs the ``fastapi`` extra: ``pip install "cognito-jwt[fastapi]"``.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from cognito_jwt.claims import CognitoClaims
from cognito_jwt.exceptions import CognitoJWTError, ConfigurationError
from cognito_jwt.integrations._common import Verifier, names, needs_extra, refusal

try:
    from fastapi import HTTPException, Security
    from fastapi.openapi.models import HTTPBearer as HTTPBearerModel
    from fastapi.security import SecurityScopes
    from fastapi.security.base import SecurityBase
    from starlette.requests import HTTPConnection
except ImportError as exc:  # pragma: no cover - exercised in a subprocess without FastAPI
    raise needs_extra("fastapi", "FastAPI", "fastapi") from exc

__all__ = ["CognitoAuth"]

logger = logging.getLogger(__name__)

_DESCRIPTION = "An access or ID token of the Amazon Cognito user pool, as `Bearer <token>`."


class CognitoAuth(SecurityBase):
    """A FastAPI dependency: ``Depends(auth)`` gives the request's :class:`CognitoClaims`.

    ``verifier`` is a ``CognitoVerifier`` or ``MultiPoolVerifier``, created once
    and shared. ``scheme_name`` and ``description`` name the HTTP Bearer scheme
    in the OpenAPI document. ``Security(auth, scopes=[...])`` works as well as
    :meth:`require`.

    A refusal raises ``HTTPException``: 401 (no token: a plain ``Bearer``
    challenge; a bad one: ``error="invalid_token"``), 403 (a group or scope is
    missing: ``error="insufficient_scope"``) or 503 (the keys cannot be had).
    """

    def __init__(
        self,
        verifier: Verifier,
        *,
        scheme_name: str = "CognitoBearer",
        description: str = _DESCRIPTION,
    ) -> None:
        """Protect routes with ``verifier``."""
        self.verifier = verifier
        self.model = HTTPBearerModel(bearerFormat="JWT", description=description)
        self.scheme_name = scheme_name
        self._groups: tuple[str, ...] | None = None

    async def __call__(
        self, request: HTTPConnection, security_scopes: SecurityScopes
    ) -> CognitoClaims:
        """Verify the ``Authorization`` header; FastAPI passes the scopes the route requires.

        Raises:
            HTTPException: the request is refused (401, 403) or cannot be decided (503).

        """
        try:
            return await self.verifier.averify_bearer(
                request.headers.get("Authorization"),
                allowed_groups=self._groups,
                required_scopes=security_scopes.scopes or None,
            )
        except ConfigurationError:
            raise  # a programming error, not a refusal
        except CognitoJWTError as exc:
            # A WebSocket's handshake has no method in its scope.
            where = f"{request.scope.get('method', 'WEBSOCKET')} {request.url.path}"
            answer = refusal(logger, exc, where)
            raise HTTPException(answer.status_code, answer.body["detail"], answer.headers) from exc

    def require(
        self,
        *,
        scopes: str | Iterable[str] | None = None,
        groups: str | Iterable[str] | None = None,
    ) -> Callable[..., Awaitable[CognitoClaims]]:
        """A dependency that also requires every one of ``scopes`` and one of ``groups``.

        ``Depends(auth.require(scopes=["orders/read"]))``: the scopes show in the
        route's OpenAPI security requirement. A ``str`` is one name.
        """
        checker = copy.copy(self)  # the same scheme in OpenAPI, with its own groups
        checker._groups = names(groups)
        required = list(names(scopes) or ())
        # A default value, not an annotation: it is built from this call's arguments.
        claims_param: Any = Security(checker, scopes=required)

        async def cognito_claims(claims: CognitoClaims = claims_param) -> CognitoClaims:
            return claims

        return cognito_claims
