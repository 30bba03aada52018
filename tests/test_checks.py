"""Claim rules: cognito_jwt._checks (pure, the clock passed in)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, TypeVar

import pytest

from cognito_jwt import _checks, _token
from cognito_jwt._checks import Policy
from cognito_jwt.claims import CognitoClaims
from cognito_jwt.exceptions import (
    ClaimError,
    ExpiredTokenError,
    InsufficientScopeError,
    InvalidAudienceError,
    InvalidIssuerError,
    InvalidTokenUseError,
    MalformedTokenError,
    MissingGroupError,
    NotYetValidError,
)
from cognito_jwt.testing import FakeUserPool

NOW = 1_700_000_000.0
ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool1"
UPDATED_ISSUER = "https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool1"
ISSUERS = frozenset({ISSUER, UPDATED_ISSUER})
CLIENT = "test-client"
DELETE = object()  # an override value that removes the claim

E = TypeVar("E", bound=ClaimError)


def _apply(payload: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    for name, value in overrides.items():
        if value is DELETE:
            payload.pop(name, None)
        else:
            payload[name] = value
    return payload


def id_payload(**overrides: Any) -> dict[str, Any]:
    """An ID token's claims, as Cognito issues them, issued at NOW for an hour."""
    payload: dict[str, Any] = {
        "sub": "6b1c4d2e-0000-4000-8000-000000000001",
        "cognito:groups": ["admin", "staff"],
        "email_verified": True,
        "iss": ISSUER,
        "cognito:username": "alice",
        "origin_jti": "f0e1d2c3-0000-4000-8000-000000000002",
        "aud": CLIENT,
        "event_id": "a9b8c7d6-0000-4000-8000-000000000003",
        "token_use": "id",
        "auth_time": int(NOW),
        "exp": int(NOW) + 3600,
        "iat": int(NOW),
        "jti": "11111111-0000-4000-8000-000000000004",
        "email": "alice@example.com",
    }
    return _apply(payload, {k.replace("__", ":"): v for k, v in overrides.items()})


def access_payload(**overrides: Any) -> dict[str, Any]:
    """An access token's claims, as Cognito issues them, issued at NOW for an hour."""
    payload: dict[str, Any] = {
        "sub": "6b1c4d2e-0000-4000-8000-000000000001",
        "cognito:groups": ["admin", "staff"],
        "iss": ISSUER,
        "version": 2,
        "client_id": CLIENT,
        "origin_jti": "f0e1d2c3-0000-4000-8000-000000000002",
        "event_id": "a9b8c7d6-0000-4000-8000-000000000003",
        "token_use": "access",
        "scope": "orders/read orders/write aws.cognito.signin.user.admin",
        "auth_time": int(NOW),
        "exp": int(NOW) + 3600,
        "iat": int(NOW),
        "jti": "22222222-0000-4000-8000-000000000005",
        "username": "alice",
    }
    return _apply(payload, {k.replace("__", ":"): v for k, v in overrides.items()})


def payload_for(kind: str, **overrides: Any) -> dict[str, Any]:
    return id_payload(**overrides) if kind == "id" else access_payload(**overrides)


def check(
    payload: dict[str, Any],
    *,
    now: float = NOW,
    leeway: float = 0.0,
    issuers: Collection[str] = ISSUERS,
) -> None:
    _checks.check_token(payload, now=now, leeway=leeway, issuers=issuers)


def policy(
    *,
    token_use: _checks.TokenUse | None = None,
    client_ids: Collection[str] | None = (CLIENT,),
    skip_access_token_audience: bool = False,
    allowed_groups: tuple[str, ...] | None = None,
    required_scopes: tuple[str, ...] | None = None,
) -> Policy:
    return Policy(
        token_use=token_use,
        client_ids=None if client_ids is None else frozenset(client_ids),
        skip_access_token_audience=skip_access_token_audience,
        allowed_groups=allowed_groups,
        required_scopes=required_scopes,
    )


def authorize(payload: dict[str, Any], rules: Policy) -> CognitoClaims:
    """Both stages, as the verifier runs them; returns the claims on success."""
    check(payload)
    claims = CognitoClaims(payload)
    _checks.check_policy(claims, rules)
    return claims


