"""The verified-token cache shared by the verifiers: claims by token text, for a short while."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, TypeVar

from cognito_jwt._stats import Counters
from cognito_jwt.claims import CognitoClaims

# Tokens longer than this are verified but not cached (a Cognito token is 1 to 2 KiB).
MAX_CACHED_TOKEN = 4096
# A verified token's claims are reused for at most this long.
TOKEN_CACHE_SECONDS = 60.0

_Claims = TypeVar("_Claims")


class VerifiedTokens(Generic[_Claims]):
    """Claims of verified tokens by token text, reused within each token's lifetime.

    At most ``maxsize`` entries (the oldest goes first), each for at most
    ``TOKEN_CACHE_SECONDS`` and only while the lifetime rules (``exp``, ``nbf``,
    ``iat`` with the leeway) still hold, so a hit never returns what a full
    verification would refuse. Each lookup counts as a hit or a miss in
    ``counters``. Reads take no lock (a dict read is atomic); writes do.
    """

    __slots__ = ("_counters", "_entries", "_lock", "_maxsize")

    def __init__(self, maxsize: int, counters: Counters) -> None:
        # OrderedDict: dropping the oldest entry is O(1) (a plain dict's first live
        # entry sits behind the slots of every entry deleted before it).
        self._entries: OrderedDict[str, tuple[_Claims, float, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._maxsize = maxsize
        self._counters = counters

    def get(self, token: str, now: float) -> _Claims | None:
        entry = self._entries.get(token)
        if entry is not None and entry[1] <= now < entry[2]:
            self._counters.token_cache_hits += 1
            return entry[0]
        self._counters.token_cache_misses += 1
        return None

    def put(
        self: VerifiedTokens[CognitoClaims],
        token: str,
        claims: CognitoClaims,
        now: float,
        leeway: float,
    ) -> None:
        # The window in which verify() would accept the token again: from iat and
        # nbf (minus the leeway) until exp (plus the leeway), at most 60 s from now.
        data = claims._data
        not_before = max(data["iat"], data.get("nbf", 0)) - leeway
        self.remember(
            token, claims, not_before, min(now + TOKEN_CACHE_SECONDS, data["exp"] + leeway)
        )

    def remember(self, token: str, claims: _Claims, not_before: float, not_after: float) -> None:
        """Hold ``claims`` for ``token`` from ``not_before`` until ``not_after`` (clock times)."""
        with self._lock:
            entries = self._entries
            if token not in entries and len(entries) >= self._maxsize:
                entries.popitem(last=False)
            entries[token] = (claims, not_before, not_after)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
