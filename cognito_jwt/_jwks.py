"""JWKS fetching, validation and the key cache: the only module that talks to the network.

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
* ``timeout`` bounds a whole fetch, not each read: when it passes, the
  request's socket is shut down, however slowly the server trickles bytes.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import logging
import re
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import cachetools
import requests
import requests.adapters
import urllib3
import urllib3.connection
import urllib3.exceptions
import urllib3.response

from cognito_jwt._crypto import KeyBuildError, VerifyingKey, build_key
from cognito_jwt._token import ALGORITHM, MAX_KID_LENGTH, b64url_decode, loads_strict
from cognito_jwt.exceptions import (
    ConfigurationError,
    InvalidSignatureError,
    JWKSFetchError,
    JWKSFormatError,
    UnknownKeyError,
    _describe,
)

logger = logging.getLogger("cognito_jwt")

#: The largest JWKS body read; Cognito's is about 1 KiB.
MAX_JWKS_BYTES = 64 * 1024
MIN_RSA_BITS = 2048
MAX_RSA_BITS = 4096
# Keys per issuer held at most; a JWKS within MAX_JWKS_BYTES cannot hold more.
_MAX_KEYS_PER_ISSUER = 128
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")

Fetcher = Callable[[str], bytes]


# --------------------------------------------------------------------------- URLs


def is_loopback_host(host: str | None) -> bool:
    """Return whether ``host`` names this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_jwks_url(url: object, *, allow_http: bool, name: str = "jwks_url") -> str:
    """Return ``url`` if keys may be fetched from it: https, or http on loopback.

    ``name`` says in messages where the URL came from.

    Raises:
        ConfigurationError: another scheme, no host, or http to a non-loopback host
            without ``allow_http``.

    """
    if not isinstance(url, str):
        raise ConfigurationError(f"{name} must be a str, not {type(url).__name__}")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigurationError(f"{name} {url!r} is not an absolute https URL")
    if parts.username or parts.password:
        raise ConfigurationError(f"{name} must not carry credentials")
    if parts.scheme == "http" and not (allow_http or is_loopback_host(parts.hostname)):
        raise ConfigurationError(
            f"{name} {url!r} is plain http; keys must come over https "
            "(http is allowed for loopback hosts, or with allow_http=True)"
        )
    return url


# --------------------------------------------------------------------------- fetching


class _Deadline:
    """One deadline over a whole request: when it passes, the request's socket is shut down.

    Socket timeouts bound each read, not the request: a server that sends a byte
    now and then (headers or body, chunked or not) would outlast any of them.
    Shutting the socket down from a timer thread ends whatever read waits on it.
    """

    _active = threading.local()

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._lock = threading.Lock()
        self._over = False
        self._shutdowns: list[Callable[[], object]] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        _Deadline._active.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        _Deadline._active.deadline = None
        with self._lock:
            self._over = True
        self._timer.cancel()

    @classmethod
    def watch_socket(cls, sock: object) -> None:
        """Put ``sock`` under the deadline of the request this thread is making, if any."""
        deadline: _Deadline | None = getattr(cls._active, "deadline", None)
        if deadline is not None and isinstance(sock, socket.socket):
            deadline.watch(functools.partial(_shutdown_socket, sock))

    def watch(self, shutdown: Callable[[], object]) -> None:
        """Call ``shutdown`` when the deadline passes (at once if it has)."""
        with self._lock:
            if self._over:
                return
            self._shutdowns.append(shutdown)
            expired = self.expired
        if expired:
            _quietly(shutdown)

    def _expire(self) -> None:
        with self._lock:
            if self._over:
                return
            self.expired = True
            shutdowns = list(self._shutdowns)
        for shutdown in shutdowns:
            _quietly(shutdown)


def _shutdown_socket(sock: socket.socket) -> None:
    # socket.socket's own shutdown, not SSLSocket's: that one drops the TLS state
    # under the reader in the other thread; this only ends the TCP stream, which
    # wakes the reader with an error or end of file.
    socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _quietly(shutdown: Callable[[], object]) -> None:
    # OSError: the socket is closed already; ValueError, RuntimeError: urllib3's
    # HTTPResponse.shutdown() when it has no socket (any more) to shut down.
    with contextlib.suppress(OSError, ValueError, RuntimeError):
        shutdown()


class _WatchedHTTPConnection(urllib3.connection.HTTPConnection):
    """A connection whose wait for the response (status line, headers) the deadline covers."""

    def getresponse(self) -> urllib3.response.HTTPResponse:  # type: ignore[override]
        """Put the socket under the current request's deadline, then read the response."""
        _Deadline.watch_socket(self.sock)
        return super().getresponse()


class _WatchedHTTPSConnection(_WatchedHTTPConnection, urllib3.connection.HTTPSConnection):
    """The https flavour of :class:`_WatchedHTTPConnection`."""


class _WatchedHTTPConnectionPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSConnectionPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS: dict[str, type[urllib3.HTTPConnectionPool]] = {
    "http": _WatchedHTTPConnectionPool,
    "https": _WatchedHTTPSConnectionPool,
}


class _DeadlineAdapter(requests.adapters.HTTPAdapter):
    """The transport of the fetcher's own session: its connections honour the deadline."""

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        """Build the pool manager with connections the deadline can reach."""
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = _WATCHED_POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        """Build a proxy manager with connections the deadline can reach (not for SOCKS)."""
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if isinstance(manager, urllib3.ProxyManager):
            manager.pool_classes_by_scheme = _WATCHED_POOLS
        return manager


def _new_session() -> requests.Session:
    session = requests.Session()
    adapter = _DeadlineAdapter()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


# The operating system's words inside requests' and urllib3's nested messages,
# such as "[Errno 111] Connection refused".
_OS_ERROR = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")


def _reason(exc: Exception) -> str:
    """Say why a request failed in a few words, without the transport's internal reprs."""
    found = _OS_ERROR.search(str(exc))
    if found:
        return found.group(1).strip().rstrip(".").lower()
    return type(exc).__name__


class HttpFetcher:
    """Fetch a JWKS over HTTP(S): no redirects, status 200 only, body capped, one deadline.

    ``timeout`` bounds the whole request. With the fetcher's own session it covers
    the wait for the headers as well as the body, however slowly a server trickles
    bytes; with a caller's ``session`` (whose transport is the caller's), the wait
    for the headers is bounded per read only, the body as a whole.
    """

    def __init__(self, session: requests.Session | None, timeout: float) -> None:
        """Fetch through ``session`` (a new one if ``None``), ``timeout`` seconds per request."""
        self._session = session if session is not None else _new_session()
        self._timeout = timeout

    def __call__(self, url: str) -> bytes:
        """Return the body of ``url``.

        Raises:
            JWKSFetchError: network error, timeout, redirect, non-200 status, body too big.

        """
        timed_out = JWKSFetchError(f"JWKS request to {url} timed out after {self._timeout:g} s")
        with _Deadline(self._timeout) as deadline:
            try:
                with self._session.get(
                    url,
                    timeout=(self._timeout, self._timeout),
                    allow_redirects=False,
                    stream=True,
                    headers={"Accept": "application/json", "Accept-Encoding": "identity"},
                ) as response:
                    # Through a caller's session the wait for the headers was bounded
                    # per read only; from here on the deadline covers the body too.
                    shutdown = getattr(response.raw, "shutdown", None)
                    if callable(shutdown):
                        deadline.watch(shutdown)
                    body = self._read(url, response, deadline)
            except JWKSFetchError:
                raise
            except (requests.Timeout, urllib3.exceptions.TimeoutError):
                raise timed_out from None
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
                if deadline.expired:
                    raise timed_out from None
                raise JWKSFetchError(f"JWKS request to {url} failed: {_reason(exc)}") from None
            if deadline.expired:
                # The shutdown may have ended a body without a length early.
                raise timed_out
        return body

    def _read(self, url: str, response: requests.Response, deadline: _Deadline) -> bytes:
        status = response.status_code
        if 300 <= status < 400:
            raise JWKSFetchError(f"JWKS URL {url} answered with a {status} redirect (not followed)")
        if status != 200:
            raise JWKSFetchError(f"JWKS URL {url} answered with HTTP status {status}")
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > MAX_JWKS_BYTES:
            raise JWKSFetchError(f"JWKS body of {declared} bytes is over {MAX_JWKS_BYTES}")
        raw = response.raw
        body = bytearray()
        while not deadline.expired:
            chunk = raw.read1(MAX_JWKS_BYTES + 1 - len(body), decode_content=True)
            if not chunk:
                return bytes(body)
            body += chunk
            if len(body) > MAX_JWKS_BYTES:
                raise JWKSFetchError(f"JWKS body is over {MAX_JWKS_BYTES} bytes")
        raise JWKSFetchError(f"JWKS request to {url} timed out after {self._timeout:g} s")


# --------------------------------------------------------------------------- validation


def _decode_uint(jwk: Mapping[str, Any], name: str) -> int:
    value = jwk.get(name)
    if not isinstance(value, str) or not _BASE64URL.fullmatch(value):
        raise ValueError(f"{name} is not a base64url string")
    return int.from_bytes(b64url_decode(value, name, ValueError), "big")


