"""CognitoClaims: the verified payload, a deeply read-only Mapping with typed helpers."""

from __future__ import annotations

import base64
import copy
import json
import pickle
from collections.abc import Mapping, MutableMapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cognito_jwt import (
    CognitoClaims,
    MalformedTokenError,
    UnverifiedToken,
    _token,
    decode_unverified,
)
from cognito_jwt.testing import FakeUserPool


def id_claims() -> dict[str, Any]:
    return {
        "sub": "6b1c4d2e-0000-4000-8000-000000000001",
        "cognito:groups": ["admin", "staff"],
        "iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool1",
        "cognito:username": "alice",
        "aud": "test-client",
        "token_use": "id",
        "auth_time": 1_700_000_000,
        "exp": 1_700_003_600,
        "iat": 1_700_000_000,
        "email": "alice@example.com",
        "address": {"formatted": "1 Main St", "lines": ["1", {"floor": 2}]},
    }


def access_claims() -> dict[str, Any]:
    return {
        "sub": "6b1c4d2e-0000-4000-8000-000000000001",
        "iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool1",
        "version": 2,
        "client_id": "test-client",
        "token_use": "access",
        "scope": "orders/read orders/write",
        "auth_time": 1_700_000_000,
        "exp": 1_700_003_600,
        "iat": 1_700_000_000,
        "jti": "22222222-0000-4000-8000-000000000005",
        "username": "alice",
    }


# --------------------------------------------------------------------------- Mapping


def test_claims_read_as_a_mapping_of_the_payload() -> None:
    payload = id_claims()
    claims = CognitoClaims(payload)

    assert isinstance(claims, Mapping)
    assert len(claims) == len(payload)
    assert list(claims) == list(payload)
    assert set(claims.keys()) == set(payload)
    assert claims["email"] == "alice@example.com"
    assert claims.get("missing") is None
    assert claims.get("missing", 7) == 7
    assert "aud" in claims
    assert "client_id" not in claims
    assert dict(claims)["exp"] == 1_700_003_600


def test_a_missing_claim_raises_key_error() -> None:
    with pytest.raises(KeyError, match="nope"):
        CognitoClaims(id_claims())["nope"]


def test_claims_with_equal_content_are_equal() -> None:
    assert CognitoClaims(id_claims()) == CognitoClaims(id_claims())
    assert CognitoClaims(id_claims()) != CognitoClaims(access_claims())


# --------------------------------------------------------------------------- read-only


def test_claims_are_not_a_mutable_mapping() -> None:
    claims = CognitoClaims(id_claims())
    assert not isinstance(claims, MutableMapping)
    for name in ("update", "pop", "popitem", "setdefault", "clear", "__setitem__", "__delitem__"):
        assert not hasattr(claims, name), name


def test_top_level_claims_cannot_be_set_or_deleted() -> None:
    claims: Any = CognitoClaims(id_claims())
    with pytest.raises(TypeError):
        claims["aud"] = "intruder"
    with pytest.raises(TypeError):
        del claims["aud"]
    with pytest.raises(AttributeError):
        claims.extra = 1
    assert claims["aud"] == "test-client"


def test_nested_objects_and_arrays_cannot_be_changed() -> None:
    claims: Any = CognitoClaims(id_claims())

    with pytest.raises(TypeError):
        claims["address"]["formatted"] = "2 Other St"
    with pytest.raises(TypeError):
        del claims["address"]["formatted"]
    with pytest.raises(AttributeError):
        claims["cognito:groups"].append("root")
    with pytest.raises(TypeError):
        claims["cognito:groups"][0] = "root"
    with pytest.raises(TypeError):
        claims["address"]["lines"][1]["floor"] = 99
    with pytest.raises(AttributeError):
        claims["address"].update({"formatted": "x"})

    assert claims["address"]["formatted"] == "1 Main St"
    assert claims["cognito:groups"] == ("admin", "staff")
    assert claims["address"]["lines"][1]["floor"] == 2
    assert claims.groups == ("admin", "staff")


def test_the_callers_payload_is_copied_not_kept() -> None:
    payload = id_claims()
    claims = CognitoClaims(payload)

    payload["aud"] = "intruder"
    payload["cognito:groups"].append("root")
    payload["address"]["formatted"] = "changed"
    payload["address"]["lines"][1]["floor"] = 99
    payload["new"] = True

    assert claims["aud"] == "test-client"
    assert claims["cognito:groups"] == ("admin", "staff")
    assert claims.groups == ("admin", "staff")
    assert claims["address"]["formatted"] == "1 Main St"
    assert claims["address"]["lines"][1]["floor"] == 2
    assert "new" not in claims


