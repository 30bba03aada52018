"""Key caches: the JWKS of Cognito issuers, and the per-kid PEM keys of load balancers.

Cache rules (see the docs' configuration page for the user's view):

* Keys are held in a ``cachetools.TTLCache`` keyed by ``(issuer, kid)``; an
  entry lives ``jwks_ttl + max_stale`` seconds from the fetch that brought it.
* A set is *fresh* for ``jwks_ttl``; after that the next call refetches. If
  that fails, the last good keys keep serving until they drop out of the
  cache (stale-if-error), with a warning, and the next attempt waits
  ``refresh_cooldown``.
* An unknown kid triggers one refetch; after it no other for
  ``refresh_cooldown`` seconds, and unknown kids fail fast meanwhile. A fetch
  (for the TTL, or the first one) that leaves the asked-for kid unknown starts
  the cooldown too.
* Concurrent misses share one in-flight fetch per issuer (single flight).

The network is reached only through the injected fetcher (``_fetch``); the
documents are validated by ``_jwks``.
"""

from __future__ import annotations

import collections
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import cachetools

from cognito_jwt._crypto import EcVerifyingKey, KeyBuildError, VerifyingKey, build_ec_key
from cognito_jwt._fetch import Fetcher, NotFoundError
from cognito_jwt._jwks import MAX_KEYS_PER_ISSUER, KeySet, parse_jwks, unusable_key_error
from cognito_jwt.exceptions import (
    ConfigurationError,
    JWKSFetchError,
    JWKSFormatError,
    UnknownKeyError,
    _describe,
)

logger = logging.getLogger("cognito_jwt")


@dataclass(eq=False)
class _IssuerState:
    """What the store knows about one issuer's key set."""

    url: str
    fetch_lock: threading.Lock = field(default_factory=threading.Lock)
    kids: frozenset[str] = frozenset()
    # The keys of the set while it is fresh, read without the lock (see lookup()).
    fresh_keys: Mapping[str, VerifyingKey] = field(default_factory=dict)
    unusable: Mapping[str, str] = field(default_factory=dict)
    fresh_until: float = float("-inf")
    next_attempt: float = float("-inf")
    attempts: int = 0
    fetching: bool = False
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
        on_change: Callable[[], None] = lambda: None,
    ) -> None:
        """Hold keys for each issuer of ``jwks_urls`` (issuer to JWKS URL)."""
        self._fetcher = fetcher
        self._ttl = ttl
        self._cooldown = cooldown
        self._clock = clock
        self._on_change = on_change
        self._lock = threading.Lock()
        self._states = {issuer: _IssuerState(url) for issuer, url in jwks_urls.items()}
        self._keys: cachetools.TTLCache[tuple[str, str], VerifyingKey] = cachetools.TTLCache(
            maxsize=MAX_KEYS_PER_ISSUER * len(self._states),
            ttl=ttl + max_stale,
            timer=clock,
        )

    def _has_keys(self, issuer: str, state: _IssuerState) -> bool:
        return any((issuer, kid) in self._keys for kid in state.kids)

    def lookup(self, issuer: str, kid: str) -> Lookup:
        """Return the key if it can be had without the network, else what a fetch must follow.

        Raises:
            UnknownKeyError: the kid is unknown and a refetch is not allowed yet.
            JWKSFetchError: no keys at all, and the last fetch failed within the cooldown
                (JWKSFormatError when what it fetched was not a usable JWKS).

        """
        now = self._clock()
        state = self._states[issuer]
        if now < state.fresh_until:
            # The common case, without the lock: a fresh set that has the kid. A
            # concurrent install swaps in a whole new dict, so the read sees one set.
            key = state.fresh_keys.get(kid)
            if key is not None:
                return Lookup(key, state.attempts)
        with self._lock:
            key = self._keys.get((issuer, kid))
            if key is not None:
                # Stale keys keep serving while another caller refreshes, or while
                # failed refreshes wait out the cooldown.
                if now < state.fresh_until or now < state.next_attempt or state.fetching:
                    return Lookup(key, state.attempts)
                return Lookup(None, state.attempts)
            reason = state.unusable.get(kid)
            if reason is not None and self._has_keys(issuer, state):
                raise unusable_key_error(kid, reason)
            if now < state.next_attempt:
                raise self._miss_error(issuer, kid, state, now)
            return Lookup(None, state.attempts)

    def get(self, issuer: str, kid: str) -> VerifyingKey:
        """Return the key ``kid`` of ``issuer``, fetching the issuer's JWKS if needed.

        Raises:
            UnknownKeyError: the kid is not in the JWKS, even after a refetch.
            JWKSFetchError: the JWKS could not be fetched and no good key can serve.
            JWKSFormatError: the fetched document is not a usable JWKS.

        """
        state = self._states[issuer]
        if self._clock() < state.fresh_until:
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
        with state.fetch_lock:
            with self._lock:
                due = state.attempts == attempts
                unknown_kid = (issuer, kid) not in self._keys and self._has_keys(issuer, state)
                if due:
                    state.fetching = True
            if due:
                try:
                    self._refresh(issuer, state, unknown_kid=unknown_kid, wanted=kid)
                finally:
                    state.fetching = False
        with self._lock:
            key = self._keys.get((issuer, kid))
            if key is not None:
                return key
            error = state.last_error
            reason = state.unusable.get(kid)
        if error is not None:
            # A fresh instance per caller: one shared instance would pile up tracebacks.
            raise type(error)(str(error))
        if reason is not None:
            raise unusable_key_error(kid, reason)
        raise self._unknown(issuer, kid)

    def _refresh(
        self, issuer: str, state: _IssuerState, *, unknown_kid: bool, wanted: str | None = None
    ) -> None:
        """Fetch ``issuer``'s JWKS and install it; record a failure instead of raising.

        The cooldown starts after a fetch made for an unknown kid, and after any
        fetch that leaves the ``wanted`` kid unknown: the set was just fetched, so
        another fetch for that kid (or any other unknown one) must wait.
        """
        try:
            body = self._fetcher(state.url)
            with self._lock:
                previous = self._current(issuer, state)
            keys = parse_jwks(body, previous)
        except (JWKSFetchError, JWKSFormatError) as exc:
            now = self._clock()
            with self._lock:
                state.attempts += 1
                state.last_error = exc
                state.next_attempt = now + self._cooldown
                serving = self._has_keys(issuer, state)
            if serving:
                logger.warning(
                    "JWKS refresh from %s failed (%s); serving the last good keys, "
                    "next attempt in %g s",
                    state.url,
                    exc,
                    self._cooldown,
                )
            else:
                logger.error("JWKS fetch from %s failed: %s", state.url, exc)
            return
        now = self._clock()
        with self._lock:
            state.attempts += 1
            state.last_error = None
            if unknown_kid or (wanted is not None and wanted not in keys):
                state.next_attempt = now + self._cooldown
            self._install(issuer, state, keys, now)
        logger.info("JWKS fetched from %s: %d usable key(s)", state.url, len(keys))

    def _current(self, issuer: str, state: _IssuerState) -> dict[str, VerifyingKey]:
        found = {kid: self._keys.get((issuer, kid)) for kid in state.kids}
        return {kid: key for kid, key in found.items() if key is not None}

    def _install(self, issuer: str, state: _IssuerState, keys: KeySet, now: float) -> None:
        """Replace ``issuer``'s keys (caller holds the lock); signal a change of key set."""
        previous = self._current(issuer, state)
        for kid in state.kids:
            self._keys.pop((issuer, kid), None)
        for kid, key in keys.items():
            self._keys[(issuer, kid)] = key
        state.kids = frozenset(keys)
        state.unusable = keys.unusable
        state.fresh_keys = dict(keys)
        state.fresh_until = now + self._ttl
        if previous != dict(keys):
            self._on_change()

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
        with state.fetch_lock:
            self._refresh(issuer, state, unknown_kid=False)
            with self._lock:
                error = state.last_error
                count = len(state.kids)
        if error is not None:
            raise type(error)(str(error))
        return count

    def current_keys(self, issuer: str) -> dict[str, VerifyingKey]:
        """The keys ``issuer`` has in the cache now (fresh or stale)."""
        with self._lock:
            return self._current(issuer, self._states[issuer])

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

    def __init__(self, keys: KeySet) -> None:
        """Serve ``keys`` (kid to key)."""
        self._keys = keys

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


