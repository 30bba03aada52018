"""Counters of a verifier and the snapshot ``stats()`` returns: pure, no I/O, cheap to import.

The counters are plain integers bumped without a lock: exact when one thread
verifies, and off by at most a few concurrent increments under heavy threading
(a lock would cost every verification more than the count is worth).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from cognito_jwt.exceptions import CognitoJWTError, ConfigurationError

__all__ = ["VerifierStats"]


@dataclass(frozen=True)
class VerifierStats:
    """A snapshot of a verifier's counters and key cache, from ``verifier.stats()``.

    Counters count since the verifier was built. ``allowed`` and ``denied`` count
    calls of ``verify`` and its variants (``denied``: those that raised a
    :class:`~cognito_jwt.CognitoJWTError` other than ``ConfigurationError``),
    ``denied_by_error`` splits ``denied`` by exception class name.
    ``token_cache_hits`` and ``token_cache_misses`` count lookups of the
    verified-token cache (none when it is off). ``jwks_fetch_success`` and
    ``jwks_fetch_failed`` count every fetch attempt, in the foreground or in the
    background (``load_jwks`` is not a fetch); ``background_refreshes`` counts
    the background refreshes started; ``stale_key_uses`` the verifications
    served by a key past ``jwks_ttl``.

    State: ``keys`` is the number of usable keys cached now, over all issuers;
    ``keys_fetched_at`` the clock time of the latest successful fetch or
    ``load_jwks``; ``keys_fresh_until`` the earliest time at which a cached key
    set stops being fresh; ``last_fetch_error`` the message of the latest failed
    fetch, ``None`` once a fetch of that issuer succeeds again. The three are
    ``None`` for static keys (``jwks=``), which are never fetched and never expire.
    """

    allowed: int = 0
    denied: int = 0
    denied_by_error: Mapping[str, int] = field(
        default_factory=lambda: MappingProxyType({}), hash=False
    )
    token_cache_hits: int = 0
    token_cache_misses: int = 0
    jwks_fetch_success: int = 0
    jwks_fetch_failed: int = 0
    background_refreshes: int = 0
    stale_key_uses: int = 0
    keys: int = 0
    keys_fetched_at: float | None = None
    keys_fresh_until: float | None = None
    last_fetch_error: str | None = None


class Counters:
    """The mutable counters behind :class:`VerifierStats`, shared by a verifier and its key cache.

    Attributes are bumped in place (``counters.allowed += 1``), never under a lock.
    """

    __slots__ = (
        "allowed",
        "background_refreshes",
        "denied",
        "denied_by_error",
        "jwks_fetch_failed",
        "jwks_fetch_success",
        "stale_key_uses",
        "token_cache_hits",
        "token_cache_misses",
    )

    def __init__(self) -> None:
        """Start every count at zero."""
        self.allowed = 0
        self.denied = 0
        self.denied_by_error: dict[str, int] = {}
        self.token_cache_hits = 0
        self.token_cache_misses = 0
        self.jwks_fetch_success = 0
        self.jwks_fetch_failed = 0
        self.background_refreshes = 0
        self.stale_key_uses = 0

    def deny(self, error: CognitoJWTError) -> None:
        """Count a call refused with ``error``; a ``ConfigurationError`` (a bug) is no refusal."""
        if isinstance(error, ConfigurationError):
            return
        self.denied += 1
        name = type(error).__name__
        self.denied_by_error[name] = self.denied_by_error.get(name, 0) + 1

    def snapshot(
        self,
        *,
        keys: int = 0,
        keys_fetched_at: float | None = None,
        keys_fresh_until: float | None = None,
        last_fetch_error: str | None = None,
    ) -> VerifierStats:
        """Freeze the counters, with the key cache's state, into a :class:`VerifierStats`."""
        return VerifierStats(
            allowed=self.allowed,
            denied=self.denied,
            denied_by_error=MappingProxyType(dict(self.denied_by_error)),
            token_cache_hits=self.token_cache_hits,
            token_cache_misses=self.token_cache_misses,
            jwks_fetch_success=self.jwks_fetch_success,
            jwks_fetch_failed=self.jwks_fetch_failed,
            background_refreshes=self.background_refreshes,
            stale_key_uses=self.stale_key_uses,
            keys=keys,
            keys_fetched_at=keys_fetched_at,
            keys_fresh_until=keys_fresh_until,
            last_fetch_error=last_fetch_error,
        )


def _latest(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _earliest(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def total(parts: Iterable[VerifierStats]) -> VerifierStats:
    """Add up the stats of several verifiers (or pools) into one snapshot.

    Counters and ``keys`` are summed; ``keys_fetched_at`` is the latest of the
    parts', ``keys_fresh_until`` the earliest; ``last_fetch_error`` is the first
    part's that has one.
    """
    items = list(parts)
    by_error: dict[str, int] = {}
    for item in items:
        for name, count in item.denied_by_error.items():
            by_error[name] = by_error.get(name, 0) + count
    return VerifierStats(
        allowed=sum(s.allowed for s in items),
        denied=sum(s.denied for s in items),
        denied_by_error=MappingProxyType(by_error),
        token_cache_hits=sum(s.token_cache_hits for s in items),
        token_cache_misses=sum(s.token_cache_misses for s in items),
        jwks_fetch_success=sum(s.jwks_fetch_success for s in items),
        jwks_fetch_failed=sum(s.jwks_fetch_failed for s in items),
        background_refreshes=sum(s.background_refreshes for s in items),
        stale_key_uses=sum(s.stale_key_uses for s in items),
        keys=sum(s.keys for s in items),
        keys_fetched_at=_latest(s.keys_fetched_at for s in items),
        keys_fresh_until=_earliest(s.keys_fresh_until for s in items),
        last_fetch_error=next((s.last_fetch_error for s in items if s.last_fetch_error), None),
    )
