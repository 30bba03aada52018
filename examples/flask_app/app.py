"""Flask: a ``@require_cognito(groups=..., scopes=...)`` decorator that puts the claims on ``g``.

Run it (from the repository root)::

    export COGNITO_REGION=eu-west-1 COGNITO_USER_POOL_ID=eu-west-1_AbCdEf123
    export COGNITO_CLIENT_IDS=my-app-client COGNITO_TOKEN_USE=access
    flask --app examples.flask_app.app run

The application's one verifier lives in ``app.extensions["cognito_jwt"]``; the
decorator verifies the ``Authorization: Bearer`` header with it and answers a
refusal with the status and ``WWW-Authenticate`` challenge the error names.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any, Literal, ParamSpec

from flask import Flask, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue

from cognito_jwt import CognitoClaims, CognitoJWTError, CognitoVerifier

__all__ = ["create_app", "current_claims", "require_cognito", "verifier_from_env"]

logger = logging.getLogger(__name__)

P = ParamSpec("P")
View = Callable[P, ResponseReturnValue]

_EXTENSION = "cognito_jwt"
_TOKEN_USES: dict[str, Literal["id", "access"] | None] = {
    "access": "access",
    "id": "id",
    "any": None,
}


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


def _refusal(exc: CognitoJWTError) -> ResponseReturnValue:
    """The answer to a refused request: the error's status and challenge, a fixed body."""
    logger.info("%s %s refused: %s", request.method, request.path, exc)
    response = jsonify(detail=HTTPStatus(exc.status_code).phrase)
    response.status_code = exc.status_code
    if exc.www_authenticate is not None:  # 401 and 403 carry a Bearer challenge
        response.headers["WWW-Authenticate"] = exc.www_authenticate
    return response


def require_cognito(
    *, groups: Iterable[str] | None = None, scopes: Iterable[str] | None = None
) -> Callable[[View[P]], View[P]]:
    """Decorate a view so that it runs only for a valid bearer token.

    ``groups``: the user must be in at least one. ``scopes``: the token must
    carry every one. The view finds the verified claims in ``g.cognito_claims``
    (or through :func:`current_claims`).
    """
    allowed_groups = None if groups is None else tuple(groups)
    required_scopes = None if scopes is None else tuple(scopes)

    def decorate(view: View[P]) -> View[P]:
        @functools.wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
            verifier: CognitoVerifier = current_app.extensions[_EXTENSION]
            try:
                g.cognito_claims = verifier.verify_bearer(
                    request.headers.get("Authorization"),
                    allowed_groups=allowed_groups,
                    required_scopes=required_scopes,
                )
            except CognitoJWTError as exc:
                return _refusal(exc)
            return view(*args, **kwargs)

        return guarded

    return decorate


def current_claims() -> CognitoClaims:
    """The claims ``@require_cognito`` verified for this request."""
    claims: CognitoClaims = g.cognito_claims
    return claims


def user_info(claims: CognitoClaims) -> dict[str, Any]:
    """The parts of the claims these views answer with."""
    return {
        "sub": claims.sub,
        "username": claims.username,
        "client_id": claims.client_id,
        "token_use": claims.token_use,
        "groups": list(claims.groups),
        "scopes": sorted(claims.scopes),
    }


def create_app(verifier: CognitoVerifier | None = None) -> Flask:
    """Create the application with ``verifier``, or one built from the environment.

    The verifier is created once, here, and shared by every request: it holds
    the JWKS cache. ``flask --app examples.flask_app.app`` calls this factory.
    """
    app = Flask(__name__)
    app.extensions[_EXTENSION] = verifier if verifier is not None else verifier_from_env()

    @app.get("/me")
    @require_cognito()
    def me() -> ResponseReturnValue:
        """Any signed-in user."""
        return user_info(current_claims())

    @app.get("/admin")
    @require_cognito(groups=["admin"])
    def admin() -> ResponseReturnValue:
        """Members of the ``admin`` group only."""
        return user_info(current_claims())

    @app.get("/orders/<int:order_id>")
    @require_cognito(scopes=["orders/read"])
    def order(order_id: int) -> ResponseReturnValue:
        """Tokens with the ``orders/read`` scope only (view arguments pass through)."""
        return {"order": order_id, "reader": user_info(current_claims())}

    return app