def claim_error(
    cls: type[E], payload: dict[str, Any], *, now: float = NOW, leeway: float = 0.0
) -> E:
    with pytest.raises(cls) as info:
        check(payload, now=now, leeway=leeway)
    assert type(info.value) is cls
    return info.value


def malformed(payload: dict[str, Any]) -> str:
    with pytest.raises(MalformedTokenError) as info:
        check(payload)
    assert type(info.value) is MalformedTokenError
    return str(info.value)


# --------------------------------------------------------------------------- valid tokens


@pytest.mark.parametrize("kind", ["id", "access"])
def test_cognito_shaped_claims_pass_both_stages(kind: str) -> None:
    claims = authorize(payload_for(kind), policy())
    assert claims["token_use"] == kind


@pytest.mark.parametrize("issuer", sorted(ISSUERS))
def test_every_allowed_issuer_format_is_accepted(issuer: str) -> None:
    check(id_payload(iss=issuer))


def test_fake_pool_tokens_pass_the_claim_rules(pool: FakeUserPool) -> None:
    id_token = pool.id_token("alice", groups=["admin"], issued_at=NOW)
    access_token = pool.access_token("alice", scopes=["orders/read"], issued_at=NOW)
    for token, rules in [
        (id_token, policy(token_use="id", client_ids=[pool.client_id], allowed_groups=("admin",))),
        (access_token, policy(token_use="access", required_scopes=("orders/read",))),
    ]:
        payload = _token.parse(token, 65536).payload
        _checks.check_token(payload, now=NOW + 10, leeway=0.0, issuers=[pool.issuer])
        _checks.check_policy(CognitoClaims(payload), rules)


def test_an_access_token_needs_no_aud_and_an_id_token_no_client_id() -> None:
    authorize(access_payload(aud=DELETE), policy())
    authorize(id_payload(client_id=DELETE), policy())


def test_unknown_claims_are_kept_and_never_validated() -> None:
    claims = authorize(
        access_payload(**{"custom:tier": ["gold", {"x": None}], "version": "two", "jti": 7}),
        policy(),
    )
    assert claims["custom:tier"] == ("gold", {"x": None})


# --------------------------------------------------------------------------- missing and types


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("id", "exp"),
        ("id", "iat"),
        ("id", "iss"),
        ("id", "token_use"),
        ("id", "aud"),
        ("access", "exp"),
        ("access", "iat"),
        ("access", "iss"),
        ("access", "token_use"),
        ("access", "client_id"),
    ],
)
def test_a_missing_required_claim_is_malformed(kind: str, name: str) -> None:
    assert malformed(payload_for(kind, **{name: DELETE})) == f"claim {name!r} is missing"


@pytest.mark.parametrize(
    ("value", "type_name"),
    [
        (True, "bool"),
        (False, "bool"),
        ("1700003600", "str"),
        (None, "null"),
        ([1700003600], "list"),
        ({"t": 1700003600}, "dict"),
    ],
)
@pytest.mark.parametrize("name", ["exp", "iat", "nbf", "auth_time"])
@pytest.mark.parametrize("kind", ["id", "access"])
def test_a_date_claim_must_be_a_number(kind: str, name: str, value: object, type_name: str) -> None:
    message = malformed(payload_for(kind, **{name: value}))
    assert message == f"claim {name!r} must be a number, not {type_name}"


@pytest.mark.parametrize("value", [-1, -0.5, 253402300800, 10**20, 1e300])
@pytest.mark.parametrize("name", ["exp", "iat", "nbf", "auth_time"])
def test_a_date_claim_must_be_a_representable_date(name: str, value: float) -> None:
    assert malformed(id_payload(**{name: value})).startswith(f"claim {name!r} is out of range")


def test_the_largest_representable_date_is_a_valid_exp() -> None:
    check(id_payload(exp=253402300799))


def test_a_float_date_is_accepted() -> None:
    check(id_payload(exp=NOW + 0.5, iat=NOW - 0.5, nbf=NOW - 0.25))


@pytest.mark.parametrize("value", [123, None, ["x"], True, {"a": "b"}, 1.5])
@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("id", "iss"),
        ("id", "token_use"),
        ("id", "aud"),
        ("id", "sub"),
        ("id", "cognito:username"),
        ("access", "iss"),
        ("access", "token_use"),
        ("access", "client_id"),
        ("access", "sub"),
        ("access", "scope"),
        ("access", "username"),
    ],
)
def test_a_string_claim_of_another_type_is_malformed(kind: str, name: str, value: object) -> None:
    message = malformed(payload_for(kind, **{name: value}))
    assert message.startswith(f"claim {name!r} must be a string, not ")


