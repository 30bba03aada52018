"""Flask: an extension whose ``@auth.required`` decorator verifies the bearer token.

::

    from flask import Flask
    from cognito_jwt.integrations.flask import CognitoAuth, current_claims

    app = Flask(__name__)
    app.config.update(COGNITO_REGION="eu-west-1", COGNITO_USER_POOL_ID="eu-west-1_AbCdEf123",
                      COGNITO_CLIENT_IDS="my-app-client", COGNITO_TOKEN_USE="access")
    auth = CognitoAuth(app)

    @app.get("/orders")
    @auth.required(scopes=["orders/read"])
    def orders():
        return {"reader": current_claims().username}

A refusal is answered before the view runs: the error's status, its
``WWW-Authenticate`` challenge, and a JSON body ``{"detail": ...}``.

Needs the ``flask`` extra: ``pip install "cognito-jwt[flask]"``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar, overload

from cognito_jwt.claims import CognitoClaims
from cognito_jwt.exceptions import CognitoJWTError, ConfigurationError
from cognito_jwt.integrations._common import (
    SETTINGS,
    Verifier,
    names,
    needs_extra,
    refusal,
    verifier_from_settings,
)

try:
    from flask import Flask, Response, current_app, g, jsonify, request
except ImportError as exc:  # pragma: no cover - exercised in a subprocess without Flask
    raise needs_extra("flask", "Flask", "flask") from exc

__all__ = ["CognitoAuth", "current_claims"]

logger = logging.getLogger(__name__)

_EXTENSION = "cognito_jwt"
_CLAIMS = "_cognito_jwt_claims"
_PREFIX = "COGNITO_"

_View = TypeVar("_View", bound=Callable[..., Any])


class _Decorator(Protocol):
    def __call__(self, view: _View, /) -> _View: ...


def _label(name: str) -> str:
    return f"app.config[{_PREFIX + name!r}]"


class CognitoAuth:
    """The Flask extension: one verifier per application, and the ``required`` decorator.

    ``verifier``: used for every application; when ``None``, :meth:`init_app`
    builds one from the application's configuration. Either way the verifier is
    created once and shared by every request (it holds the JWKS cache).
    """

    def __init__(self, app: Flask | None = None, verifier: Verifier | None = None) -> None:
        """Keep ``verifier`` and, when ``app`` is given, :meth:`init_app` it."""
        self._verifier = verifier
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Register with ``app``, building its verifier from ``app.config`` unless one was given.

        Settings (``COGNITO_`` and the ``CognitoVerifier`` argument in capitals):
        ``COGNITO_REGION``, ``COGNITO_USER_POOL_ID``, ``COGNITO_CLIENT_IDS``
        (a list, or a comma-separated ``str``; ``None``: any app client) and
        ``COGNITO_TOKEN_USE`` (``"access"``, ``"id"``, or ``"any"``/``None``)
        are required; ``COGNITO_JWKS_URL``, ``COGNITO_ISSUER``,
        ``COGNITO_ADDITIONAL_REGIONS``, ``COGNITO_SKIP_ACCESS_TOKEN_AUDIENCE``,
        ``COGNITO_LEEWAY``, ``COGNITO_TIMEOUT``, ``COGNITO_JWKS_TTL`` and
        ``COGNITO_ALLOW_HTTP`` are optional.

        Raises:
            ConfigurationError: a setting is missing or invalid (the message names it).

        """
        verifier = self._verifier
        if verifier is None:
            settings = {
                name: app.config[_PREFIX + name]
                for name in (*SETTINGS, "CLIENT_ID")
                if _PREFIX + name in app.config
            }
            verifier = verifier_from_settings(settings, _label)
        app.extensions[_EXTENSION] = verifier

    @property
    def verifier(self) -> Verifier:
        """The current application's verifier.

        Raises:
            RuntimeError: outside an application context.
            ConfigurationError: the application was never given to :meth:`init_app`.

        """
        verifier: Verifier | None = current_app.extensions.get(_EXTENSION)
        if verifier is None:
            raise ConfigurationError("CognitoAuth.init_app(app) was not called for this app")
        return verifier

    @overload
    def required(self, view: _View) -> _View: ...

    @overload
    def required(
        self,
        *,
        scopes: str | Iterable[str] | None = None,
        groups: str | Iterable[str] | None = None,
    ) -> _Decorator: ...

    def required(
        self,
        view: Callable[..., Any] | None = None,
        *,
        scopes: str | Iterable[str] | None = None,
        groups: str | Iterable[str] | None = None,
    ) -> Any:
        """Decorate a view so that it runs only for a valid bearer token.

        ``@auth.required`` or ``@auth.required(scopes=[...], groups=[...])``:
        the token must carry every one of ``scopes`` and the user be in one of
        ``groups`` (a ``str`` is one name). The view reads the claims with
        :func:`current_claims`. Async views work as Flask runs them.
        """
        required_scopes, allowed_groups = names(scopes), names(groups)

        def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(view)
            def guarded(*args: Any, **kwargs: Any) -> Any:
                verifier = self.verifier
                try:
                    claims = verifier.verify_bearer(
                        request.headers.get("Authorization"),
                        allowed_groups=allowed_groups,
                        required_scopes=required_scopes,
                    )
                except ConfigurationError:
                    raise  # a programming error, not a refusal
                except CognitoJWTError as exc:
                    return _refusal(exc)
                setattr(g, _CLAIMS, claims)
                return current_app.ensure_sync(view)(*args, **kwargs)

            return guarded

        return decorate if view is None else decorate(view)


def _refusal(exc: CognitoJWTError) -> Response:
    answer = refusal(logger, exc, f"{request.method} {request.path}")
    response = jsonify(answer.body)
    response.status_code = answer.status_code
    response.headers.update(answer.headers)
    return response


def current_claims() -> CognitoClaims:
    """The claims ``@auth.required`` verified for the current request.

    Raises:
        RuntimeError: outside a request, or in a view that ``@auth.required``
            does not protect (a view must never run believing it is protected).

    """
    claims: object = g.get(_CLAIMS) if g else None
    if isinstance(claims, CognitoClaims):
        return claims
    raise RuntimeError("current_claims() is only available in views under @auth.required")
