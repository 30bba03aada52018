"""Attacks on ALB tokens: each refused with its exact class, with the key requests counted.

The verifier fetches its keys through ``responses`` (``FakeAlb.mock_keys``), so
every request it would make is counted: the checks that must come before any
key fetch (algorithm, kid, signer, client, issuer) are shown to cost none.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import responses
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from cognito_jwt import (
    AlbVerifier,
    CognitoJWTError,
    CognitoVerifier,
    ExpiredTokenError,
    InvalidAudienceError,
    InvalidIssuerError,
    InvalidSignatureError,
    InvalidSignerError,
    JWKSFormatError,
    MalformedTokenError,
    UnknownKeyError,
)
from cognito_jwt.testing import FakeAlb, FakeUserPool

OTHER_ARN = (
    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/other/0123456789abcdef"
)
UNKNOWN_KID = "00000000-1111-2222-3333-444444444444"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def segment(value: dict[str, Any]) -> str:
    return b64(json.dumps(value, separators=(",", ":")).encode())


def parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header, payload, _ = token.split(".")
    return json.loads(base64.urlsafe_b64decode(header)), json.loads(
        base64.urlsafe_b64decode(payload)
    )


def resign(alb: FakeAlb, header: dict[str, Any], payload: dict[str, Any]) -> str:
    """Sign ``header`` and ``payload`` (padded, as an ALB sends them) with the ALB's key."""
    signing_input = segment(header) + "." + segment(payload)
    return signing_input + "." + b64(alb.signing_key.sign(signing_input.encode()))


@pytest.fixture
def alb() -> FakeAlb:
    return FakeAlb(user_pool=FakeUserPool())


@pytest.fixture
def keys(alb: FakeAlb) -> Iterator[responses.RequestsMock]:
    with alb.mock_keys() as rsps:
        yield rsps


@pytest.fixture
def verifier(alb: FakeAlb, keys: responses.RequestsMock) -> AlbVerifier:
    """A verifier with a cold cache: every key it needs is fetched (and counted)."""
    del keys
    return AlbVerifier(alb.alb_arn, client_ids=alb.client_id, issuer=alb.issuer)


# ----------------------------------------------------------------------------- forgeries


def alg_none(alb: FakeAlb) -> str:
    header, payload = parts(alb.token())
    return segment({**header, "alg": "none"}) + "." + segment(payload) + "." + b64(b"\0")


def hs256_keyed_with_pem(alb: FakeAlb) -> str:
    header, payload = parts(alb.token())
    signing_input = segment({**header, "alg": "HS256"}) + "." + segment(payload)
    pem = alb.public_keys[alb.signing_key.kid].encode()
    return signing_input + "." + b64(hmac.new(pem, signing_input.encode(), hashlib.sha256).digest())


def rs256(alb: FakeAlb) -> str:
    header, payload = parts(alb.token())
    signing_input = segment({**header, "alg": "RS256"}) + "." + segment(payload)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + b64(signature)


def es384(alb: FakeAlb) -> str:
    header, payload = parts(alb.token())
    signing_input = segment({**header, "alg": "ES384"}) + "." + segment(payload)
    key = ec.generate_private_key(ec.SECP384R1())
    return signing_input + "." + b64(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA384())))


def with_kid(kid: object) -> Callable[[FakeAlb], str]:
    def forge(alb: FakeAlb) -> str:
        return alb.token(headers={"kid": kid})

    return forge


def with_header(**fields: Any) -> Callable[[FakeAlb], str]:
    def forge(alb: FakeAlb) -> str:
        return alb.token(headers={"kid": UNKNOWN_KID, **fields})

    return forge


def exp_header_future_payload_past(alb: FakeAlb) -> str:
    return alb.token(claims={"exp": 1_000_000_000})


def exp_header_past_payload_future(alb: FakeAlb) -> str:
    header, payload = parts(alb.token())
    return resign(alb, {**header, "exp": 1_000_000_000}, payload)


def payload_issuer_differs(alb: FakeAlb) -> str:
    return alb.token(claims={"iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other"})


def der_signature(alb: FakeAlb) -> str:
    header, payload = parts(alb.token())
    signing_input = segment(header) + "." + segment(payload)
    der = alb.signing_key.private_key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
    return signing_input + "." + b64(der)


def another_key_same_kid(alb: FakeAlb) -> str:
    return alb.token(signing_key=alb.unpublished_key().with_kid(alb.signing_key.kid))


def unpublished_kid(alb: FakeAlb) -> str:
    return alb.token(signing_key=alb.unpublished_key())


def signed_without_padding(alb: FakeAlb) -> str:
    # Signed over the unpadded segments, sent padded: the signature covers what is received.
    header, payload = parts(alb.token())
    plain = segment(header).rstrip("=") + "." + segment(payload).rstrip("=")
    signature = b64(alb.signing_key.sign(plain.encode()))
    return segment(header) + "." + segment(payload) + "." + signature


def wrong_padding(alb: FakeAlb) -> str:
    header, payload, signature = alb.token(padded=False).split(".")
    return header + "===." + payload + "." + signature


def padding_inside(alb: FakeAlb) -> str:
    header, payload, signature = alb.token(padded=False).split(".")
    return header[:8] + "==" + header[8:] + "." + payload + "." + signature


def signature_of_65_bytes(alb: FakeAlb) -> str:
    token = alb.token()
    return token.rsplit(".", 1)[0] + "." + b64(alb.signing_key.sign(b"x") + b"\0")


def signature_of_zeros(alb: FakeAlb) -> str:
    return alb.token().rsplit(".", 1)[0] + "." + b64(bytes(64))


