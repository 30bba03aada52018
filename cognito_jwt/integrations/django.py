"""Django and Django REST framework: authentication, permissions and a middleware.

Settings, read once (on first use)::

    COGNITO_JWT = {
        "REGION": "eu-west-1",
        "USER_POOL_ID": "eu-west-1_AbCdEf123",
        "CLIENT_IDS": ["my-app-client"],
        "TOKEN_USE": "access",
        "USER_MAPPER": "accounts.auth.user_from_claims",  # optional
    }
    REST_FRAMEWORK = {
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "cognito_jwt.integrations.django.CognitoAuthentication",
        ],
    }

and in a view, ``permission_classes = [HasScopes("orders/read")]`` or
``[InGroups("admin")]``. Plain Django views get ``request.cognito_claims``
from :class:`CognitoMiddleware`.

Needs the ``django`` extra (Django and Django REST framework):
``pip install "cognito-jwt[django]"``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cognito_jwt.claims import CognitoClaims
from cognito_jwt.exceptions import (
    CognitoJWTError,
    ConfigurationError,
    InvalidTokenError,
    MissingTokenError,
)
from cognito_jwt.integrations._common import (
    SETTINGS,
    Verifier,
    detail,
    log_refusal,
    names,
    needs_extra,
    refusal,
    verifier_from_settings,
)

try:
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.signals import setting_changed
    from django.http import HttpRequest, HttpResponse, JsonResponse
    from django.utils.module_loading import import_string
    from rest_framework.authentication import BaseAuthentication
    from rest_framework.exceptions import APIException
    from rest_framework.permissions import BasePermission
    from rest_framework.request import Request
except ImportError as exc:  # pragma: no cover - exercised in a subprocess without Django
    raise needs_extra("django", "Django and Django REST framework", "django") from exc

if TYPE_CHECKING:
    from rest_framework.views import APIView

__all__ = [
    "CognitoAuthentication",
    "CognitoMiddleware",
    "CognitoUser",
    "HasScopes",
    "InGroups",
    "get_verifier",
]

logger = logging.getLogger(__name__)

_SETTING = "COGNITO_JWT"
_KEYS = SETTINGS | {"USER_MAPPER", "VERIFIER"}


def _label(name: str) -> str:
    return f"settings.{_SETTING}[{name!r}]"


class _Config:
    """The verifier and user mapper, built from ``settings.COGNITO_JWT`` on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._built: tuple[Verifier, Callable[[CognitoClaims], Any] | None] | None = None

    def get(self) -> tuple[Verifier, Callable[[CognitoClaims], Any] | None]:
        built = self._built
        if built is None:
            with self._lock:
                if self._built is None:
                    self._built = _build(getattr(settings, _SETTING, None))
                built = self._built
        return built

    def forget(self) -> None:
        with self._lock:
            self._built = None


def _build(config: object) -> tuple[Verifier, Callable[[CognitoClaims], Any] | None]:
    if not isinstance(config, dict):
        raise ImproperlyConfigured(f"settings.{_SETTING} must be a dict, not {config!r}")
    unknown = sorted(set(config) - _KEYS)
    if unknown:
        raise ImproperlyConfigured(f"unknown settings.{_SETTING} keys: {', '.join(unknown)}")
    mapper: Callable[[CognitoClaims], Any] | None = None
    if config.get("USER_MAPPER") is not None:
        mapper = _load(config["USER_MAPPER"], "USER_MAPPER")
    verifier: Any = config.get("VERIFIER")
    if verifier is not None:
        pool_keys = sorted(set(config) & SETTINGS)
        if pool_keys:
            raise ImproperlyConfigured(
                f"settings.{_SETTING} has VERIFIER and {', '.join(pool_keys)}: "
                "give one or the other"
            )
        if isinstance(verifier, str):
            verifier = _load(verifier, "VERIFIER")
            if not hasattr(verifier, "verify_bearer") and callable(verifier):
                verifier = verifier()  # a factory
        if not hasattr(verifier, "verify_bearer"):
            raise ImproperlyConfigured(f"{_label('VERIFIER')} is not a verifier: {verifier!r}")
        return verifier, mapper
    try:
        return verifier_from_settings(config, _label), mapper
    except ConfigurationError as exc:
        raise ImproperlyConfigured(str(exc)) from exc


