"""CognitoClaims and AlbClaims, the verified payload of a token, and UnverifiedToken: read-only."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from cognito_jwt import _token

__all__ = ["AlbClaims", "CognitoClaims", "UnverifiedToken", "decode_unverified"]

# decode_unverified's size limit: the verifier's default max_token_bytes.
_MAX_UNVERIFIED_BYTES = 65536


def _freeze(value: Any) -> Any:
    """Return ``value`` with every dict made a read-only mapping and every list a tuple."""
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


def _freeze_values(payload: dict[str, Any]) -> dict[str, Any]:
    """Freeze the nested values of a freshly decoded object in place; return it."""
    for name, value in payload.items():
        if type(value) is dict or type(value) is list:
            payload[name] = _freeze(value)
    return payload


class _ReadOnlyClaims(Mapping[str, Any]):
    """A read-only ``Mapping[str, Any]`` over a frozen payload held as ``_data``.

    Subclasses build ``_data`` (frozen) and add their helpers; pickling goes
    through :meth:`_init_args`, the plain arguments that rebuild the instance.
    """

    __slots__ = ("_data",)

    _data: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        """Return the claim ``key``; raises ``KeyError`` when the token has no such claim."""
        return self._data[key]

    def get(self, key: str, default: Any = None) -> Any:
        """Return the claim ``key``, or ``default`` when the token has no such claim."""
        # Mapping.get would go through __getitem__ and a caught KeyError: slower.
        return self._data.get(key, default)

    def __contains__(self, key: object) -> bool:
        """Return whether the token has the claim ``key``."""
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        """Iterate over the claim names."""
        return iter(self._data)

    def __len__(self) -> int:
        """Return the number of claims."""
        return len(self._data)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle and deep-copy as plain data (read-only mapping views cannot be pickled)."""
        return (type(self), self._init_args())

    def _init_args(self) -> tuple[Any, ...]:
        return (self.to_dict(),)

    def to_dict(self) -> dict[str, Any]:
        """Return a deep, mutable copy of the claims (for JSON output or logging)."""
        result: dict[str, Any] = _thaw(self._data)
        return result


class CognitoClaims(_ReadOnlyClaims):
    """The claims of a verified token: a read-only ``Mapping[str, Any]`` with typed helpers.

    Nested objects read as read-only mappings and arrays as tuples, so no caller
    can change what a later caller sees (the verified-token cache hands the same
    instance to every caller of the same token). Use :meth:`to_dict` for a
    mutable, JSON-serialisable copy.

    The helpers assume the claim types the verifier has already checked; an
    instance built by hand from other data may raise ``KeyError`` from them.
    """

    __slots__ = ("_groups", "_scopes")

    def __init__(self, payload: Mapping[str, Any]) -> None:
        """Wrap ``payload`` (copied and frozen; the caller's object is not kept)."""
        self._wrap({k: _freeze(v) for k, v in payload.items()})

    def _wrap(self, data: dict[str, Any]) -> None:
        self._data = data
        # groups and scopes are worked out on first use: most calls ask for neither.
        self._groups: tuple[str, ...] | None = None
        self._scopes: frozenset[str] | None = None

    @classmethod
    def _adopt(cls, payload: dict[str, Any]) -> CognitoClaims:
        """Wrap a freshly decoded payload that nobody else holds, freezing it in place.

        The verifier's fast path: no copy of the top level, which only this
        instance will ever reference.
        """
        claims = cls.__new__(cls)
        claims._wrap(_freeze_values(payload))
        return claims

    def __repr__(self) -> str:
        """Show the subject, kind and client, not the whole payload."""
        return (
            f"CognitoClaims(sub={self.get('sub')!r}, token_use={self.get('token_use')!r}, "
            f"client_id={self.client_id!r})"
        )

    @property
    def sub(self) -> str:
        """The subject: the user's UUID, or the app client id for a client_credentials token."""
        value: str = self._data["sub"]
        return value

    @property
    def token_use(self) -> str:
        """``"id"`` or ``"access"``."""
        value: str = self._data["token_use"]
        return value

    @property
    def username(self) -> str | None:
        """``cognito:username`` (ID token) or ``username`` (access token); ``None`` for M2M."""
        value = self._data.get("cognito:username", self._data.get("username"))
        return value if isinstance(value, str) else None

    @property
    def client_id(self) -> str | None:
        """The app client the token was issued to: ``aud`` (ID token) or ``client_id`` (access)."""
        key = "aud" if self._data.get("token_use") == "id" else "client_id"
        value = self._data.get(key)
        return value if isinstance(value, str) else None

    @property
    def groups(self) -> tuple[str, ...]:
        """The user's ``cognito:groups``, empty when the token names none."""
        if self._groups is None:
            self._groups = tuple(self._data.get("cognito:groups", ()))
        return self._groups

    @property
    def scopes(self) -> frozenset[str]:
        """The scopes of the space-separated ``scope`` claim (access tokens)."""
        if self._scopes is None:
            scope = self._data.get("scope")
            self._scopes = frozenset(scope.split()) if isinstance(scope, str) else frozenset()
        return self._scopes

    @property
    def expires_at(self) -> datetime:
        """``exp`` as an aware UTC datetime."""
        return datetime.fromtimestamp(self._data["exp"], tz=UTC)

    @property
    def issued_at(self) -> datetime:
        """``iat`` as an aware UTC datetime."""
        return datetime.fromtimestamp(self._data["iat"], tz=UTC)


