"""JWKS document validation: which keys are usable, duplicate kids, key reuse."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cognito_jwt import InvalidSignatureError, JWKSFormatError
from cognito_jwt._jwks import parse_jwks
from cognito_jwt.testing import FakeUserPool, SigningKey
from cognito_jwt.testing._keys import generate_key
from tests.conftest import FakeClock, JWKSServer
from tests.jwks_helpers import (
    STRANGER,
    access_token,
    fetching_verifier,
    id_token,
    jwks_of,
    uint,
)

# --------------------------------------------------------------------------- document rules


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"not json", id="not-json"),
        pytest.param(b"", id="empty"),
        pytest.param(b"\xff\xfe{}", id="not-utf8"),
        pytest.param(b"[]", id="array"),
        pytest.param(b'"keys"', id="string"),
        pytest.param(b"{}", id="no-keys"),
        pytest.param(b'{"keys": {}}', id="keys-an-object"),
        pytest.param(b'{"keys": "[]"}', id="keys-a-string"),
        pytest.param(b'{"keys": null}', id="keys-null"),
        pytest.param(b'{"keys": []}', id="keys-empty"),
        pytest.param(b'{"keys": [1, "x", null, []]}', id="keys-not-objects"),
        pytest.param(b'{"keys": [], "keys": []}', id="duplicate-member"),
        pytest.param(b'{"keys": [NaN]}', id="nan"),
    ],
)
def test_a_document_that_is_not_a_jwks_is_a_format_error(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock, body: bytes
) -> None:
    pool, server = served_pool
    server.body = body
    verifier = fetching_verifier(pool, server.url, clock)
    with pytest.raises(JWKSFormatError):
        verifier.verify(id_token(pool, clock))
    assert server.requests == 1


def _edited(key: SigningKey, **changes: Any) -> dict[str, Any]:
    jwk = key.public_jwk
    for name, value in changes.items():
        if value is None:
            jwk.pop(name, None)
        else:
            jwk[name] = value
    return jwk


def _unusable_jwks() -> dict[str, dict[str, Any]]:
    key = generate_key(STRANGER)
    return {
        "kty oct": {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQ"},
        "kty EC": {
            "kty": "EC",
            "kid": "ec",
            "crv": "P-256",
            "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
            "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
        },
        "RSA with EC kty": _edited(key, kty="EC"),
        "kty missing": _edited(key, kty=None),
        "use enc": _edited(key, use="enc"),
        "alg RS512": _edited(key, alg="RS512"),
        "alg HS256": _edited(key, alg="HS256"),
        "alg none": _edited(key, alg="none"),
        "1024-bit": generate_key(STRANGER, bits=1024).public_jwk,
        "2047-bit": _edited(key, n=uint((1 << 2046) | 1)),
        "4097-bit": _edited(key, n=uint((1 << 4096) | 1)),
        "8192-bit": _edited(key, n=uint((1 << 8191) | 1)),
        "even modulus": _edited(key, n=uint(key.private_key.public_key().public_numbers().n - 1)),
        "even exponent": _edited(key, e=uint(65538)),
        "exponent 1": _edited(key, e=uint(1)),
        "exponent 0": _edited(key, e="AA"),
        "exponent over the modulus": _edited(key, e=uint((1 << 2049) | 1)),
        "n missing": _edited(key, n=None),
        "e missing": _edited(key, e=None),
        "n padded base64": _edited(key, n=key.public_jwk["n"] + "=="),
        "n standard base64": _edited(key, n=key.public_jwk["n"].replace("_", "/") + "+"),
        "n a number": _edited(key, n=12345),
        "kid missing": _edited(key, kid=None),
        "kid empty": _edited(key, kid=""),
        "kid a number": _edited(key, kid=7),
        "kid too long": _edited(key, kid="k" * 257),
    }


UNUSABLE = _unusable_jwks()


@pytest.mark.parametrize("name", sorted(UNUSABLE))
def test_unusable_keys_are_skipped(pool: FakeUserPool, name: str) -> None:
    id_key, _ = pool.signing_keys
    keys = parse_jwks({"keys": [UNUSABLE[name], id_key.public_jwk]})
    assert set(keys) == {id_key.kid}
    with pytest.raises(JWKSFormatError, match="no usable"):
        parse_jwks({"keys": [UNUSABLE[name]]})


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"alg": None}, id="alg-absent"),
        pytest.param({"use": None}, id="use-absent"),
        pytest.param({"alg": None, "use": None}, id="both-absent"),
        pytest.param({"x5t": "abc", "key_ops": ["verify"]}, id="extra-members"),
    ],
)
def test_rsa_signing_keys_without_optional_members_are_usable(
    pool: FakeUserPool, changes: dict[str, Any]
) -> None:
    id_key, _ = pool.signing_keys
    keys = parse_jwks({"keys": [_edited(id_key, **changes)]})
    assert set(keys) == {id_key.kid}


@pytest.mark.parametrize(
    ("bits", "exponent"), [(2048, 3), (2048, 65537), (4096, 65537), (4096, (1 << 64) + 1)]
)
def test_the_size_and_exponent_bounds_are_inclusive(bits: int, exponent: int) -> None:
    # Only the numbers are checked here, so a made-up modulus of the right size will do.
    modulus = (1 << (bits - 1)) | 0xFFFF_FFFF_FFFF_FFFF
    jwk = {"kty": "RSA", "kid": "k", "n": uint(modulus), "e": uint(exponent)}
    key = parse_jwks({"keys": [jwk]})["k"]
    assert (key.bits, key.e) == (bits, exponent)


def test_a_token_signed_by_a_skipped_key_is_refused(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    weak = generate_key(STRANGER, bits=1024)
    server.body = {"keys": [*pool.jwks["keys"], weak.public_jwk]}
    verifier = fetching_verifier(pool, server.url, clock)
    with pytest.raises(InvalidSignatureError, match="1024 bits"):
        verifier.verify(id_token(pool, clock, signing_key=weak))
    verifier.verify(id_token(pool, clock))
    # The set said why the kid is unusable: no refetch for it, however often it comes.
    for _ in range(3):
        with pytest.raises(InvalidSignatureError):
            verifier.verify(id_token(pool, clock, signing_key=weak))
    assert server.requests == 1


@pytest.mark.parametrize(
    "key_ops", [["encrypt"], ["sign"], [], "verify", {"verify": True}], ids=repr
)
def test_key_ops_must_allow_verify(pool: FakeUserPool, key_ops: object) -> None:
    id_key, access_key = pool.signing_keys
    jwks = {"keys": [{**id_key.public_jwk, "key_ops": key_ops}, access_key.public_jwk]}
    keys = parse_jwks(jwks)
    assert list(keys) == [access_key.kid]
    assert "key_ops" in keys.unusable[id_key.kid]
    verifier = pool.verifier(jwks=jwks)
    with pytest.raises(InvalidSignatureError, match="key_ops"):
        verifier.verify(pool.id_token())
    assert verifier.verify(pool.access_token()).token_use == "access"


def test_key_ops_with_verify_is_usable(pool: FakeUserPool) -> None:
    id_key, _ = pool.signing_keys
    keys = parse_jwks({"keys": [{**id_key.public_jwk, "key_ops": ["verify"]}]})
    assert list(keys) == [id_key.kid]


def test_a_set_of_only_unusable_keys_is_a_format_error(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    server.body = {"keys": [UNUSABLE["1024-bit"], UNUSABLE["use enc"], UNUSABLE["kty oct"]]}
    verifier = fetching_verifier(pool, server.url, clock)
    with pytest.raises(JWKSFormatError, match="no usable"):
        verifier.verify(id_token(pool, clock))


def test_a_duplicate_kid_refuses_the_whole_set(pool: FakeUserPool) -> None:
    id_key, access_key = pool.signing_keys
    twin = SigningKey(id_key.kid, access_key.private_key)
    for keys in (
        [id_key.public_jwk, id_key.public_jwk],
        [id_key.public_jwk, twin.public_jwk, access_key.public_jwk],
        [UNUSABLE["kty oct"] | {"kid": id_key.kid}, id_key.public_jwk],
    ):
        with pytest.raises(JWKSFormatError, match="repeats kid"):
            parse_jwks({"keys": keys})


def test_a_served_duplicate_kid_refuses_the_whole_set(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    id_key, access_key = pool.signing_keys
    twin = SigningKey(id_key.kid, generate_key(STRANGER).private_key)
    server.body = jwks_of(id_key, access_key, twin)
    verifier = fetching_verifier(pool, server.url, clock)
    with pytest.raises(JWKSFormatError, match="repeats kid"):
        verifier.verify(access_token(pool, clock))
    # Not even the token signed by the twin's material gets through.
    with pytest.raises(JWKSFormatError):
        verifier.verify(id_token(pool, clock, signing_key=twin))


def test_parse_jwks_reuses_previous_keys_of_same_kid_and_material(pool: FakeUserPool) -> None:
    id_key, access_key = pool.signing_keys
    first = parse_jwks(jwks_of(id_key, access_key))
    again = parse_jwks(json.dumps(jwks_of(id_key, access_key)).encode(), first)
    assert again[id_key.kid] is first[id_key.kid]
    assert again[access_key.kid] is first[access_key.kid]

    swapped = parse_jwks(
        {"keys": [SigningKey(id_key.kid, access_key.private_key).public_jwk]}, first
    )
    assert swapped[id_key.kid] is not first[id_key.kid]
    assert swapped[id_key.kid].n == first[access_key.kid].n
