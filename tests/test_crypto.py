"""The python-jose layer: its cryptography backend, and RS256 verification of one key."""

from __future__ import annotations

import base64
import subprocess
import sys
from collections.abc import Callable

import jose.backends
import pytest
from jose.backends.cryptography_backend import CryptographyRSAKey

from cognito_jwt import InvalidSignatureError
from cognito_jwt._crypto import VerifyingKey, build_key
from cognito_jwt._jwks import parse_jwks
from cognito_jwt.testing import FakeUserPool, SigningKey
from cognito_jwt.testing._keys import b64url, generate_key
from tests.conftest import FakeClock, JWKSServer

MESSAGE = b"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9"


def verifying_key(key: SigningKey) -> VerifyingKey:
    return parse_jwks({"keys": [key.public_jwk]})[key.kid]


def flip(data: bytes, bit: int) -> bytes:
    """``data`` with one bit inverted (bit 0 is the lowest bit of the last byte)."""
    value = int.from_bytes(data, "big") ^ (1 << bit)
    return value.to_bytes(len(data), "big")


def b64url_decoded(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


@pytest.fixture
def key() -> SigningKey:
    return generate_key(0)


# --------------------------------------------------------------------------- backend


def test_python_jose_runs_on_its_cryptography_backend() -> None:
    assert jose.backends.RSAKey is CryptographyRSAKey


def test_built_keys_are_cryptography_backend_keys(key: SigningKey) -> None:
    built = verifying_key(key)
    assert isinstance(built.jose_key, CryptographyRSAKey)
    assert type(built.jose_key).__module__ == "jose.backends.cryptography_backend"
    assert built.public_key is built.jose_key.prepared_key


def test_the_verifiers_keys_are_cryptography_backend_keys(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    fetching = pool.verifier(jwks_url=server.url, clock=clock)
    fetching.verify(pool.id_token(issued_at=clock.now))
    assert fetching._store is not None
    fetched = fetching._store.current_keys(fetching.issuer)
    assert len(fetched) == 2
    for verifying in fetched.values():
        assert isinstance(verifying.jose_key, CryptographyRSAKey)


# --------------------------------------------------------------------------- verification


def test_a_valid_signature_verifies(key: SigningKey) -> None:
    built = verifying_key(key)
    assert built.verify(MESSAGE, key.sign(MESSAGE)) is True
    # python-jose's own key object agrees with the prepared key used on the hot path.
    assert built.jose_key.verify(MESSAGE, key.sign(MESSAGE)) is True


@pytest.mark.parametrize("bit", [0, 1, 7, 8, 1000, 2047])
def test_a_flipped_bit_in_the_signature_does_not_verify(key: SigningKey, bit: int) -> None:
    built = verifying_key(key)
    signature = key.sign(MESSAGE)
    assert built.verify(MESSAGE, flip(signature, bit)) is False
    assert built.jose_key.verify(MESSAGE, flip(signature, bit)) is False


@pytest.mark.parametrize("bit", [0, 9, len(MESSAGE) * 8 - 1])
def test_a_flipped_bit_in_the_signed_input_does_not_verify(key: SigningKey, bit: int) -> None:
    built = verifying_key(key)
    assert built.verify(flip(MESSAGE, bit), key.sign(MESSAGE)) is False


def test_another_keys_signature_does_not_verify(key: SigningKey) -> None:
    other = generate_key(1)
    assert verifying_key(key).verify(MESSAGE, other.sign(MESSAGE)) is False


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda s: b"", id="empty"),
        pytest.param(lambda s: s[:1], id="one-byte"),
        pytest.param(lambda s: s[:-1], id="one-byte-short"),
        pytest.param(lambda s: s + b"\x00", id="one-byte-long"),
        pytest.param(lambda s: b"\x00" + s, id="leading-zero"),
        pytest.param(lambda s: s + s, id="double"),
        pytest.param(lambda s: b"\xff" * 8192, id="8-KiB"),
        pytest.param(lambda s: b"\xff" * len(s), id="over-the-modulus"),
        pytest.param(lambda s: b"\x00" * len(s), id="zero"),
        pytest.param(lambda s: b"\x00" * (len(s) - 1) + b"\x01", id="one"),
    ],
)
def test_a_malformed_signature_is_false_not_an_exception(
    key: SigningKey, mangle: Callable[[bytes], bytes]
) -> None:
    assert verifying_key(key).verify(MESSAGE, mangle(key.sign(MESSAGE))) is False


def test_bad_signatures_through_the_verifier_are_invalid_signature_errors(
    pool: FakeUserPool, clock: FakeClock
) -> None:
    verifier = pool.verifier(clock=clock)
    token = pool.access_token(issued_at=clock.now)
    assert verifier.verify(token).token_use == "access"
    head, payload, segment = token.split(".")
    signature = b64url_decoded(segment)
    for forged in (
        flip(signature, 5),
        signature[:-3],
        signature + b"\x00",
        signature[::-1],
        b"\x00",
    ):
        with pytest.raises(InvalidSignatureError):
            verifier.verify(f"{head}.{payload}.{b64url(forged)}")


# --------------------------------------------------------------------------- key objects


def test_key_records_its_material(key: SigningKey) -> None:
    numbers = key.private_key.public_key().public_numbers()
    built = verifying_key(key)
    assert (built.kid, built.n, built.e, built.bits) == (key.kid, numbers.n, numbers.e, 2048)
    assert "n=" in repr(built)
    assert "jose_key" not in repr(built)


def test_build_key_uses_only_the_key_material(key: SigningKey) -> None:
    numbers = key.private_key.public_key().public_numbers()
    # Members other than n and e (alg, use, or an attacker's "d") play no part.
    jwk = key.public_jwk | {"alg": "HS256", "d": "AQAB", "kty": "oct"}
    built = build_key(key.kid, jwk, numbers.n, numbers.e)
    assert isinstance(built.jose_key, CryptographyRSAKey)
    assert built.jose_key.is_public()
    assert built.verify(MESSAGE, key.sign(MESSAGE)) is True


def test_pure_python_backends_and_token_apis_of_python_jose_are_never_loaded() -> None:
    # In a fresh interpreter: the rsa and ecdsa packages, and python-jose's
    # jwt/jws/jwe entry points (where its advisories live), stay unimported.
    script = (
        "import sys\n"
        "from cognito_jwt.testing import FakeUserPool\n"
        "pool = FakeUserPool()\n"
        "pool.verifier().verify(pool.access_token())\n"
        "names = ('rsa', 'ecdsa', 'jose.backends.rsa_backend', 'jose.backends.ecdsa_backend',\n"
        "         'jose.jwt', 'jose.jws', 'jose.jwe')\n"
        "print(sorted(n for n in names if n in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"