def _unusable_reason(jwk: Mapping[str, Any]) -> str | None:
    if jwk.get("kty") != "RSA":
        return f"kty {_describe(jwk.get('kty'))} is not RSA"
    if jwk.get("use", "sig") != "sig":
        return f"use {_describe(jwk.get('use'))} is not sig"
    if jwk.get("alg", ALGORITHM) != ALGORITHM:
        return f"alg {_describe(jwk.get('alg'))} is not RS256"
    key_ops = jwk.get("key_ops")
    if key_ops is not None and (not isinstance(key_ops, list) or "verify" not in key_ops):
        return f"key_ops {_describe(key_ops)} does not allow verify"
    return None


class KeySet(dict[str, VerifyingKey]):
    """The usable keys of a JWKS by kid; ``unusable`` says why each other kid was skipped.

    A token naming a skipped kid is refused as unusable (``InvalidSignatureError``)
    instead of as unknown, and costs no refetch.
    """

    def __init__(
        self,
        keys: Mapping[str, VerifyingKey] | None = None,
        unusable: Mapping[str, str] | None = None,
    ) -> None:
        """Hold ``keys`` and the ``unusable`` kids with their reasons."""
        super().__init__(keys or {})
        self.unusable: dict[str, str] = dict(unusable or {})


def unusable_key_error(kid: str, reason: str) -> InvalidSignatureError:
    """The error for a token whose kid names a key the JWKS publishes but that cannot verify."""
    return InvalidSignatureError(f"key {_describe(kid)} cannot verify RS256 tokens: {reason}")


def parse_jwks(document: object, previous: Mapping[str, VerifyingKey] | None = None) -> KeySet:
    """Validate a JWKS (bytes of JSON, or an already decoded mapping) and build its keys.

    Keys that are not RSA signing keys for RS256 of 2048 to 4096 bits with an
    odd exponent of at least 3 are skipped. A key of ``previous`` with the same
    kid and material is reused rather than rebuilt.

    Raises:
        JWKSFormatError: not a JWKS, a duplicate kid, or no usable key.

    """
    if isinstance(document, bytes | bytearray):
        document = loads_strict(bytes(document), "JWKS", JWKSFormatError)
    if not isinstance(document, Mapping):
        raise JWKSFormatError(f"JWKS is a {type(document).__name__}, not a JSON object")
    entries = document.get("keys")
    if not isinstance(entries, list):
        raise JWKSFormatError("JWKS has no 'keys' list")
    kids = [e["kid"] for e in entries if isinstance(e, Mapping) and isinstance(e.get("kid"), str)]
    if len(set(kids)) != len(kids):
        duplicated = sorted({k for k in kids if kids.count(k) > 1})
        raise JWKSFormatError(f"JWKS repeats kid {_describe(duplicated[0])}; the set is refused")
    keys: dict[str, VerifyingKey] = {}
    unusable: dict[str, str] = {}
    skipped: list[str] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            skipped.append(f"keys[{index}] is not an object")
            continue
        kid = entry.get("kid")
        if not isinstance(kid, str) or not 0 < len(kid) <= MAX_KID_LENGTH:
            skipped.append(f"keys[{index}] has no usable kid")
            continue
        reason = _unusable_reason(entry)
        try:
            if reason is None:
                key = _build_checked(kid, dict(entry), previous)
                keys[kid] = key
                continue
        except (ValueError, KeyBuildError) as exc:
            reason = str(exc)
        unusable[kid] = reason
        skipped.append(f"kid {_describe(kid)}: {reason}")
    for reason in skipped:
        logger.debug("JWKS key skipped: %s", reason)
    if not keys:
        detail = "; ".join(skipped[:5]) or "the set is empty"
        raise JWKSFormatError(f"JWKS has no usable RSA signing key ({detail})")
    if len(keys) > _MAX_KEYS_PER_ISSUER:
        raise JWKSFormatError(f"JWKS has {len(keys)} keys, over {_MAX_KEYS_PER_ISSUER}")
    return KeySet(keys, unusable)


def _build_checked(
    kid: str, jwk: dict[str, Any], previous: Mapping[str, VerifyingKey] | None
) -> VerifyingKey:
    n = _decode_uint(jwk, "n")
    e = _decode_uint(jwk, "e")
    if not MIN_RSA_BITS <= n.bit_length() <= MAX_RSA_BITS:
        raise ValueError(f"modulus of {n.bit_length()} bits, need {MIN_RSA_BITS} to {MAX_RSA_BITS}")
    if n % 2 == 0:
        # No RSA modulus is even, yet cryptography builds a key from one all the same.
        raise ValueError("modulus is even")
    if e < 3 or e % 2 == 0 or e >= n:
        raise ValueError(f"public exponent {_describe(e)} is not an odd number >= 3")
    old = previous.get(kid) if previous else None
    if old is not None and old.n == n and old.e == e:
        return old
    return build_key(kid, jwk, n, e)


# --------------------------------------------------------------------------- cache


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
            maxsize=_MAX_KEYS_PER_ISSUER * len(self._states),
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
