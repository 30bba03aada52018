"""Running a verifier's ``custom_check``, sync or async, with the errors both verifiers raise."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from cognito_jwt.claims import AlbClaims, CognitoClaims
from cognito_jwt.exceptions import CognitoJWTError, ConfigurationError, InvalidTokenError

logger = logging.getLogger("cognito_jwt")

_Claims = TypeVar("_Claims", CognitoClaims, AlbClaims)


def is_async_callable(check: object) -> bool:
    """Whether ``check`` is an ``async def`` function, or an object whose ``__call__`` is one."""
    if inspect.iscoroutinefunction(check):
        return True
    call = getattr(type(check), "__call__", None)  # noqa: B004 - the class's, not the instance's
    return not inspect.isroutine(check) and inspect.iscoroutinefunction(call)


def refuse_awaitable(outcome: object) -> ConfigurationError:
    """The error for an async custom check met by ``verify()``, its coroutine closed."""
    if inspect.iscoroutine(outcome):
        outcome.close()  # never to be awaited: closed, so Python does not warn about it
    return ConfigurationError(
        "custom_check is async: verify() cannot await it; use averify() or a plain function"
    )


def run_check(check: Callable[[_Claims], object], claims: _Claims) -> Awaitable[object] | None:
    """Run a custom check on verified ``claims``; return what an async one left to await.

    An exception other than a :class:`CognitoJWTError` becomes an ``InvalidTokenError``
    (logged, chained); a returned value other than ``None`` or an awaitable is a
    ``ConfigurationError``. What is raised carries the claims.
    """
    try:
        try:
            outcome = check(claims)
        except CognitoJWTError:
            raise
        except Exception as exc:
            raise _check_failed(exc) from exc
        if outcome is None:
            return None
        if inspect.isawaitable(outcome):
            return outcome
        raise _unexpected_result(outcome)
    except CognitoJWTError as exc:
        attach(exc, claims)
        raise


async def await_check(claims: CognitoClaims | AlbClaims, outcome: Awaitable[object]) -> None:
    """Await what an async custom check returned, with the errors of a sync one."""
    try:
        try:
            result = await outcome
        except CognitoJWTError:
            raise
        except Exception as exc:
            raise _check_failed(exc) from exc
        if result is not None:
            raise _unexpected_result(result)
    except CognitoJWTError as exc:
        attach(exc, claims)
        raise


def attach(exc: CognitoJWTError, claims: CognitoClaims | AlbClaims) -> None:
    """Let an error raised after the signature verified say whose token it refused."""
    # Set even when already set: a check may raise one shared instance for every user.
    if not isinstance(exc, ConfigurationError):
        exc.claims = claims


def _unexpected_result(outcome: object) -> ConfigurationError:
    return ConfigurationError(
        f"custom_check returned {type(outcome).__name__}: it must return None and raise a "
        "CognitoJWTError to refuse a token (a returned value is never taken as a verdict)"
    )


def _check_failed(exc: Exception) -> InvalidTokenError:
    logger.error("custom_check raised %s", type(exc).__name__, exc_info=exc)
    return InvalidTokenError(f"custom check failed with {type(exc).__name__}")
