"""JWKS document validation: which keys of a set are usable, built once. Pure, no I/O."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from cognito_jwt._crypto import KeyBuildError, VerifyingKey, build_key
from cognito_jwt._token import ALGORITHM, MAX_KID_LENGTH, b64url_decode, loads_strict
from cognito_jwt.exceptions import InvalidSignatureError, JWKSFormatError, _describe

logger = logging.getLogger("cognito_jwt")

MIN_RSA_BITS = 2048
MAX_RSA_BITS = 4096
#: Keys per issuer held at most; a JWKS within the fetch's body cap cannot hold more.
MAX_KEYS_PER_ISSUER = 128
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")


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
    if len(keys) > MAX_KEYS_PER_ISSUER:
        raise JWKSFormatError(f"JWKS has {len(keys)} keys, over {MAX_KEYS_PER_ISSUER}")
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
