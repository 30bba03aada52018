"""Refuse tokens that were revoked: a denylist checked on every verification.

Cognito's ``RevokeToken`` and ``GlobalSignOut`` stop refresh tokens, but the
access and ID tokens already issued stay valid for any offline verifier until
their ``exp``. A :class:`RevocationList` given to a verifier as ``revocation=``
refuses them with :class:`~cognito_jwt.RevokedTokenError`::

    revocation = RevocationList()                 # this process only
    verifier = CognitoVerifier(..., revocation=revocation)
    revocation.revoke(token)                      # in your logout handler

Three kinds of entry, each expiring by itself once no token it matches can
still be valid:

* ``origin_jti``: every token minted from one refresh token (one sign-in);
* ``jti``: one token;
* ``sub``: every token of a user issued at or before a time (a global sign-out).

Entries live in a :class:`RevocationStore`: :class:`MemoryRevocationStore` (the
default, one process) or :class:`RedisRevocationStore` (shared by every process
and machine that uses the same Redis; ``pip install "cognito-jwt[redis]"``). If
the store cannot be asked, verification fails closed with
:class:`~cognito_jwt.RevocationCheckError` (HTTP 503). Importing this module
never imports redis.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from cognito_jwt import _token
from cognito_jwt.exceptions import (
    CognitoJWTError,
    ConfigurationError,
    MalformedTokenError,
    RevocationCheckError,
    RevokedTokenError,
    _describe,
)

if TYPE_CHECKING:
    import redis

    from cognito_jwt.claims import CognitoClaims

__all__ = ["MemoryRevocationStore", "RedisRevocationStore", "RevocationList", "RevocationStore"]

# A verifier accepts a token up to its leeway (at most 300 s) past exp, so every
# entry outlives the moment its last token expires by as much.
_LEEWAY_MARGIN = 300.0
# Cognito's ids are UUIDs; anything much longer is no id of a token.
_MAX_ID_LENGTH = 1024
_MAX_TOKEN_BYTES = 65536
# The memory store sweeps out expired entries once it holds this many (and then
# whenever it has doubled since the last sweep).
_SWEEP_AT = 1024

# Keys in a store: the kind of entry, a colon, the claim's value.
_JTI = "jti:"
_ORIGIN = "origin:"
_SUB = "sub:"


class RevocationStore(Protocol):
    """Where a :class:`RevocationList` keeps its entries: any key-value store with expiry.

    Two methods, so that DynamoDB (``BatchGetItem``, a TTL attribute and a
    conditional ``UpdateItem``), Memcached (``get_multi``) or anything else can
    sit behind a list. Keys are short strings such as ``"jti:<uuid>"``; values
    are floats; ``expires_at`` is a Unix time in seconds from the list's clock.
    The list wraps any exception a store raises in
    :class:`~cognito_jwt.RevocationCheckError`, so a store may simply let its
    client's errors through.
    """

    def add(self, entries: Mapping[str, tuple[float, float]]) -> None:
        """Store each ``key: (value, expires_at)`` of ``entries``, until ``expires_at``.

        When a key already holds a larger value, keep that one (and its expiry):
        a larger value always means a later cut-off and a later expiry, so a late
        or repeated write never shortens a revocation. A store that cannot
        compare and set atomically may let the last write win instead. Raise
        when the entries could not be stored.
        """

    def get(self, keys: Sequence[str]) -> Sequence[float | None]:
        """Return the value of each of ``keys`` in order, ``None`` for one absent or expired.

        Called on every verification with one to three keys: answer in one
        round trip. Raise when the store cannot be asked; never answer ``None``
        for a key that could not be read.
        """


class MemoryRevocationStore:
    """Entries in this process's memory: thread-safe, each gone once its time is up.

    The default store of a :class:`RevocationList`. Reads take no lock; writes
    do. Expired entries are never returned and are swept out as the store grows.
    """

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        """Create an empty store; ``clock`` returns the current Unix time in seconds."""
        if not callable(clock):
            raise ConfigurationError("clock must be callable")
        self._clock = clock
        self._entries: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()
        self._sweep_at = _SWEEP_AT

    def add(self, entries: Mapping[str, tuple[float, float]]) -> None:
        """Store each ``key: (value, expires_at)``, keeping a larger value already held."""
        now = self._clock()
        with self._lock:
            stored = self._entries
            for key, (value, expires_at) in entries.items():
                if expires_at <= now:
                    continue
                current = stored.get(key)
                if current is None or current[1] <= now or current[0] < value:
                    stored[key] = (value, expires_at)
            if len(stored) >= self._sweep_at:
                # A new dict swapped in whole: readers see the old one or the new one.
                stored = {key: entry for key, entry in stored.items() if entry[1] > now}
                self._entries = stored
                self._sweep_at = max(_SWEEP_AT, 2 * len(stored))

    def get(self, keys: Sequence[str]) -> list[float | None]:
        """Return the value of each of ``keys``, ``None`` for one absent or expired."""
        entries = self._entries
        if not entries:
            return [None] * len(keys)
        now = self._clock()
        values: list[float | None] = []
        for key in keys:
            entry = entries.get(key)
            values.append(entry[0] if entry is not None and entry[1] > now else None)
        return values

    def __len__(self) -> int:
        """Return the number of entries that have not expired."""
        now = self._clock()
        return sum(1 for _, expires_at in list(self._entries.values()) if expires_at > now)


# Keeps the larger value of each key (ARGV holds value, milliseconds-to-live pairs).
_ADD_SCRIPT = """
for i, key in ipairs(KEYS) do
  local value = ARGV[2 * i - 1]
  local current = tonumber(redis.call('GET', key))
  if current == nil or current < tonumber(value) then
    redis.call('SET', key, value, 'PX', ARGV[2 * i])
  end