def _load(path: object, name: str) -> Any:
    if not isinstance(path, str):
        if callable(path):
            return path
        raise ImproperlyConfigured(f"{_label(name)} must be a dotted path, not {path!r}")
    try:
        return import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"{_label(name)}: cannot import {path!r}: {exc}") from exc


_config = _Config()


def _forget(*, setting: str, **_: Any) -> None:
    """Read the settings anew when a test overrides ``COGNITO_JWT``."""
    if setting == _SETTING:
        _config.forget()


setting_changed.connect(_forget, dispatch_uid="cognito_jwt.integrations.django")


def get_verifier() -> Verifier:
    """The process's one verifier, built from ``settings.COGNITO_JWT`` on first use.

    ``COGNITO_JWT`` holds ``REGION``, ``USER_POOL_ID``, ``CLIENT_IDS`` (a list,
    or a comma-separated ``str``; ``None``: any app client) and ``TOKEN_USE``
    (``"access"``, ``"id"``, or ``"any"``/``None``), optionally ``JWKS_URL``,
    ``ISSUER``, ``ADDITIONAL_REGIONS``, ``SKIP_ACCESS_TOKEN_AUDIENCE``,
    ``LEEWAY``, ``TIMEOUT``, ``JWKS_TTL``, ``ALLOW_HTTP`` and ``USER_MAPPER``;
    or, instead of the pool's settings, ``VERIFIER``: a verifier, or the dotted
    path of one (or of a function that returns one), such as a
    ``MultiPoolVerifier``.

    Raises:
        ImproperlyConfigured: a setting is missing, unknown or invalid.

    """
    return _config.get()[0]


class _Refusal(APIException):
    """A ``CognitoJWTError`` as DRF answers it: the error's status, challenge and detail."""

    def __init__(self, error: CognitoJWTError) -> None:
        super().__init__(detail(error), error.error or "unavailable")
        self.status_code = error.status_code
        # DRF's exception handler sends auth_header as WWW-Authenticate.
        self.auth_header = error.www_authenticate


class CognitoUser:
    """The user a verified token stands for, with no database row behind it.

    ``request.user`` is one unless ``USER_MAPPER`` names a function that turns
    the claims into the application's own user.
    """

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False

    def __init__(self, claims: CognitoClaims) -> None:
        """Wrap the verified ``claims``."""
        self.claims = claims

    @property
    def pk(self) -> str:
        """The token's ``sub``: the user's id, or the app client's for an M2M token."""
        return self.claims.sub

    @property
    def username(self) -> str:
        """The Cognito username, or the ``sub`` when the token has none (M2M)."""
        return self.claims.username or self.claims.sub

    def get_username(self) -> str:
        """The username, as Django's users answer it."""
        return self.username

    def __str__(self) -> str:
        """The username."""
        return self.username

    def __eq__(self, other: object) -> bool:
        """Two users are equal when their ``sub`` is."""
        return isinstance(other, CognitoUser) and other.pk == self.pk

    def __hash__(self) -> int:
        """Hash by ``sub``."""
        return hash(self.pk)


def _authorization(request: HttpRequest) -> str | None:
    value = request.META.get("HTTP_AUTHORIZATION")
    return value if isinstance(value, str) else None


