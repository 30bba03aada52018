"""Key caches: TTL, refresh ahead, stale-if-error, cooldown, single flight and counters.

Two caches: :class:`KeyStore` for the JWKS of Cognito issuers, and
:class:`AlbKeyStore` for the per-kid PEM keys of load balancers.

Cache rules of :class:`KeyStore` (see the docs' configuration page for the user's view):

* Keys are held in a ``cachetools.TTLCache`` keyed by ``(issuer, kid)``; an
  entry lives ``jwks_ttl + max_stale`` seconds from the fetch that brought it.
* A set is *fresh* for ``jwks_ttl``. A verification that finds its key in the
  last ``refresh_ahead`` seconds of that starts one background refresh (a
  daemon thread) and goes on with the key it has.
* Past ``jwks_ttl`` the next call refetches and waits (an idle set), unless a
  refresh is under way or has failed: then the last good keys keep serving
  (stale-if-error) until they drop out of the cache, with a warning, and the
  next attempt waits ``refresh_cooldown``. With refresh ahead on, that attempt
  runs in the background too; with it off, in the caller.
* An unknown kid triggers one refetch; after it no other for
  ``refresh_cooldown`` seconds, and unknown kids fail fast meanwhile. A fetch
  (for the TTL, or the first one) that leaves the asked-for kid unknown starts
  the cooldown too.
* Every fetch of an issuer, foreground or background, goes through one
  :class:`Flight`: concurrent callers share the fetch in progress.

The parts any key cache needs (:class:`Flight`, :func:`start_daemon`,
:func:`log_event`, the :class:`~cognito_jwt._stats.Counters`) are kept apart
from the JWKS rules so that other caches reuse them. The network is reached
only through the injected fetcher (built by ``_fetch``); documents are
validated by ``_jwks``.
"""

from __future__ import annotations

import collections
import logging
import os
import threading
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import cachetools

from cognito_jwt._crypto import KeyBuildError, build_ec_key
from cognito_jwt._jwks import MAX_KEYS_PER_ISSUER, KeySet, parse_jwks, unusable_key_error
from cognito_jwt._stats import Counters, VerifierStats
from cognito_jwt.exceptions import (
    ConfigurationError,
    JWKSFetchError,
    JWKSFormatError,
    UnknownKeyError,
    _describe,
)

if TYPE_CHECKING:
    from cognito_jwt._crypto import EcVerifyingKey, VerifyingKey
    from cognito_jwt._fetch import Fetcher

logger = logging.getLogger("cognito_jwt")

_NEVER = float("-inf")


# --------------------------------------------------------------------------- shared parts


class Flight:
    """Single flight for one cached thing: one fetch at a time, shared by every caller.

    ``lock`` is held for the whole fetch. ``attempts`` counts the fetches made: a
    caller that saw ``attempts == n`` before waiting for the lock fetches only if
    it is still ``n`` once it has it (else another caller fetched meanwhile).
    ``pending`` counts the fetches under way or queued (foreground or background);
    the cache changes ``attempts`` and ``pending`` under its own lock.
    """

    __slots__ = ("attempts", "lock", "pending")

    def __init__(self, attempts: int = 0) -> None:
        """Start with ``attempts`` fetches made and none pending."""
        self.lock = threading.Lock()
        self.attempts = attempts
        self.pending = 0


def start_daemon(name: str, target: Callable[[], object]) -> bool:
    """Run ``target`` in a new daemon thread; return whether the thread could be started.

    A daemon thread never holds up the interpreter's exit. Starting one fails only
    when the process is out of threads or shutting down: the caller then does
    without (the next verification that needs it starts another).
    """
    thread = threading.Thread(target=target, name=name, daemon=True)
    try:
        thread.start()
    except RuntimeError:
        logger.warning("could not start thread %s", name, exc_info=True)
        return False
    return True


def log_event(level: int, event: str, message: str, *args: object, **fields: object) -> None:
    """Log ``message`` on the ``cognito_jwt`` logger, tagged with ``cognito_jwt_event=event``.

    ``fields`` go into the record too (``extra``), for structured log handlers.
    """
    if logger.isEnabledFor(level):
        logger.log(level, message, *args, extra={"cognito_jwt_event": event, **fields})


# --------------------------------------------------------------------------- JWKS cache