class AlbClaims(_ReadOnlyClaims):
    """The claims an Application Load Balancer signed (``x-amzn-oidc-data``), read-only.

    A ``Mapping[str, Any]`` of the payload (the IdP's user claims: ``sub``,
    ``email``, ``username``...), deeply read-only like :class:`CognitoClaims`;
    the load balancer's own fields (``signer``, ``client``, ``iss``, ``exp``)
    come from the token's header, read through :attr:`header` and the helpers.
    """

    __slots__ = ("_header",)

    def __init__(self, payload: Mapping[str, Any], header: Mapping[str, Any]) -> None:
        """Wrap ``payload`` and ``header`` (both copied and frozen)."""
        self._data = {k: _freeze(v) for k, v in payload.items()}
        self._header: Mapping[str, Any] = _freeze(dict(header))

    @classmethod
    def _adopt(cls, payload: dict[str, Any], header: dict[str, Any]) -> AlbClaims:
        """Wrap a freshly decoded payload and header that nobody else holds, without copies."""
        claims = cls.__new__(cls)
        claims._data = _freeze_values(payload)
        claims._header = MappingProxyType(_freeze_values(header))
        return claims

    def __repr__(self) -> str:
        """Show the subject, client and load balancer, not the whole payload."""
        return f"AlbClaims(sub={self.sub!r}, client_id={self.client_id!r}, signer={self.signer!r})"

    def _init_args(self) -> tuple[Any, ...]:
        return (self.to_dict(), _thaw(self._header))

    def _text(self, source: Mapping[str, Any], name: str) -> str | None:
        value = source.get(name)
        return value if isinstance(value, str) else None

    @property
    def header(self) -> Mapping[str, Any]:
        """The token's header, read-only (``alg``, ``kid``, ``signer``, ``client``, ``iss``...)."""
        return self._header

    @property
    def sub(self) -> str | None:
        """The user's subject at the IdP (for Cognito, the user's UUID)."""
        return self._text(self._data, "sub")

    @property
    def email(self) -> str | None:
        """The user's ``email``, when the IdP shares it."""
        return self._text(self._data, "email")

    @property
    def username(self) -> str | None:
        """The user's ``username``, when the IdP shares it."""
        return self._text(self._data, "username")

    @property
    def issuer(self) -> str | None:
        """The IdP's issuer (header ``iss``)."""
        return self._text(self._header, "iss")

    @property
    def client_id(self) -> str | None:
        """The app client the load balancer signed in with (header ``client``)."""
        return self._text(self._header, "client")

    @property
    def signer(self) -> str | None:
        """The ARN of the load balancer that signed the token (header ``signer``)."""
        return self._text(self._header, "signer")

    @property
    def expires_at(self) -> datetime:
        """When the token expires (aware UTC): the header's ``exp``, or the payload's if earlier."""
        exp = self._header["exp"]
        payload_exp = self._data.get("exp")
        if isinstance(payload_exp, int | float) and not isinstance(payload_exp, bool):
            exp = min(exp, payload_exp)
        return datetime.fromtimestamp(exp, tz=UTC)


class UnverifiedToken:
    """A token's header and claims as it states them: NOTHING about it has been verified.

    Returned by :func:`decode_unverified`, for logging and routing only (which
    pool, which key id); never base a decision to trust a request on it. Both
    attributes are deeply read-only, like :class:`CognitoClaims`.
    """

    __slots__ = ("_claims", "_header")

    def __init__(self, header: Mapping[str, Any], claims: Mapping[str, Any]) -> None:
        """Wrap a decoded ``header`` and ``claims`` (copied and frozen)."""
        self._header: Mapping[str, Any] = _freeze(dict(header))
        self._claims: Mapping[str, Any] = _freeze(dict(claims))

    @property
    def header(self) -> Mapping[str, Any]:
        """The JOSE header (``alg``, ``kid``, ...), read-only and unverified."""
        return self._header

    @property
    def claims(self) -> Mapping[str, Any]:
        """The payload's claims, read-only and unverified."""
        return self._claims

    def __repr__(self) -> str:
        """Show the key id, issuer and kind, marked unverified; never the whole token."""
        return (
            f"UnverifiedToken(kid={self._header.get('kid')!r}, iss={self._claims.get('iss')!r}, "
            f"token_use={self._claims.get('token_use')!r})"
        )

    def __eq__(self, other: object) -> bool:
        """Equal when both header and claims are."""
        if not isinstance(other, UnverifiedToken):
            return NotImplemented
        same: bool = (_thaw(self._header), _thaw(self._claims)) == (
            _thaw(other._header),
            _thaw(other._claims),
        )
        return same

    __hash__ = None  # type: ignore[assignment]  # mutable-looking content: no hashing

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the plain header and claims."""
        return (type(self), (_thaw(self._header), _thaw(self._claims)))


def decode_unverified(token: str | bytes) -> UnverifiedToken:
    """Decode ``token``'s header and claims WITHOUT verifying anything, for logging and routing.

    The token must still be a strict compact JWS (three unpadded base64url
    segments of JSON objects, at most 64 KiB); its signature, algorithm, key
    and claims are not checked. Use a verifier to trust a token.

    Raises:
        MalformedTokenError: the token is not a strict compact JWS; the message
            says what is wrong (a ``Bearer`` prefix, whitespace, a JWE...).

    """
    header, claims = _token.decode_segments(token, _MAX_UNVERIFIED_BYTES)
    return UnverifiedToken(header, claims)