# (name, forge, expected class, key requests the verifier may make)
ATTACKS: list[tuple[str, Callable[[FakeAlb], str], type[CognitoJWTError], int]] = [
    ("alg none", alg_none, InvalidSignatureError, 0),
    ("HS256 keyed with the PEM", hs256_keyed_with_pem, InvalidSignatureError, 0),
    ("RS256", rs256, InvalidSignatureError, 0),
    ("ES384", es384, InvalidSignatureError, 0),
    ("kid ../ path", with_kid("../../../etc/passwd"), MalformedTokenError, 0),
    ("kid UUID then ../", with_kid(UNKNOWN_KID + "/../x"), MalformedTokenError, 0),
    ("kid percent-encoded", with_kid("%2e%2e%2f" + UNKNOWN_KID), MalformedTokenError, 0),
    ("kid in braces", with_kid("{" + UNKNOWN_KID + "}"), MalformedTokenError, 0),
    ("kid overlong", with_kid(UNKNOWN_KID + "0" * 5000), MalformedTokenError, 0),
    ("kid uppercase", with_kid(UNKNOWN_KID.upper().replace("0", "A")), MalformedTokenError, 0),
    ("kid not a string", with_kid(12345), MalformedTokenError, 0),
    ("kid with a query", with_kid(UNKNOWN_KID + "?x=1"), MalformedTokenError, 0),
    ("forbidden header jku", with_header(jku="https://evil.example/keys"), MalformedTokenError, 0),
    ("signer mismatch", with_header(signer=OTHER_ARN), InvalidSignerError, 0),
    ("signer missing", with_header(signer=None), MalformedTokenError, 0),
    ("client mismatch", with_header(client="other-client"), InvalidAudienceError, 0),
    (
        "issuer mismatch",
        with_header(iss="https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Evil"),
        InvalidIssuerError,
        0,
    ),
    ("header exp missing", with_header(exp=None), MalformedTokenError, 0),
    ("header exp future, payload exp past", exp_header_future_payload_past, ExpiredTokenError, 1),
    ("header exp past, payload exp future", exp_header_past_payload_future, ExpiredTokenError, 1),
    ("payload iss differs from header", payload_issuer_differs, InvalidIssuerError, 1),
    ("DER signature instead of raw R||S", der_signature, InvalidSignatureError, 1),
    ("signature of 65 bytes", signature_of_65_bytes, InvalidSignatureError, 1),
    ("signature of zeros", signature_of_zeros, InvalidSignatureError, 1),
    ("another key under the same kid", another_key_same_kid, InvalidSignatureError, 1),
    ("kid not published (404)", unpublished_kid, UnknownKeyError, 1),
    ("signed without the padding it carries", signed_without_padding, InvalidSignatureError, 1),
    ("wrong padding", wrong_padding, MalformedTokenError, 0),
    ("padding inside a segment", padding_inside, MalformedTokenError, 0),
]


@pytest.mark.parametrize("attack", [pytest.param(attack[1:], id=attack[0]) for attack in ATTACKS])
def test_attack_is_refused_with_its_class(
    alb: FakeAlb,
    verifier: AlbVerifier,
    keys: responses.RequestsMock,
    attack: tuple[Callable[[FakeAlb], str], type[CognitoJWTError], int],
) -> None:
    forge, expected, requests = attack
    token = forge(alb)
    with pytest.raises(CognitoJWTError) as caught:
        verifier.verify(token)
    assert type(caught.value) is expected, str(caught.value)
    assert len(keys.calls) == requests


def test_origin_errors_name_the_claim(alb: FakeAlb, verifier: AlbVerifier) -> None:
    with pytest.raises(InvalidSignerError) as signer:
        verifier.verify(with_header(signer=OTHER_ARN)(alb))
    assert (signer.value.claim, signer.value.actual) == ("signer", OTHER_ARN)
    assert signer.value.expected == (alb.alb_arn,)
    with pytest.raises(InvalidAudienceError) as client:
        verifier.verify(with_header(client="other-client")(alb))
    assert (client.value.claim, client.value.actual) == ("client", "other-client")


def test_a_key_of_another_curve_is_refused(alb: FakeAlb) -> None:
    p384 = ec.generate_private_key(ec.SECP384R1()).public_key()
    pem = p384.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with responses.RequestsMock() as rsps:
        rsps.get(f"{alb.keys_url}/{alb.signing_key.kid}", body=pem)
        verifier = AlbVerifier(alb.alb_arn, client_ids=alb.client_id, issuer=alb.issuer)
        with pytest.raises(JWKSFormatError, match="secp384r1"):
            verifier.verify(alb.token())
        assert len(rsps.calls) == 1


def test_padding_stays_refused_by_the_cognito_verifier() -> None:
    pool = FakeUserPool()
    token = pool.access_token()
    # An RS256 signature of 256 bytes is 342 base64url characters: padded, it ends in "==".
    assert len(token.rsplit(".", 1)[1]) % 4 == 2
    with pytest.raises(MalformedTokenError, match="never carries"):
        pool.verifier(token_use="access").verify(token + "==")


def test_tokens_do_not_cross_between_the_verifiers(alb: FakeAlb, verifier: AlbVerifier) -> None:
    pool = alb.user_pool
    assert pool is not None
    with pytest.raises(InvalidSignatureError, match="ES256"):
        pool.verifier(token_use=None).verify(alb.token(padded=False))
    with pytest.raises(InvalidSignatureError, match="RS256"):
        verifier.verify(pool.access_token())
    assert isinstance(pool.verifier(token_use=None), CognitoVerifier)