def test_an_id_token_aud_list_is_malformed() -> None:
    assert malformed(id_payload(aud=[CLIENT])) == "claim 'aud' must be a string, not list"


@pytest.mark.parametrize("groups", ["admin", ["admin", 1], [None], None, {"admin": True}, [["a"]]])
def test_cognito_groups_must_be_a_list_of_strings(groups: object) -> None:
    assert malformed(id_payload(cognito__groups=groups)) == (
        "claim 'cognito:groups' must be a list of strings"
    )


@pytest.mark.parametrize("groups", [[], ["a"], ["a", "b", "a"]])
def test_cognito_groups_as_a_list_of_strings_is_accepted(groups: list[str]) -> None:
    check(access_payload(cognito__groups=groups))


# --------------------------------------------------------------------------- lifetime


@pytest.mark.parametrize("leeway", [0.0, 0.5, 30.0, 300.0])
def test_a_token_expires_exactly_at_exp_plus_leeway(leeway: float) -> None:
    exp = int(NOW) + 100
    check(access_payload(exp=exp), now=exp + leeway - 0.001, leeway=leeway)

    error = claim_error(ExpiredTokenError, access_payload(exp=exp), now=exp + leeway, leeway=leeway)

    assert error.claim == "exp"
    assert error.actual == exp
    assert error.expected == exp  # the token had to expire after now - leeway


def test_an_expired_token_reports_exp_and_the_deadline() -> None:
    exp = int(NOW) - 7200
    error = claim_error(ExpiredTokenError, id_payload(exp=exp, iat=exp - 3600), leeway=60.0)
    assert error.claim == "exp"
    assert error.actual == exp
    assert error.expected == NOW - 60.0
    assert "expired 7200 s ago" in str(error)


def test_leeway_does_not_help_a_token_expired_longer_ago() -> None:
    claim_error(ExpiredTokenError, id_payload(exp=int(NOW) - 61), leeway=60.0)
    check(id_payload(exp=int(NOW) - 59), leeway=60.0)


@pytest.mark.parametrize("leeway", [0.0, 30.0])
def test_nbf_is_honoured_up_to_the_leeway(leeway: float) -> None:
    check(access_payload(nbf=NOW + leeway), leeway=leeway)
    check(access_payload(nbf=NOW - 3600), leeway=leeway)

    nbf = NOW + leeway + 1
    error = claim_error(NotYetValidError, access_payload(nbf=nbf), leeway=leeway)

    assert error.claim == "nbf"
    assert error.actual == nbf
    assert error.expected == NOW + leeway


@pytest.mark.parametrize("leeway", [0.0, 30.0])
def test_iat_more_than_leeway_in_the_future_is_not_yet_valid(leeway: float) -> None:
    check(access_payload(iat=NOW + leeway), leeway=leeway)

    iat = NOW + leeway + 1
    error = claim_error(NotYetValidError, access_payload(iat=iat, auth_time=iat), leeway=leeway)

    assert error.claim == "iat"
    assert error.actual == iat
    assert error.expected == NOW + leeway
    assert f"issued {leeway + 1:.0f} s in the future" in str(error)


def test_an_iat_slightly_in_the_future_fails_without_leeway() -> None:
    error = claim_error(NotYetValidError, id_payload(iat=NOW + 0.001))
    assert error.claim == "iat"


# --------------------------------------------------------------------------- issuer