def test_every_caller_of_the_same_claims_sees_the_same_values() -> None:
    # What the verified-token cache relies on: one caller cannot change another's claims.
    claims = CognitoClaims(id_claims())
    first: Any = claims.to_dict()
    first["cognito:groups"].append("root")
    first["address"]["lines"][1]["floor"] = 99
    assert claims.to_dict() == id_claims()


# --------------------------------------------------------------------------- to_dict


def test_to_dict_is_a_deep_mutable_json_ready_copy() -> None:
    payload = id_claims()
    result = CognitoClaims(payload).to_dict()

    assert result == payload
    assert type(result) is dict
    assert type(result["cognito:groups"]) is list
    assert type(result["address"]) is dict
    assert type(result["address"]["lines"][1]) is dict
    assert json.loads(json.dumps(result)) == payload

    result["address"]["formatted"] = "mutable"
    assert result["address"]["formatted"] == "mutable"


def test_to_dict_returns_a_new_copy_each_time() -> None:
    claims = CognitoClaims(id_claims())
    assert claims.to_dict() is not claims.to_dict()
    assert claims.to_dict()["address"] is not claims.to_dict()["address"]


# --------------------------------------------------------------------------- helpers


def test_id_token_helpers() -> None:
    claims = CognitoClaims(id_claims())

    assert claims.sub == "6b1c4d2e-0000-4000-8000-000000000001"
    assert claims.token_use == "id"
    assert claims.username == "alice"
    assert claims.client_id == "test-client"
    assert claims.groups == ("admin", "staff")
    assert claims.scopes == frozenset()


def test_access_token_helpers() -> None:
    claims = CognitoClaims(access_claims())

    assert claims.token_use == "access"
    assert claims.username == "alice"
    assert claims.client_id == "test-client"
    assert claims.groups == ()
    assert claims.scopes == frozenset({"orders/read", "orders/write"})


def test_an_access_tokens_aud_is_not_its_client_id() -> None:
    claims = CognitoClaims({**access_claims(), "aud": "intruder", "client_id": "mine"})
    assert claims.client_id == "mine"


def test_an_id_tokens_client_id_claim_is_not_its_client_id() -> None:
    claims = CognitoClaims({**id_claims(), "aud": "mine", "client_id": "intruder"})
    assert claims.client_id == "mine"


def test_an_m2m_token_has_no_username() -> None:
    m2m = {k: v for k, v in access_claims().items() if k != "username"}
    m2m["sub"] = m2m["client_id"]
    claims = CognitoClaims(m2m)

    assert claims.username is None
    assert claims.sub == "test-client"
    assert claims.client_id == "test-client"


def test_cognito_username_wins_over_username() -> None:
    claims = CognitoClaims({**id_claims(), "username": "other"})
    assert claims.username == "alice"


@pytest.mark.parametrize(
    ("payload", "client_id"),
    [
        ({"token_use": "id"}, None),
        ({"token_use": "access"}, None),
        ({"token_use": "id", "aud": ["a"]}, None),
        ({"token_use": "access", "client_id": 5}, None),
        ({"client_id": "c"}, "c"),
    ],
)
def test_client_id_is_none_when_missing_or_not_a_string(
    payload: dict[str, Any], client_id: str | None
) -> None:
    assert CognitoClaims(payload).client_id == client_id


@pytest.mark.parametrize(
    ("scope", "scopes"),
    [
        ("a", {"a"}),
        ("a b c", {"a", "b", "c"}),
        ("  a   b ", {"a", "b"}),
        ("a a", {"a"}),
        ("", set()),
        ("orders/read https://api.example/x", {"orders/read", "https://api.example/x"}),
    ],
)
def test_scopes_come_from_the_space_separated_scope_claim(scope: str, scopes: set[str]) -> None:
    claims = CognitoClaims({**access_claims(), "scope": scope})
    assert claims.scopes == frozenset(scopes)
    assert isinstance(claims.scopes, frozenset)


def test_groups_keep_their_order_and_are_a_tuple() -> None:
    claims = CognitoClaims({**id_claims(), "cognito:groups": ["z", "a", "m"]})
    assert claims.groups == ("z", "a", "m")
    assert isinstance(claims.groups, tuple)


def test_times_are_aware_utc_datetimes() -> None:
    claims = CognitoClaims({**id_claims(), "exp": 1_700_003_600.25})

    assert claims.issued_at == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert claims.expires_at == datetime(2023, 11, 14, 23, 13, 20, 250000, tzinfo=UTC)
    assert claims.expires_at.utcoffset() == timedelta(0)
    assert claims.expires_at - claims.issued_at == timedelta(hours=1, milliseconds=250)