def static_keys(jwks: Mapping[str, Any]) -> StaticKeys:
    """Validate a ``jwks=`` argument and build its keys.

    Raises:
        ConfigurationError: it is not a JWKS with a usable key.

    """
    try:
        return StaticKeys(parse_jwks(jwks))
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
    """One in-flight fetch of one kid, which concurrent callers wait for instead of repeating."""

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
    ) -> None:
        """Fetch keys from ``keys_url`` (no trailing slash needed) through ``fetcher``."""
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
        # Read by the verifier's statistics.
        self.fetch_success = 0
        self.fetch_failed = 0
        self.fetched_at: float | None = None
        self.last_error: str | None = None

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
                self.fetch_success += 1
                self.fetched_at = now
                self.last_error = None
            elif flight.error is not None:
                if not isinstance(flight.error, UnknownKeyError):
                    self.fetch_failed += 1
                    self.last_error = str(flight.error)
                # Every refused kid came through the fetch budget, so this holds at
                # most MAX_NEW_KID_FETCHES live entries; drop the expired ones.
                self._refused = {k: v for k, v in self._refused.items() if v[0] > now}
                self._refused[kid] = (now + self._cooldown, flight.error)
        flight.done.set()
        if flight.key is not None:
            logger.info(
                "ALB key %s fetched from %s",
                kid,
                self.keys_url,
                extra={"cognito_jwt_event": "jwks_fetch", "url": self.keys_url, "kid": kid},
            )
        elif not isinstance(flight.error, UnknownKeyError):
            logger.error(
                "ALB key fetch failed: %s",
                flight.error,
                extra={"cognito_jwt_event": "jwks_fetch_failed", "url": self.keys_url, "kid": kid},
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
                self.fetched_at = now