# Every key store of the process, for the reset after a fork (see KeyStore._after_fork).
_STORES: weakref.WeakSet[KeyStore | AlbKeyStore] = weakref.WeakSet()


def _reset_stores_after_fork() -> None:
    for store in list(_STORES):
        store._after_fork()


if hasattr(os, "register_at_fork"):  # pragma: no branch - absent on Windows only
    os.register_at_fork(after_in_child=_reset_stores_after_fork)


@dataclass(eq=False)
class _IssuerState:
    """What the store knows about one issuer's key set."""

    url: str
    flight: Flight = field(default_factory=Flight)
    kids: frozenset[str] = frozenset()
    # The keys of the set until refresh_at, read without the lock (see lookup()).
    fresh_keys: Mapping[str, VerifyingKey] = field(default_factory=dict)
    unusable: Mapping[str, str] = field(default_factory=dict)
    fresh_until: float = _NEVER
    # fresh_until - refresh_ahead: from here on a lookup takes the slow path.
    refresh_at: float = _NEVER
    fetched_at: float | None = None
    next_attempt: float = _NEVER
    last_error: JWKSFetchError | JWKSFormatError | None = None


class Lookup(NamedTuple):
    """The answer of :meth:`KeyStore.lookup`: a key, or the attempt count a fetch must follow."""

    key: VerifyingKey | None
    attempts: int


