"""The exception tree: classes, HTTP mapping, fields, and what messages may show."""

from __future__ import annotations

import base64
import copy
import json
import pickle
from collections.abc import Callable
from typing import Any

import pytest

import cognito_jwt
from cognito_jwt import _checks, _token, exceptions
from cognito_jwt.claims import CognitoClaims
from cognito_jwt.exceptions import (
    AccessDeniedError,
    ClaimError,
    CognitoJWTError,
    ConfigurationError,
    ExpiredTokenError,
    InsufficientScopeError,
    InvalidAudienceError,
    InvalidIssuerError,
    InvalidSignatureError,
    InvalidSignerError,
    InvalidTokenError,
    InvalidTokenUseError,
    JWKSError,
    JWKSFetchError,
    JWKSFormatError,
    MalformedTokenError,
    MissingGroupError,
    MissingTokenError,
    NotYetValidError,
    RevocationCheckError,
    RevokedTokenError,
    UnavailableError,
    UnknownKeyError,
    _describe,
)

INVALID = 'Bearer error="invalid_token", error_description="The access token is invalid"'
MALFORMED = 'Bearer error="invalid_token", error_description="The access token is malformed"'
EXPIRED = 'Bearer error="invalid_token", error_description="The access token expired"'
DENIED = (
    'Bearer error="insufficient_scope", '
    'error_description="The access token does not grant this request"'
)

PARENTS: dict[type[CognitoJWTError], type[Exception]] = {
    ConfigurationError: CognitoJWTError,
    InvalidTokenError: CognitoJWTError,
    MissingTokenError: InvalidTokenError,
    MalformedTokenError: InvalidTokenError,
    InvalidSignatureError: InvalidTokenError,
    UnknownKeyError: InvalidTokenError,
    ClaimError: InvalidTokenError,
    ExpiredTokenError: ClaimError,
    NotYetValidError: ClaimError,
    InvalidIssuerError: ClaimError,
    InvalidAudienceError: ClaimError,
    InvalidTokenUseError: ClaimError,
    InvalidSignerError: ClaimError,
    AccessDeniedError: CognitoJWTError,
    MissingGroupError: AccessDeniedError,
    InsufficientScopeError: AccessDeniedError,
    UnavailableError: CognitoJWTError,
    JWKSError: UnavailableError,
    JWKSFetchError: JWKSError,
    JWKSFormatError: JWKSError,
    RevokedTokenError: InvalidTokenError,
    RevocationCheckError: UnavailableError,
}
ALL_ERRORS: list[type[CognitoJWTError]] = [CognitoJWTError, *PARENTS]


def make(cls: type[CognitoJWTError], message: str = "boom") -> CognitoJWTError:
    """An instance of ``cls`` with whatever its constructor requires."""
    if issubclass(cls, ClaimError):
        return cls(message, claim="exp", expected=1, actual=2)
    return cls(message)


# --------------------------------------------------------------------------- the tree


@pytest.mark.parametrize(("cls", "parent"), PARENTS.items(), ids=lambda c: c.__name__)
def test_each_error_sits_where_the_design_puts_it(
    cls: type[CognitoJWTError], parent: type[Exception]
) -> None:
    assert cls.__bases__[0] is parent
    assert issubclass(cls, CognitoJWTError)


def test_the_three_branches_are_apart() -> None:
    branches = [InvalidTokenError, AccessDeniedError, UnavailableError, ConfigurationError]
    for cls in branches:
        for other in branches:
            assert issubclass(cls, other) == (cls is other)


def test_only_configuration_errors_are_value_errors() -> None:
    assert issubclass(ConfigurationError, ValueError)
    for cls in ALL_ERRORS:
        if cls is not ConfigurationError:
            assert not issubclass(cls, ValueError | TypeError | KeyError), cls


def test_every_error_is_exported_and_re_exported() -> None:
    names = {cls.__name__ for cls in ALL_ERRORS}
    assert set(exceptions.__all__) == names
    assert exceptions.__all__ == sorted(exceptions.__all__)
    for name in names:
        assert getattr(cognito_jwt, name) is getattr(exceptions, name)
        assert name in cognito_jwt.__all__


