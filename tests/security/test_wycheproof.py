"""Wycheproof's JSON Web Signature vectors through the library's own pipeline pieces.

Every test of every group whose public key is an RSA key runs as a token
does: ``cognito_jwt._token``'s strict compact form and header checks, the key
through ``cognito_jwt._jwks.parse_jwks`` (the JWKS validation every fetched or
static key goes through), then ``VerifyingKey.verify``. Wycheproof's payloads
are not JSON, so the payload segment is decoded as strict base64url but not
required to be a JSON object; everything else is the library's code.

A vector is accepted if and only if Wycheproof calls it valid, its header
says RS256, its key is usable for RS256 verification, and its payload is not
empty (a strict compact JWT has three non-empty segments; an empty payload is
no JWT, whatever RFC 7515 allows). The vectors are a copy in tests/vectors/
(Apache-2.0, see the README there): the tests never read outside the project.
"""

from __future__ import annotations

import base64
import collections
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cognito_jwt import _jwks, _token
from cognito_jwt.exceptions import (
    InvalidSignatureError,
    JWKSFormatError,
    MalformedTokenError,
    UnknownKeyError,
)

VECTORS = Path(__file__).parent.parent / "vectors" / "wycheproof" / "json_web_signature_test.json"
MAX_TOKEN_BYTES = 65536
# What a refused vector may be refused with: bad form or header, bad signature or
# algorithm, a kid the key set does not hold, or a key that is not usable.
REFUSALS = (MalformedTokenError, InvalidSignatureError, UnknownKeyError, JWKSFormatError)

# Outcomes of the vectors run, by (result, flags, outcome); reported by the last test.
OUTCOMES: collections.Counter[tuple[str, str, str]] = collections.Counter()


@dataclass(frozen=True)
class Vector:
    """One Wycheproof test and the public JWK of its group."""

    tc_id: int
    comment: str
    jws: Any
    result: str
    flags: tuple[str, ...]
    jwk: dict[str, Any]

    @property
    def test_id(self) -> str:
        return f"tc{self.tc_id}-{self.comment}"

    @property
    def header_alg(self) -> Any:
        """The header's alg, read leniently (None when the header cannot be read)."""
        if not isinstance(self.jws, str):
            return None
        segment = self.jws.split(".")[0]
        try:
            header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
        except ValueError:
            return None
        return header.get("alg") if isinstance(header, dict) else None

    @property
    def payload_empty(self) -> bool:
        return isinstance(self.jws, str) and self.jws.count(".") == 2 and not self.jws.split(".")[1]

    @property
    def key_usable(self) -> bool:
        """Whether the JWK may verify RS256 signatures (RFC 7517 4.2-4.4, RFC 7518 6.3).

        Worked out here, not by the library: kty RSA; use absent or sig; key_ops
        absent or naming verify; alg absent or RS256; a 2048 to 4096-bit modulus
        and an odd public exponent of at least 3.
        """
        jwk = self.jwk
        if jwk.get("kty") != "RSA" or jwk.get("use", "sig") != "sig":
            return False
        key_ops = jwk.get("key_ops")
        if key_ops is not None and (not isinstance(key_ops, list) or "verify" not in key_ops):
            return False
        if jwk.get("alg", "RS256") != "RS256":
            return False
        n = int.from_bytes(base64.urlsafe_b64decode(jwk["n"] + "=" * (-len(jwk["n"]) % 4)), "big")
        e = int.from_bytes(base64.urlsafe_b64decode(jwk["e"] + "=" * (-len(jwk["e"]) % 4)), "big")
        return 2048 <= n.bit_length() <= 4096 and e >= 3 and e % 2 == 1

    @property
    def must_accept(self) -> bool:
        return (
            self.result == "valid"
            and self.header_alg == "RS256"
            and self.key_usable
            and not self.payload_empty
        )

    @property
    def key_ops_without_verify(self) -> bool:
        key_ops = self.jwk.get("key_ops")
        return isinstance(key_ops, list) and "verify" not in key_ops