class KeyStore:
    """The keys of every issuer a verifier accepts, fetched, cached and refreshed."""

    def __init__(
        self,
        jwks_urls: Mapping[str, str],
        *,
        fetcher: Fetcher,
        ttl: float,
        max_stale: float,
        cooldown: float,
        clock: Callable[[], float],
        refresh_ahead: float = 0.0,
        counters: Counters | None = None,
        on_change: Callable[[], None] = lambda: None,
    ) -> None:
        """Hold keys for each issuer of ``jwks_urls`` (issuer to JWKS URL).

        ``refresh_ahead`` is capped at ``ttl / 2``; 0 turns background refreshes off.
        """
        self._fetcher = fetcher
        self._ttl = ttl
        self._ahead = min(refresh_ahead, ttl / 2)
        self._cooldown = cooldown
        self._clock = clock
        self._counters = counters if counters is not None else Counters()
        self._on_change = on_change
        self._lock = threading.Lock()
        self._states = {issuer: _IssuerState(url) for issuer, url in jwks_urls.items()}
        self._keys: cachetools.TTLCache[tuple[str, str], VerifyingKey] = cachetools.TTLCache(
            maxsize=MAX_KEYS_PER_ISSUER * len(self._states),
            ttl=ttl + max_stale,
            timer=clock,
        )
        _STORES.add(self)

    def _after_fork(self) -> None:
        """In a child process: drop the locks and fetches of the parent's threads.

        A fork copies the cache but only the forking thread: a fetch the parent
        had under way (its lock held, counted as pending) would never end in the
        child, which would then wait on it or never refresh again.
        """
        self._lock = threading.Lock()
        for state in self._states.values():
            state.flight = Flight(state.flight.attempts)

    @property
    def refresh_ahead(self) -> float:
        """Seconds before the end of ``jwks_ttl`` at which a background refresh starts (0: off)."""
        return self._ahead

    def _has_keys(self, issuer: str, state: _IssuerState) -> bool:
        return any((issuer, kid) in self._keys for kid in state.kids)

    def lookup(self, issuer: str, kid: str) -> Lookup:
        """Return the key if it can be had without waiting, else what a fetch must follow.

        A key in the refresh window, or a stale one while refreshes fail, comes
        back at once; the refresh it calls for starts in the background.

        Raises:
            UnknownKeyError: the kid is unknown and a refetch is not allowed yet.
            JWKSFetchError: no keys at all, and the last fetch failed within the cooldown
                (JWKSFormatError when what it fetched was not a usable JWKS).

        """
        now = self._clock()
        state = self._states[issuer]
        if now < state.refresh_at:
            # The common case, without the lock: a fresh set that has the kid. A
            # concurrent install swaps in a whole new dict, so the read sees one set.
            key = state.fresh_keys.get(kid)
            if key is not None:
                return Lookup(key, state.flight.attempts)
        with self._lock:
            attempts = state.flight.attempts
            key = self._keys.get((issuer, kid))
            if key is None:
                reason = state.unusable.get(kid)
                if reason is not None and self._has_keys(issuer, state):
                    raise unusable_key_error(kid, reason)
                if now < state.next_attempt:
                    raise self._miss_error(issuer, kid, state, now)
                return Lookup(None, attempts)
            busy = state.flight.pending > 0
            due = not busy and now >= state.next_attempt
            if now >= state.fresh_until:
                # Stale keys keep serving while a refresh is under way, while failed
                # refreshes wait out the cooldown, and (refresh ahead on) while the
                # retries after a failed refresh run in the background. An idle
                # set past its TTL is refetched in the caller: it may hold a key
                # the pool has removed since.
                retrying = self._ahead > 0 and state.last_error is not None
                if due and not retrying:
                    return Lookup(None, attempts)
                self._counters.stale_key_uses += 1
            # Only from the refresh window on (a concurrent install may have made
            # the set fresh again since the lock-free read above).
            background = due and self._ahead > 0 and now >= state.refresh_at
            if background:
                state.flight.pending += 1
                self._counters.background_refreshes += 1
        if background:
            self._start_background(issuer, state, attempts)
        return Lookup(key, attempts)

    def get(self, issuer: str, kid: str) -> VerifyingKey:
        """Return the key ``kid`` of ``issuer``, fetching the issuer's JWKS if needed.

        Raises:
            UnknownKeyError: the kid is not in the JWKS, even after a refetch.
            JWKSFetchError: the JWKS could not be fetched and no good key can serve.
            JWKSFormatError: the fetched document is not a usable JWKS.

        """
        state = self._states[issuer]
        if self._clock() < state.refresh_at:
            # lookup()'s common case, inlined: this runs on every verification.
            key = state.fresh_keys.get(kid)
            if key is not None:
                return key
        found = self.lookup(issuer, kid)
        if found.key is not None:
            return found.key
        return self.fetch_and_get(issuer, kid, found.attempts)

    def fetch_and_get(self, issuer: str, kid: str, attempts: int) -> VerifyingKey:
        """Fetch (unless another caller did since ``attempts``), then return the key.

        This is the blocking half of :meth:`get`; ``averify`` runs it in a worker thread.
        """
        state = self._states[issuer]
        flight = state.flight
        with flight.lock:
            with self._lock:
                due = flight.attempts == attempts
                unknown_kid = (issuer, kid) not in self._keys and self._has_keys(issuer, state)
                if due:
                    flight.pending += 1
            if due:
                try:
                    self._refresh(issuer, state, unknown_kid=unknown_kid, wanted=kid)
                finally:
                    with self._lock:
                        flight.pending -= 1
        now = self._clock()
        with self._lock:
            key = self._keys.get((issuer, kid))
            if key is not None:
                if now >= state.fresh_until:
                    self._counters.stale_key_uses += 1
                return key
            error = state.last_error
            reason = state.unusable.get(kid)
        if error is not None:
            # A fresh instance per caller: one shared instance would pile up tracebacks.
            raise type(error)(str(error))
        if reason is not None:
            raise unusable_key_error(kid, reason)
        raise self._unknown(issuer, kid)

    def _start_background(self, issuer: str, state: _IssuerState, attempts: int) -> None:
        """Refresh ``issuer``'s keys in a daemon thread (the caller counted it as pending)."""
        log_event(
            logging.INFO,
            "jwks_refresh_started",
            "JWKS background refresh from %s started",
            state.url,
            issuer=issuer,
            jwks_url=state.url,
        )

        def refresh() -> None:
            try:
                with state.flight.lock:
                    with self._lock:
                        due = state.flight.attempts == attempts
                    if due:
                        self._refresh(issuer, state, unknown_kid=False)
            finally:
                with self._lock:
                    state.flight.pending -= 1

        if not start_daemon("cognito-jwt-jwks-refresh", refresh):
            with self._lock:
                state.flight.pending -= 1

    def _refresh(
        self, issuer: str, state: _IssuerState, *, unknown_kid: bool, wanted: str | None = None
    ) -> None:
        """Fetch ``issuer``'s JWKS and install it; record a failure instead of raising.

        The caller holds ``state.flight.lock``. The cooldown starts after a fetch
        made for an unknown kid, and after any fetch that leaves the ``wanted`` kid
        unknown: the set was just fetched, so another fetch for that kid (or any
        other unknown one) must wait.
        """
        try:
            body = self._fetcher(state.url)
            with self._lock:
                previous = self._current(issuer, state)
            keys = parse_jwks(body, previous)
        except (JWKSFetchError, JWKSFormatError) as exc:
            now = self._clock()
            with self._lock:
                state.flight.attempts += 1
                self._counters.jwks_fetch_failed += 1
                state.last_error = exc
                state.next_attempt = now + self._cooldown
                serving = self._has_keys(issuer, state)
            if serving:
                log_event(
                    logging.WARNING,
                    "jwks_fetch_failed",
                    "JWKS refresh from %s failed (%s); serving the last good keys, "
                    "next attempt in %g s",
                    state.url,
                    exc,
                    self._cooldown,
                    issuer=issuer,
                    jwks_url=state.url,
                    error=str(exc),
                )
            else:
                log_event(
                    logging.ERROR,
                    "jwks_fetch_failed",
                    "JWKS fetch from %s failed: %s",
                    state.url,
                    exc,
                    issuer=issuer,
                    jwks_url=state.url,
                    error=str(exc),
                )
            return
        now = self._clock()
        with self._lock:
            state.flight.attempts += 1
            self._counters.jwks_fetch_success += 1
            state.last_error = None
            if unknown_kid or (wanted is not None and wanted not in keys):
                state.next_attempt = now + self._cooldown
            self._install(issuer, state, keys, now)
        log_event(
            logging.INFO,
            "jwks_fetch",
            "JWKS fetched from %s: %d usable key(s)",
            state.url,
            len(keys),
            issuer=issuer,
            jwks_url=state.url,
            keys=len(keys),
        )

    def _current(self, issuer: str, state: _IssuerState) -> dict[str, VerifyingKey]:
        found = {kid: self._keys.get((issuer, kid)) for kid in state.kids}
        return {kid: key for kid, key in found.items() if key is not None}

    def _install(self, issuer: str, state: _IssuerState, keys: KeySet, now: float) -> None:
        """Replace ``issuer``'s keys (caller holds the lock); signal a change of key set."""
        previous = self._current(issuer, state)
        previous_kids = state.kids
        for kid in state.kids:
            self._keys.pop((issuer, kid), None)
        for kid, key in keys.items():
            self._keys[(issuer, kid)] = key
        state.kids = frozenset(keys)
        state.unusable = keys.unusable
        state.fresh_keys = dict(keys)
        state.fetched_at = now
        state.fresh_until = now + self._ttl
        # Set last: the lock-free read in lookup() trusts fresh_keys up to refresh_at.
        state.refresh_at = state.fresh_until - self._ahead
        if previous != dict(keys):
            self._on_change()
            if previous_kids:
                log_event(
                    logging.INFO,
                    "jwks_keys_changed",
                    "JWKS of %s changed: kids added %s, removed %s",
                    issuer,
                    sorted(state.kids - previous_kids),
                    sorted(previous_kids - state.kids),
                    issuer=issuer,
                    jwks_url=state.url,
                    added_kids=sorted(state.kids - previous_kids),
                    removed_kids=sorted(previous_kids - state.kids),
                )

    def install(self, issuer: str, keys: KeySet) -> None:
        """Seed ``issuer``'s cache with ``keys`` as if just fetched (``load_jwks``)."""
        state = self._states[issuer]
        now = self._clock()
        with self._lock:
            state.last_error = None
            self._install(issuer, state, keys, now)

    def fetch_now(self, issuer: str) -> int:
        """Fetch ``issuer``'s JWKS now, whatever the cache holds; return the usable keys.

        Raises:
            JWKSFetchError: the request failed.
            JWKSFormatError: the document is not a usable JWKS.

        """
        state = self._states[issuer]
        with state.flight.lock:
            with self._lock:
                state.flight.pending += 1
            try:
                self._refresh(issuer, state, unknown_kid=False)
            finally:
                with self._lock:
                    state.flight.pending -= 1
                    error = state.last_error
                    count = len(state.kids)
        if error is not None:
            raise type(error)(str(error))
        return count

    def current_keys(self, issuer: str) -> dict[str, VerifyingKey]:
        """The keys ``issuer`` has in the cache now (fresh or stale)."""
        with self._lock:
            return self._current(issuer, self._states[issuer])

    def stats(self) -> VerifierStats:
        """The counters with the cache's state: keys held, last fetch, freshness, last error."""
        with self._lock:
            self._keys.expire()
            held = len(self._keys)
            states = list(self._states.values())
            fetched = [s.fetched_at for s in states if s.fetched_at is not None]
            fresh = [s.fresh_until for s in states if s.fetched_at is not None]
            errors = [s for s in states if s.last_error is not None]
            failing = max(errors, key=lambda s: s.next_attempt, default=None)
        return self._counters.snapshot(
            keys=held,
            keys_fetched_at=max(fetched, default=None),
            keys_fresh_until=min(fresh, default=None),
            last_fetch_error=None if failing is None else str(failing.last_error),
        )

    def _miss_error(
        self, issuer: str, kid: str, state: _IssuerState, now: float
    ) -> UnknownKeyError | JWKSFetchError | JWKSFormatError:
        if self._has_keys(issuer, state) or state.last_error is None:
            return self._unknown(issuer, kid)
        # The class of the failure itself: a JWKSFormatError stays one during the cooldown.
        return type(state.last_error)(
            f"keys for {issuer} are unavailable (last error: {state.last_error}); "
            f"next attempt in {state.next_attempt - now:.1f} s"
        )

    @staticmethod
    def _unknown(issuer: str, kid: str) -> UnknownKeyError:
        return UnknownKeyError(f"kid {_describe(kid)} is not in the JWKS of {issuer}", kid=kid)


