"""Django REST framework authentication and permission classes for Cognito bearer tokens.

``CognitoAuthentication`` verifies the ``Authorization: Bearer`` header: with no
bearer token it steps aside (DRF then answers 401 with the plain ``Bearer``
challenge of ``authenticate_header``), and any other refusal becomes
``CognitoRefusal``, which carries the error's status and challenge.
``CognitoAccess`` requires a signed-in user and the groups and scopes a view
names in ``cognito_groups`` and ``cognito_scopes``.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Literal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import APIException
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from cognito_jwt import CognitoClaims, CognitoJWTError, CognitoVerifier, MissingTokenError

if TYPE_CHECKING:
    # Not at run time: rest_framework.views imports the authentication classes
    # named in the settings, that is, this module.
    from rest_framework.views import APIView

__all__ = [
    "CognitoAccess",
    "CognitoAuthentication",
    "CognitoRefusal",
    "CognitoUser",
    "get_verifier",
]

_TOKEN_USES: dict[str, Literal["id", "access"] | None] = {
    "access": "access",
    "id": "id",
    "any": None,
}

_verifier: CognitoVerifier | None = None
_verifier_lock = threading.Lock()


def _build_verifier(config: dict[str, str]) -> CognitoVerifier:
    missing = [name for name in ("REGION", "USER_POOL_ID", "CLIENT_IDS") if not config.get(name)]
    if missing:
        raise ImproperlyConfigured(f"settings.COGNITO lacks {', '.join(missing)}")
    token_use = config.get("TOKEN_USE") or "access"
    if token_use not in _TOKEN_USES:
        raise ImproperlyConfigured(f"COGNITO TOKEN_USE must be access, id or any: {token_use!r}")
    return CognitoVerifier(
        config["REGION"],
        config["USER_POOL_ID"],
        client_ids=[c.strip() for c in config["CLIENT_IDS"].split(",") if c.strip()],
        token_use=_TOKEN_USES[token_use],
        jwks_url=config.get("JWKS_URL") or None,
    )


def get_verifier() -> CognitoVerifier:
    """The process's one verifier, built from ``settings.COGNITO`` on first use.

    Raises:
        ImproperlyConfigured: ``COGNITO`` lacks the region, pool id or client ids.

    """
    global _verifier  # noqa: PLW0603 - one verifier per process, built lazily
    with _verifier_lock:
        if _verifier is None:
            _verifier = _build_verifier(settings.COGNITO)
        return _verifier


@receiver(setting_changed)
def _forget_verifier(*, setting: str, **_: Any) -> None:
    """Build the verifier anew when a test overrides ``COGNITO``."""
    global _verifier  # noqa: PLW0603
    if setting == "COGNITO":
        with _verifier_lock:
            _verifier = None


class CognitoUser:
    """The user a verified token stands for; no database row behind it."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, claims: CognitoClaims) -> None:
        """Wrap the verified ``claims``."""
        self.claims = claims

    @property
    def pk(self) -> str:
        """The token's ``sub``: the user's id, or the app client's for an M2M token."""
        return self.claims.sub

    @property
    def username(self) -> str | None:
        """The Cognito username, ``None`` for a machine-to-machine token."""
        return self.claims.username

    def __str__(self) -> str:
        """The username, or the ``sub`` when there is none."""
        return self.claims.username or self.claims.sub


class CognitoRefusal(APIException):
    """A ``CognitoJWTError`` as DRF answers it: the error's status and challenge."""

    def __init__(self, error: CognitoJWTError) -> None:
        """Take the status and ``WWW-Authenticate`` challenge from ``error``."""
        super().__init__(HTTPStatus(error.status_code).phrase, error.error or "unavailable")
        self.status_code = error.status_code
        # DRF's exception handler sends auth_header as the WWW-Authenticate header.
        self.auth_header = error.www_authenticate


class CognitoAuthentication(BaseAuthentication):
    """Authenticate a request by its Cognito bearer token; ``request.auth`` is the claims."""

    def authenticate(self, request: Request) -> tuple[CognitoUser, CognitoClaims] | None:
        """Verify the bearer token, or return ``None`` when the request carries none.

        Raises:
            CognitoRefusal: the token is refused (401) or the keys are unavailable (503).

        """
        try:
            claims = get_verifier().verify_bearer(request.META.get("HTTP_AUTHORIZATION"))
        except MissingTokenError:
            return None  # no bearer token: not ours to refuse
        except CognitoJWTError as exc:
            raise CognitoRefusal(exc) from exc
        return CognitoUser(claims), claims

    def authenticate_header(self, request: Request) -> str:  # noqa: ARG002 - DRF's signature
        """The challenge of a 401 for a request without a token (RFC 6750 section 3.1)."""
        return "Bearer"


class CognitoAccess(BasePermission):
    """A signed-in Cognito user, in the view's ``cognito_groups`` with its ``cognito_scopes``.

    A view without those attributes needs a valid token only.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        """Check the view's groups and scopes with the verifier's own rules.

        Raises:
            CognitoRefusal: a group or scope is missing (403).

        """
        if not isinstance(request.auth, CognitoClaims):
            return False  # DRF answers 401 with authenticate_header's challenge
        groups: Sequence[str] | None = getattr(view, "cognito_groups", None)
        scopes: Sequence[str] | None = getattr(view, "cognito_scopes", None)
        if groups is None and scopes is None:
            return True
        try:
            # A verified-token cache hit: only the group and scope checks run again.
            get_verifier().verify_bearer(
                request.META.get("HTTP_AUTHORIZATION"),
                allowed_groups=groups,
                required_scopes=scopes,
            )
        except CognitoJWTError as exc:
            raise CognitoRefusal(exc) from exc
        return True