class CognitoAuthentication(BaseAuthentication):
    """Django REST framework authentication by a Cognito bearer token.

    ``request.user`` is a :class:`CognitoUser` (or what ``USER_MAPPER``
    returns) and ``request.auth`` the verified :class:`CognitoClaims`. With no
    bearer token it steps aside, and DRF answers 401 with the plain ``Bearer``
    challenge of :meth:`authenticate_header`; a bad token is 401 with
    ``error="invalid_token"``, unavailable keys 503.
    """

    def authenticate(self, request: Request) -> tuple[Any, CognitoClaims] | None:
        """Verify the bearer token, or return ``None`` when the request carries none.

        Raises:
            APIException: the token is refused (401) or the keys are unavailable (503).

        """
        verifier, mapper = _config.get()
        try:
            claims = verifier.verify_bearer(_authorization(request))
        except ConfigurationError:
            raise  # a programming error, not a refusal
        except MissingTokenError:
            return None  # not ours to refuse: another authentication class may know it
        except CognitoJWTError as exc:
            log_refusal(logger, exc, f"{request.method} {request.path}")
            raise _Refusal(exc) from exc
        if mapper is None:
            return CognitoUser(claims), claims
        user = mapper(claims)
        if user is None:
            refused = InvalidTokenError("USER_MAPPER found no user for this token")
            log_refusal(logger, refused, f"{request.method} {request.path} sub {claims.sub!r}")
            raise _Refusal(refused)
        return user, claims

    def authenticate_header(self, request: Request) -> str:  # noqa: ARG002 - DRF's signature
        """The challenge of a 401 without a token (RFC 6750 section 3.1), so DRF never says 403."""
        return "Bearer"


def _permission(
    name: str, groups: tuple[str, ...] | None, scopes: tuple[str, ...] | None
) -> type[BasePermission]:
    def has_permission(self: BasePermission, request: Request, view: APIView) -> bool:  # noqa: ARG001
        if not isinstance(request.auth, CognitoClaims):
            return False  # DRF answers 401 with the authentication's challenge
        try:
            # A verified-token cache hit: only the group and scope checks run again.
            get_verifier().verify_bearer(
                _authorization(request), allowed_groups=groups, required_scopes=scopes
            )
        except ConfigurationError:
            raise
        except CognitoJWTError as exc:
            log_refusal(logger, exc, f"{request.method} {request.path}")
            raise _Refusal(exc) from exc
        return True

    doc = f"Allow a Cognito-authenticated request {name}."
    return type(name, (BasePermission,), {"has_permission": has_permission, "__doc__": doc})


def HasScopes(*scopes: str) -> type[BasePermission]:
    """A DRF permission class: the token must carry every one of ``scopes``.

    ``permission_classes = [HasScopes("orders/read")]``; refused with 403 and an
    ``insufficient_scope`` challenge naming the scopes.
    """
    if not scopes or not all(isinstance(scope, str) and scope for scope in scopes):
        raise ConfigurationError(f"HasScopes takes one or more scope names, not {scopes!r}")
    return _permission(f"HasScopes{scopes!r}", None, names(scopes))


def InGroups(*groups: str) -> type[BasePermission]:
    """A DRF permission class: the user must be in at least one of ``groups``.

    ``permission_classes = [InGroups("admin", "ops")]``; refused with 403 and an
    ``insufficient_scope`` challenge.
    """
    if not groups or not all(isinstance(group, str) and group for group in groups):
        raise ConfigurationError(f"InGroups takes one or more group names, not {groups!r}")
    return _permission(f"InGroups{groups!r}", names(groups), None)


class CognitoMiddleware:
    """Verify the bearer token of every request for plain Django views.

    ``request.cognito_claims`` is the verified :class:`CognitoClaims`, or
    ``None`` when the request carries no bearer token (a view that needs one
    answers 401 itself). A bad token is answered at once with 401, unavailable
    keys with 503: the error's challenge and a JSON body ``{"detail": ...}``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        """Wrap the next handler of the middleware chain."""
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Verify the request's token, then hand it on or answer the refusal."""
        claims: CognitoClaims | None
        try:
            claims = get_verifier().verify_bearer(_authorization(request))
        except ConfigurationError:
            raise  # a programming error, not a refusal
        except MissingTokenError:
            claims = None
        except CognitoJWTError as exc:
            answer = refusal(logger, exc, f"{request.method} {request.path}")
            return JsonResponse(answer.body, status=answer.status_code, headers=answer.headers)
        request.cognito_claims = claims  # type: ignore[attr-defined]
        return self.get_response(request)