@pytest.mark.parametrize(
    "issuer",
    [
        pytest.param(ISSUER + "/", id="trailing-slash"),
        pytest.param(ISSUER.upper(), id="upper-case"),
        pytest.param(ISSUER.replace("eu-west-1_TestPool1", "eu-west-1_testpool1"), id="pool-case"),
        pytest.param(ISSUER.replace("https://", "HTTPS://"), id="scheme-case"),
        pytest.param(ISSUER.replace("https://", "http://"), id="http"),
        pytest.param(ISSUER[:-1], id="prefix"),
        pytest.param(ISSUER + "2", id="suffix"),
        pytest.param(ISSUER + "/../eu-west-1_Evil", id="path-suffix"),
        pytest.param(ISSUER + "?x=1", id="query"),
        pytest.param(" " + ISSUER, id="leading-space"),
        pytest.param(ISSUER + "\n", id="trailing-newline"),
        pytest.param(ISSUER.replace("eu-west-1.", "us-east-1."), id="other-region"),
        pytest.param(ISSUER.replace("TestPool1", "TestPool2"), id="other-pool"),
        pytest.param("https://cognito-idp.eu-west-1.amazonaws.com", id="no-pool"),
        pytest.param("", id="empty"),
    ],
)
def test_the_issuer_must_match_exactly(issuer: str) -> None:
    error = claim_error(InvalidIssuerError, id_payload(iss=issuer))
    assert error.claim == "iss"
    assert set(error.expected) == ISSUERS
    # Shown in full when printable (an issuer must be recognisable), else escaped.
    assert error.actual == (issuer if issuer.isprintable() else ascii(issuer))


def test_a_short_plain_issuer_is_shown_as_is() -> None:
    error = claim_error(InvalidIssuerError, id_payload(iss="https://evil.example"))
    assert error.actual == "https://evil.example"
    assert "'https://evil.example'" in str(error)


def test_a_foreign_cognito_issuer_is_shown_in_full() -> None:
    # The longest real issuers: updated format, longest region name.
    issuer = "https://issuer-cognito-idp.ap-southeast-2.amazonaws.com/ap-southeast-2_AbCdEf123"
    error = claim_error(InvalidIssuerError, id_payload(iss=issuer))
    assert error.actual == issuer
    assert str(error).startswith(f"issuer {issuer!r} is not accepted; accepted: https://")


@pytest.mark.parametrize(
    "issuer",
    [
        pytest.param(ISSUER + "\x1b[31m" + "x" * 10_000, id="escape-and-long"),
        pytest.param(ISSUER + "/" + "x" * 37, id="101-printable"),
        pytest.param("https://evil.example/" + "x" * 10_000, id="long-printable"),
    ],
)
def test_a_long_or_unprintable_issuer_is_shown_shortened_and_escaped(issuer: str) -> None:
    error = claim_error(InvalidIssuerError, id_payload(iss=issuer))
    assert error.actual == ascii(issuer)[:97] + "..."
    assert "\x1b" not in str(error)
    assert "x" * 100 not in str(error)
    shown, _, accepted = str(error).partition("; ")
    assert len(shown) < 150
    assert accepted.startswith("accepted: https://")  # from configuration, in full


@pytest.mark.parametrize("issuers", [ISSUERS, (ISSUER,), [ISSUER], {ISSUER: "route"}])
def test_unverified_issuer_returns_an_accepted_issuer(issuers: Collection[str]) -> None:
    assert _checks.unverified_issuer({"iss": ISSUER}, issuers) == ISSUER


@pytest.mark.parametrize(
    "issuer", ["https://idp", "https://idp.example/pool", "https://idp.example/pool1/", "pool1", ""]
)
def test_unverified_issuer_is_an_exact_match_even_against_a_lone_string(issuer: str) -> None:
    # A str is a Collection[str] too; "in" must not become a substring test.
    lone = "https://idp.example/pool1"
    with pytest.raises(InvalidIssuerError) as info:
        _checks.unverified_issuer({"iss": issuer}, lone)
    assert info.value.claim == "iss"
    assert info.value.expected == (lone,)
    assert info.value.actual == issuer
    assert _checks.unverified_issuer({"iss": lone}, lone) == lone


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, "claim 'iss' is missing"),
        ({"iss": 1}, "claim 'iss' must be a string, not int"),
        ({"iss": None}, "claim 'iss' must be a string, not null"),
        ({"iss": [ISSUER]}, "claim 'iss' must be a string, not list"),
    ],
)
def test_unverified_issuer_requires_a_string(payload: dict[str, Any], message: str) -> None:
    with pytest.raises(MalformedTokenError, match=f"^{message}$"):
        _checks.unverified_issuer(payload, ISSUERS)


# --------------------------------------------------------------------------- token_use


