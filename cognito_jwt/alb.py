"""AlbVerifier: verify the user claims an Application Load Balancer forwards after sign-in.

An ALB with an ``authenticate-cognito`` (or ``authenticate-oidc``) action sends
its targets ``x-amzn-oidc-data``: a JWT the load balancer signs itself (ES256,
one P-256 key per kid, published as PEM at ``{keys_url}/{kid}``), with the
signer, app client, issuer and expiry in its header and the user's claims in
its payload. Its segments may keep their base64 ``=`` padding.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping

import requests

from cognito_jwt import _checks, _fetch, _keystore, _options, _pool, _stats, _token
from cognito_jwt._crypto import EcVerifyingKey, KeyBuildError, build_ec_key
from cognito_jwt._customcheck import await_check, refuse_awaitable, run_check
from cognito_jwt._tokencache import MAX_CACHED_TOKEN, TOKEN_CACHE_SECONDS, VerifiedTokens
from cognito_jwt.claims import AlbClaims
from cognito_jwt.exceptions import (
    CognitoJWTError,
    ConfigurationError,
    InvalidSignatureError,
    JWKSFormatError,
    MalformedTokenError,
    MissingTokenError,
    _describe,
)

__all__ = ["AlbVerifier"]

#: The header an ALB puts its signed user claims in.
_DATA_HEADER = "x-amzn-oidc-data"

_AlbCheck = Callable[[AlbClaims], Awaitable[None] | None]


class AlbVerifier:
    """Verify ``x-amzn-oidc-data``, the token an Application Load Balancer signs after sign-in.

    Construct one per service and reuse it: it holds the key cache and the
    verified-token cache, and is safe to share between threads and asyncio
    tasks. ``client_ids`` and ``issuer`` have no default on purpose: pass
    ``None`` explicitly to accept any app client or any IdP. The signer, client
    and issuer in the token's header are checked before any key is fetched.

    Raises:
        ConfigurationError: an argument is invalid (the message says which and why).

    """

    def __init__(
        self,
        alb_arns: str | Iterable[str],
        *,
        client_ids: str | Iterable[str] | None,
        issuer: str | None,
        keys_url: str | None = None,
        leeway: float = 0.0,
        session: requests.Session | None = None,
        timeout: float = 3.0,
        refresh_cooldown: float = 10.0,
        allow_http: bool = False,
        max_token_bytes: int = 65536,
        token_cache_size: int = 1024,
        custom_check: _AlbCheck | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Configure the verifier; no network call is made here."""
        self._alb_arns = _options.strings("alb_arns", alb_arns)
        locations = {_pool.alb_region(arn) for arn in self._alb_arns}
        if not isinstance(allow_http, bool):
            raise ConfigurationError(f"allow_http must be a bool, not {allow_http!r}")
        if keys_url is None:
            if len(locations) > 1:
                raise ConfigurationError(
                    "alb_arns name load balancers in more than one region "
                    f"({', '.join(sorted(region for _, region in locations))}); keys are "
                    "published per region: use one AlbVerifier per region, or pass keys_url"
                )
            (partition, region) = next(iter(locations))
            keys_url = _pool.alb_keys_url(partition, region)
        else:
            keys_url = _pool.check_jwks_url(keys_url, allow_http=allow_http, name="keys_url")
        self._signers = frozenset(self._alb_arns)
        self._client_ids = _options.client_ids(client_ids)
        self._issuer = None if issuer is None else _options.issuer_url(issuer)
        options = _options.common(
            leeway=leeway,
            max_token_bytes=max_token_bytes,
            custom_check=custom_check,
            clock=clock,
            token_cache_size=token_cache_size,
            timeout=timeout,
            refresh_cooldown=refresh_cooldown,
            session=session,
        )
        self._leeway = options.leeway
        self._max_token_bytes = options.max_token_bytes
        self._custom_check = custom_check
        self._async_check = options.async_check
        self._clock = clock
        # Bumped without a lock on the hot path; shared with the key cache (see stats()).
        self._counters = _stats.Counters()
        cache_size = options.token_cache_size
        self._token_cache = (
            VerifiedTokens[AlbClaims](cache_size, self._counters) if cache_size else None
        )
        self._store = _keystore.AlbKeyStore(
            keys_url,
            fetcher=_fetch.HttpFetcher(session, options.timeout, not_found=_fetch.NotFoundError),
            cooldown=options.refresh_cooldown,
            clock=clock,
            counters=self._counters,
        )

    # ------------------------------------------------------------------ properties

    @property
    def alb_arns(self) -> tuple[str, ...]:
        """The ARNs of the load balancers whose tokens are accepted (header ``signer``)."""
        return self._alb_arns

    @property
    def issuer(self) -> str | None:
        """The IdP issuer required in the header's ``iss``, or ``None`` for any."""
        return self._issuer

    @property
    def client_ids(self) -> frozenset[str] | None:
        """The app clients accepted in the header's ``client``, or ``None`` for any."""
        return self._client_ids

    @property
    def keys_url(self) -> str:
        """The URL the keys are fetched under, ``{keys_url}/{kid}``: derived or as given."""
        return self._store.keys_url

    def __repr__(self) -> str:
        """Show the load balancers, client and issuer accepted."""
        clients = None if self._client_ids is None else sorted(self._client_ids)
        return (
            f"AlbVerifier(alb_arns={list(self._alb_arns)!r}, client_ids={clients!r}, "
            f"issuer={self._issuer!r})"
        )

    # ------------------------------------------------------------------ verification

    def verify(self, token: str) -> AlbClaims:
        """Verify an ``x-amzn-oidc-data`` token and return its claims.

        Raises:
            InvalidTokenError: (a subclass) the token is not acceptable; HTTP 401.
                ``InvalidSignerError`` names another load balancer.
            JWKSError: (a subclass) the load balancer's key could not be had; HTTP 503.
            ConfigurationError: ``custom_check`` is async (use :meth:`averify`), or
                returned something other than ``None``.

        An error raised after the signature verified (expiry, payload issuer, custom
        check) carries the verified claims as ``claims``.

        """
        if self._async_check:
            raise refuse_awaitable(None)
        try:
            claims = self._cached(token)
            if claims is None:
                parsed = self._parse(token)
                claims = self._finish(token, parsed, self._store.get(parsed.kid))
            check = self._custom_check
            if check is not None:
                outcome = run_check(check, claims)
                if outcome is not None:  # a check that is not run fails open: refuse
                    raise refuse_awaitable(outcome)
        except CognitoJWTError as error:
            self._counters.deny(error)
            raise
        self._counters.allowed += 1
        return claims

    async def averify(self, token: str) -> AlbClaims:
        """Verify ``token`` like :meth:`verify`, never blocking the event loop.

        A key fetch, when one is needed, runs in a worker thread; sync and async
        callers share one cache and one in-flight fetch. An async ``custom_check``
        is awaited.
        """
        try:
            claims = self._cached(token)
            if claims is None:
                parsed = self._parse(token)
                key = self._store.cached(parsed.kid)
                if key is None:
                    key = await asyncio.to_thread(self._store.fetch, parsed.kid)
                claims = self._finish(token, parsed, key)
            check = self._custom_check
            if check is not None:
                outcome = run_check(check, claims)
                if outcome is not None:
                    await await_check(claims, outcome)
        except CognitoJWTError as error:
            self._counters.deny(error)
            raise
        self._counters.allowed += 1
        return claims

    def verify_headers(self, headers: Mapping[str, str]) -> AlbClaims:
        """Verify the ``x-amzn-oidc-data`` header of a request's ``headers`` (any case).

        Raises:
            MissingTokenError: the header is absent or empty.
            MalformedTokenError: it appears twice with different values, or is not text.
            CognitoJWTError: as :meth:`verify` does.

        """
        return self.verify(_data_header(headers, self._counters))

    async def averify_headers(self, headers: Mapping[str, str]) -> AlbClaims:
        """Verify the ``x-amzn-oidc-data`` header like :meth:`verify_headers`, without blocking."""
        return await self.averify(_data_header(headers, self._counters))

    # ------------------------------------------------------------------ keys

    def stats(self) -> _stats.VerifierStats:
        """Return a snapshot of the counters and of the key cache (see :class:`VerifierStats`).

        The counters are those of ``CognitoVerifier.stats()``, exact when one thread
        verifies (bumped without a lock). ``jwks_fetch_success`` and
        ``jwks_fetch_failed`` count the fetches of load balancer keys (one request
        per kid); a kid answered with 404 counts as neither, being the token's fault
        rather than the key server's (it is counted in ``denied_by_error`` as
        ``UnknownKeyError``). ``keys`` is the number of keys held,
        ``keys_fetched_at`` the time of the latest fetch or :meth:`load_keys`,
        ``last_fetch_error`` the latest failed fetch's message (``None`` once a fetch
        succeeds again). A load balancer's key never changes for its kid, so ALB
        keys never expire: ``keys_fresh_until`` is always ``None``, and
        ``background_refreshes`` and ``stale_key_uses`` are always 0.
        """
        return self._store.stats()

    def load_keys(self, keys: Mapping[str, str | bytes]) -> int:
        """Add load balancer keys (kid to PEM public key) to the cache; return how many.

        Keys never change for a kid, so loaded keys are kept like fetched ones.

        Raises:
            JWKSFormatError: a kid is not a canonical UUID, or a PEM is not a P-256
                public key (then no key is added).
            ConfigurationError: ``keys`` is not a mapping.

        """
        if not isinstance(keys, Mapping):
            raise ConfigurationError(f"load_keys takes a mapping, not {type(keys).__name__}")
        built: dict[str, EcVerifyingKey] = {}
        for kid, pem in keys.items():
            if not isinstance(kid, str) or not _token.is_canonical_uuid(kid):
                raise JWKSFormatError(f"kid {_describe(kid)} is not a canonical UUID")
            data = pem.encode("utf-8") if isinstance(pem, str) else pem
            if not isinstance(data, bytes):
                raise JWKSFormatError(f"key {kid} is a {type(pem).__name__}, not PEM text")
            try:
                built[kid] = build_ec_key(kid, data)
            except KeyBuildError as exc:
                raise JWKSFormatError(f"key {kid} is not a P-256 public key: {exc}") from None
        self._store.install(built)
        return len(built)

    # ------------------------------------------------------------------ internals

    def _cached(self, token: object) -> AlbClaims | None:
        cache = self._token_cache
        if cache is None or type(token) is not str:
            return None
        return cache.get(token, self._clock())

    def _parse(self, token: object) -> _token.ParsedToken:
        parsed = _token.parse_padded(token, self._max_token_bytes, _token.check_alb_header)
        header = parsed.header
        assert header is not None  # noqa: S101 - parse_padded always decodes the header
        _checks.check_alb_origin(
            header, signers=self._signers, client_ids=self._client_ids, issuer=self._issuer
        )
        return parsed

    def _finish(self, token: str, parsed: _token.ParsedToken, key: EcVerifyingKey) -> AlbClaims:
        if not key.verify(parsed.signing_input, parsed.signature):
            raise InvalidSignatureError(f"signature does not verify with key {_describe(key.kid)}")
        header = parsed.header
        assert header is not None  # noqa: S101 - parse_padded always decodes the header
        now = self._clock()
        try:
            expiry = _checks.check_alb_token(header, parsed.payload, now=now, leeway=self._leeway)
        except CognitoJWTError as exc:  # the signature verified: say whose token it was
            exc.claims = AlbClaims._adopt(parsed.payload, header)
            raise
        claims = AlbClaims._adopt(parsed.payload, header)
        cache = self._token_cache
        if cache is not None and len(token) <= MAX_CACHED_TOKEN:
            cache.remember(
                token,
                claims,
                float("-inf"),
                min(now + TOKEN_CACHE_SECONDS, expiry + self._leeway),
            )
        return claims


