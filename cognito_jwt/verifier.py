"""CognitoVerifier and MultiPoolVerifier: configuration and orchestration of one verification."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from types import EllipsisType
from typing import TYPE_CHECKING, Any, Protocol

from cognito_jwt import _checks, _jwks, _keystore, _options, _pool, _stats, _token
from cognito_jwt._checks import Policy, TokenUse
from cognito_jwt._crypto import VerifyingKey
from cognito_jwt._customcheck import attach, await_check, refuse_awaitable, run_check
from cognito_jwt._tokencache import MAX_CACHED_TOKEN, VerifiedTokens
from cognito_jwt.claims import CognitoClaims
from cognito_jwt.exceptions import (
    CognitoJWTError,
    ConfigurationError,
    InvalidSignatureError,
    MalformedTokenError,
    MissingTokenError,
    _describe,
)
from cognito_jwt.revocation import RevocationList

if TYPE_CHECKING:
    import requests

__all__ = ["CognitoVerifier", "MultiPoolVerifier"]

CustomCheck = Callable[[CognitoClaims], Awaitable[None] | None]

# Header segments remembered as acceptable: a pool has a handful, one per kid.
_MAX_KNOWN_HEADERS = 32
_MAX_KNOWN_HEADER = 1024


class _KeySource(Protocol):
    def lookup(self, issuer: str, kid: str) -> _keystore.Lookup: ...

    def get(self, issuer: str, kid: str) -> VerifyingKey: ...

    def fetch_and_get(self, issuer: str, kid: str, attempts: int) -> VerifyingKey: ...

    def stats(self) -> _stats.VerifierStats: ...


def _remember_header(known: dict[bytes, str], parsed: _token.ParsedToken) -> None:
    """Remember a decoded header segment as acceptable; call only once its signature verified.

    Only headers under a valid signature get in, so a flood of made-up headers
    cannot push a pool's own out; at most _MAX_KNOWN_HEADERS are kept.
    """
    if parsed.header is not None and len(parsed.header_segment) <= _MAX_KNOWN_HEADER:
        if len(known) >= _MAX_KNOWN_HEADERS:
            known.clear()
        known[parsed.header_segment] = parsed.kid


def _bearer_token(authorization: object, counters: _stats.Counters) -> str:
    """Take the token out of an ``Authorization: Bearer <token>`` header value.

    A refusal is counted in ``counters``: no verifier sees the call.
    """
    try:
        return _token_of_header(authorization)
    except CognitoJWTError as error:
        counters.deny(error)
        raise


def _token_of_header(authorization: object) -> str:
    if authorization is None:
        raise MissingTokenError("no Authorization header")
    if isinstance(authorization, bytes):
        try:
            authorization = authorization.decode("ascii")
        except UnicodeDecodeError:
            raise MalformedTokenError("Authorization header is not ASCII") from None
    if not isinstance(authorization, str):
        raise MalformedTokenError(
            f"Authorization header must be a str, not {type(authorization).__name__}"
        )
    scheme, _, credentials = authorization.strip().partition(" ")
    if not scheme:
        raise MissingTokenError("empty Authorization header")
    if scheme.lower() != "bearer":
        raise MissingTokenError(f"Authorization scheme {_describe(scheme[:20])} is not Bearer")
    token = credentials.strip(" ")
    if not token:
        raise MissingTokenError("Bearer scheme without a token")
    return token


class CognitoVerifier:
    """Verify the JWTs of one Cognito User Pool: signature, lifetime, issuer, client, kind.

    Construct one per pool and reuse it: it holds the JWKS cache and the
    verified-token cache, and is safe to share between threads and asyncio tasks.
    Every argument after ``user_pool_id`` is keyword-only; ``client_ids`` and
    ``token_use`` have no default on purpose (pass ``None`` explicitly to accept
    any client or either kind of token). The docs' configuration page describes
    each argument.

    Raises:
        ConfigurationError: an argument is invalid (the message says which and why).

    """

    def __init__(
        self,
        region: str,
        user_pool_id: str,
        *,
        client_ids: str | Iterable[str] | None,
        token_use: TokenUse | None,
        skip_access_token_audience: bool = False,
        leeway: float = 0.0,
        issuer: str | None = None,
        jwks_url: str | None = None,
        additional_regions: Iterable[str] = (),
        jwks: Mapping[str, Any] | None = None,
        session: requests.Session | None = None,
        timeout: float = 3.0,
        jwks_ttl: float = 600.0,
        max_stale: float = 86400.0,
        refresh_cooldown: float = 10.0,
        refresh_ahead: float = 60.0,
        allow_http: bool = False,
        max_token_bytes: int = 65536,
        token_cache_size: int = 1024,
        custom_check: CustomCheck | None = None,
        allowed_groups: str | Iterable[str] | None = None,
        required_scopes: str | Iterable[str] | None = None,
        clock: Callable[[], float] = time.time,
        revocation: RevocationList | None = None,
    ) -> None:
        """Configure the verifier; no network call is made here."""
        if issuer is None:
            self._region = _pool.check_region(region)
            self._user_pool_id = _pool.check_pool_id(user_pool_id, region, strict=True)
            extra = _options.strings("additional_regions", additional_regions, allow_empty=True)
            issuers = _pool.derived_issuers(region, user_pool_id, extra)
        else:
            if not isinstance(region, str) or not region:
                raise ConfigurationError(f"region must be a non-empty str, not {region!r}")
            self._region = region
            self._user_pool_id = _pool.check_pool_id(user_pool_id, region, strict=False)
            if _options.strings("additional_regions", additional_regions, allow_empty=True):
                raise ConfigurationError("additional_regions cannot be combined with issuer")
            issuers = [_options.issuer_url(issuer)]
        if not isinstance(allow_http, bool):
            raise ConfigurationError(f"allow_http must be a bool, not {allow_http!r}")
        jwks_urls = {iss: _pool.jwks_url_for(iss) for iss in issuers}
        if jwks_url is not None:
            jwks_urls[issuers[0]] = _pool.check_jwks_url(jwks_url, allow_http=allow_http)
        if jwks is None:  # static keys are never fetched: their URLs do not matter
            for url in jwks_urls.values():
                if url != jwks_url:
                    name = "the JWKS URL derived from the issuer,"
                    _pool.check_jwks_url(url, allow_http=allow_http, name=name)
        self._issuers = tuple(issuers)
        self._jwks_urls = jwks_urls

        if not isinstance(skip_access_token_audience, bool):
            raise ConfigurationError("skip_access_token_audience must be a bool")
        self._policy = Policy(
            token_use=_options.token_use(token_use),
            client_ids=_options.client_ids(client_ids),
            skip_access_token_audience=skip_access_token_audience,
            allowed_groups=_options.allowed_groups(allowed_groups),
            required_scopes=_options.required_scopes(required_scopes),
        )
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
        # Revocation: checked after the audience, before groups and scopes (see _authorize).
        if revocation is not None and not isinstance(revocation, RevocationList):
            raise ConfigurationError(
                f"revocation must be a RevocationList, not {type(revocation).__name__}"
            )
        self._revocation = revocation
        self._revocation_check = None if revocation is None else revocation._check

        # Bumped without a lock on every call: see stats().
        self._counters = _stats.Counters()
        cache_size = options.token_cache_size
        self._token_cache = (
            VerifiedTokens[CognitoClaims](cache_size, self._counters) if cache_size else None
        )
        # Header segments already found acceptable, with their kid: a pool's
        # tokens share a couple of headers, so most are never decoded twice.
        self._known_headers: dict[bytes, str] = {}

        jwks_ttl = _options.seconds("jwks_ttl", jwks_ttl, minimum=0.0, strict=True)
        max_stale = _options.seconds("max_stale", max_stale, minimum=0.0)
        refresh_ahead = _options.seconds("refresh_ahead", refresh_ahead, minimum=0.0)

        self._store: _keystore.KeyStore | None = None
        self._keys: _KeySource
        if jwks is not None:
            if not isinstance(jwks, Mapping):
                raise ConfigurationError(f"jwks must be a mapping, not {type(jwks).__name__}")
            self._keys = _keystore.static_keys(jwks, self._counters)
        else:
            # Imported here: a verifier with static keys never loads the HTTP stack.
            from cognito_jwt import _fetch  # noqa: PLC0415

            self._store = _keystore.KeyStore(
                jwks_urls,
                fetcher=_fetch.HttpFetcher(session, options.timeout),
                ttl=jwks_ttl,
                max_stale=max_stale,
                cooldown=options.refresh_cooldown,
                clock=clock,
                refresh_ahead=refresh_ahead,
                counters=self._counters,
                on_change=self._clear_token_cache,
            )
            self._keys = self._store

    # ------------------------------------------------------------------ properties

    @property
    def issuer(self) -> str:
        """The pool's primary issuer (``iss``), derived or as overridden."""
        return self._issuers[0]

    @property
    def issuers(self) -> tuple[str, ...]:
        """Every issuer this verifier accepts, the primary one first."""
        return self._issuers

    @property
    def jwks_url(self) -> str:
        """The JWKS URL of the primary issuer, derived or as overridden."""
        return self._jwks_urls[self._issuers[0]]

    def __repr__(self) -> str:
        """Show the issuer and what the verifier accepts."""
        clients = None if self._policy.client_ids is None else sorted(self._policy.client_ids)
        return (
            f"CognitoVerifier(issuer={self.issuer!r}, client_ids={clients!r}, "
            f"token_use={self._policy.token_use!r})"
        )

    # ------------------------------------------------------------------ verification

    def verify(
        self,
        token: str | bytes,
        *,
        token_use: TokenUse | EllipsisType | None = ...,
        client_ids: str | Iterable[str] | EllipsisType | None = ...,
        allowed_groups: str | Iterable[str] | None = None,
        required_scopes: str | Iterable[str] | None = None,
    ) -> CognitoClaims:
        """Verify ``token`` (a str, or ASCII bytes) and return its claims.

        ``token_use`` and ``client_ids`` default to the constructor's; pass them
        to override for this call. ``allowed_groups``: at least one must be in
        ``cognito:groups``. ``required_scopes``: every one must be in ``scope``.

        Raises:
            InvalidTokenError: (a subclass) the token is not acceptable; HTTP 401.
            AccessDeniedError: (a subclass) a group or scope is missing; HTTP 403.
            JWKSError: (a subclass) the signing keys could not be had; HTTP 503.
            RevocationCheckError: the ``revocation`` store could not be asked; HTTP 503.
            ConfigurationError: an argument of this call is invalid, or the
                ``custom_check`` is async (only :meth:`averify` can await it).

        """
        policy = self._call_policy(token_use, client_ids, allowed_groups, required_scopes)
        return self._verify(token, None, policy)

    async def averify(
        self,
        token: str | bytes,
        *,
        token_use: TokenUse | EllipsisType | None = ...,
        client_ids: str | Iterable[str] | EllipsisType | None = ...,
        allowed_groups: str | Iterable[str] | None = None,
        required_scopes: str | Iterable[str] | None = None,
    ) -> CognitoClaims:
        """Verify ``token`` like :meth:`verify`, never blocking the event loop.

        A JWKS fetch, when one is needed, runs in a worker thread; sync and async
        callers share one cache and one in-flight fetch. An async ``custom_check``
        is awaited.
        """
        policy = self._call_policy(token_use, client_ids, allowed_groups, required_scopes)
        return await self._averify(token, None, policy)

    def verify_bearer(
        self,
        authorization_header: str | None,
        *,
        token_use: TokenUse | EllipsisType | None = ...,
        client_ids: str | Iterable[str] | EllipsisType | None = ...,
        allowed_groups: str | Iterable[str] | None = None,
        required_scopes: str | Iterable[str] | None = None,
    ) -> CognitoClaims:
        """Verify the token of an ``Authorization`` header value (``"Bearer <token>"``).

        Raises:
            MissingTokenError: no header, an empty one, or another scheme (the
                scheme name is matched case-insensitively).
            CognitoJWTError: as :meth:`verify` does.

        """
        return self.verify(
            _bearer_token(authorization_header, self._counters),
            token_use=token_use,
            client_ids=client_ids,
            allowed_groups=allowed_groups,
            required_scopes=required_scopes,
        )

    async def averify_bearer(
        self,
        authorization_header: str | None,
        *,
        token_use: TokenUse | EllipsisType | None = ...,
        client_ids: str | Iterable[str] | EllipsisType | None = ...,
        allowed_groups: str | Iterable[str] | None = None,
        required_scopes: str | Iterable[str] | None = None,
    ) -> CognitoClaims:
        """Verify an ``Authorization`` header value like :meth:`verify_bearer`, without blocking.

        Raises:
            MissingTokenError: no header, an empty one, or another scheme.
            CognitoJWTError: as :meth:`verify` does.

        """
        return await self.averify(
            _bearer_token(authorization_header, self._counters),
            token_use=token_use,
            client_ids=client_ids,
            allowed_groups=allowed_groups,
            required_scopes=required_scopes,
        )

    # ------------------------------------------------------------------ keys

    def fetch_jwks(self) -> int:
        """Fetch the primary issuer's JWKS now (warm-up) and return its number of usable keys.

        Raises:
            JWKSFetchError: the request failed.
            JWKSFormatError: the document is not a usable JWKS.
            ConfigurationError: this verifier has static keys (``jwks=``) and never fetches.

        """
        return self._fetching_store("fetch_jwks").fetch_now(self.issuer)

    def load_jwks(self, jwks: Mapping[str, Any] | str | os.PathLike[str]) -> int:
        """Seed the primary issuer's key cache from a dict, JSON text or a file path.

        The keys count as fetched now: they are trusted for ``jwks_ttl`` and then
        refreshed from the JWKS URL as usual, so key rotation still works after a
        cold start from a file. A ``str`` whose first non-blank character is
        ``{`` is read as JSON text, any other as a file path. Returns the number
        of usable keys.

        Raises:
            JWKSFormatError: the document is not a usable JWKS.
            ConfigurationError: the file cannot be read, or the verifier has static keys.

        """
        store = self._fetching_store("load_jwks")
        document: object
        if isinstance(jwks, Mapping):
            document = jwks
        elif isinstance(jwks, str) and jwks.lstrip().startswith("{"):
            document = jwks.encode("utf-8")
        elif isinstance(jwks, str | os.PathLike):
            try:
                document = Path(jwks).read_bytes()
            except OSError as exc:
                raise ConfigurationError(f"cannot read JWKS file {str(jwks)!r}: {exc}") from None
        else:
            raise ConfigurationError(
                f"load_jwks takes a mapping, JSON text or a path, not {type(jwks).__name__}"
            )
        keys = _jwks.parse_jwks(document, store.current_keys(self.issuer))
        store.install(self.issuer, keys)
        return len(keys)

    def stats(self) -> _stats.VerifierStats:
        """Return a snapshot of the counters and of the key cache (see :class:`VerifierStats`).

        The counters are exact when one thread verifies; they are bumped without a
        lock, so under concurrent calls an increment may now and then be lost.
        """
        return self._keys.stats()

    def _fetching_store(self, method: str) -> _keystore.KeyStore:
        if self._store is None:
            raise ConfigurationError(f"{method}() needs fetched keys; this verifier has jwks=")
        return self._store

    # ------------------------------------------------------------------ internals

    def _call_policy(
        self,
        token_use: object,
        client_ids: object,
        allowed_groups: object,
        required_scopes: object,
    ) -> Policy:
        if (
            token_use is ...
            and client_ids is ...
            and allowed_groups is None
            and required_scopes is None
        ):
            return self._policy
        base = self._policy
        return Policy(
            token_use=base.token_use if token_use is ... else _options.token_use(token_use),
            client_ids=base.client_ids if client_ids is ... else _options.client_ids(client_ids),
            skip_access_token_audience=base.skip_access_token_audience,
            # The constructor's groups and scopes are defaults a call's own argument replaces.
            allowed_groups=(
                base.allowed_groups
                if allowed_groups is None
                else _options.allowed_groups(allowed_groups)
            ),
            required_scopes=(
                base.required_scopes
                if required_scopes is None
                else _options.required_scopes(required_scopes)
            ),
        )

    def _cached(self, token: object) -> CognitoClaims | None:
        cache = self._token_cache
        if cache is None or type(token) is not str:
            return None
        return cache.get(token, self._clock())

    def _verify(
        self, token: str | bytes, parsed: _token.ParsedToken | None, policy: Policy
    ) -> CognitoClaims:
        """Verify ``token`` (already ``parsed`` when a router did it) for ``policy``; count it."""
        if self._async_check:  # a check that is not run fails open: refuse, never skip
            raise refuse_awaitable(None)
        try:
            claims = self._cached(token)
            if claims is None:
                parsed, issuer = self._parse(token, parsed)
                claims = self._finish(token, parsed, self._keys.get(issuer, parsed.kid))
            claims = self._authorize(claims, policy)
        except CognitoJWTError as error:
            self._counters.deny(error)
            raise
        self._counters.allowed += 1
        return claims

    async def _averify(
        self, token: str | bytes, parsed: _token.ParsedToken | None, policy: Policy
    ) -> CognitoClaims:
        """:meth:`_verify` with the JWKS fetch, if one is needed, in a worker thread."""
        try:
            claims = self._cached(token)
            if claims is None:
                parsed, issuer = self._parse(token, parsed)
                found = self._keys.lookup(issuer, parsed.kid)
                key = found.key
                if key is None:
                    key = await asyncio.to_thread(
                        self._keys.fetch_and_get, issuer, parsed.kid, found.attempts
                    )
                claims = self._finish(token, parsed, key)
            revocation_check = self._revocation_check
            revocation = self._revocation
            if revocation is not None and not revocation._inline:
                # A store over the network is asked from a worker thread, after the
                # audience check (the groups and scopes come after revocation).
                try:
                    _checks.check_policy(
                        claims, replace(policy, allowed_groups=None, required_scopes=None)
                    )
                    await asyncio.to_thread(revocation._check, claims)
                except CognitoJWTError as exc:
                    attach(exc, claims)
                    raise
                revocation_check = None
            outcome = self._authorize_first(claims, policy, revocation_check)
            if outcome is not None:
                await await_check(claims, outcome)
        except CognitoJWTError as error:
            self._counters.deny(error)
            raise
        self._counters.allowed += 1
        return claims

    def _parse(
        self, token: object, parsed: _token.ParsedToken | None
    ) -> tuple[_token.ParsedToken, str]:
        if parsed is None:
            parsed = _token.parse(token, self._max_token_bytes, self._known_headers)
        issuer = _checks.unverified_issuer(parsed.payload, self._issuers)
        return parsed, issuer

    def _finish(
        self, token: str | bytes, parsed: _token.ParsedToken, key: VerifyingKey
    ) -> CognitoClaims:
        if not key.verify(parsed.signing_input, parsed.signature):
            raise InvalidSignatureError(f"signature does not verify with key {_describe(key.kid)}")
        _remember_header(self._known_headers, parsed)
        now = self._clock()
        try:
            _checks.check_token(parsed.payload, now=now, leeway=self._leeway, issuers=self._issuers)
        except CognitoJWTError as exc:  # the signature verified: say whose token it was
            exc.claims = CognitoClaims._adopt(parsed.payload)
            raise
        claims = CognitoClaims._adopt(parsed.payload)
        cache = self._token_cache
        if cache is not None and type(token) is str and len(token) <= MAX_CACHED_TOKEN:
            cache.put(token, claims, now, self._leeway)
        return claims

    def _authorize(self, claims: CognitoClaims, policy: Policy) -> CognitoClaims:
        revocation_check = self._revocation_check
        if self._custom_check is None:  # the common case, without a call more
            try:
                _checks.check_policy(claims, policy, revocation_check)
            except CognitoJWTError as exc:
                attach(exc, claims)
                raise
            return claims
        outcome = self._authorize_first(claims, policy, revocation_check)
        if outcome is not None:  # a check that is not run fails open: refuse, never skip
            raise refuse_awaitable(outcome)
        return claims

    def _authorize_first(
        self,
        claims: CognitoClaims,
        policy: Policy,
        revocation_check: Callable[[CognitoClaims], None] | None,
    ) -> Awaitable[object] | None:
        """Run the policy (with ``revocation_check``) and the custom check.

        Returns what an async custom check left to await, or ``None``.
        """
        try:
            _checks.check_policy(claims, policy, revocation_check)
        except CognitoJWTError as exc:
            attach(exc, claims)
            raise
        check = self._custom_check
        return None if check is None else run_check(check, claims)

    def _clear_token_cache(self) -> None:
        if self._token_cache is not None:
            self._token_cache.clear()