class StaticKeys:
    """Keys given at construction (``jwks=``): used for every issuer, never fetched or expired."""

    def __init__(self, keys: KeySet, counters: Counters | None = None) -> None:
        """Serve ``keys`` (kid to key); ``counters`` are the verifier's, for :meth:`stats`."""
        self._keys = keys
        self._counters = counters if counters is not None else Counters()

    def get(self, issuer: str, kid: str) -> VerifyingKey:
        """Return the key ``kid``.

        Raises:
            InvalidSignatureError: the JWKS publishes ``kid`` but the key cannot verify.
            UnknownKeyError: there is no such key.

        """
        key = self._keys.get(kid)
        if key is None:
            reason = self._keys.unusable.get(kid)
            if reason is not None:
                raise unusable_key_error(kid, reason)
            raise KeyStore._unknown(issuer, kid)
        return key

    def lookup(self, issuer: str, kid: str) -> Lookup:
        """Return the key ``kid`` (never needs the network)."""
        return Lookup(self.get(issuer, kid), 0)

    def fetch_and_get(self, issuer: str, kid: str, attempts: int) -> VerifyingKey:  # noqa: ARG002
        """Return the key ``kid``: static keys have nothing to fetch."""
        return self.get(issuer, kid)

    def stats(self) -> VerifierStats:
        """The counters with the number of static keys (never fetched, never stale)."""
        return self._counters.snapshot(keys=len(self._keys))


