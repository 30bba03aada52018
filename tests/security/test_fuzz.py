"""Property-based fuzzing: a mutated token is refused with a library error, never anything else.

Every mutation either leaves the token as it was (and then the original claims
come back) or raises a :class:`~cognito_jwt.CognitoJWTError`. No other exception
escapes and nothing hangs.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from cognito_jwt import CognitoJWTError, CognitoVerifier
from cognito_jwt.testing import FakeUserPool
from tests.security.conftest import count_example

POOL = FakeUserPool()
VERIFIER: CognitoVerifier = POOL.verifier(token_cache_size=0)
ORIGINALS = {
    "id": POOL.id_token("fuzz", groups=["g1", "g2"], email="fuzz@example.com"),
    "access": POOL.access_token("fuzz", scopes=["a/read", "b/write"], groups=["g1"]),
    "m2m": POOL.m2m_token(scopes=["orders/read"]),
}
CLAIMS = {kind: VERIFIER.verify(token).to_dict() for kind, token in ORIGINALS.items()}
BY_TOKEN = {token: CLAIMS[kind] for kind, token in ORIGINALS.items()}

# Characters a mutation may bring in: base64url, its look-alikes, separators,
# whitespace, control characters and a few outside ASCII.
ALPHABET = st.sampled_from(
    list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    + list('+/=. \t\n\r\x00\x7f"{}[],:\\')
    + ["é", "\u200b", "\ufeff", "\U0001f600"]
)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**60), max_value=10**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def outcome(token: Any) -> dict[str, Any] | None:
    """Verify ``token``: its claims, or None when a library error refused it."""
    try:
        return VERIFIER.verify(token).to_dict()
    except CognitoJWTError:
        return None


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@given(
    kind=st.sampled_from(sorted(ORIGINALS)),
    edits=st.lists(
        st.tuples(
            st.sampled_from(["replace", "insert", "delete"]), st.integers(0, 10**6), ALPHABET
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_character_edits(kind: str, edits: list[tuple[str, int, str]]) -> None:
    count_example("character edits")
    token = ORIGINALS[kind]
    for operation, position, char in edits:
        index = position % (len(token) + 1)
        if operation == "replace" and index < len(token):
            token = token[:index] + char + token[index + 1 :]
        elif operation == "insert":
            token = token[:index] + char + token[index:]
        elif index < len(token):
            token = token[:index] + token[index + 1 :]
    result = outcome(token)
    if token == ORIGINALS[kind]:
        assert result == CLAIMS[kind]
    else:
        assert result is None


@given(
    picks=st.lists(
        st.tuples(st.sampled_from(sorted(ORIGINALS)), st.integers(0, 2)),
        min_size=1,
        max_size=5,
    ),
    separator=st.sampled_from([".", ". ", "..", "\n."]),
)
def test_segment_swaps_and_splices(picks: list[tuple[str, int]], separator: str) -> None:
    count_example("segment swaps and splices")
    token = separator.join(ORIGINALS[kind].split(".")[part] for kind, part in picks)
    result = outcome(token)
    if token in BY_TOKEN:
        assert result == BY_TOKEN[token]
    else:
        assert result is None


@given(
    kind=st.sampled_from(sorted(ORIGINALS)),
    name=st.sampled_from(
        [
            "exp",
            "iat",
            "nbf",
            "iss",
            "token_use",
            "aud",
            "client_id",
            "sub",
            "scope",
            "cognito:groups",
            "username",
            "cognito:username",
            "auth_time",
            "custom:x",
            "jti",
        ]
    ),
    value=JSON_VALUES,
    keep_signature=st.booleans(),
)
def test_claim_value_changes(kind: str, name: str, value: Any, keep_signature: bool) -> None:
    count_example("claim value changes")
    original = ORIGINALS[kind]
    header, _payload, signature = original.split(".")
    claims = dict(CLAIMS[kind])
    if value is None:
        claims.pop(name, None)
    else:
        claims[name] = value
    body = b64(json.dumps(claims).encode())
    if keep_signature:
        token = f"{header}.{body}.{signature}"
        result = outcome(token)
        assert result is None or token == original
        return
    # Re-signed by the pool, so the change reaches the claim checks.
    changed = {name: value}
    if kind == "id":
        resigned = POOL.id_token("fuzz", claims=changed)
    elif kind == "access":
        resigned = POOL.access_token("fuzz", claims=changed)
    else:
        resigned = POOL.m2m_token(claims=changed)
    result = outcome(resigned)
    if result is not None:
        # Accepted only if the change kept every rule, and then the value is what came back.
        expected = None if value is None else json.loads(json.dumps(value))
        assert result.get(name) == expected


@given(
    kind=st.sampled_from(sorted(ORIGINALS)),
    extra=st.dictionaries(
        st.sampled_from(["typ", "cty", "crit", "jku", "x5u", "jwk", "x5c", "zip", "b64", "x"]),
        JSON_VALUES,
        min_size=1,
        max_size=3,
    ),
)
def test_header_extra_members(kind: str, extra: dict[str, Any]) -> None:
    count_example("header extra members")
    mint = POOL.id_token if kind == "id" else POOL.access_token
    token = mint(headers=extra)
    result = outcome(token)
    forbidden = {"cty", "crit", "jku", "x5u", "jwk", "x5c", "zip"} & {
        k for k, v in extra.items() if v is not None
    }
    if forbidden:
        assert result is None
    typ = extra.get("typ")
    if typ is not None and not (isinstance(typ, str) and typ.upper() == "JWT"):
        assert result is None


@given(token=st.one_of(st.text(max_size=300), st.binary(max_size=300), JSON_VALUES))
def test_arbitrary_input(token: Any) -> None:
    count_example("arbitrary input")
    assert outcome(token) is None
    try:
        VERIFIER.verify_bearer(token if isinstance(token, str) else None)
    except CognitoJWTError:
        pass
    else:  # pragma: no cover - a random input never verifies
        raise AssertionError("random input verified")