def test_the_helpers_read_a_fake_pool_token(pool: FakeUserPool) -> None:
    token = pool.id_token("bob", groups=["admins", "ops"], issued_at=1_700_000_000)
    claims = CognitoClaims(_token.parse(token, 65536).payload)

    assert claims.username == "bob"
    assert claims.client_id == pool.client_id
    assert claims.groups == ("admins", "ops")
    assert claims.issued_at == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert claims.expires_at == claims.issued_at + timedelta(hours=1)

    access = CognitoClaims(
        _token.parse(pool.access_token("bob", scopes=["a/b", "c"]), 65536).payload
    )
    assert access.username == "bob"
    assert access.scopes == frozenset({"a/b", "c"})
    assert access.sub == claims.sub


def test_claims_nested_as_deep_as_the_parser_allows_are_frozen() -> None:
    levels = _token.MAX_DEPTH - 1
    raw = b'{"d":' * levels + b'[1, {"x": []}]' + b"}" * levels
    with pytest.raises(ValueError, match="deeper than"):
        _token.loads_strict(raw, "payload", ValueError)
    raw = b'{"d":' * levels + b"[1]" + b"}" * levels
    payload = _token.loads_strict(raw, "payload", ValueError)

    claims: Any = CognitoClaims(payload)

    inner = claims
    for _ in range(levels):
        inner = inner["d"]
    assert inner == (1,)
    assert claims.to_dict() == payload
    assert pickle.loads(pickle.dumps(claims)) == claims  # noqa: S301 - our own data


# --------------------------------------------------------------------------- repr, copy


def test_repr_names_the_subject_and_client_but_not_the_payload() -> None:
    text = repr(CognitoClaims(id_claims()))
    assert text == (
        "CognitoClaims(sub='6b1c4d2e-0000-4000-8000-000000000001', token_use='id', "
        "client_id='test-client')"
    )
    assert "alice@example.com" not in text


@pytest.mark.parametrize(
    "duplicate",
    [
        pytest.param(lambda c: pickle.loads(pickle.dumps(c)), id="pickle"),  # noqa: S301
        pytest.param(copy.deepcopy, id="deepcopy"),
        pytest.param(copy.copy, id="copy"),
    ],
)
def test_claims_survive_pickle_and_copy_still_read_only(duplicate: Any) -> None:
    claims = CognitoClaims(id_claims())
    clone: Any = duplicate(claims)

    assert type(clone) is CognitoClaims
    assert clone == claims
    assert clone.to_dict() == id_claims()
    assert clone.groups == ("admin", "staff")
    assert clone.client_id == "test-client"
    with pytest.raises(TypeError):
        clone["address"]["formatted"] = "x"


# --------------------------------------------------------------------------- decode_unverified


def test_decode_unverified_reads_header_and_claims_without_any_key() -> None:
    pool = FakeUserPool()
    token = pool.access_token("alice", groups=["staff"])
    for form in (token, token.encode("ascii")):
        unverified = decode_unverified(form)
        assert isinstance(unverified, UnverifiedToken)
        assert unverified.header["kid"] == pool.signing_keys[1].kid
        assert unverified.claims["username"] == "alice"
        assert unverified.claims["cognito:groups"] == ("staff",)
    assert "token_use='access'" in repr(unverified)
    assert token not in repr(unverified)


def test_decode_unverified_ignores_the_signature_and_the_algorithm() -> None:
    def part(value: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    token = f"{part({'alg': 'HS256'})}.{part({'sub': 'x'})}.c2ln"
    unverified = decode_unverified(token)
    assert unverified.header == {"alg": "HS256"}
    assert unverified.claims == {"sub": "x"}


def test_decode_unverified_is_read_only_and_pickles() -> None:
    unverified = decode_unverified(FakeUserPool().id_token(groups=["a"]))
    with pytest.raises(TypeError):
        unverified.claims["sub"] = "other"  # type: ignore[index]
    with pytest.raises(AttributeError):
        unverified.claims = {}  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(unverified)) == unverified  # noqa: S301 - our own object


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("Bearer abc.def.ghi", "starts with 'Bearer'"),
        ("abc.def.ghi\n", "strip() it"),
        ("abc", "1 segment separated"),
        ("a.b.c.d.e", "5 segments: it is a JWE"),
        ("e30.e30=.c2ln", "padding"),
        ("bm90IGpzb24.e30.c2ln", "header is not valid JSON"),
        (42, "must be a str or ASCII bytes"),
    ],
)
def test_decode_unverified_says_what_is_wrong(token: object, reason: str) -> None:
    with pytest.raises(MalformedTokenError) as info:
        decode_unverified(token)  # type: ignore[arg-type]
    assert reason in str(info.value)
