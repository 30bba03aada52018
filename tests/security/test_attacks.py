"""The attack corpus: every known way to forge or bend a token is refused with the exact error.

One parametrized test per attack family (alg, key injection, structure,
claims, tampering). Each case builds its attack token with the test kit
(``headers=``, ``signing_key=``, ``claims=``) or by hand, and names the one
exception class it must raise, and the claim for a :class:`ClaimError`. The
module counts the attack tokens refused; its last test reports the count and
holds it above a floor.

Tokens are minted at the fixed time ``NOW`` and verified by a clock set just
after it, so every token, and every tampered variant, is the same on each run
(except the signatures: the kit's keys are generated per process).
"""

from __future__ import annotations

import base64
import collections
import datetime
import functools
import hashlib
import hmac
import itertools
import json
import math
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

from cognito_jwt import CognitoVerifier, _token
from cognito_jwt.exceptions import (
    ClaimError,
    CognitoJWTError,
    ExpiredTokenError,
    InvalidAudienceError,
    InvalidIssuerError,
    InvalidSignatureError,
    InvalidTokenUseError,
    MalformedTokenError,
    NotYetValidError,
    UnknownKeyError,
)
from cognito_jwt.testing import FakeUserPool, SigningKey
from tests.conftest import JWKSServer

NOW = 1_700_000_000
POOL = FakeUserPool()
ID_KEY, ACCESS_KEY = POOL.signing_keys
ATTACKER = POOL.unpublished_key()
OTHER_POOL = FakeUserPool(user_pool_id="eu-west-1_OtherPool")
VERIFIER: CognitoVerifier = POOL.verifier(token_cache_size=0, clock=lambda: NOW + 60)
MAX_TOKEN_BYTES = 65536

Malformed = MalformedTokenError
BadSignature = InvalidSignatureError

# Attack tokens refused, by family, and the cases that passed (a full run or a partial one?).
REFUSED: collections.Counter[str] = collections.Counter()
CASES_PASSED: collections.Counter[str] = collections.Counter()
TAMPERING_OUTCOMES: collections.Counter[str] = collections.Counter()