def rsa_vectors() -> Iterator[Vector]:
    document = json.loads(VECTORS.read_text(encoding="utf-8"))
    for group in document["testGroups"]:
        public = group.get("public")
        if not isinstance(public, dict) or public.get("kty") != "RSA":
            continue
        for test in group["tests"]:
            yield Vector(
                tc_id=test["tcId"],
                comment=test["comment"],
                jws=test["jws"],
                result=test["result"],
                flags=tuple(test["flags"]),
                jwk=public,
            )


VECTORS_RUN = list(rsa_vectors())


@pytest.fixture
def payload_not_json(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Let ``_token.parse`` take a payload that is not JSON; it still decodes it strictly.

    The payload segment reaches ``loads_strict`` only after ``b64url_decode``
    took it as canonical base64url; here its bytes are recorded instead of read
    as a JSON object. The header still goes through ``loads_strict``.
    """
    payloads: list[bytes] = []
    loads_strict = _token.loads_strict

    def loads(data: bytes, what: str, error: type[Exception]) -> dict[str, Any]:
        if what == "payload":
            payloads.append(data)
            return {}
        return loads_strict(data, what, error)

    monkeypatch.setattr(_token, "loads_strict", loads)
    return payloads


def verify(vector: Vector, payloads: list[bytes]) -> None:
    """Run ``vector`` through the pipeline: return if accepted, raise the library's error if not."""
    parsed = _token.parse(vector.jws, MAX_TOKEN_BYTES)
    assert len(payloads) == 1, "the payload went through the strict base64url decoding"
    keys = _jwks.parse_jwks({"keys": [vector.jwk]})
    key = keys.get(parsed.kid)
    if key is None:
        raise UnknownKeyError(f"kid {parsed.kid!r} is not in the key set", kid=parsed.kid)
    if not key.verify(parsed.signing_input, parsed.signature):
        raise InvalidSignatureError("signature does not verify")


@pytest.mark.parametrize("vector", [pytest.param(v, id=v.test_id) for v in VECTORS_RUN])
def test_wycheproof_rsa_vector(vector: Vector, payload_not_json: list[bytes]) -> None:
    flags = ",".join(vector.flags) or "-"
    if vector.must_accept:
        verify(vector, payload_not_json)
        OUTCOMES[vector.result, flags, "accepted"] += 1
        return
    with pytest.raises(REFUSALS) as refused:
        verify(vector, payload_not_json)
    OUTCOMES[vector.result, flags, type(refused.value).__name__] += 1


def test_the_vectors_cover_what_they_should() -> None:
    """The copy holds what the RSA tests rely on: a few to accept, many of each flaw to refuse."""
    by_flag = collections.Counter(flag for v in VECTORS_RUN for flag in v.flags)
    assert len(VECTORS_RUN) >= 300
    assert sum(v.must_accept for v in VECTORS_RUN) >= 5
    assert by_flag["ModifiedPadding"] >= 200
    for flag in ("ModifiedSignature", "WrongPrimitive", "AlgIsNone"):
        assert by_flag[flag] >= 1, flag
    assert sum(v.key_ops_without_verify for v in VECTORS_RUN) == 1


def test_wycheproof_summary() -> None:
    """Runs last: report the outcomes, by result and flag (shown with ``pytest -s``)."""
    if sum(OUTCOMES.values()) < len(VECTORS_RUN):
        pytest.skip("only part of the vectors ran")
    for (result, flags, outcome), count in sorted(OUTCOMES.items()):
        print(f"{count:5d}  {result:8s} {flags:18s} {outcome}")
    accepted = sum(c for (_, _, outcome), c in OUTCOMES.items() if outcome == "accepted")
    print(f"{sum(OUTCOMES.values()):5d}  vectors run, {accepted} accepted")