def static_keys(jwks: Mapping[str, Any], counters: Counters | None = None) -> StaticKeys:
    """Validate a ``jwks=`` argument and build its keys.

    Raises:
        ConfigurationError: it is not a JWKS with a usable key.

    """
    try:
        return StaticKeys(parse_jwks(jwks), counters)
    except JWKSFormatError as exc:
        raise ConfigurationError(f"jwks: {exc}") from None


# --------------------------------------------------------------------------- ALB keys

#: New kids an AlbKeyStore fetches at most per cooldown: a flood of made-up kids
#: (each a valid UUID, so each a distinct URL) costs at most this many requests.
MAX_NEW_KID_FETCHES = 5
# Keys an AlbKeyStore keeps; a region's load balancers use a handful at a time.
_MAX_ALB_KEYS = 256


@dataclass(eq=False)
class _Flight:
    """One in-flight fetch of one kid, which concurrent callers wait for instead of repeating.

    Not :class:`Flight`: that one serves a cache refetched again and again (a lock
    held for each fetch, an attempt count telling a waiter whether to fetch once
    more). An ALB kid is fetched once and its outcome kept, so a flight here lives
    for one fetch only: the leader fills in ``key`` or ``error`` and sets ``done``,
    and every waiter reads that outcome without fetching or taking a lock again.
    """

    done: threading.Event = field(default_factory=threading.Event)
    key: EcVerifyingKey | None = None
    error: JWKSFetchError | JWKSFormatError | UnknownKeyError | None = None


