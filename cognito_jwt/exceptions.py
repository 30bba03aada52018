"""The exceptions cognito-jwt raises, one tree under :class:`CognitoJWTError`.

Three branches keep apart what a web API must answer differently:

* :class:`InvalidTokenError` (HTTP 401): the token is missing, malformed,
  wrongly signed or carries claims this verifier does not accept.
* :class:`AccessDeniedError` (HTTP 403): the token is valid but lacks a group
  or scope the call requires.
* :class:`UnavailableError` (HTTP 503): this side could not decide, for example
  because the pool's signing keys could not be had (:class:`JWKSError`); the
  fault is on the server's side, not the token's.

Every error carries ``status_code`` and ``www_authenticate`` (the RFC 6750
challenge for 401 and 403, ``None`` otherwise), so a framework maps it in one
line. Messages never contain the token; values read from an unverified token
appear only shortened and escaped. An error raised after the token's signature
verified carries the token's claims as ``claims`` (for logging who was refused);
before that, ``claims`` is ``None``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from cognito_jwt.claims import AlbClaims, CognitoClaims

__all__ = [
    "AccessDeniedError",
    "ClaimError",
    "CognitoJWTError",
    "ConfigurationError",
    "ExpiredTokenError",
    "InsufficientScopeError",
    "InvalidAudienceError",
    "InvalidIssuerError",
    "InvalidSignatureError",
    "InvalidSignerError",
    "InvalidTokenError",
    "InvalidTokenUseError",
    "JWKSError",
    "JWKSFetchError",
    "JWKSFormatError",
    "MalformedTokenError",
    "MissingGroupError",
    "MissingTokenError",
    "NotYetValidError",
    "RevocationCheckError",
    "RevokedTokenError",
    "UnavailableError",
    "UnknownKeyError",
]

# Room for any Cognito issuer in full (the longest are about 80 characters): a
# shortened issuer would hide the very pool id that tells where a token came from.
_MAX_SHOWN = 100
# RFC 6749 section 3.3 scope-token characters; anything else is left out of a challenge.
_SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")


def _describe(value: Any) -> str:
    """Render an untrusted value for a message: escaped by ``repr`` and shortened."""
    text = ascii(value)
    if len(text) > _MAX_SHOWN:
        text = text[: _MAX_SHOWN - 3] + "..."
    return text


def _challenge(error: str | None, description: str | None, scope: str | None = None) -> str:
    if error is None:
        return "Bearer"
    parts = [f'error="{error}"']
    if description:
        parts.append(f'error_description="{description}"')
    if scope:
        parts.append(f'scope="{scope}"')
    return "Bearer " + ", ".join(parts)


def _rebuild(cls: type[CognitoJWTError], args: tuple[Any, ...]) -> CognitoJWTError:
    """Recreate an error for pickle and copy without its keyword-only ``__init__``."""
    error: CognitoJWTError = cls.__new__(cls, *args)
    return error


class CognitoJWTError(Exception):
    """Base class of every error cognito-jwt raises.

    Attributes:
        status_code: the HTTP status a web API should answer with.
        error: the RFC 6750 error code (``invalid_token``, ``insufficient_scope``)
            or ``None`` when the error is not the client's.
        www_authenticate: the ``WWW-Authenticate`` header value to send, or ``None``.
        claims: the token's verified claims when the error was raised after its
            signature verified (a claim, group, scope or custom check refused it),
            so an application can log who was refused: a
            :class:`~cognito_jwt.CognitoClaims` from a ``CognitoVerifier``, an
            :class:`~cognito_jwt.AlbClaims` from an ``AlbVerifier``. ``None`` when
            the signature was not (yet) checked. Never the token itself.

    """

    status_code: ClassVar[int] = 500
    # A class default: set on the instance by the verifier once the signature verified.
    claims: CognitoClaims | AlbClaims | None = None
    error: ClassVar[str | None] = None
    # Fixed text for the challenge's error_description: never taken from the token.
    description: ClassVar[str | None] = None

    @property
    def www_authenticate(self) -> str | None:
        """The RFC 6750 ``WWW-Authenticate`` challenge, or ``None`` outside 401 and 403."""
        if self.status_code not in (401, 403):
            return None
        return _challenge(self.error, self.description)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle and copy with every attribute (``claim``, ``missing``...), not only the message.

        The default would call ``__init__`` with the message alone, which fails
        for the errors whose attributes are keyword-only arguments.
        """
        return (_rebuild, (type(self), self.args), self.__dict__ or None)


class ConfigurationError(CognitoJWTError, ValueError):
    """A constructor or call argument is invalid: a programming error, not a bad token."""


class InvalidTokenError(CognitoJWTError):
    """The token is not acceptable: answer HTTP 401 with ``error="invalid_token"``."""

    status_code = 401
    error: ClassVar[str | None] = "invalid_token"
    description: ClassVar[str | None] = "The access token is invalid"


class MissingTokenError(InvalidTokenError):
    """No bearer token came: no header, an empty one, or another scheme.

    RFC 6750 section 3.1 says to answer such a request with a plain ``Bearer``
    challenge that names no error.
    """

    error = None
    description = None


