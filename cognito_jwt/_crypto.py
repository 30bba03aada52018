"""The one module that calls python-jose: RSA key construction and RS256 verification.

Keeping every python-jose call here means a change of backend touches one file.
python-jose's key class is built from the JWK once per kid (never per call);
python-jose is used with its ``cryptography`` backend only, never the
pure-Python ``rsa`` one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.hashes import SHA256
from jose.backends.cryptography_backend import CryptographyRSAKey
from jose.exceptions import JOSEError

from cognito_jwt._token import ALGORITHM

_PADDING = PKCS1v15()
_HASH = SHA256()


class KeyBuildError(ValueError):
    """python-jose refused the key material."""


@dataclass(frozen=True, slots=True, eq=False)
class VerifyingKey:
    """One published RSA signing key, ready to verify RS256 signatures.

    ``n`` and ``e`` identify the key material, so that a refetched JWKS whose
    key did not change reuses this object instead of building a new one.
    """

    kid: str
    n: int
    e: int
    jose_key: Any = field(repr=False)
    public_key: RSAPublicKey = field(repr=False)

    @property
    def bits(self) -> int:
        """The modulus size in bits."""
        return self.n.bit_length()

    def verify(self, signing_input: bytes, signature: bytes) -> bool:
        """Return whether ``signature`` is a valid RS256 signature of ``signing_input``."""
        # python-jose's CryptographyRSAKey.verify() builds a new public-key wrapper
        # on every call; the cryptography key it prepared at construction does the
        # same PKCS#1 v1.5 / SHA-256 check without that per-call allocation.
        try:
            self.public_key.verify(signature, signing_input, _PADDING, _HASH)
        except InvalidSignature:
            return False
        return True


def build_key(kid: str, jwk: dict[str, Any], n: int, e: int) -> VerifyingKey:
    """Build the python-jose RS256 key for a JWK whose ``n`` and ``e`` were already checked.

    Raises:
        KeyBuildError: python-jose or cryptography refused the key material.

    """
    public_jwk = {"kty": "RSA", "n": jwk["n"], "e": jwk["e"]}
    try:
        jose_key = CryptographyRSAKey(public_jwk, ALGORITHM)
    except (JOSEError, ValueError, TypeError) as exc:
        raise KeyBuildError(f"key material refused: {exc}") from None
    public_key = jose_key.prepared_key
    if not isinstance(public_key, RSAPublicKey):  # pragma: no cover - public JWK in, public out
        raise KeyBuildError("key is not an RSA public key")
    return VerifyingKey(kid=kid, n=n, e=e, jose_key=jose_key, public_key=public_key)
