"""The pure pieces of ALB verification: padded tokens, the header, ARNs, ES256 keys, AlbClaims."""

from __future__ import annotations

import base64
import json
import pickle
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from cognito_jwt import (
    AlbClaims,
    ConfigurationError,
    InvalidSignatureError,
    MalformedTokenError,
    _pool,
    _token,
)
from cognito_jwt._crypto import KeyBuildError, build_ec_key
from cognito_jwt.testing import FakeAlb

KID = "6db77464-4ac6-4968-9ec9-a6c669649ba1"
HEADER = {
    "typ": "JWT",
    "kid": KID,
    "alg": "ES256",
    "iss": "https://idp.example",
    "client": "c",
    "signer": "s",
    "exp": 2_000_000_000,
}


def seg(value: Any, *, padded: bool = True) -> str:
    text = base64.urlsafe_b64encode(json.dumps(value).encode()).decode()
    return text if padded else text.rstrip("=")


def parse(token: str) -> _token.ParsedToken:
    return _token.parse_padded(token, 65536, _token.check_alb_header)


def signature(length: int = 64) -> str:
    return base64.urlsafe_b64encode(bytes(range(length))).decode()


def test_padded_and_unpadded_segments_decode_alike() -> None:
    header, payload = seg(HEADER), seg({"sub": "a"})
    padded = parse(f"{header}.{payload}.{signature()}")
    bare = parse(f"{header.rstrip('=')}.{payload.rstrip('=')}.{signature().rstrip('=')}")
    assert padded.header == bare.header == HEADER
    assert padded.payload == bare.payload == {"sub": "a"}
    assert padded.signature == bare.signature == bytes(range(64))
    assert padded.kid == KID
    # The signing input is the segments as received, padding included.
    assert padded.signing_input == f"{header}.{payload}".encode()


@pytest.mark.parametrize(
    "segment",
    [
        signature() + "=",  # one '=' too many
        signature() + "====",
        signature()[:4] + "=" + signature()[4:],  # '=' inside
        "=",  # nothing but padding
        signature().rstrip("=") + "=",  # one '=' short
        signature(63) + "==",  # 63 bytes need one '=', not two
    ],
)
def test_padding_must_be_exact(segment: str) -> None:
    with pytest.raises(MalformedTokenError):
        parse(f"{seg(HEADER)}.{seg({'a': 1})}.{segment}")


@pytest.mark.parametrize(
    "token",
    ["", "a.b", "a.b.c.d", "a..c", "é.b.c", "a b.c.d", "+/+/.a.b", 5, None],
)
def test_what_is_no_compact_jws_is_malformed(token: object) -> None:
    with pytest.raises(MalformedTokenError):
        parse(token)  # type: ignore[arg-type]


def test_the_size_cap_comes_first() -> None:
    with pytest.raises(MalformedTokenError, match="over the 10 limit"):
        _token.parse_padded("a" * 11, 10, _token.check_alb_header)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"alg": "RS256"}, InvalidSignatureError),
        ({"alg": None}, InvalidSignatureError),
        ({"kid": KID.upper()}, MalformedTokenError),
        ({"kid": KID.replace("-", "")}, MalformedTokenError),
        ({"kid": KID + "\n"}, MalformedTokenError),
        ({"x5u": "https://x"}, MalformedTokenError),
        ({"typ": "at+jwt"}, MalformedTokenError),
        ({"signer": 5}, MalformedTokenError),
        ({"client": None}, MalformedTokenError),
        ({"iss": ["x"]}, MalformedTokenError),
        ({"exp": "2000000000"}, MalformedTokenError),
        ({"exp": True}, MalformedTokenError),
    ],
)
def test_header_rules(change: dict[str, Any], error: type[Exception]) -> None:
    header = {k: v for k, v in {**HEADER, **change}.items() if v is not None}
    with pytest.raises(error):
        _token.check_alb_header(header)
    assert _token.check_alb_header(dict(HEADER)) == KID


def test_the_cognito_parser_still_refuses_padding() -> None:
    with pytest.raises(MalformedTokenError, match="never carries"):
        _token.parse(f"{seg({'alg': 'RS256', 'kid': 'k'})}.{seg({})}.{signature()}", 65536)


def test_arn_parsing_and_key_urls() -> None:
    arn = "arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:loadbalancer/app/a/0f"
    assert _pool.alb_region(arn) == ("aws-us-gov", "us-gov-west-1")
    assert _pool.partition_of("cn-northwest-1") == "aws-cn"
    assert _pool.partition_of("eu-west-1") == "aws"
    assert _pool.partition_of("eusc-de-east-1") == "aws-eusc"
    assert _pool.partition_of("us-isob-east-1") == "aws-iso-b"
    with pytest.raises(ConfigurationError):
        _pool.alb_region(5)
    with pytest.raises(ConfigurationError, match="keys_url"):
        _pool.alb_keys_url("aws-iso", "us-iso-east-1")


def pem_of(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def test_es256_keys_verify_raw_signatures_only() -> None:
    alb = FakeAlb()
    key = build_ec_key("k", alb.public_keys[alb.signing_key.kid].encode())
    raw = alb.signing_key.sign(b"message")
    assert len(raw) == 64
    assert key.verify(b"message", raw)
    assert not key.verify(b"massage", raw)
    assert not key.verify(b"message", raw + b"\0")
    assert not key.verify(b"message", raw[:63])
    assert not key.verify(b"message", bytes(64))


@pytest.mark.parametrize(
    "body",
    [
        pem_of(ec.generate_private_key(ec.SECP384R1()).public_key()),
        pem_of(ec.generate_private_key(ec.SECP521R1()).public_key()),
        pem_of(ec.generate_private_key(ec.SECP256K1()).public_key()),
        b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
        b"junk" + pem_of(ec.generate_private_key(ec.SECP256R1()).public_key()),
        pem_of(ec.generate_private_key(ec.SECP256R1()).public_key()) * 2,
    ],
    ids=["p384", "p521", "secp256k1", "bad-der", "junk-before", "two-keys"],
)
def test_only_one_p256_public_key_in_pem_builds(body: bytes) -> None:
    with pytest.raises(KeyBuildError):
        build_ec_key("k", body)


def test_alb_claims_are_read_only_and_pickle() -> None:
    claims = AlbClaims({"sub": "s", "exp": 100, "tags": ["a"]}, {**HEADER, "exp": 200})
    assert claims.expires_at.timestamp() == 100
    assert (claims.signer, claims.client_id, claims.issuer) == ("s", "c", "https://idp.example")
    assert claims.email is None
    assert claims["tags"] == ("a",)
    copy = pickle.loads(pickle.dumps(claims))  # noqa: S301 - our own bytes
    assert copy.to_dict() == claims.to_dict()
    assert dict(copy.header) == dict(claims.header)
    assert "AlbClaims(sub='s'" in repr(claims)
    assert len(claims) == 3
    assert "sub" in claims