class MalformedTokenError(InvalidTokenError):
    """The token is not a strict compact JWS, is too big, or its claims have wrong types."""

    description = "The access token is malformed"


class InvalidSignatureError(InvalidTokenError):
    """The signature does not verify, the algorithm is not RS256, or the key is unusable."""


class UnknownKeyError(InvalidTokenError):
    """The token's ``kid`` is not in the pool's JWKS, even after a refetch.

    Attributes:
        kid: the key id the token named (unverified, shown escaped in messages).

    """

    def __init__(self, message: str, *, kid: str | None = None) -> None:
        """Create the error for the key id ``kid``."""
        super().__init__(message)
        self.kid = kid


class ClaimError(InvalidTokenError):
    """A claim has the right type but a value this verifier does not accept.

    Attributes:
        claim: the claim's name, such as ``"exp"`` or ``"client_id"``.
        expected: what the verifier wanted (from configuration, never from the token).
        actual: the value the token carried, or ``None`` when it had none.

    """

    def __init__(self, message: str, *, claim: str, expected: Any, actual: Any) -> None:
        """Create the error for ``claim``, saying what was ``expected`` and what was ``actual``."""
        super().__init__(message)
        self.claim = claim
        self.expected = expected
        self.actual = actual


class ExpiredTokenError(ClaimError):
    """The token's ``exp`` has passed (after the configured leeway)."""

    description = "The access token expired"


class NotYetValidError(ClaimError):
    """The token's ``nbf`` or ``iat`` lies in the future (beyond the configured leeway)."""


class InvalidIssuerError(ClaimError):
    """The token's ``iss`` is not one of the verifier's issuers."""


class InvalidAudienceError(ClaimError):
    """The token was issued to another app client (``aud`` or ``client_id``)."""


class InvalidTokenUseError(ClaimError):
    """The token's ``token_use`` is not the kind asked for (``id`` or ``access``)."""


class InvalidSignerError(ClaimError):
    """An ALB token was signed by a load balancer the verifier does not accept (``signer``)."""


class AccessDeniedError(CognitoJWTError):
    """The token is valid but may not do this: answer HTTP 403, ``error="insufficient_scope"``."""

    status_code = 403
    error = "insufficient_scope"
    description = "The access token does not grant this request"


class MissingGroupError(AccessDeniedError):
    """The user is in none of the groups the call allows.

    Attributes:
        required: the groups of which at least one was needed.

    """

    def __init__(self, message: str, *, required: tuple[str, ...] = ()) -> None:
        """Create the error naming the ``required`` groups."""
        super().__init__(message)
        self.required = required


class InsufficientScopeError(AccessDeniedError):
    """The token lacks a scope the call requires.

    Attributes:
        required: every scope the call needs.
        missing: those of them the token did not carry.

    """

    def __init__(
        self,
        message: str,
        *,
        required: tuple[str, ...] = (),
        missing: tuple[str, ...] = (),
    ) -> None:
        """Create the error naming the ``required`` and ``missing`` scopes."""
        super().__init__(message)
        self.required = required
        self.missing = missing

    @property
    def www_authenticate(self) -> str | None:
        """The challenge, naming the required scopes (RFC 6750 section 3) when they are plain."""
        scope = " ".join(s for s in self.required if _SCOPE_TOKEN.fullmatch(s))
        return _challenge(self.error, self.description, scope or None)


class UnavailableError(CognitoJWTError):
    """This side could not decide whether the token is good: answer HTTP 503.

    The token may well be fine; the request can be retried later. No
    ``WWW-Authenticate`` challenge goes with it (``www_authenticate`` is ``None``).
    """

    status_code = 503


class JWKSError(UnavailableError):
    """The signing keys could not be had: answer HTTP 503; the token may well be fine."""


class JWKSFetchError(JWKSError):
    """The JWKS request failed: network, timeout, status other than 200, redirect, too large."""


class JWKSFormatError(JWKSError):
    """The JWKS is not a JSON Web Key Set, or holds no usable RSA signing key."""


class RevokedTokenError(InvalidTokenError):
    """The token verified, but it (or the sign-in it came from) was revoked: HTTP 401.

    Raised by a verifier given ``revocation=``, after the signature, lifetime and
    audience checks passed.

    Attributes:
        claims: the token's verified claims, for logging who was refused.
        revoked_by: what matched: ``"jti"`` (this token), ``"origin_jti"`` (every
            token of one refresh token) or ``"sub"`` (a sign-out of the user).

    """

    description = "The access token was revoked"

    def __init__(
        self, message: str, *, claims: CognitoClaims | None = None, revoked_by: str = "jti"
    ) -> None:
        """Create the error for a revoked token with verified ``claims``."""
        super().__init__(message)
        self.claims = claims
        self.revoked_by = revoked_by


class RevocationCheckError(UnavailableError):
    """The revocation store could not be asked: HTTP 503, and the token is refused.

    Revocation fails closed: a token is never accepted because the store was
    down, slow or answered nonsense.
    """