# --------------------------------------------------------------------------- helpers


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_json(value: Any) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def decode_segment(segment: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def access(**options: Any) -> str:
    """A valid access token of the pool, issued at NOW; ``options`` as the kit's."""
    options.setdefault("issued_at", NOW)
    return POOL.access_token(**options)


def id_token(**options: Any) -> str:
    """A valid ID token of the pool, issued at NOW; ``options`` as the kit's."""
    options.setdefault("issued_at", NOW)
    return POOL.id_token(**options)


def m2m(**options: Any) -> str:
    options.setdefault("issued_at", NOW)
    return POOL.m2m_token(**options)


VALID_ACCESS = access()
VALID_ID = id_token()
HEADER, PAYLOAD, SIGNATURE = VALID_ACCESS.split(".")
ACCESS_HEADER: dict[str, Any] = decode_segment(HEADER)
ACCESS_CLAIMS: dict[str, Any] = decode_segment(PAYLOAD)
ID_HEADER: dict[str, Any] = decode_segment(VALID_ID.split(".")[0])
ID_CLAIMS: dict[str, Any] = decode_segment(VALID_ID.split(".")[1])


def signed(
    header: Mapping[str, Any] | bytes,
    payload: Mapping[str, Any] | bytes,
    key: SigningKey = ACCESS_KEY,
) -> str:
    """A token built by hand: JSON (or raw bytes) header and payload, RS256-signed by ``key``."""
    head = b64url(header) if isinstance(header, bytes) else b64url_json(header)
    body = b64url(payload) if isinstance(payload, bytes) else b64url_json(payload)
    signing_input = f"{head}.{body}"
    return f"{signing_input}.{b64url(key.sign(signing_input.encode('ascii')))}"


_RAW = "__raw_json_value__"


def with_raw_claim(kind: str, name: str, raw_json: str) -> str:
    """The pool's ``kind`` token with claim ``name`` set to the JSON text ``raw_json``.

    For values ``json.dumps`` will not write (``NaN``, ``1e400``, a 5000-digit integer)
    or the kit cannot (``null``: its ``claims={name: None}`` removes the claim).
    """
    claims = dict(ID_CLAIMS if kind == "id" else ACCESS_CLAIMS)
    claims[name] = _RAW
    text = json.dumps(claims, separators=(",", ":")).replace(json.dumps(_RAW), raw_json)
    header, key = (ID_HEADER, ID_KEY) if kind == "id" else (ACCESS_HEADER, ACCESS_KEY)
    return signed(header, text.encode(), key)


def with_raw_payload(text: bytes, header: Mapping[str, Any] | bytes = ACCESS_HEADER) -> str:
    return signed(header, text)


def claims_text(claims: Mapping[str, Any] = ACCESS_CLAIMS) -> bytes:
    return json.dumps(claims, separators=(",", ":")).encode()


def assert_refused(
    family: str,
    token: Any,
    error: type[CognitoJWTError],
    claim: str | None = None,
    *,
    verifier: CognitoVerifier = VERIFIER,
    options: Mapping[str, Any] | None = None,
    count: bool = True,
) -> CognitoJWTError:
    """Verify ``token``, expecting exactly ``error`` (not a subclass, not a sibling)."""
    with pytest.raises(CognitoJWTError) as info:
        verifier.verify(token, **(options or {}))
    refused = info.value
    assert type(refused) is error, f"{type(refused).__name__}: {refused}"
    if isinstance(refused, ClaimError):
        assert refused.claim == claim, f"claim {refused.claim!r}, expected {claim!r}"
    else:
        assert claim is None, f"expected a ClaimError on {claim!r}, got {refused!r}"
    if isinstance(token, str):
        # Messages never carry the token or its signature.
        signature = token.rsplit(".", 1)[-1]
        for secret in (token, signature):
            if len(secret) >= 32:
                assert secret not in str(refused)
                assert secret not in repr(getattr(refused, "actual", None))
    if count:
        REFUSED[family] += 1
    return refused


@dataclass(frozen=True)
class Attack:
    """One attack token: how to build it, and the error (and claim) it must be refused with."""

    name: str
    build: Callable[[], Any]
    error: type[CognitoJWTError]
    claim: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    # The token is refused by the size cap alone: nothing of it may be decoded.
    size_cap: bool = False


def params(cases: Sequence[Attack | Injection]) -> list[Any]:
    names = [case.name for case in cases]
    duplicates = {name for name in names if names.count(name) > 1}
    assert not duplicates, f"duplicate case names {sorted(duplicates)}"
    return [pytest.param(case, id=case.name) for case in cases]


# --------------------------------------------------------------------------- alg

HASHES: dict[str, hashes.HashAlgorithm] = {
    "256": hashes.SHA256(),
    "384": hashes.SHA384(),
    "512": hashes.SHA512(),
}
HMAC_DIGESTS: dict[str, Callable[..., Any]] = {
    "HS256": hashlib.sha256,
    "HS384": hashlib.sha384,
    "HS512": hashlib.sha512,
}


@functools.cache
def attacker_ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@functools.cache
def attacker_ed25519_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


def public_key_secrets() -> dict[str, bytes]:
    """The access key's public half as an HMAC secret, in each form a confused verifier takes."""
    public = ACCESS_KEY.private_key.public_key()
    n = public.public_numbers().n
    return {
        "pem-spki": public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        "pem-pkcs1": public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.PKCS1
        ),
        "der-spki": public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        "modulus-bytes": n.to_bytes((n.bit_length() + 7) // 8, "big"),
        "jwk-json": json.dumps(ACCESS_KEY.public_jwk, separators=(",", ":")).encode(),
        "jwk-json-spaced": json.dumps(ACCESS_KEY.public_jwk).encode(),
    }


def hmac_signed(alg: str, secret_form: str) -> str:
    head, body, _ = access(headers={"alg": alg}).split(".")
    secret = public_key_secrets()[secret_form]
    mac = hmac.new(secret, f"{head}.{body}".encode(), HMAC_DIGESTS[alg]).digest()
    return f"{head}.{body}.{b64url(mac)}"


def signature_as(alg: str, data: bytes) -> bytes:
    """A valid ``alg`` signature of ``data``: by the pool's own RSA key for RS*/PS*.

    ES256 and EdDSA cannot be made with an RSA key; an attacker's own EC or
    Ed25519 key signs those.
    """
    private = ACCESS_KEY.private_key
    if alg.startswith("RS"):
        return private.sign(data, padding.PKCS1v15(), HASHES[alg[2:]])
    if alg.startswith("PS"):
        digest = HASHES[alg[2:]]
        pss = padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)
        return private.sign(data, pss, digest)
    if alg == "ES256":
        r, s = decode_dss_signature(attacker_ec_key().sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    assert alg == "EdDSA"
    return attacker_ed25519_key().sign(data)


def signed_as(header_alg: str, signature_alg: str) -> str:
    head, body, _ = access(headers={"alg": header_alg}).split(".")
    signature = signature_as(signature_alg, f"{head}.{body}".encode())
    return f"{head}.{body}.{b64url(signature)}"


def alg_none(alg: Any, *, with_signature: bool) -> str:
    token = access(headers={"alg": alg})
    if with_signature:
        return token  # still carries a genuine RS256 signature by the pool
    head, body, _ = token.split(".")
    return f"{head}.{body}."


NONE_SPELLINGS = sorted(
    {"".join(letters) for letters in itertools.product(*zip("none", "NONE", strict=True))}
)
OTHER_ALGS = ["RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "EdDSA"]

ALG_CASES: list[Attack] = [
    *(
        Attack(
            f"{alg}-with-signature",
            functools.partial(alg_none, alg, with_signature=True),
            BadSignature,
        )
        for alg in NONE_SPELLINGS
    ),
    # An unsecured JWS has an empty third segment: refused as malformed before its header is read.
    *(
        Attack(
            f"{alg}-without-signature",
            functools.partial(alg_none, alg, with_signature=False),
            Malformed,
        )
        for alg in NONE_SPELLINGS
    ),
    *(
        Attack(
            f"{alg}-keyed-with-public-{form}",
            functools.partial(hmac_signed, alg, form),
            BadSignature,
        )
        for alg in HMAC_DIGESTS
        for form in public_key_secrets()
    ),
    # The header names another algorithm; the signature is the kit's genuine RS256 one.
    *(
        Attack(
            f"{alg}-header-rs256-signature",
            functools.partial(access, headers={"alg": alg}),
            BadSignature,
        )
        for alg in OTHER_ALGS
    ),
    # The header names another algorithm and the signature is valid under it.
    *(
        Attack(
            f"{alg}-header-valid-{alg}-signature",
            functools.partial(signed_as, alg, alg),
            BadSignature,
        )
        for alg in OTHER_ALGS
    ),
    # The header says RS256; the signature is the pool key's under another algorithm.
    *(
        Attack(
            f"RS256-header-valid-{alg}-signature",
            functools.partial(signed_as, "RS256", alg),
            BadSignature,
        )
        for alg in ["RS384", "RS512", "PS256"]
    ),
    *(
        Attack(f"alg-{name}", functools.partial(access, headers={"alg": value}), BadSignature)
        for name, value in [
            ("lower-case-rs256", "rs256"),
            ("mixed-case-Rs256", "Rs256"),
            ("trailing-space", "RS256 "),
            ("trailing-nul", "RS256\x00"),
            ("empty", ""),
            ("list", ["RS256"]),
            ("object", {"alg": "RS256"}),
            ("number", 256),
            ("true", True),
        ]
    ),
    Attack("alg-missing", functools.partial(access, headers={"alg": None}), BadSignature),
    Attack(
        "alg-null",
        lambda: signed({"alg": None, "kid": ACCESS_KEY.kid}, claims_text()),
        BadSignature,
    ),
]


@pytest.mark.parametrize("case", params(ALG_CASES))
def test_alg_attacks_are_refused(case: Attack) -> None:
    assert_refused("alg", case.build(), case.error, case.claim)
    CASES_PASSED["alg"] += 1


# --------------------------------------------------------------------------- key injection


@dataclass(frozen=True)
class Injection:
    """A key-injection token; ``build`` gets the attacker's loopback server base URL."""

    name: str
    build: Callable[[str], str]
    error: type[CognitoJWTError]


@functools.cache
def attacker_certificate_der() -> bytes:
    """A self-signed X.509 certificate for the attacker's key, naming Cognito's host."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cognito-idp.amazonaws.com")])
    start = datetime.datetime(2023, 1, 1, tzinfo=datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(ATTACKER.private_key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=3650))
        .sign(ATTACKER.private_key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.DER)


def attacker_jwk(kid: str) -> dict[str, Any]:
    return {**ATTACKER.public_jwk, "kid": kid}


def by_attacker(kid: str | None = None, **headers: Any) -> str:
    """An access token signed by the attacker's key (under ``kid``, default its own)."""
    key = ATTACKER if kid is None else ATTACKER.with_kid(kid)
    return access(signing_key=key, headers=headers)


def kid_token(kid: Any) -> str:
    """An access token signed by the attacker's key whose header names ``kid``."""
    return access(signing_key=ATTACKER, headers={"kid": kid})


PUBLISHED = ACCESS_KEY.kid

INJECTION_CASES: list[Injection] = [
    Injection("jwk-attacker-key", lambda _: by_attacker(jwk=attacker_jwk(ATTACKER.kid)), Malformed),
    Injection(
        "jwk-attacker-key-published-kid",
        lambda _: by_attacker(PUBLISHED, jwk=attacker_jwk(PUBLISHED)),
        Malformed,
    ),
    Injection(
        "jwk-published-key-published-kid",
        lambda _: by_attacker(PUBLISHED, jwk=ACCESS_KEY.public_jwk),
        Malformed,
    ),
    Injection(
        "jku-loopback",
        lambda url: by_attacker(jku=f"{url}/.well-known/jwks.json"),
        Malformed,
    ),
    Injection(
        "jku-loopback-published-kid",
        lambda url: by_attacker(PUBLISHED, jku=f"{url}/.well-known/jwks.json"),
        Malformed,
    ),
    Injection(
        "jku-pool-jwks-url",
        lambda _: by_attacker(PUBLISHED, jku=POOL.jwks_url),
        Malformed,
    ),
    Injection(
        "jku-remote", lambda _: by_attacker(jku="https://attacker.example/jwks.json"), Malformed
    ),
    Injection("x5u-loopback", lambda url: by_attacker(x5u=f"{url}/attacker.pem"), Malformed),
    Injection(
        "x5u-loopback-published-kid",
        lambda url: by_attacker(PUBLISHED, x5u=f"{url}/attacker.pem"),
        Malformed,
    ),
    Injection(
        "x5c-self-signed",
        lambda _: by_attacker(x5c=[base64.b64encode(attacker_certificate_der()).decode()]),
        Malformed,
    ),
    Injection(
        "x5c-self-signed-published-kid",
        lambda _: by_attacker(
            PUBLISHED, x5c=[base64.b64encode(attacker_certificate_der()).decode()]
        ),
        Malformed,
    ),
    Injection(
        "all-four-headers",
        lambda url: by_attacker(
            PUBLISHED,
            jwk=attacker_jwk(PUBLISHED),
            jku=f"{url}/.well-known/jwks.json",
            x5u=f"{url}/attacker.pem",
            x5c=[base64.b64encode(attacker_certificate_der()).decode()],
        ),
        Malformed,
    ),
    # kid is only ever a dictionary key: whatever it says, it names no published key.
    *(
        Injection(
            f"kid-{name}", functools.partial(lambda kid, _: kid_token(kid), kid), UnknownKeyError
        )
        for name, kid in [
            ("path-traversal", "../../../../../../etc/passwd"),
            ("path-traversal-windows", "..\\..\\..\\windows\\win.ini"),
            ("path-traversal-encoded", "%2e%2e%2f%2e%2e%2fetc%2fpasswd"),
            ("absolute-path", "/dev/null"),
            ("file-url", "file:///etc/passwd"),
            ("sql-or", "' OR '1'='1"),
            ("sql-union", "x' UNION SELECT kid FROM keys--"),
            ("sql-drop", "1; DROP TABLE keys; --"),
            ("sql-double-quote", '" OR ""="'),
            ("published-plus-nul", PUBLISHED + "\x00"),
            ("published-plus-newline", PUBLISHED + "\n"),
            ("published-plus-space", PUBLISHED + " "),
            ("published-lower-case", PUBLISHED.lower()),
            ("published-prefix", PUBLISHED[:-1]),
            ("nul", "\x00"),
            ("unicode", "k\u00efd-\u202e"),
            ("max-length-256", "k" * 256),
        ]
    ),
    Injection(
        "kid-url-of-loopback",
        lambda url: kid_token(f"{url}/.well-known/jwks.json"),
        UnknownKeyError,
    ),
    *(
        Injection(f"kid-{name}", functools.partial(lambda kid, _: kid_token(kid), kid), Malformed)
        for name, kid in [
            ("empty", ""),
            ("number", 1),
            ("zero", 0),
            ("float", 1.5),
            ("true", True),
            ("list", [PUBLISHED]),
            ("object", {"kid": PUBLISHED}),
            ("257-characters", "k" * 257),
            ("10-kB", "k" * 10_240),
        ]
    ),
    Injection("kid-missing", lambda _: kid_token(None), Malformed),
    Injection(
        "kid-null",
        lambda _: signed({"alg": "RS256", "kid": None}, claims_text(), ATTACKER),
        Malformed,
    ),
    Injection(
        "unpublished-key-reusing-access-kid",
        lambda _: access(signing_key=ATTACKER.with_kid(ACCESS_KEY.kid)),
        BadSignature,
    ),
    Injection(
        "unpublished-key-reusing-id-kid",
        lambda _: id_token(signing_key=ATTACKER.with_kid(ID_KEY.kid)),
        BadSignature,
    ),
    Injection(
        "id-key-under-access-kid",
        lambda _: access(signing_key=ID_KEY.with_kid(ACCESS_KEY.kid)),
        BadSignature,
    ),
    Injection("unpublished-key-own-kid", lambda _: access(signing_key=ATTACKER), UnknownKeyError),
    Injection(
        "other-pools-key-our-issuer",
        lambda _: access(signing_key=OTHER_POOL.signing_keys[1]),
        UnknownKeyError,
    ),
]


@pytest.fixture(scope="module")
def fetching_verifier() -> Iterator[CognitoVerifier]:
    """A verifier fetching the pool's real keys over loopback HTTP: it could fetch, if fooled."""
    with POOL.serve() as url:
        yield POOL.verifier(jwks_url=url, token_cache_size=0, clock=lambda: NOW + 60)


@pytest.mark.parametrize("case", params(INJECTION_CASES))
def test_key_injection_is_refused_without_a_request(
    case: Injection, fetching_verifier: CognitoVerifier, jwks_server: JWKSServer
) -> None:
    """The token's key hints are never followed: the attacker's server sees zero requests."""
    jwks_server.body = {"keys": [attacker_jwk(ATTACKER.kid), attacker_jwk(PUBLISHED)]}
    token = case.build(jwks_server.base_url)
    assert_refused("key injection", token, case.error, verifier=fetching_verifier)
    assert_refused("key injection", token, case.error, verifier=VERIFIER, count=False)
    assert jwks_server.requests == 0
    assert jwks_server.paths == []
    CASES_PASSED["key injection"] += 1


# --------------------------------------------------------------------------- structure


@functools.cache
def sized_token(characters: int) -> str:
    """A genuinely signed access token of exactly ``characters`` characters."""
    base = len(access(claims={"pad": ""}))
    # Each 3 bytes of the padding claim add 4 base64url characters. An unpadded segment
    # is never 1 modulo 4 long, so a harmless header member of 0 to 3 characters moves
    # the header's length when the payload alone cannot reach the total.
    estimate = max(0, (characters - base) * 3 // 4 - 24)
    for filler in range(4):
        for length in range(estimate, estimate + 48):
            token = access(claims={"pad": "p" * length}, headers={"x": "x" * filler})
            if len(token) == characters:
                return token
    raise AssertionError(f"no token of {characters} characters")


def jwe_like() -> str:
    header = b64url_json({"alg": "RSA-OAEP-256", "enc": "A256GCM", "cty": "JWT"})
    return ".".join(
        [header, b64url(b"k" * 256), b64url(b"i" * 12), b64url(b"c" * 700), b64url(b"t" * 16)]
    )


def replace_char(token: str, index: int, char: str) -> str:
    return token[:index] + char + token[index + 1 :]


def non_canonical(segment: str) -> str:
    """The same bytes with unused trailing bits set: a second spelling of one value."""
    alphabet = _token._BASE64URL
    remainder = len(segment) % 4
    assert remainder in (2, 3)
    unused = 0b1111 if remainder == 2 else 0b11
    return segment[:-1] + alphabet[alphabet.index(segment[-1]) | unused]


def wrapped(token: str, width: int = 64, newline: str = "\n") -> str:
    return newline.join(token[i : i + width] for i in range(0, len(token), width))


def payload_with_bytes(inserted: bytes) -> bytes:
    """The access claims with ``inserted`` spliced into the username's string value."""
    text = claims_text()
    marker = b'"username":"alice'
    assert marker in text
    return text.replace(marker, marker + inserted)


def dumps_dup(pairs: Sequence[tuple[str, Any]]) -> bytes:
    """A JSON object that repeats member names (``json.dumps`` cannot write one)."""
    members = ",".join(f"{json.dumps(name)}:{json.dumps(value)}" for name, value in pairs)
    return ("{" + members + "}").encode()


def nested(depth: int) -> bytes:
    claims = claims_text()
    return claims[:-1] + b',"deep":' + b"[" * depth + b"]" * depth + b"}"


T = VALID_ACCESS
H, P, S = HEADER, PAYLOAD, SIGNATURE
HEADER_TEXT = json.dumps(ACCESS_HEADER, separators=(",", ":")).encode()
ISS = POOL.issuer

STRUCTURE_CASES: list[Attack] = [
    # Segments.
    Attack("1-segment", lambda: H, Malformed),
    Attack("2-segments", lambda: f"{H}.{P}", Malformed),
    Attack("4-segments", lambda: f"{T}.{S}", Malformed),
    Attack("5-segments-from-token", lambda: f"{T}.{P}.{S}", Malformed),
    Attack("5-segments-jwe-refresh-token", jwe_like, Malformed),
    Attack("empty-string", lambda: "", Malformed),
    Attack("dots-only", lambda: "..", Malformed),
    Attack("empty-header", lambda: f".{P}.{S}", Malformed),
    Attack("empty-payload", lambda: f"{H}..{S}", Malformed),
    Attack("empty-signature", lambda: f"{H}.{P}.", Malformed),
    Attack("leading-dot", lambda: f".{T}", Malformed),
    Attack("trailing-dot", lambda: f"{T}.", Malformed),
    Attack("double-dot", lambda: f"{H}..{P}.{S}", Malformed),
    # Padding and the standard base64 alphabet.
    Attack("padded-header", lambda: f"{H}=.{P}.{S}", Malformed),
    Attack("padded-payload", lambda: f"{H}.{P}==.{S}", Malformed),
    Attack("padded-signature", lambda: f"{T}==", Malformed),
    Attack("plus-in-signature", lambda: replace_char(T, len(T) - 10, "+"), Malformed),
    Attack("slash-in-payload", lambda: replace_char(T, len(H) + 5, "/"), Malformed),
    Attack(
        "standard-base64-signature",
        lambda: f"{H}.{P}.{base64.b64encode(base64.urlsafe_b64decode(S + '==')).decode()}",
        Malformed,
    ),
    Attack("non-canonical-signature-bits", lambda: f"{H}.{P}.{non_canonical(S)}", Malformed),
    Attack("percent-encoded-dots", lambda: T.replace(".", "%2E"), Malformed),
    # Whitespace and newlines.
    *(
        Attack(f"whitespace-{name}", functools.partial(lambda f: f(T), f), Malformed)
        for name, f in [
            ("leading-space", lambda t: " " + t),
            ("trailing-space", lambda t: t + " "),
            ("trailing-newline", lambda t: t + "\n"),
            ("trailing-crlf", lambda t: t + "\r\n"),
            ("leading-newline", lambda t: "\n" + t),
            ("tab-inside", lambda t: replace_char(t, 20, "\t")),
            ("space-after-dot", lambda t: t.replace(".", ". ", 1)),
            ("newline-after-dot", lambda t: t.replace(".", ".\n")),
            ("wrapped-at-64", wrapped),
            ("wrapped-at-76-crlf", lambda t: wrapped(t, 76, "\r\n")),
            ("trailing-nul", lambda t: t + "\x00"),
            ("vertical-tab", lambda t: t + "\x0b"),
            ("form-feed", lambda t: t + "\x0c"),
            ("no-break-space", lambda t: t + "\u00a0"),
            ("zero-width-space", lambda t: replace_char(t, 30, "\u200b")),
            ("byte-order-mark", lambda t: "\ufeff" + t),
            ("line-separator", lambda t: t + "\u2028"),
        ]
    ),
    # Outside ASCII.
    *(
        Attack(f"non-ascii-{name}", functools.partial(lambda f: f(T), f), Malformed)
        for name, f in [
            ("e-acute", lambda t: replace_char(t, len(H) + 8, "\u00e9")),
            ("fullwidth-dot", lambda t: t.replace(".", "\uff0e", 1)),
            ("fullwidth-a", lambda t: replace_char(t, 3, "\uff21")),
            ("cyrillic-a", lambda t: replace_char(t, 3, "\u0410")),
            ("arabic-indic-digit", lambda t: replace_char(t, len(t) - 3, "\u0663")),
            ("emoji", lambda t: t + "\U0001f600"),
            ("lone-surrogate", lambda t: replace_char(t, 5, "\ud800")),
            ("soft-hyphen", lambda t: replace_char(t, 12, "\u00ad")),
        ]
    ),
    # Not a str at all (ASCII bytes are read as the str they encode: see test_verifier).
    Attack("non-ascii-bytes", lambda: T.encode() + "\u00e9".encode(), Malformed),
    Attack("bytearray", lambda: bytearray(T.encode()), Malformed),
    Attack("none", lambda: None, Malformed),
    Attack("int", lambda: 123, Malformed),
    Attack("list-of-segments", lambda: T.split("."), Malformed),
    # Size: refused by the cap before anything is decoded.
    Attack("one-over-the-cap", lambda: sized_token(MAX_TOKEN_BYTES + 1), Malformed, size_cap=True),
    Attack("1-MB", lambda: access(claims={"pad": "p" * 1_000_000}), Malformed, size_cap=True),
    Attack("10-MB", lambda: access(claims={"pad": "p" * 10_000_000}), Malformed, size_cap=True),
    Attack("10-MB-of-dots", lambda: "." * 10_000_000, Malformed, size_cap=True),
    Attack("10-MB-of-a", lambda: "a" * 10_000_000, Malformed, size_cap=True),
    # JSON that is no object, in the header or the (signed) payload.
    *(
        Attack(f"header-json-{name}", functools.partial(signed, text, claims_text()), Malformed)
        for name, text in [
            ("array", b'["RS256"]'),
            ("string", b'"RS256"'),
            ("number", b"256"),
            ("null", b"null"),
            ("true", b"true"),
            ("empty", b""),
            ("whitespace", b"   "),
        ]
    ),
    *(
        Attack(f"payload-json-{name}", functools.partial(with_raw_payload, text), Malformed)
        for name, text in [
            ("array", json.dumps([ACCESS_CLAIMS]).encode()),
            ("string", json.dumps(json.dumps(ACCESS_CLAIMS)).encode()),
            ("number", b"1700000000"),
            ("null", b"null"),
            ("false", b"false"),
            ("not-json", b"alice"),
        ]
    ),
    Attack("payload-trailing-data", lambda: with_raw_payload(claims_text() + b"x"), Malformed),
    Attack(
        "payload-two-objects", lambda: with_raw_payload(claims_text() + claims_text()), Malformed
    ),
    Attack(
        "payload-byte-order-mark",
        lambda: with_raw_payload(b"\xef\xbb\xbf" + claims_text()),
        Malformed,
    ),
    Attack(
        "header-byte-order-mark",
        lambda: signed(b"\xef\xbb\xbf" + HEADER_TEXT, claims_text()),
        Malformed,
    ),
    Attack("payload-nested-100-deep", lambda: with_raw_payload(nested(100)), Malformed),
    # Invalid UTF-8.
    *(
        Attack(
            f"payload-utf8-{name}",
            functools.partial(lambda b: with_raw_payload(payload_with_bytes(b)), raw),
            Malformed,
        )
        for name, raw in [
            ("ff-byte", b"\xff"),
            ("latin-1-e-acute", b"\xe9"),
            ("overlong-slash", b"\xc0\xaf"),
            ("encoded-surrogate", b"\xed\xa0\x80"),
            ("truncated-sequence", b"\xe2\x82"),
            ("lone-continuation", b"\x80"),
            ("above-u10ffff", b"\xf4\x90\x80\x80"),
        ]
    ),
    Attack(
        "header-utf8-ff-byte",
        lambda: signed(HEADER_TEXT.replace(b'"RS256"', b'"RS256\xff"'), claims_text()),
        Malformed,
    ),
    Attack(
        "payload-escaped-lone-surrogate",
        lambda: with_raw_payload(payload_with_bytes(b"\\ud800")),
        Malformed,
    ),
    # Duplicate member names: which one would count is up to the parser, so neither does.
    *(
        Attack(
            f"duplicate-{name}",
            functools.partial(lambda pairs: with_raw_payload(dumps_dup(pairs)), pairs),
            Malformed,
        )
        for name, pairs in [
            ("exp-expired-last", [*ACCESS_CLAIMS.items(), ("exp", NOW - 3600)]),
            ("exp-far-future-last", [*ACCESS_CLAIMS.items(), ("exp", NOW + 10**8)]),
            ("iss-evil-first", [("iss", "https://evil.example"), *ACCESS_CLAIMS.items()]),
            ("iss-evil-last", [*ACCESS_CLAIMS.items(), ("iss", "https://evil.example")]),
            ("iss-same-value", [*ACCESS_CLAIMS.items(), ("iss", ISS)]),
            ("token-use-id-last", [*ACCESS_CLAIMS.items(), ("token_use", "id")]),
        ]
    ),
    Attack(
        "duplicate-exp-escaped-name",
        lambda: with_raw_payload(
            claims_text()[:-1] + b',"\\u0065xp":' + str(NOW + 10**8).encode() + b"}"
        ),
        Malformed,
    ),
    Attack(
        "duplicate-header-alg",
        lambda: signed(dumps_dup([("alg", "none"), *ACCESS_HEADER.items()]), claims_text()),
        Malformed,
    ),
    Attack(
        "duplicate-header-kid",
        lambda: signed(dumps_dup([*ACCESS_HEADER.items(), ("kid", ID_KEY.kid)]), claims_text()),
        Malformed,
    ),
    # Header parameters that change how the token is read.
    *(
        Attack(f"header-{name}", functools.partial(access, headers=headers), Malformed)
        for name, headers in [
            ("crit-exp", {"crit": ["exp"], "exp": NOW}),
            ("crit-empty", {"crit": []}),
            ("crit-b64", {"crit": ["b64"], "b64": False}),
            ("cty-jwt", {"cty": "JWT"}),
            ("cty-json", {"cty": "application/json"}),
            ("zip-deflate", {"zip": "DEF"}),
            ("zip-none", {"zip": "none"}),
        ]
    ),
    Attack("typ-jwe", functools.partial(access, headers={"typ": "JWE"}), Malformed),
    Attack("typ-at-jwt-list", functools.partial(access, headers={"typ": ["JWT"]}), Malformed),
]


def _forbidden(name: str) -> Callable[..., Any]:
    def called(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"{name} was called on a token over the size cap")

    return called


class _ForbiddenPattern:
    """Stands in for the compact-JWS alphabet: reading it for a token over the cap fails."""

    def __buffer__(self, flags: int) -> memoryview:
        raise AssertionError("the compact-JWS alphabet was read for a token over the size cap")


@pytest.mark.parametrize("case", params(STRUCTURE_CASES))
def test_structure_attacks_are_refused(case: Attack, monkeypatch: pytest.MonkeyPatch) -> None:
    token = case.build()
    if case.size_cap:
        assert len(token) > MAX_TOKEN_BYTES
        # Refused before decoding: no regex, base64 or JSON runs over a token past the cap.
        for name in ("b64url_decode", "loads_strict", "_describe_shape"):
            monkeypatch.setattr(_token, name, _forbidden(name))
        # The alphabet check reads this table; anything but bytes makes it fail loudly.
        monkeypatch.setattr(_token, "_COMPACT_ALPHABET", _ForbiddenPattern())
    refused = assert_refused("structure", token, case.error, case.claim)
    if case.size_cap:
        assert "limit" in str(refused)
    CASES_PASSED["structure"] += 1


def test_a_token_of_exactly_the_cap_verifies() -> None:
    """The other side of the size cases: the cap itself is not refused."""
    assert VERIFIER.verify(sized_token(MAX_TOKEN_BYTES))["pad"].startswith("p")


# --------------------------------------------------------------------------- claims

NUMERIC_FORMS = {
    "true": "true",
    "string": json.dumps(str(NOW + 3600)),
    "null": "null",
    "list": f"[{NOW + 3600}]",
    "object": "{}",
    "NaN": "NaN",
    "Infinity": "Infinity",
    "minus-Infinity": "-Infinity",
    "1e400": "1e400",
    "5000-digit-integer": "1" + "0" * 4999,
    "negative": "-1",
    "year-10000": "253402300800",
}


def iss_case(name: str, iss: Any, error: type[CognitoJWTError] = InvalidIssuerError) -> Attack:
    return Attack(
        f"iss-{name}",
        functools.partial(access, claims={"iss": iss}),
        error,
        "iss" if issubclass(error, ClaimError) else None,
    )


CLAIM_CASES: list[Attack] = [
    # Time claims of the wrong type, or no number a date can be.
    *(
        Attack(
            f"{claim}-{form}", functools.partial(with_raw_claim, "access", claim, raw), Malformed
        )
        for claim in ("exp", "iat", "nbf")
        for form, raw in NUMERIC_FORMS.items()
    ),
    *(
        Attack(
            f"id-token-exp-{form}", functools.partial(with_raw_claim, "id", "exp", raw), Malformed
        )
        for form, raw in [("true", "true"), ("NaN", "NaN"), ("1e400", "1e400")]
    ),
    Attack("exp-missing", functools.partial(access, claims={"exp": None}), Malformed),
    Attack("iat-missing", functools.partial(access, claims={"iat": None}), Malformed),
    # Time claims of the right type and a wrong value.
    Attack("exp-passed", functools.partial(access, expires_in=59), ExpiredTokenError, "exp"),
    Attack("exp-now", functools.partial(access, expires_in=60), ExpiredTokenError, "exp"),
    Attack("exp-zero", functools.partial(access, claims={"exp": 0}), ExpiredTokenError, "exp"),
    Attack(
        "exp-float-just-passed",
        functools.partial(access, claims={"exp": NOW + 59.999}),
        ExpiredTokenError,
        "exp",
    ),
    Attack(
        "iat-future", functools.partial(access, claims={"iat": NOW + 3600}), NotYetValidError, "iat"
    ),
    Attack(
        "nbf-future", functools.partial(access, claims={"nbf": NOW + 3600}), NotYetValidError, "nbf"
    ),
    # iss: only the exact issuer is accepted.
    iss_case("trailing-slash", ISS + "/"),
    iss_case("http-scheme", ISS.replace("https://", "http://")),
    iss_case("no-scheme", ISS.replace("https://", "")),
    iss_case("upper-case", ISS.upper()),
    iss_case("upper-case-host", ISS.replace("cognito-idp", "COGNITO-IDP")),
    iss_case("lower-case-pool", ISS.replace("TestPool1", "testpool1")),
    iss_case("prefix-minus-one", ISS[:-1]),
    iss_case("prefix-host-only", ISS.rsplit("/", 1)[0]),
    iss_case("prefix-host-slash", ISS.rsplit("/", 1)[0] + "/"),
    iss_case("suffix-character", ISS + "2"),
    iss_case("suffix-path", ISS + "/evil"),
    iss_case("suffix-query", ISS + "?x=1"),
    iss_case("suffix-fragment", ISS + "#"),
    iss_case("suffix-space", ISS + " "),
    iss_case("suffix-newline", ISS + "\n"),
    iss_case("suffix-nul", ISS + "\x00"),
    iss_case("suffix-encoded-nul", ISS + "%00"),
    iss_case("userinfo-trick", ISS.replace("amazonaws.com", "amazonaws.com@evil.example")),
    iss_case("evil-host-with-real-path", "https://evil.example/" + ISS.removeprefix("https://")),
    iss_case("other-region", ISS.replace("eu-west-1.amazonaws", "eu-central-1.amazonaws")),
    iss_case("other-pool", OTHER_POOL.issuer),
    iss_case("empty", ""),
    iss_case("list", [ISS], Malformed),
    iss_case("number", 1, Malformed),
    iss_case("object", {"iss": ISS}, Malformed),
    Attack("iss-null", functools.partial(with_raw_claim, "access", "iss", "null"), Malformed),
    Attack("iss-missing", functools.partial(access, claims={"iss": None}), Malformed),
    # token_use: exactly "id" or "access".
    *(
        Attack(
            f"token-use-{name}",
            functools.partial(mint, claims={"token_use": value}),
            InvalidTokenUseError,
            "token_use",
        )
        for name, mint, value in [
            ("ID", id_token, "ID"),
            ("Access", access, "Access"),
            ("ACCESS", access, "ACCESS"),
            ("refresh", access, "refresh"),
            ("empty", access, ""),
            ("trailing-space", access, "access "),
            ("id-token", id_token, "id_token"),
        ]
    ),
    *(
        Attack(f"token-use-{name}", functools.partial(mint, claims={"token_use": value}), Malformed)
        for name, mint, value in [
            ("list", access, ["access"]),
            ("list-id", id_token, ["id"]),
            ("number", access, 1),
            ("true", access, True),
        ]
    ),
    Attack("token-use-missing", functools.partial(access, claims={"token_use": None}), Malformed),
    Attack(
        "token-use-null",
        functools.partial(with_raw_claim, "access", "token_use", "null"),
        Malformed,
    ),
    # The app client: aud for ID tokens, client_id for access tokens.
    Attack("aud-missing", functools.partial(id_token, claims={"aud": None}), Malformed),
    Attack("aud-list", functools.partial(id_token, claims={"aud": [POOL.client_id]}), Malformed),
    Attack("aud-null", functools.partial(with_raw_claim, "id", "aud", "null"), Malformed),
    Attack(
        "aud-other-client",
        functools.partial(id_token, client_id="other-client"),
        InvalidAudienceError,
        "aud",
    ),
    Attack(
        "aud-empty", functools.partial(id_token, claims={"aud": ""}), InvalidAudienceError, "aud"
    ),
    Attack(
        "aud-upper-case",
        functools.partial(id_token, claims={"aud": POOL.client_id.upper()}),
        InvalidAudienceError,
        "aud",
    ),
    Attack(
        "aud-right-client-id-wrong",
        functools.partial(id_token, claims={"aud": "other-client", "client_id": POOL.client_id}),
        InvalidAudienceError,
        "aud",
    ),
    Attack("client-id-missing", functools.partial(access, claims={"client_id": None}), Malformed),
    Attack(
        "client-id-missing-aud-right",
        functools.partial(access, claims={"client_id": None, "aud": POOL.client_id}),
        Malformed,
    ),
    Attack(
        "client-id-list",
        functools.partial(access, claims={"client_id": [POOL.client_id]}),
        Malformed,
    ),
    Attack(
        "client-id-null",
        functools.partial(with_raw_claim, "access", "client_id", "null"),
        Malformed,
    ),
    Attack(
        "client-id-other-client",
        functools.partial(access, client_id="other-client"),
        InvalidAudienceError,
        "client_id",
    ),
    Attack(
        "client-id-wrong-aud-right",
        functools.partial(access, client_id="other-client", claims={"aud": POOL.client_id}),
        InvalidAudienceError,
        "client_id",
    ),
    Attack(
        "client-id-suffix",
        functools.partial(access, client_id=POOL.client_id + "x"),
        InvalidAudienceError,
        "client_id",
    ),
    Attack(
        "m2m-other-client",
        functools.partial(m2m, client_id="other-client"),
        InvalidAudienceError,
        "client_id",
    ),
    # Cross-JWT confusion: one kind presented where the other is required (RFC 8725 section 2.8).
    Attack(
        "id-token-where-access-required",
        id_token,
        InvalidTokenUseError,
        "token_use",
        {"token_use": "access"},
    ),
    Attack(
        "access-token-where-id-required",
        access,
        InvalidTokenUseError,
        "token_use",
        {"token_use": "id"},
    ),
    Attack(
        "m2m-token-where-id-required", m2m, InvalidTokenUseError, "token_use", {"token_use": "id"}
    ),
    Attack(
        "id-token-relabelled-access",
        functools.partial(id_token, claims={"token_use": "access"}),
        Malformed,
        None,
        {"token_use": "access"},
    ),
    Attack(
        "access-token-relabelled-id",
        functools.partial(access, claims={"token_use": "id"}),
        Malformed,
        None,
        {"token_use": "id"},
    ),
]


@pytest.mark.parametrize("case", params(CLAIM_CASES))
def test_claim_attacks_are_refused(case: Attack) -> None:
    assert_refused("claims", case.build(), case.error, case.claim, options=case.options)
    CASES_PASSED["claims"] += 1


# --------------------------------------------------------------------------- tampering

_ALPHABET = _token._BASE64URL
_FIXED_IDS = {
    "origin_jti": "7b0e7a4e-0000-4000-8000-000000000001",
    "event_id": "7b0e7a4e-0000-4000-8000-000000000002",
    "jti": "7b0e7a4e-0000-4000-8000-000000000003",
}
# Every claim but the signature is fixed, so each run tampers with the same payload bytes.
TAMPERED_ORIGINALS = {
    "id": id_token(email="alice@example.com", groups=["admins"], claims=_FIXED_IDS),
    "access": access(scopes=["orders/read", "orders/write"], groups=["admins"], claims=_FIXED_IDS),
}


def _canonical(segment: str) -> bool:
    remainder = len(segment) % 4
    if remainder == 1:
        return False
    if remainder == 0:
        return True
    unused = 0b1111 if remainder == 2 else 0b11
    return not _ALPHABET.index(segment[-1]) & unused


def _reject(*_: Any) -> Any:
    raise ValueError("refused")


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    if len({name for name, _ in pairs}) != len(pairs):
        raise ValueError("duplicate member")
    return dict(pairs)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("not finite")
    return value


def _utf8_strings(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_utf8_strings(k) and _utf8_strings(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_utf8_strings(v) for v in value)
    return True


def expected_for_payload(segment: str) -> type[CognitoJWTError]:
    """What a tampered payload must be refused with, worked out without the library.

    Parsing refuses non-canonical base64url and anything but strict JSON; the
    issuer is checked before any key is looked up; everything else the
    signature refuses.
    """
    if not _canonical(segment):
        return Malformed
    data = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    try:
        payload = json.loads(
            data.decode("utf-8"),
            object_pairs_hook=_unique_members,
            parse_constant=_reject,
            parse_float=_finite,
        )
    except (UnicodeDecodeError, ValueError):
        return Malformed
    if not isinstance(payload, dict) or not _utf8_strings(payload):
        return Malformed
    if not isinstance(payload.get("iss"), str):
        return Malformed
    if payload["iss"] != ISS:
        return InvalidIssuerError
    return BadSignature


def tampered(kind: str, segment: str) -> Iterator[tuple[str, type[CognitoJWTError]]]:
    """Every single-character change of one segment (one seeded replacement per position)."""
    original = TAMPERED_ORIGINALS[kind]
    head, body, signature = original.split(".")
    rng = random.Random(f"tamper-{kind}-{segment}")
    target = body if segment == "payload" else signature
    for index, char in enumerate(target):
        replacement = rng.choice(_ALPHABET.replace(char, ""))
        changed = replace_char(target, index, replacement)
        if segment == "payload":
            yield f"{head}.{changed}.{signature}", expected_for_payload(changed)
        else:
            yield f"{head}.{body}.{changed}", BadSignature if _canonical(changed) else Malformed


@pytest.mark.parametrize("kind", ["id", "access"])
@pytest.mark.parametrize("segment", ["payload", "signature"])
def test_every_single_character_change_is_refused(kind: str, segment: str) -> None:
    original = TAMPERED_ORIGINALS[kind]
    assert VERIFIER.verify(original)["token_use"] == kind
    positions = 0
    for token, error in tampered(kind, segment):
        claim = "iss" if error is InvalidIssuerError else None
        assert_refused("tampering", token, error, claim)
        TAMPERING_OUTCOMES[error.__name__] += 1
        positions += 1
    assert positions == len(original.split(".")[1 if segment == "payload" else 2])
    CASES_PASSED["tampering"] += 1


# --------------------------------------------------------------------------- summary

EXPECTED_CASES = {
    "alg": len(ALG_CASES),
    "key injection": len(INJECTION_CASES),
    "structure": len(STRUCTURE_CASES),
    "claims": len(CLAIM_CASES),
    "tampering": 4,
}
# The corpus holds more than this many attack tokens; a drop below means cases went missing.
REFUSED_FLOOR = 2200


def test_the_corpus_refused_every_attack_token() -> None:
    """Runs last: every family ran in full, and the total is above the floor."""
    if collections.Counter(EXPECTED_CASES) != CASES_PASSED:
        pytest.skip(f"only part of the corpus ran: {dict(CASES_PASSED)}")
    lines = [f"{count:6d}  {family}" for family, count in sorted(REFUSED.items())]
    lines.append(f"{sum(REFUSED.values()):6d}  attack tokens refused in all")
    lines.append(f"tampering outcomes: {dict(sorted(TAMPERING_OUTCOMES.items()))}")
    print("\n".join(lines))
    assert set(REFUSED) == set(EXPECTED_CASES)
    assert sum(REFUSED.values()) >= REFUSED_FLOOR, "\n".join(lines)