# --------------------------------------------------------------------------- HTTP mapping


@pytest.mark.parametrize(
    ("cls", "status", "challenge"),
    [
        (CognitoJWTError, 500, None),
        (ConfigurationError, 500, None),
        (InvalidTokenError, 401, INVALID),
        (MissingTokenError, 401, "Bearer"),
        (MalformedTokenError, 401, MALFORMED),
        (InvalidSignatureError, 401, INVALID),
        (UnknownKeyError, 401, INVALID),
        (ClaimError, 401, INVALID),
        (ExpiredTokenError, 401, EXPIRED),
        (NotYetValidError, 401, INVALID),
        (InvalidIssuerError, 401, INVALID),
        (InvalidAudienceError, 401, INVALID),
        (InvalidTokenUseError, 401, INVALID),
        (AccessDeniedError, 403, DENIED),
        (MissingGroupError, 403, DENIED),
        (InsufficientScopeError, 403, DENIED),
        (UnavailableError, 503, None),
        (JWKSError, 503, None),
        (JWKSFetchError, 503, None),
        (JWKSFormatError, 503, None),
        (RevocationCheckError, 503, None),
        (
            RevokedTokenError,
            401,
            'Bearer error="invalid_token", error_description="The access token was revoked"',
        ),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else str(v),
)
def test_status_code_and_challenge(
    cls: type[CognitoJWTError], status: int, challenge: str | None
) -> None:
    error = make(cls)
    assert error.status_code == status
    assert cls.status_code == status
    assert error.www_authenticate == challenge


@pytest.mark.parametrize("cls", ALL_ERRORS, ids=lambda c: c.__name__)
def test_the_challenge_never_carries_the_message(cls: type[CognitoJWTError]) -> None:
    message = 'token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln "quoted" \r\nX-Evil: 1'
    challenge = make(cls, message).www_authenticate or ""
    assert "eyJ" not in challenge
    assert '"quoted"' not in challenge
    assert "\r" not in challenge
    assert "\n" not in challenge


def test_the_insufficient_scope_challenge_names_the_required_scopes() -> None:
    error = InsufficientScopeError("no", required=("orders/read", "orders/write"), missing=())
    assert error.www_authenticate == f'{DENIED}, scope="orders/read orders/write"'


@pytest.mark.parametrize(
    ("required", "scope"),
    [
        pytest.param(("ok", 'say "hi"'), "ok", id="quote"),
        pytest.param(("ok", "back\\slash"), "ok", id="backslash"),
        pytest.param(("ok", "two words"), "ok", id="space"),
        pytest.param(("ok", "caf\u00e9"), "ok", id="non-ascii"),
        pytest.param(("ok", "a\r\nX-Evil: 1"), "ok", id="crlf"),
        pytest.param(("ok", ""), "ok", id="empty"),
        pytest.param(("!#[]~", "x"), "!#[]~ x", id="edge-characters"),
    ],
)
def test_scopes_a_challenge_cannot_carry_are_left_out(
    required: tuple[str, ...], scope: str
) -> None:
    error = InsufficientScopeError("no", required=required, missing=required)
    assert error.www_authenticate == f'{DENIED}, scope="{scope}"'


def test_without_a_plain_scope_the_challenge_names_none() -> None:
    assert InsufficientScopeError("no").www_authenticate == DENIED
    error = InsufficientScopeError("no", required=('"',), missing=('"',))
    assert error.www_authenticate == DENIED


# --------------------------------------------------------------------------- fields


@pytest.mark.parametrize(
    "cls",
    [
        ClaimError,
        ExpiredTokenError,
        NotYetValidError,
        InvalidIssuerError,
        InvalidAudienceError,
        InvalidTokenUseError,
    ],
    ids=lambda c: c.__name__,
)
def test_claim_errors_carry_claim_expected_actual(cls: type[ClaimError]) -> None:
    error = cls("wrong", claim="client_id", expected=("a", "b"), actual="c")
    assert str(error) == "wrong"
    assert error.claim == "client_id"
    assert error.expected == ("a", "b")
    assert error.actual == "c"


def test_claim_error_fields_are_keyword_only_and_required() -> None:
    constructor: Any = ClaimError
    with pytest.raises(TypeError):
        constructor("wrong", "exp", 1, 2)
    with pytest.raises(TypeError):
        constructor("wrong", claim="exp")


def test_unknown_key_missing_group_and_insufficient_scope_fields() -> None:
    assert UnknownKeyError("no key", kid="abc").kid == "abc"
    assert UnknownKeyError("no key").kid is None
    assert MissingGroupError("no", required=("a", "b")).required == ("a", "b")
    assert MissingGroupError("no").required == ()
    scope_error = InsufficientScopeError("no", required=("a", "b"), missing=("b",))
    assert scope_error.required == ("a", "b")
    assert scope_error.missing == ("b",)


def test_every_error_has_claims_none_until_a_verifier_sets_them() -> None:
    for cls in ALL_ERRORS:
        assert make(cls).claims is None
    error = make(ExpiredTokenError)
    error.claims = CognitoClaims({"sub": "u1", "token_use": "access"})
    assert error.claims["sub"] == "u1"
    assert make(ExpiredTokenError).claims is None  # set on the instance, never the class


def _with_claims(error: CognitoJWTError) -> CognitoJWTError:
    error.claims = CognitoClaims({"sub": "u1", "cognito:groups": ["a"], "nested": {"k": [1]}})
    return error


def _pickled(error: CognitoJWTError) -> Any:
    return pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object


@pytest.mark.parametrize("duplicate", [_pickled, copy.copy, copy.deepcopy])
@pytest.mark.parametrize(
    "error",
    [
        ExpiredTokenError("expired", claim="exp", expected=10.0, actual=5),
        InvalidAudienceError("aud", claim="aud", expected=("a",), actual="b"),
        UnknownKeyError("kid", kid="k1"),
        MissingGroupError("group", required=("admin",)),
        InsufficientScopeError("scope", required=("a", "b"), missing=("b",)),
        MalformedTokenError("bad"),
        ConfigurationError("config"),
        JWKSFetchError("down"),
        _with_claims(RevokedTokenError("revoked", revoked_by="sub")),
        RevocationCheckError("store down"),
        _with_claims(ExpiredTokenError("expired", claim="exp", expected=1.0, actual=0)),
        _with_claims(MissingGroupError("group", required=("admin",))),
    ],
    ids=lambda e: type(e).__name__ + ("+claims" if e.claims is not None else ""),
)
def test_errors_survive_pickle_and_copy_with_their_fields(
    error: CognitoJWTError, duplicate: Callable[[CognitoJWTError], Any]
) -> None:
    clone = duplicate(error)
    assert type(clone) is type(error)
    assert clone.args == error.args
    assert str(clone) == str(error)
    assert vars(clone) == vars(error)
    assert clone.www_authenticate == error.www_authenticate
    if error.claims is not None:
        assert isinstance(clone.claims, CognitoClaims)
        assert clone.claims.to_dict() == error.claims.to_dict()


# --------------------------------------------------------------------------- shown values


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("plain", "'plain'"),
        ("line\nbreak", "'line\\nbreak'"),
        ("\x1b[31mred", "'\\x1b[31mred'"),
        ("caf\u00e9", "'caf\\xe9'"),
        ("\u202eevil", "'\\u202eevil'"),
        (None, "None"),
        (5, "5"),
        (["a"], "['a']"),
        ("x" * 1000, "'" + "x" * 96 + "..."),
        ("x" * 99, "'" + "x" * 96 + "..."),
        ("x" * 98, "'" + "x" * 98 + "'"),
    ],
)
def test_describe_escapes_and_shortens(value: object, shown: str) -> None:
    assert _describe(value) == shown


