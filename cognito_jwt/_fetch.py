"""The HTTP fetch of a JWKS: the only module of the package that talks to the network.

* Keys come only from https URLs (http only for loopback hosts, or with
  ``allow_http=True``), never through a redirect.
* Status 200 only; the body is capped at ``MAX_JWKS_BYTES``.
* ``timeout`` bounds a whole fetch, not each read: when it passes, the
  request's socket is shut down, however slowly the server trickles bytes.
* A connection error (refused, reset, DNS) is retried once at once, within the
  same ``timeout``; timeouts and HTTP errors are not.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import socket
import ssl
import threading
from collections.abc import Callable
from typing import Any

import requests
import requests.adapters
import urllib3
import urllib3.connection
import urllib3.exceptions
import urllib3.response

from cognito_jwt.exceptions import JWKSFetchError

__all__ = ["MAX_JWKS_BYTES", "Fetcher", "HttpFetcher"]

logger = logging.getLogger("cognito_jwt")

#: The largest JWKS body read; Cognito's is about 1 KiB.
MAX_JWKS_BYTES = 64 * 1024

#: Fetch the body at a URL; raise JWKSFetchError when it cannot be had.
Fetcher = Callable[[str], bytes]


class NotFoundError(JWKSFetchError):
    """The URL answered 404. Where each key has a URL of its own, the key does not exist."""


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


class _ConnectionFailed(Exception):
    """A request failed on its connection; the message says why in a few words."""


def _is_connection_error(exc: Exception) -> bool:
    """Whether ``exc`` is a connection failing (worth one retry), not a TLS or HTTP problem."""
    if isinstance(exc, requests.exceptions.SSLError | urllib3.exceptions.SSLError | ssl.SSLError):
        return False
    return isinstance(
        exc,
        requests.ConnectionError
        | urllib3.exceptions.ProtocolError
        | urllib3.exceptions.NewConnectionError
        | ConnectionError
        | socket.gaierror,
    )


class HttpFetcher:
    """Fetch a JWKS over HTTP(S): no redirects, status 200 only, body capped, one deadline.

    ``timeout`` bounds the whole request. With the fetcher's own session it covers
    the wait for the headers as well as the body, however slowly a server trickles
    bytes; with a caller's ``session`` (whose transport is the caller's), the wait
    for the headers is bounded per read only, the body as a whole.
    """

    def __init__(
        self,
        session: requests.Session | None,
        timeout: float,
        *,
        not_found: type[JWKSFetchError] = JWKSFetchError,
    ) -> None:
        """Fetch through ``session`` (a new one if ``None``), ``timeout`` seconds per request.

        A 404 raises ``not_found`` (pass :class:`NotFoundError` where a 404 means
        something of its own, such as a kid no key is published for).
        """
        self._session = session if session is not None else _new_session()
        self._timeout = timeout
        self._not_found = not_found

    def __call__(self, url: str) -> bytes:
        """Return the body of ``url``.

        A request that fails on a connection error (refused, reset, closed
        without an answer, name not resolved) is retried once at once, within
        the same ``timeout``; a timeout, a TLS failure or an HTTP answer is not.

        Raises:
            JWKSFetchError: network error, timeout, redirect, non-200 status, body too big.

        """
        with _Deadline(self._timeout) as deadline:
            try:
                return self._attempt(url, deadline)
            except _ConnectionFailed as failure:
                logger.debug("JWKS request to %s failed (%s); retrying once", url, failure)
            try:
                return self._attempt(url, deadline)
            except _ConnectionFailed as failure:
                raise JWKSFetchError(f"JWKS request to {url} failed: {failure}") from None

    def _attempt(self, url: str, deadline: _Deadline) -> bytes:
        """Make one request under ``deadline``.

        Raises:
            _ConnectionFailed: a connection error, which is worth one more try.
            JWKSFetchError: any other failure.

        """
        timed_out = JWKSFetchError(f"JWKS request to {url} timed out after {self._timeout:g} s")
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
            if _is_connection_error(exc):
                raise _ConnectionFailed(_reason(exc)) from None
            raise JWKSFetchError(f"JWKS request to {url} failed: {_reason(exc)}") from None
        if deadline.expired:
            # The shutdown may have ended a body without a length early.
            raise timed_out
        return body

    def _read(self, url: str, response: requests.Response, deadline: _Deadline) -> bytes:
        status = response.status_code
        if 300 <= status < 400:
            raise JWKSFetchError(f"JWKS URL {url} answered with a {status} redirect (not followed)")
        if status == 404:
            raise self._not_found(f"JWKS URL {url} answered with HTTP status {status}")
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
