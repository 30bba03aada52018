"""RSA signing keys for the test kit: generated at run time, cached per process."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

__all__ = ["SigningKey", "generate_key"]


def b64url(data: bytes) -> str:
    """Encode ``data`` as unpadded base64url."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _uint(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


@dataclass(frozen=True, eq=False)
class SigningKey:
    """A private RSA key and the kid it is published under, for minting test tokens."""

    kid: str
    private_key: rsa.RSAPrivateKey = field(repr=False)

    @property
    def public_jwk(self) -> dict[str, Any]:
        """The key as Cognito publishes it in a JWKS."""
        numbers = self.private_key.public_key().public_numbers()
        return {
            "alg": "RS256",
            "e": _uint(numbers.e),
            "kid": self.kid,
            "kty": "RSA",
            "n": _uint(numbers.n),
            "use": "sig",
        }

    def sign(self, signing_input: bytes) -> bytes:
        """Return the RS256 (PKCS#1 v1.5, SHA-256) signature of ``signing_input``."""
        return self.private_key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())

    def with_kid(self, kid: str) -> SigningKey:
        """The same key material published under another kid."""
        return SigningKey(kid, self.private_key)


def _thumbprint_kid(key: rsa.RSAPrivateKey) -> str:
    # Cognito's kids look like standard base64 of a 32-byte digest ("...=").
    numbers = key.public_key().public_numbers()
    members = {"e": _uint(numbers.e), "kty": "RSA", "n": _uint(numbers.n)}
    digest = hashlib.sha256(json.dumps(members, separators=(",", ":")).encode()).digest()
    return base64.b64encode(digest).decode("ascii")


@functools.cache
def _private_key(slot: Hashable, bits: int) -> rsa.RSAPrivateKey:
    # Generation takes tens of milliseconds; a test suite mints thousands of tokens
    # from a handful of keys, so each (slot, size) is generated once per process.
    del slot  # the slot only keeps cached keys apart
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def generate_key(slot: Hashable, *, bits: int = 2048) -> SigningKey:
    """Return the process-wide key of ``slot`` (generated on first use), kid its thumbprint."""
    key = _private_key(slot, bits)
    return SigningKey(_thumbprint_kid(key), key)