end
return #KEYS
"""


class RedisRevocationStore:
    """Entries in Redis, shared by every process and machine that uses the same server.

    ``client`` is a synchronous :class:`redis.Redis` (give it a ``socket_timeout``:
    every verification waits for one ``MGET``); ``prefix`` starts every key, so
    that several applications can share a database. Entries expire with Redis
    TTLs, counted from this machine's clock. A check is one ``MGET`` (one round
    trip); a write is one Lua script that keeps the larger value of a key. Any
    Redis error, a timeout included, raises
    :class:`~cognito_jwt.RevocationCheckError`. Keys of one check may lie in
    different hash slots, so Redis Cluster needs a store of its own.

    Raises:
        ImportError: redis-py is not installed (``pip install "cognito-jwt[redis]"``).
        ConfigurationError: ``client`` is not a ``redis.Redis`` or ``prefix`` not a str.

    """

    def __init__(self, client: redis.Redis, *, prefix: str = "cognito-jwt:") -> None:
        """Use ``client``, with keys starting with ``prefix``; no command is sent here."""
        try:
            import redis  # noqa: PLC0415 - an extra: only imported when this store is used
        except ImportError as exc:
            raise ImportError(
                "RedisRevocationStore needs redis-py: pip install 'cognito-jwt[redis]'"
            ) from exc
        if not isinstance(client, redis.Redis):
            raise ConfigurationError(
                f"client must be a synchronous redis.Redis, not {type(client).__name__}"
            )
        if not isinstance(prefix, str):
            raise ConfigurationError(f"prefix must be a str, not {prefix!r}")
        self._client = client
        self._prefix = prefix
        self._errors: tuple[type[Exception], ...] = (redis.RedisError, OSError)
        # The script's SHA is worked out here; the script reaches Redis on first use.
        self._add_script = client.register_script(_ADD_SCRIPT)

    @property
    def prefix(self) -> str:
        """The string every key of this store starts with."""
        return self._prefix

    def add(self, entries: Mapping[str, tuple[float, float]]) -> None:
        """Store each ``key: (value, expires_at)`` with a Redis TTL, keeping larger values.

        Raises:
            RevocationCheckError: Redis could not be written.

        """
        now = time.time()
        keys: list[str] = []
        args: list[str] = []
        for key, (value, expires_at) in entries.items():
            milliseconds = math.ceil((expires_at - now) * 1000)
            if milliseconds > 0:
                keys.append(self._prefix + key)
                args += (repr(float(value)), str(milliseconds))
        if not keys:
            return
        try:
            self._add_script(keys=keys, args=args)
        except self._errors as exc:
            raise RevocationCheckError(
                f"the revocation could not be stored in Redis: {type(exc).__name__}: {exc}"
            ) from exc

    def get(self, keys: Sequence[str]) -> list[float | None]:
        """Return the value of each of ``keys`` with one ``MGET``, ``None`` where absent.

        Raises:
            RevocationCheckError: Redis could not be asked, or answered something
                that is not a list of numbers.

        """
        if not keys:
            return []
        prefix = self._prefix
        try:
            answer: Any = self._client.mget([prefix + key for key in keys])
        except self._errors as exc:
            raise RevocationCheckError(
                f"Redis could not be asked for revocations: {type(exc).__name__}: {exc}"
            ) from exc
        if not isinstance(answer, list) or len(answer) != len(keys):
            raise RevocationCheckError("Redis answered MGET with something other than a list")
        values: list[float | None] = []
        for item in answer:
            if item is None:
                values.append(None)
                continue
            try:
                values.append(float(item))
            except (TypeError, ValueError):
                raise RevocationCheckError(
                    f"a revocation entry in Redis holds {_describe(item)}, not a number"
                ) from None
        return values


def _identifier(name: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"{name} must be a non-empty str, not {_describe(value)}")
    if len(value) > _MAX_ID_LENGTH:
        raise ConfigurationError(f"{name} is {len(value)} characters, over {_MAX_ID_LENGTH}")
    return value


def _timestamp(name: str, value: object) -> float:
    """A Unix time in seconds, from a number or a timezone-aware datetime."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ConfigurationError(f"{name} must be a timezone-aware datetime, not a naive one")
        return value.timestamp()
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigurationError(
            f"{name} must be a Unix time in seconds or an aware datetime, not {_describe(value)}"
        )
    return float(value)