@pytest.mark.parametrize("length", [0, 10, 99, 100, 101, 1000, 100_000])
def test_describe_output_is_short_printable_ascii(length: int) -> None:
    text = _describe("\u2603\n" * length)
    assert len(text) <= 100
    assert text.isascii()
    assert text.isprintable()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _token_with(header: dict[str, Any], payload: dict[str, Any]) -> str:
    signature = _b64(bytes(range(256)))
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}.{signature}"


ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool1"
NOW = 1_700_000_000
GOOD_PAYLOAD: dict[str, Any] = {
    "iss": ISSUER,
    "token_use": "access",
    "client_id": "test-client",
    "exp": NOW + 3600,
    "iat": NOW,
}
NASTY = "\r\nSet-Cookie: x=1\x1b[2J" + "A" * 5000


def _fail_parsing(token: str) -> CognitoJWTError:
    with pytest.raises(CognitoJWTError) as info:
        _token.parse(token, 65536)
    return info.value


def _check_both_stages(payload: dict[str, Any]) -> None:
    _checks.check_token(payload, now=NOW, leeway=0, issuers={ISSUER})
    rules = _checks.Policy(
        token_use="access",
        client_ids=frozenset({"test-client"}),
        skip_access_token_audience=False,
        allowed_groups=None,
        required_scopes=None,
    )
    _checks.check_policy(CognitoClaims(payload), rules)