def _again(error: JWKSFetchError | JWKSFormatError | UnknownKeyError) -> Exception:
    """A fresh copy of a remembered error: one shared instance would pile up tracebacks."""
    if isinstance(error, UnknownKeyError):
        return UnknownKeyError(str(error), kid=error.kid)
    return type(error)(str(error))


class AlbKeyStore:
    """The P-256 keys of Application Load Balancers: one PEM per kid at ``{keys_url}/{kid}``.

    * A kid's key never changes: fetched once, then kept (least recently used
      goes first past 256 keys).
    * Concurrent misses of one kid share one in-flight fetch (single flight).
    * A kid answered with 404 is unknown for ``cooldown`` seconds; a fetch that
      failed, or brought something other than a P-256 public key, is answered
      with the same error class for ``cooldown`` seconds, without the network.
    * At most MAX_NEW_KID_FETCHES fetches start per ``cooldown`` seconds; past
      that, a kid not cached fails fast with UnknownKeyError.

    The kid must already be a canonical UUID (checked with the token's header):
    it is put into the URL as it is.
    """

    def __init__(
        self,
        keys_url: str,
        *,
        fetcher: Fetcher,
        cooldown: float,
        clock: Callable[[], float],
        max_keys: int = _MAX_ALB_KEYS,
        counters: Counters | None = None,
    ) -> None:
        """Fetch keys from ``keys_url`` (no trailing slash needed) through ``fetcher``.

        ``counters`` are the verifier's: fetches are counted there, for :meth:`stats`.
        """
        self.keys_url = keys_url.rstrip("/")
        self._fetcher = fetcher
        self._cooldown = cooldown
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: cachetools.LRUCache[str, EcVerifyingKey] = cachetools.LRUCache(max_keys)
        # kid -> (until, error): answered without the network until then.
        self._refused: dict[str, tuple[float, JWKSFetchError | JWKSFormatError | UnknownKeyError]]
        self._refused = {}
        self._flights: dict[str, _Flight] = {}
        self._fetch_starts: collections.deque[float] = collections.deque()
        self._counters = counters if counters is not None else Counters()
        self._fetched_at: float | None = None
        self._last_error: str | None = None
        _STORES.add(self)

    def _after_fork(self) -> None:
        """In a child process: drop the lock and the fetches of the parent's threads.

        A fork copies the flights but not the threads running them: a waiter in the
        child would wait for ``done`` forever, and a held lock would never be
        released. The kids the parent was fetching are fetched again when asked.
        """
        self._lock = threading.Lock()
        self._flights = {}

    def __len__(self) -> int:
        """The number of keys held now."""
        return len(self._keys)

    def cached(self, kid: str) -> EcVerifyingKey | None:
        """Return the key of ``kid`` if it is held, without the network.

        Raises:
            UnknownKeyError: ``kid`` was answered with 404 within the cooldown, or
                too many new kids were fetched within it.
            JWKSFetchError: the last fetch of ``kid`` failed within the cooldown
                (JWKSFormatError when what it brought was not a P-256 public key).

        """
        with self._lock:
            key = self._keys.get(kid)
            if key is not None:
                return key
            self._check_refused(kid, self._clock())
        return None

    def get(self, kid: str) -> EcVerifyingKey:
        """Return the key of ``kid``, fetching it if it is not held.

        Raises:
            UnknownKeyError: the key URL answered 404 (now or within the cooldown),
                or too many new kids were fetched within the cooldown.
            JWKSFetchError: the key could not be fetched.
            JWKSFormatError: the body is not a P-256 public key in PEM.

        """
        key = self.cached(kid)
        return key if key is not None else self.fetch(kid)

    def fetch(self, kid: str) -> EcVerifyingKey:
        """Fetch the key of ``kid``, or wait for the fetch another caller started.

        The blocking half of :meth:`get`; ``averify`` runs it in a worker thread.
        Raises what :meth:`get` raises.
        """
        with self._lock:
            key = self._keys.get(kid)
            if key is not None:
                return key
            now = self._clock()
            self._check_refused(kid, now)
            flight = self._flights.get(kid)
            leader = flight is None
            if flight is None:
                starts = self._fetch_starts
                while starts and starts[0] <= now - self._cooldown:
                    starts.popleft()
                if len(starts) >= MAX_NEW_KID_FETCHES:
                    raise UnknownKeyError(
                        f"kid {_describe(kid)} is not known and {MAX_NEW_KID_FETCHES} new kids "
                        f"were fetched in the last {self._cooldown:g} s; not fetching it",
                        kid=kid,
                    )
                starts.append(now)
                flight = self._flights[kid] = _Flight()
        if leader:
            self._run(kid, flight)
        else:
            flight.done.wait()
        if flight.key is not None:
            return flight.key
        assert flight.error is not None  # noqa: S101 - a finished flight has one or the other
        raise _again(flight.error)

    def _run(self, kid: str, flight: _Flight) -> None:
        """Fetch and build the key of ``kid``, record the outcome, release the waiters."""
        # Only the ALB path reaches the network module here: a verifier with static
        # JWKS keys never imports it (nor requests).
        from cognito_jwt._fetch import NotFoundError  # noqa: PLC0415

        url = f"{self.keys_url}/{kid}"
        try:
            try:
                body = self._fetcher(url)
                flight.key = build_ec_key(kid, body)
            except NotFoundError:
                flight.error = UnknownKeyError(
                    f"kid {_describe(kid)} is not published at {self.keys_url} (HTTP 404)", kid=kid
                )
            except KeyBuildError as exc:
                flight.error = JWKSFormatError(f"key at {url} is not a P-256 public key: {exc}")
            except (JWKSFetchError, JWKSFormatError) as exc:
                flight.error = exc
        finally:
            if flight.key is None and flight.error is None:  # pragma: no cover - BaseException
                flight.error = JWKSFetchError(f"fetch of {url} was interrupted")
            self._settle(kid, flight)

    def _settle(self, kid: str, flight: _Flight) -> None:
        now = self._clock()
        with self._lock:
            del self._flights[kid]
            if flight.key is not None:
                self._keys[kid] = flight.key
                self._counters.jwks_fetch_success += 1
                self._fetched_at = now
                self._last_error = None
            elif flight.error is not None:
                if not isinstance(flight.error, UnknownKeyError):
                    self._counters.jwks_fetch_failed += 1
                    self._last_error = str(flight.error)
                # Every refused kid came through the fetch budget, so this holds at
                # most MAX_NEW_KID_FETCHES live entries; drop the expired ones.
                self._refused = {k: v for k, v in self._refused.items() if v[0] > now}
                self._refused[kid] = (now + self._cooldown, flight.error)
        flight.done.set()
        if flight.key is not None:
            log_event(
                logging.INFO,
                "jwks_fetch",
                "ALB key %s fetched from %s",
                kid,
                self.keys_url,
                jwks_url=self.keys_url,
                kid=kid,
                keys=1,
            )
        elif not isinstance(flight.error, UnknownKeyError):
            log_event(
                logging.ERROR,
                "jwks_fetch_failed",
                "ALB key fetch failed: %s",
                flight.error,
                jwks_url=self.keys_url,
                kid=kid,
                error=str(flight.error),
            )

    def _check_refused(self, kid: str, now: float) -> None:
        """Raise the remembered error of ``kid`` while its cooldown lasts (lock held)."""
        refused = self._refused.get(kid)
        if refused is not None and now < refused[0]:
            raise _again(refused[1])

    def install(self, keys: Mapping[str, EcVerifyingKey]) -> None:
        """Add ``keys`` (kid to key) as if fetched now (``load_keys``)."""
        now = self._clock()
        with self._lock:
            for kid, key in keys.items():
                self._keys[kid] = key
                self._refused.pop(kid, None)
            if keys:
                self._fetched_at = now

    def stats(self) -> VerifierStats:
        """The counters with the cache's state: keys held, last fetch, last error.

        Keys never expire (a kid's key never changes): no freshness to report.
        """
        with self._lock:
            held = len(self._keys)
            fetched_at = self._fetched_at
            last_error = self._last_error
        return self._counters.snapshot(
            keys=held, keys_fetched_at=fetched_at, last_fetch_error=last_error
        )