@pytest.mark.parametrize("token_use", ["ID", "Access", "ACCESS", "refresh", "", "id ", " access"])
def test_token_use_must_be_exactly_id_or_access(token_use: str) -> None:
    error = claim_error(InvalidTokenUseError, id_payload(token_use=token_use))
    assert error.claim == "token_use"
    assert error.expected == ("id", "access")
    assert error.actual == token_use


@pytest.mark.parametrize("token_use", [["id"], None, 1, {"id": True}])
def test_token_use_of_another_type_is_malformed(token_use: object) -> None:
    assert malformed(id_payload(token_use=token_use)).startswith("claim 'token_use' must be")


@pytest.mark.parametrize(
    ("asked", "kind"),
    [("id", "access"), ("access", "id")],
)
def test_the_other_kind_of_token_is_refused(asked: _checks.TokenUse, kind: str) -> None:
    with pytest.raises(InvalidTokenUseError) as info:
        authorize(payload_for(kind), policy(token_use=asked))
    assert info.value.claim == "token_use"
    assert info.value.expected == asked
    assert info.value.actual == kind


@pytest.mark.parametrize("kind", ["id", "access"])
def test_the_asked_kind_or_either_kind_is_accepted(kind: _checks.TokenUse) -> None:
    authorize(payload_for(kind), policy(token_use=kind))
    authorize(payload_for(kind), policy(token_use=None))


# --------------------------------------------------------------------------- audience


@pytest.mark.parametrize(
    ("kind", "claim"),
    [("id", "aud"), ("access", "client_id")],
)
def test_the_app_client_must_be_accepted(kind: str, claim: str) -> None:
    authorize(payload_for(kind), policy(client_ids=["other", CLIENT]))

    with pytest.raises(InvalidAudienceError) as info:
        authorize(payload_for(kind), policy(client_ids=["zeta", "alpha"]))

    assert type(info.value) is InvalidAudienceError
    assert info.value.claim == claim
    assert info.value.expected == ("alpha", "zeta")
    assert info.value.actual == CLIENT


@pytest.mark.parametrize(
    "client", ["Test-Client", "test-client ", "test-clien", "test-client2", ""]
)
@pytest.mark.parametrize("kind", ["id", "access"])
def test_the_app_client_matches_exactly(kind: str, client: str) -> None:
    claim = "aud" if kind == "id" else "client_id"
    with pytest.raises(InvalidAudienceError) as info:
        authorize(payload_for(kind, **{claim: client}), policy())
    assert info.value.actual == client


@pytest.mark.parametrize("kind", ["id", "access"])
def test_client_ids_none_accepts_any_client(kind: str) -> None:
    claim = "aud" if kind == "id" else "client_id"
    authorize(payload_for(kind, **{claim: "someone-else"}), policy(client_ids=None))


def test_an_access_tokens_own_aud_claim_is_ignored() -> None:
    # aud names the accepted client, client_id does not: refused.
    with pytest.raises(InvalidAudienceError) as info:
        authorize(access_payload(aud=CLIENT, client_id="intruder"), policy())
    assert info.value.claim == "client_id"
    assert info.value.actual == "intruder"
    # client_id is right, aud is anything, even of another type: accepted.
    authorize(access_payload(aud="intruder"), policy())
    authorize(access_payload(aud=["intruder", 1]), policy())


def test_an_id_tokens_client_id_claim_is_ignored() -> None:
    with pytest.raises(InvalidAudienceError) as info:
        authorize(id_payload(aud="intruder", client_id=CLIENT), policy())
    assert info.value.claim == "aud"
    authorize(id_payload(client_id="intruder"), policy())


def test_skip_access_token_audience_skips_only_the_access_half() -> None:
    rules = policy(skip_access_token_audience=True)
    authorize(access_payload(client_id="intruder"), rules)

    with pytest.raises(InvalidAudienceError) as info:
        authorize(id_payload(aud="intruder"), rules)
    assert info.value.claim == "aud"
    assert info.value.actual == "intruder"


def test_an_unverified_client_is_shown_shortened_and_escaped() -> None:
    client = "evil\r\nX-Injected: 1" + "x" * 200
    with pytest.raises(InvalidAudienceError) as info:
        authorize(access_payload(client_id=client), policy())
    assert info.value.actual == ascii(client)[:97] + "..."
    assert "\r\n" not in str(info.value)
    assert "x" * 100 not in str(info.value)


# --------------------------------------------------------------------------- groups and scopes


