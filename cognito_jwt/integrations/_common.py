"""What every adapter shares: the verifier protocol, refusal logging, settings.

No framework is imported here, so each adapter pulls in only its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Protocol

from cognito_jwt.exceptions import CognitoJWTError, ConfigurationError

if TYPE_CHECKING:
    from cognito_jwt.claims import CognitoClaims
    from cognito_jwt.verifier import CognitoVerifier

__all__: list[str] = []


class Verifier(Protocol):
    """What an adapter needs of a verifier: ``CognitoVerifier`` and ``MultiPoolVerifier`` fit."""

    def verify_bearer(
        self,
        authorization_header: str | None,
        *,
        allowed_groups: str | Iterable[str] | None = None,
        required_scopes: str | Iterable[str] | None = None,
    ) -> CognitoClaims:
        """Verify an ``Authorization`` header value."""
        ...

    async def averify_bearer(
        self,
        authorization_header: str | None,
        *,
        allowed_groups: str | Iterable[str] | None = None,
        required_scopes: str | Iterable[str] | None = None,
    ) -> CognitoClaims:
        """Verify an ``Authorization`` header value without blocking the event loop."""
        ...


def names(value: str | Iterable[str] | None) -> tuple[str, ...] | None:
    """Groups or scopes as a tuple; a ``str`` is one name; ``None`` stays ``None``."""
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def log_refusal(logger: logging.Logger, exc: CognitoJWTError, where: str) -> None:
    """Log a refused request at INFO: the error class, and ``sub`` once the signature verified.

    Never the token: error messages leave it out by design, and so does this line.
    """
    claims = getattr(exc, "claims", None)
    sub = claims.get("sub") if isinstance(claims, Mapping) else None
    if sub is None:
        logger.info("%s refused (%d %s): %s", where, exc.status_code, type(exc).__name__, exc)
    else:
        logger.info(
            "%s refused (%d %s) for sub %r: %s",
            where,
            exc.status_code,
            type(exc).__name__,
            sub,
            exc,
        )


def detail(exc: CognitoJWTError) -> str:
    """The text of a JSON error body: the error's fixed description, or the status phrase."""
    description = exc.description if exc.status_code in (401, 403) else None
    return description or HTTPStatus(exc.status_code).phrase


def error_headers(exc: CognitoJWTError) -> dict[str, str]:
    """``WWW-Authenticate`` for 401 and 403, nothing for the others."""
    challenge = exc.www_authenticate
    return {} if challenge is None else {"WWW-Authenticate": challenge}


@dataclass(frozen=True)
class Refusal:
    """A refused request as every framework answers it: the status, headers and JSON body."""

    status_code: int
    headers: dict[str, str]
    body: dict[str, str]


def refusal(logger: logging.Logger, exc: CognitoJWTError, where: str) -> Refusal:
    """Log the refusal of the request ``where`` names, and give the answer to send for it."""
    log_refusal(logger, exc, where)
    return Refusal(exc.status_code, error_headers(exc), {"detail": detail(exc)})


def needs_extra(adapter: str, framework: str, extra: str) -> ImportError:
    """The error of an adapter imported without its framework: it names the extra to install."""
    return ImportError(
        f'cognito_jwt.integrations.{adapter} needs {framework}: pip install "cognito-jwt[{extra}]"'
    )


_TOKEN_USES: dict[object, str | None] = {"id": "id", "access": "access", "any": None, None: None}
_REQUIRED = ("REGION", "USER_POOL_ID", "CLIENT_IDS", "TOKEN_USE")
# Setting name -> CognitoVerifier keyword, for the optional settings.
_OPTIONAL = {
    "JWKS_URL": "jwks_url",
    "ISSUER": "issuer",
    "ADDITIONAL_REGIONS": "additional_regions",
    "SKIP_ACCESS_TOKEN_AUDIENCE": "skip_access_token_audience",
    "LEEWAY": "leeway",
    "TIMEOUT": "timeout",
    "JWKS_TTL": "jwks_ttl",
    "ALLOW_HTTP": "allow_http",
}
SETTINGS = frozenset(_REQUIRED) | frozenset(_OPTIONAL)


def _client_ids(value: object) -> object:
    """``"a, b"`` (say, from the environment) is two client ids; other values pass as given."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def verifier_from_settings(
    settings: Mapping[str, Any], label: Callable[[str], str]
) -> CognitoVerifier:
    """Build a :class:`CognitoVerifier` from ``REGION``, ``USER_POOL_ID``, ``CLIENT_IDS``...

    ``label`` names a setting in messages (``"app.config['COGNITO_REGION']"``). Every
    required setting must be present, ``TOKEN_USE`` and ``CLIENT_IDS`` included
    (``None`` or ``"any"`` accepts either kind of token; ``CLIENT_IDS`` ``None``
    any app client, a ``str`` is comma-separated).

    Raises:
        ConfigurationError: a setting is missing or invalid (the message names it).

    """
    from cognito_jwt.verifier import CognitoVerifier  # noqa: PLC0415 - the core, on first use

    missing = [name for name in _REQUIRED if name not in settings]
    if missing:
        hint = ""
        if "CLIENT_IDS" in missing and "CLIENT_ID" in settings:
            hint = f" (found {label('CLIENT_ID')}: the setting is {label('CLIENT_IDS')})"
        raise ConfigurationError(f"{', '.join(map(label, missing))} must be set{hint}")
    token_use = settings["TOKEN_USE"]
    if not isinstance(token_use, str | None) or token_use not in _TOKEN_USES:
        raise ConfigurationError(
            f"{label('TOKEN_USE')} must be 'id', 'access', 'any' or None, not {token_use!r}"
        )
    options = {keyword: settings[name] for name, keyword in _OPTIONAL.items() if name in settings}
    try:
        return CognitoVerifier(
            settings["REGION"],
            settings["USER_POOL_ID"],
            client_ids=_client_ids(settings["CLIENT_IDS"]),  # type: ignore[arg-type]
            token_use=_TOKEN_USES[token_use],  # type: ignore[arg-type]
            **options,
        )
    except ConfigurationError as exc:
        raise ConfigurationError(f"{label('*')}: {exc}") from None
