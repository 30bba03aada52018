"""Constructor and per-call arguments of the verifiers: checked, normalised, or refused.

Every function raises ``ConfigurationError`` with a message naming the argument.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

from cognito_jwt import _names
from cognito_jwt._checks import TokenUse
from cognito_jwt._customcheck import is_async_callable
from cognito_jwt.exceptions import ConfigurationError

MAX_LEEWAY = 300.0
MAX_TOKEN_BYTES_LIMIT = 1024 * 1024

strings = _names.strings


def seconds(name: str, value: object, *, minimum: float, strict: bool = False) -> float:
    """Check a duration argument: a finite number of seconds above (or at) ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigurationError(f"{name} must be a finite number of seconds, not {value!r}")
    if value < minimum or (strict and value == minimum):
        relation = "greater than" if strict else "at least"
        raise ConfigurationError(f"{name} must be {relation} {minimum:g} s, not {value!r}")
    return float(value)


def count(name: str, value: object, *, minimum: int) -> int:
    """Check a count argument: an int (not a bool) of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigurationError(f"{name} must be an int of at least {minimum}, not {value!r}")
    return value


def client_ids(value: object) -> frozenset[str] | None:
    """``client_ids``: ``None`` for any client, else the set of names."""
    if value is None:
        return None
    return frozenset(strings("client_ids", value))


def allowed_groups(value: object) -> tuple[str, ...] | None:
    """``allowed_groups``: ``None`` for no requirement, else the names."""
    return None if value is None else strings("allowed_groups", value)


def required_scopes(value: object) -> tuple[str, ...] | None:
    """``required_scopes``: ``None`` for no requirement, else the scopes."""
    return None if value is None else _names.scopes("required_scopes", value)


def token_use(value: object) -> TokenUse | None:
    """``token_use``: ``"id"``, ``"access"`` or ``None`` for either."""
    if value is None or value in {"id", "access"}:
        return value
    raise ConfigurationError(f"token_use must be 'id', 'access' or None, not {value!r}")


def issuer_url(value: object) -> str:
    """An issuer given outright: an http(s) URL."""
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise ConfigurationError(f"issuer must be an http(s) URL, not {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class Common:
    """The arguments every verifier takes, checked (see :func:`common`)."""

    leeway: float
    max_token_bytes: int
    async_check: bool
    token_cache_size: int
    timeout: float
    refresh_cooldown: float


def common(
    *,
    leeway: object,
    max_token_bytes: object,
    custom_check: object,
    clock: object,
    token_cache_size: object,
    timeout: object,
    refresh_cooldown: object,
    session: object,
) -> Common:
    """Check the arguments ``CognitoVerifier`` and ``AlbVerifier`` share."""
    checked_leeway = seconds("leeway", leeway, minimum=0.0)
    if checked_leeway > MAX_LEEWAY:
        raise ConfigurationError(f"leeway of {leeway!r} s is over {MAX_LEEWAY:g} s")
    max_bytes = count("max_token_bytes", max_token_bytes, minimum=1)
    if max_bytes > MAX_TOKEN_BYTES_LIMIT:
        raise ConfigurationError(f"max_token_bytes is over {MAX_TOKEN_BYTES_LIMIT}")
    if custom_check is not None and not callable(custom_check):
        raise ConfigurationError("custom_check must be callable")
    if not callable(clock):
        raise ConfigurationError("clock must be callable")
    cache_size = count("token_cache_size", token_cache_size, minimum=0)
    checked_timeout = seconds("timeout", timeout, minimum=0.0, strict=True)
    cooldown = seconds("refresh_cooldown", refresh_cooldown, minimum=0.0)
    if session is not None and not _is_requests_session(session):
        raise ConfigurationError("session must be a requests.Session")
    return Common(
        leeway=checked_leeway,
        max_token_bytes=max_bytes,
        # verify() refuses an async check before anything else: a check not run fails open.
        async_check=custom_check is not None and is_async_callable(custom_check),
        token_cache_size=cache_size,
        timeout=checked_timeout,
        refresh_cooldown=cooldown,
    )


def _is_requests_session(value: object) -> bool:
    # A Session can only exist once requests is imported: the check needs no import.
    requests = sys.modules.get("requests")
    return requests is not None and isinstance(value, requests.Session)