@pytest.mark.parametrize(
    "allowed", [("admin",), ("staff",), ("nobody", "staff"), ("admin", "staff", "x")]
)
def test_one_allowed_group_is_enough(allowed: tuple[str, ...]) -> None:
    claims = authorize(id_payload(), policy(allowed_groups=allowed))
    assert claims.groups == ("admin", "staff")


@pytest.mark.parametrize(
    ("groups", "allowed"),
    [
        pytest.param(["admin", "staff"], ("owner",), id="other-group"),
        pytest.param(["admin", "staff"], ("Admin",), id="case"),
        pytest.param(["admin", "staff"], ("admins",), id="superstring"),
        pytest.param(["admins"], ("admin",), id="substring"),
        pytest.param(DELETE, ("admin",), id="no-groups-claim"),
        pytest.param([], ("admin",), id="empty-groups"),
        pytest.param(["admin"], (), id="no-allowed-groups"),
    ],
)
def test_a_user_in_none_of_the_allowed_groups_is_denied(
    groups: object, allowed: tuple[str, ...]
) -> None:
    with pytest.raises(MissingGroupError) as info:
        authorize(access_payload(cognito__groups=groups), policy(allowed_groups=allowed))
    assert type(info.value) is MissingGroupError
    assert info.value.required == allowed


@pytest.mark.parametrize(
    "required",
    [(), ("orders/read",), ("orders/read", "orders/write"), ("aws.cognito.signin.user.admin",)],
)
def test_every_required_scope_present_is_enough(required: tuple[str, ...]) -> None:
    authorize(access_payload(), policy(required_scopes=required))


@pytest.mark.parametrize(
    ("scope", "required", "missing"),
    [
        pytest.param(
            "orders/read", ("orders/read", "orders/write"), ("orders/write",), id="one-of-two"
        ),
        pytest.param(
            "orders/read",
            ("orders/delete", "orders/read", "orders/write"),
            ("orders/delete", "orders/write"),
            id="order-kept",
        ),
        pytest.param("orders/readwrite", ("orders/read",), ("orders/read",), id="superstring"),
        pytest.param("orders/read", ("orders",), ("orders",), id="prefix"),
        pytest.param("Orders/Read", ("orders/read",), ("orders/read",), id="case"),
        pytest.param("", ("orders/read",), ("orders/read",), id="empty-scope"),
        pytest.param(DELETE, ("a", "b"), ("a", "b"), id="no-scope-claim"),
    ],
)
def test_a_missing_scope_is_insufficient(
    scope: object, required: tuple[str, ...], missing: tuple[str, ...]
) -> None:
    with pytest.raises(InsufficientScopeError) as info:
        authorize(access_payload(scope=scope), policy(required_scopes=required))
    assert type(info.value) is InsufficientScopeError
    assert info.value.required == required
    assert info.value.missing == missing


def test_scopes_are_split_on_spaces() -> None:
    authorize(access_payload(scope="  a   b "), policy(required_scopes=("a", "b")))


# --------------------------------------------------------------------------- order


def test_check_policy_checks_kind_then_client_then_groups_then_scopes() -> None:
    bad = access_payload(client_id="intruder", cognito__groups=DELETE, scope="")
    groups, scopes = ("admin",), ("orders/read",)
    with pytest.raises(InvalidTokenUseError):
        authorize(bad, policy(token_use="id", allowed_groups=groups, required_scopes=scopes))
    with pytest.raises(InvalidAudienceError):
        authorize(bad, policy(allowed_groups=groups, required_scopes=scopes))
    with pytest.raises(MissingGroupError):
        authorize(bad, policy(client_ids=None, allowed_groups=groups, required_scopes=scopes))
    with pytest.raises(InsufficientScopeError):
        authorize(bad, policy(client_ids=None, required_scopes=scopes))
    authorize(bad, policy(client_ids=None))


def test_check_token_checks_types_before_lifetime_and_lifetime_before_issuer() -> None:
    expired_and_foreign = id_payload(exp=int(NOW) - 10, iss="https://evil.example")
    claim_error(ExpiredTokenError, expired_and_foreign)
    malformed(id_payload(exp=int(NOW) - 10, iat="yesterday"))
    claim_error(InvalidIssuerError, id_payload(iss="https://evil.example", token_use="refresh"))