def _data_header(headers: Mapping[str, str], counters: _stats.Counters) -> str:
    """Return the ``x-amzn-oidc-data`` value of ``headers``, whatever the name's case.

    A refusal is counted in ``counters``: no verification sees the call.

    Raises:
        MissingTokenError: the header is absent or empty.
        MalformedTokenError: it appears twice with different values, or is not text.

    """
    try:
        return _header_value(headers)
    except CognitoJWTError as error:
        counters.deny(error)
        raise


def _header_value(headers: Mapping[str, str]) -> str:
    if not isinstance(headers, Mapping):
        raise MalformedTokenError(f"headers must be a mapping, not {type(headers).__name__}")
    values = {
        value
        for name, value in headers.items()
        if isinstance(name, str) and name.lower() == _DATA_HEADER
    }
    if not values:
        # Case-insensitive mappings (Starlette's, Werkzeug's) may list names in a
        # form of their own; asking them directly finds the header anyway.
        found = headers.get(_DATA_HEADER)
        if found is not None:
            values = {found}
    if len(values) > 1:
        raise MalformedTokenError(f"header {_DATA_HEADER} appears more than once")
    value: object = values.pop() if values else None
    if isinstance(value, bytes):
        try:
            value = value.decode("ascii")
        except UnicodeDecodeError:
            raise MalformedTokenError(f"header {_DATA_HEADER} is not ASCII") from None
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        raise MissingTokenError(f"no {_DATA_HEADER} header")
    if not isinstance(value, str):
        raise MalformedTokenError(
            f"header {_DATA_HEADER} must be a str, not {type(value).__name__}"
        )
    return value
