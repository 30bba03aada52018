"""Arguments that name groups, scopes, clients or regions: a str is one name, never split."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from cognito_jwt.exceptions import ConfigurationError


def strings(name: str, value: object, *, allow_empty: bool = False) -> tuple[str, ...]:
    """Normalise a str (one name) or an iterable of str to a tuple without repeats.

    Raises:
        ConfigurationError: ``value`` is neither, holds an empty or non-str item,
            or is empty while ``allow_empty`` is false.

    """
    if isinstance(value, str):
        items: list[object] = [value]
    elif isinstance(value, Iterable) and not isinstance(value, bytes | Mapping):
        items = list(value)
    else:
        raise ConfigurationError(f"{name} must be a str or an iterable of str, not {value!r}")
    for item in items:
        if not isinstance(item, str) or not item:
            raise ConfigurationError(f"{name} must hold non-empty strings, not {item!r}")
    if not items and not allow_empty:
        raise ConfigurationError(f"{name} is empty; pass None to accept any")
    return tuple(dict.fromkeys(str(item) for item in items))


def scopes(name: str, value: object, *, allow_empty: bool = True) -> tuple[str, ...]:
    """Like :func:`strings`, and no scope may contain whitespace.

    A token's ``scope`` claim is space-separated, so ``"a b"`` can never be one
    scope: it is a caller who meant two.

    Raises:
        ConfigurationError: as :func:`strings`, or a scope contains whitespace.

    """
    names = strings(name, value, allow_empty=allow_empty)
    for scope in names:
        if scope != "".join(scope.split()):
            parts = scope.split()
            raise ConfigurationError(
                f"{name} holds {scope!r}: one scope containing whitespace, which no scope can "
                f"hold (the scope claim is space-separated); pass each scope on its own, "
                f"such as {parts!r}"
            )
    return names