def _fail_checking(token: str) -> CognitoJWTError:
    payload = _token.parse(token, 65536).payload
    _check_both_stages(GOOD_PAYLOAD)  # the baseline passes: only the change fails
    with pytest.raises(CognitoJWTError) as info:
        _check_both_stages(payload)
    return info.value


@pytest.mark.parametrize(
    ("token", "fail", "cls"),
    [
        pytest.param(
            _token_with({"alg": "none", "kid": "k"}, GOOD_PAYLOAD) + "\n",
            _fail_parsing,
            MalformedTokenError,
            id="trailing-newline",
        ),
        pytest.param(
            _token_with({"alg": NASTY, "kid": "k"}, GOOD_PAYLOAD),
            _fail_parsing,
            InvalidSignatureError,
            id="alg",
        ),
        pytest.param(
            _token_with({"alg": "RS256", "kid": "k", "typ": NASTY}, GOOD_PAYLOAD),
            _fail_parsing,
            MalformedTokenError,
            id="typ",
        ),
        pytest.param(
            _token_with({"alg": "RS256", "kid": NASTY}, GOOD_PAYLOAD),
            _fail_parsing,
            MalformedTokenError,
            id="kid",
        ),
        pytest.param(
            _token_with({"alg": "RS256", "kid": "k"}, {**GOOD_PAYLOAD, "iss": NASTY}),
            _fail_checking,
            InvalidIssuerError,
            id="iss",
        ),
        pytest.param(
            _token_with({"alg": "RS256", "kid": "k"}, {**GOOD_PAYLOAD, "token_use": NASTY}),
            _fail_checking,
            InvalidTokenUseError,
            id="token_use",
        ),
        pytest.param(
            _token_with({"alg": "RS256", "kid": "k"}, {**GOOD_PAYLOAD, "client_id": NASTY}),
            _fail_checking,
            InvalidAudienceError,
            id="client_id",
        ),
        pytest.param(
            _token_with({"alg": "RS256", "kid": "k"}, {**GOOD_PAYLOAD, "exp": NOW - 1}),
            _fail_checking,
            ExpiredTokenError,
            id="expired",
        ),
        pytest.param(
            _token_with({"alg": "RS256", "kid": "k"}, {**GOOD_PAYLOAD, "iat": "now"}),
            _fail_checking,
            MalformedTokenError,
            id="iat-type",
        ),
    ],
)
def test_messages_never_show_the_token_and_show_values_shortened_and_escaped(
    token: str, fail: Callable[[str], CognitoJWTError], cls: type[CognitoJWTError]
) -> None:
    error = fail(token)
    assert type(error) is cls

    texts = [str(error), repr(error), error.www_authenticate or ""]
    texts += [repr(value) for value in vars(error).values()]
    signature = token.strip().split(".")[2]
    for text in texts:
        assert token.strip() not in text
        assert signature[:20] not in text
        assert "\r" not in text
        assert "\n" not in text
        assert "\x1b" not in text
        assert "A" * 100 not in text
    assert len(str(error).partition("; accepted")[0]) < 200
    if isinstance(error, ClaimError):
        assert error.claim in {"iss", "token_use", "client_id", "exp"}
        assert isinstance(error.actual, int) or len(error.actual) <= 100