def _claim_id(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > _MAX_ID_LENGTH:
        raise MalformedTokenError(f"the token's {name} is not a usable id: {_describe(value)}")
    return value


class RevocationList:
    """Revoked tokens, sign-ins and sign-outs, checked by a verifier on every verification.

    Pass it as ``revocation=`` to :class:`~cognito_jwt.CognitoVerifier`; several
    verifiers may share one list. ``store`` holds the entries: ``None`` keeps
    them in this process's memory (:class:`MemoryRevocationStore`), a
    :class:`RedisRevocationStore` shares them between processes and machines.
    ``max_token_lifetime`` (seconds) is the longest lifetime of a token you
    accept (Cognito's maximum, one day, by default; lower it to your app
    clients' access and ID token validity to keep fewer entries): an entry is
    kept that long at most, plus five minutes for a verifier's leeway.
    ``clock`` returns the current Unix time in seconds.

    Every method may raise :class:`~cognito_jwt.RevocationCheckError` when the
    store cannot be asked or written.

    Raises:
        ConfigurationError: an argument is invalid.

    """

    def __init__(
        self,
        store: RevocationStore | None = None,
        *,
        max_token_lifetime: float = 86400.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Keep entries in ``store`` (``None``: in memory) for at most ``max_token_lifetime``."""
        if not callable(clock):
            raise ConfigurationError("clock must be callable")
        if store is None:
            store = MemoryRevocationStore(clock=clock)
        elif not (callable(getattr(store, "add", None)) and callable(getattr(store, "get", None))):
            raise ConfigurationError(
                f"store must be a RevocationStore (add and get methods), not {type(store).__name__}"
            )
        lifetime = max_token_lifetime
        if (
            isinstance(lifetime, bool)
            or not isinstance(lifetime, int | float)
            or not math.isfinite(lifetime)
            or lifetime <= 0
        ):
            raise ConfigurationError(
                f"max_token_lifetime must be a positive number of seconds, not {lifetime!r}"
            )
        self._store: RevocationStore = store
        self._max_token_lifetime = float(lifetime)
        self._clock = clock
        # The memory store answers at once; any other may wait on the network, so
        # averify asks it from a worker thread.
        self._inline = isinstance(store, MemoryRevocationStore)

    @property
    def store(self) -> RevocationStore:
        """The store holding the entries."""
        return self._store

    @property
    def max_token_lifetime(self) -> float:
        """The longest token lifetime, in seconds, that entries are kept for."""
        return self._max_token_lifetime

    def __repr__(self) -> str:
        """Show the store and the lifetime."""
        return (
            f"RevocationList(store={type(self._store).__name__}, "
            f"max_token_lifetime={self._max_token_lifetime:g})"
        )

    # ------------------------------------------------------------------ writing

    def revoke(self, token_or_claims: str | Mapping[str, Any]) -> None:
        """Revoke a token's whole sign-in: its ``origin_jti`` if it has one, else its ``jti``.

        ``token_or_claims`` is a token string or its claims (a
        :class:`~cognito_jwt.CognitoClaims` or any mapping). A token string is
        read without checking its signature: revoking cannot grant access, so
        a logout handler may revoke whatever token it was shown. An
        ``origin_jti`` entry is kept for ``max_token_lifetime`` (tokens of that
        refresh token minted later than this one expire later); a ``jti``
        entry until the token's ``exp``. Call Cognito's ``RevokeToken`` too, so
        that the refresh token mints no new tokens.

        Raises:
            MalformedTokenError: the string is not a token, or ``origin_jti`` or
                ``jti`` is not a usable id.
            InvalidSignatureError: the token's header names an algorithm other than RS256.
            ConfigurationError: the token has neither ``origin_jti`` nor ``jti``
                (revoke its user's tokens with :meth:`sign_out`).

        """
        if isinstance(token_or_claims, str):
            claims: Mapping[str, Any] = _token.parse(token_or_claims, _MAX_TOKEN_BYTES).payload
        elif isinstance(token_or_claims, Mapping):
            claims = token_or_claims
        else:
            raise ConfigurationError(
                f"revoke() takes a token or its claims, not {type(token_or_claims).__name__}"
            )
        origin_jti = _claim_id(claims, "origin_jti")
        if origin_jti is not None:
            self.revoke_origin(origin_jti)
            return
        jti = _claim_id(claims, "jti")
        if jti is None:
            raise ConfigurationError(
                "the token has neither origin_jti nor jti; revoke its user's tokens with sign_out()"
            )
        exp = claims.get("exp")
        usable = isinstance(exp, int | float) and not isinstance(exp, bool) and math.isfinite(exp)
        self.revoke_jti(jti, expires_at=exp if usable else None)

    def revoke_jti(self, jti: str, *, expires_at: float | datetime | None = None) -> None:
        """Revoke the one token whose ``jti`` claim is ``jti``.

        ``expires_at`` is the token's ``exp`` (a Unix time or an aware datetime);
        the entry is kept until then, and never longer than ``max_token_lifetime``
        (plus five minutes for a verifier's leeway). A token that expired more
        than five minutes ago is refused anyway: nothing is stored for it.

        Raises:
            ConfigurationError: ``jti`` is not a non-empty str or ``expires_at`` not a time.

        """
        self._add(_JTI + _identifier("jti", jti), expires_at)

    def revoke_origin(self, origin_jti: str, *, expires_at: float | datetime | None = None) -> None:
        """Revoke every token minted from one refresh token (its ``origin_jti`` claim).

        ``origin_jti`` is shared by the ID and access tokens of one sign-in and
        by every token refreshed from it. The entry is kept for
        ``max_token_lifetime``, or until ``expires_at`` when given (the latest
        ``exp`` of those tokens, if you know it).

        Raises:
            ConfigurationError: ``origin_jti`` is not a non-empty str or
                ``expires_at`` not a time.

        """
        self._add(_ORIGIN + _identifier("origin_jti", origin_jti), expires_at)

    def sign_out(self, sub: str, *, at: float | datetime | None = None) -> None:
        """Revoke every token of the user ``sub`` issued at or before ``at`` (default: now).

        What Cognito's ``GlobalSignOut`` and ``AdminUserGlobalSignOut`` mean for
        the tokens already issued. ``iat`` counts whole seconds, so a token
        issued in the same second as ``at`` is refused too: it may have been
        issued just before the sign-out, and refusing costs a signed-in user one
        refresh at most. ``at`` compares with Cognito's clock: when the sign-out
        time comes from AWS (a CloudTrail event's ``eventTime``), pass it; when
        your clock may lag behind AWS's, pass a few seconds more. Tokens issued
        after ``at`` are accepted. A later sign-out of the same user replaces an
        earlier one; an earlier ``at`` never shortens a later one. A sign-out
        older than ``max_token_lifetime`` stores nothing: every token it could
        refuse has expired.

        Raises:
            ConfigurationError: ``sub`` is not a non-empty str, or ``at`` is not a
                time or lies more than five minutes in the future.

        """
        key = _SUB + _identifier("sub", sub)
        now = self._clock()
        cutoff = now if at is None else _timestamp("at", at)
        if cutoff > now + _LEEWAY_MARGIN:
            raise ConfigurationError("sign_out() at lies more than five minutes in the future")
        # Every token issued by the cut-off has expired a token lifetime after it.
        expires_at = cutoff + self._max_token_lifetime + _LEEWAY_MARGIN
        if expires_at > now:
            self._write({key: (cutoff, expires_at)})

    def _add(self, key: str, expires_at: float | datetime | None) -> None:
        now = self._clock()
        until = now + self._max_token_lifetime
        if expires_at is not None:
            until = min(until, _timestamp("expires_at", expires_at))
        until += _LEEWAY_MARGIN
        if until > now:  # else every token it could match has expired already
            # The value is the expiry: the larger of two writes is the one to keep.
            self._write({key: (until, until)})

    def _write(self, entries: dict[str, tuple[float, float]]) -> None:
        try:
            self._store.add(entries)
        except CognitoJWTError:
            raise
        except Exception as exc:
            raise RevocationCheckError(
                f"the revocation store could not be written: {type(exc).__name__}: {exc}"
            ) from exc

    # ------------------------------------------------------------------ checking

    def is_revoked(self, claims: Mapping[str, Any]) -> bool:
        """Return whether the token with these (verified) ``claims`` was revoked.

        Raises:
            RevocationCheckError: the store could not be asked (fail closed: treat
                the token as refused).

        """
        return self._revoked_by(claims) is not None

    def _check(self, claims: CognitoClaims) -> None:
        """Raise RevokedTokenError if the token was revoked: the verifier's call.

        Raises:
            RevokedTokenError: the token, its sign-in, or its user's tokens were
                revoked; ``.claims`` holds ``claims``.
            RevocationCheckError: the store could not be asked.

        """
        revoked_by = self._revoked_by(claims)
        if revoked_by is not None:
            raise RevokedTokenError(_MESSAGES[revoked_by], claims=claims, revoked_by=revoked_by)

    def _revoked_by(self, claims: Mapping[str, Any]) -> str | None:
        """Which entry refuses the token: ``"origin_jti"``, ``"jti"``, ``"sub"`` or None."""
        # Unrolled: this runs on every verification, cache hits included.
        keys: list[str] = []
        kinds: list[str] = []
        value = claims.get("origin_jti")
        if type(value) is str and value:
            keys.append(_ORIGIN + value)
            kinds.append("origin_jti")
        value = claims.get("jti")
        if type(value) is str and value:
            keys.append(_JTI + value)
            kinds.append("jti")
        value = claims.get("sub")
        if type(value) is str and value:
            keys.append(_SUB + value)
            kinds.append("sub")
        if not keys:
            return None
        store = self._store
        try:
            values = store.get(keys)
        except CognitoJWTError:
            raise
        except Exception as exc:
            raise RevocationCheckError(
                f"the revocation store could not be asked: {type(exc).__name__}: {exc}"
            ) from exc
        shaped = type(values) is list or isinstance(values, Sequence)  # a list: no ABC check
        if not shaped or len(values) != len(keys):
            raise RevocationCheckError(
                f"the revocation store answered {_describe(values)} for {len(keys)} keys"
            )
        if values.count(None) == len(keys):  # the common case, in one C call
            return None
        for kind, found in zip(kinds, values, strict=True):
            if found is None:
                continue
            if kind != "sub":
                return kind
            if isinstance(found, bool) or not isinstance(found, int | float) or math.isnan(found):
                # A sign-out time that is no number (NaN included) cannot clear any token.
                raise RevocationCheckError(
                    f"the revocation store holds {_describe(found)} as a sign-out time"
                )
            issued_at = claims.get("iat")
            # No usable iat: nothing shows the token came after the sign-out.
            if not isinstance(issued_at, int | float) or issued_at <= found:
                return kind
        return None


_MESSAGES = {
    "origin_jti": "the token's sign-in was revoked (origin_jti)",
    "jti": "the token was revoked (jti)",
    "sub": "the token was issued before its user signed out",
}
