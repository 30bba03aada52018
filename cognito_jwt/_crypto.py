"""The one module that calls python-jose: RSA and EC keys, RS256 and ES256 verification.

Keeping every python-jose call here means a change of backend touches one file.
python-jose's key class is built from the JWK once per kid (never per call);
python-jose is used with its ``cryptography`` backend only, never the
pure-Python ``rsa`` one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ec import (
    ECDSA,
    SECP256R1,
    EllipticCurvePublicKey,
)
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.hashes import SHA256
from jose.backends.cryptography_backend import CryptographyECKey, CryptographyRSAKey
from jose.exceptions import JOSEError

from cognito_jwt._token import ALB_ALGORITHM, ALGORITHM

_PADDING = PKCS1v15()
_HASH = SHA256()
_ECDSA_SHA256 = ECDSA(SHA256())
# An ES256 signature is R and S, 32 bytes each, big-endian (RFC 7518 section 3.4).
ES256_SIGNATURE_BYTES = 64
_P256_COORDINATE_BYTES = 32
# One PEM block of a SubjectPublicKeyInfo, nothing before or after it but whitespace.
_PUBLIC_KEY_PEM = re.compile(
    rb"-----BEGIN PUBLIC KEY-----\r?\n[A-Za-z0-9+/=\r\n]{1,4096}-----END PUBLIC KEY-----"
)


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


@dataclass(frozen=True, slots=True, eq=False)
class EcVerifyingKey:
    """One P-256 public key of an Application Load Balancer, ready to verify ES256 signatures."""

    kid: str
    jose_key: Any = field(repr=False)
    public_key: EllipticCurvePublicKey = field(repr=False)

    def verify(self, signing_input: bytes, signature: bytes) -> bool:
        """Return whether ``signature`` (raw R||S, exactly 64 bytes) is valid for ``signing_input``.

        Anything but 64 bytes (a DER signature, say) is refused without a look inside.
        """
        if len(signature) != ES256_SIGNATURE_BYTES:
            return False
        # python-jose's CryptographyECKey.verify() does this same raw-to-DER step, but
        # swallows every exception and builds a new hash object per call.
        r = int.from_bytes(signature[:_P256_COORDINATE_BYTES], "big")
        s = int.from_bytes(signature[_P256_COORDINATE_BYTES:], "big")
        try:
            self.public_key.verify(encode_dss_signature(r, s), signing_input, _ECDSA_SHA256)
        except InvalidSignature:
            return False
        return True


def build_ec_key(kid: str, pem: bytes) -> EcVerifyingKey:
    """Build the python-jose ES256 key for a PEM public key (an ALB publishes one per kid).

    Only one ``-----BEGIN PUBLIC KEY-----`` block is read (never a private key,
    never a certificate), and it must hold a P-256 key.

    Raises:
        KeyBuildError: the body is not exactly a P-256 public key in PEM.

    """
    text = pem.strip()
    if not _PUBLIC_KEY_PEM.fullmatch(text):
        raise KeyBuildError("body is not one PEM public key block")
    try:
        jose_key = CryptographyECKey(text, ALB_ALGORITHM)
    except (JOSEError, ValueError, TypeError) as exc:
        raise KeyBuildError(f"key material refused: {exc}") from None
    public_key = jose_key.prepared_key
    if not isinstance(public_key, EllipticCurvePublicKey):
        raise KeyBuildError(f"key is a {type(public_key).__name__}, not an EC public key")
    if not isinstance(public_key.curve, SECP256R1):
        raise KeyBuildError(f"key is on curve {public_key.curve.name}, not P-256")
    return EcVerifyingKey(kid=kid, jose_key=jose_key, public_key=public_key)