class MultiPoolVerifier:
    """Route each token to the :class:`CognitoVerifier` whose issuer it names.

    Raises:
        ConfigurationError: no verifiers, or two that accept the same issuer.

    """

    def __init__(self, verifiers: Iterable[CognitoVerifier]) -> None:
        """Route among ``verifiers``."""
        self._routes: dict[str, CognitoVerifier] = {}
        for verifier in verifiers:
            if not isinstance(verifier, CognitoVerifier):
                raise ConfigurationError(f"{verifier!r} is not a CognitoVerifier")
            for issuer in verifier.issuers:
                if issuer in self._routes:
                    raise ConfigurationError(f"two verifiers accept issuer {issuer!r}")
                self._routes[issuer] = verifier
        if not self._routes:
            raise ConfigurationError("MultiPoolVerifier needs at least one verifier")
        self._max_token_bytes = max(v._max_token_bytes for v in self._routes.values())
        self._known_headers: dict[bytes, str] = {}
        # Calls refused before any pool's verifier is reached (no token, no route).
        self._counters = _stats.Counters()

    @property
    def verifiers(self) -> tuple[CognitoVerifier, ...]:
        """The verifiers routed among, in the order given."""
        return tuple(dict.fromkeys(self._routes.values()))

    def route(self, token: str | bytes) -> CognitoVerifier:
        """Return the verifier for ``token``'s (unverified) issuer.

        Raises:
            MalformedTokenError: the token cannot be parsed.
            InvalidIssuerError: no verifier accepts its issuer (no key is fetched).

        """
        return self._route(token)[0]

    def stats(self) -> _stats.VerifierStats:
        """Return the pools' stats summed (see :meth:`CognitoVerifier.stats`).

        Counters and ``keys`` are added up, with the calls refused before any pool
        was chosen (no token, unparseable, or an issuer no pool accepts);
        ``keys_fetched_at`` is the latest fetch of any pool, ``keys_fresh_until``
        the earliest end of freshness, and ``last_fetch_error`` a failing pool's.
        """
        own = self._counters.snapshot()
        return _stats.total([own, *(verifier.stats() for verifier in self.verifiers)])

    def _route(self, token: object) -> tuple[CognitoVerifier, _token.ParsedToken]:
        # Parsed once here; the verifier it routes to does not parse again.
        parsed = _token.parse(token, self._max_token_bytes, self._known_headers)
        return self._routes[_checks.unverified_issuer(parsed.payload, self._routes)], parsed

    def _counted_route(self, token: object) -> tuple[CognitoVerifier, _token.ParsedToken]:
        """:meth:`_route` for a verification: a refusal counts in this router's stats."""
        try:
            return self._route(token)
        except CognitoJWTError as error:
            self._counters.deny(error)
            raise

    def verify(
        self,
        token: str | bytes,
        *,
        token_use: TokenUse | EllipsisType | None = ...,
        client_ids: str | Iterable[str] | EllipsisType | None = ...,
        allowed_groups: str | Iterable[str] | None = None,
        required_scopes: str | Iterable[str] | None = None,
    ) -> CognitoClaims:
        """Verify ``token`` with its pool's verifier; options as :meth:`CognitoVerifier.verify`."""
        verifier, parsed = self._counted_route(token)
        policy = verifier._call_policy(token_use, client_ids, allowed_groups, required_scopes)
        claims = verifier._verify(token, parsed, policy)
        _remember_header(self._known_headers, parsed)
        return claims

    def verify_bearer(
        self,
        authorization_header: str | None,
        *,
        token_use: TokenUse | EllipsisType | None = ...,
        client_ids: str | Iterable[str] | EllipsisType | None = ...,
        allowed_groups: str | Iterable[str] | None = None,
        required_scopes: str | Iterable[str] | None = None,
    ) -> CognitoClaims:
        """Verify an ``Authorization: Bearer`` header value with the right pool's verifier."""
        return self.verify(
            _bearer_token(authorization_header, self._counters),
            token_use=token_use,
            client_ids=client_ids,
            allowed_groups=allowed_groups,
            required_scopes=required_scopes,
        )

    async def averify(
        self,
        token: str | bytes,
        *,
        token_use: TokenUse | EllipsisType | None = ...,
        client_ids: str | Iterable[str] | EllipsisType | None = ...,
        allowed_groups: str | Iterable[str] | None = None,
        required_scopes: str | Iterable[str] | None = None,
    ) -> CognitoClaims:
        """Verify ``token`` like :meth:`verify` without blocking the event loop."""
        verifier, parsed = self._counted_route(token)
        policy = verifier._call_policy(token_use, client_ids, allowed_groups, required_scopes)
        claims = await verifier._averify(token, parsed, policy)
        _remember_header(self._known_headers, parsed)
        return claims

    async def averify_bearer(
        self,
        authorization_header: str | None,
        *,
        token_use: TokenUse | EllipsisType | None = ...,
        client_ids: str | Iterable[str] | EllipsisType | None = ...,
        allowed_groups: str | Iterable[str] | None = None,
        required_scopes: str | Iterable[str] | None = None,
    ) -> CognitoClaims:
        """Verify an ``Authorization: Bearer`` header value without blocking the event loop."""
        return await self.averify(
            _bearer_token(authorization_header, self._counters),
            token_use=token_use,
            client_ids=client_ids,
            allowed_groups=allowed_groups,
            required_scopes=required_scopes,
        )
