"""The claim rules of a Cognito token: pure functions, the clock passed in.

Two stages, so the verified-token cache can sit between them:

* :func:`check_token` holds for the token whoever asks: claim types, lifetime,
  issuer and the kind of token. Its result may be cached.
* :func:`check_policy` is what one call asks for: the kind of token, the app
  client, groups and scopes. It runs on every call, cache hit or not.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from cognito_jwt.claims import CognitoClaims
from cognito_jwt.exceptions import (
    _MAX_SHOWN,
    ExpiredTokenError,
    InsufficientScopeError,
    InvalidAudienceError,
    InvalidIssuerError,
    InvalidSignerError,
    InvalidTokenUseError,
    MalformedTokenError,
    MissingGroupError,
    NotYetValidError,
    _describe,
)

TokenUse = Literal["id", "access"]
TOKEN_USES: frozenset[str] = frozenset({"id", "access"})
# The largest NumericDate a datetime can hold (9999-12-31T23:59:59Z).
_MAX_NUMERIC_DATE = 253402300799


_STR_TYPE = frozenset({str})
_ABSENT = object()
# (claim, required) pairs of the claims whose types check_token checks.
_NUMERIC_DATE_CLAIMS = (("exp", True), ("iat", True), ("nbf", False), ("auth_time", False))
_STRING_CLAIMS = (
    ("iss", True),
    ("token_use", True),
    ("sub", False),
    ("scope", False),
    ("username", False),
    ("cognito:username", False),
)


@dataclass(frozen=True, slots=True)
class Policy:
    """What one call accepts: the per-call half of the rules."""

    token_use: TokenUse | None
    client_ids: frozenset[str] | None
    skip_access_token_audience: bool
    allowed_groups: tuple[str, ...] | None
    required_scopes: tuple[str, ...] | None


def _shown(value: Any) -> Any:
    """Keep numbers and short printable strings as they are; escape and shorten the rest."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return value
    if (
        isinstance(value, str)
        and len(value) <= _MAX_SHOWN
        and value.isascii()
        and value.isprintable()
    ):
        return value
    return _describe(value)


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _require_numeric_date(payload: Mapping[str, Any], name: str, *, required: bool) -> None:
    if name not in payload:
        if required:
            raise MalformedTokenError(f"claim {name!r} is missing")
        return
    value = payload[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedTokenError(f"claim {name!r} must be a number, not {_type_name(value)}")
    if not 0 <= value <= _MAX_NUMERIC_DATE:
        raise MalformedTokenError(f"claim {name!r} is out of range: {_describe(value)}")


def _require_string(payload: Mapping[str, Any], name: str, *, required: bool) -> None:
    if name not in payload:
        if required:
            raise MalformedTokenError(f"claim {name!r} is missing")
        return
    value = payload[name]
    if not isinstance(value, str):
        raise MalformedTokenError(f"claim {name!r} must be a string, not {_type_name(value)}")


# How many accepted issuers an InvalidIssuerError's message lists before "and N more".
_MAX_ISSUERS_SHOWN = 6


def _accepted(issuers: Collection[str]) -> str:
    """Name the accepted issuers (from configuration, so shown as they are)."""
    shown = list(issuers)[:_MAX_ISSUERS_SHOWN]
    text = ", ".join(shown)
    if len(issuers) > len(shown):
        text += f" and {len(issuers) - len(shown)} more"
    return f"accepted: {text}"


def unverified_issuer(payload: Mapping[str, Any], issuers: Collection[str]) -> str:
    """Return the token's ``iss`` if it is one of ``issuers``; checked before any key lookup.

    Raises:
        MalformedTokenError: ``iss`` is missing or not a string.
        InvalidIssuerError: ``iss`` is not one of ``issuers``.

    """
    _require_string(payload, "iss", required=True)
    iss: str = payload["iss"]
    if isinstance(issuers, str):
        # A lone str is a Collection[str] too, but "in" would then match any substring.
        issuers = (issuers,)
    if iss not in issuers:
        raise InvalidIssuerError(
            f"issuer {_describe(iss)} is not accepted; {_accepted(issuers)}",
            claim="iss",
            expected=tuple(issuers),
            actual=_shown(iss),
        )
    return iss


def check_token(
    payload: Mapping[str, Any], *, now: float, leeway: float, issuers: Collection[str]
) -> None:
    """Check what holds for the token whoever asks: types, lifetime, issuer, kind.

    Raises:
        MalformedTokenError: a required claim is missing or of the wrong type.
        ExpiredTokenError: ``now >= exp + leeway``.
        NotYetValidError: ``nbf`` or ``iat`` is later than ``now + leeway``.
        InvalidIssuerError: ``iss`` is not one of ``issuers``.
        InvalidTokenUseError: ``token_use`` is neither ``"id"`` nor ``"access"``.

    """
    # Exact JSON types take the quick test; anything else goes through the
    # helpers, which accept what they accept and word the error otherwise.
    for name, required in _NUMERIC_DATE_CLAIMS:
        value = payload.get(name, _ABSENT)
        if (type(value) is int or type(value) is float) and 0 <= value <= _MAX_NUMERIC_DATE:
            continue
        if value is not _ABSENT or required:
            _require_numeric_date(payload, name, required=required)
    for name, required in _STRING_CLAIMS:
        value = payload.get(name, _ABSENT)
        if type(value) is not str and (value is not _ABSENT or required):
            _require_string(payload, name, required=required)
    groups = payload.get("cognito:groups", [])
    # The quick test first (map(type, ...) into a set: one C-level pass, no generator
    # frame); the exact one, which also admits subclasses, only when it fails.
    if (type(groups) is not list or not {*map(type, groups)} <= _STR_TYPE) and (
        not isinstance(groups, list) or not all(isinstance(g, str) for g in groups)
    ):
        raise MalformedTokenError("claim 'cognito:groups' must be a list of strings")

    exp = payload["exp"]
    if now >= exp + leeway:
        raise _expired(exp, now=now, leeway=leeway)
    nbf = payload.get("nbf")
    if nbf is not None and nbf > now + leeway:
        raise NotYetValidError(
            f"token is not valid for another {nbf - now:.0f} s (nbf, leeway {leeway:g} s)",
            claim="nbf",
            expected=now + leeway,
            actual=nbf,
        )
    iat = payload["iat"]
    if iat > now + leeway:
        raise NotYetValidError(
            f"token was issued {iat - now:.0f} s in the future (iat, leeway {leeway:g} s)",
            claim="iat",
            expected=now + leeway,
            actual=iat,
        )
    if isinstance(issuers, str) or payload["iss"] not in issuers:
        unverified_issuer(payload, issuers)  # words the error (or accepts a lone str)
    token_use = payload["token_use"]
    if token_use not in TOKEN_USES:
        raise InvalidTokenUseError(
            f"token_use {_describe(token_use)} is neither 'id' nor 'access'",
            claim="token_use",
            expected=("id", "access"),
            actual=_shown(token_use),
        )
    client_claim = "aud" if token_use == "id" else "client_id"
    if type(payload.get(client_claim)) is not str:
        _require_string(payload, client_claim, required=True)


def check_policy(
    claims: CognitoClaims,
    policy: Policy,
    revocation: Callable[[CognitoClaims], None] | None = None,
) -> None:
    """Check what one call asks for; ``claims`` must already have passed :func:`check_token`.

    ``revocation``, when given, runs after the token_use and audience checks and
    before the group and scope checks.

    Raises:
        InvalidTokenUseError: the token is not the kind ``policy.token_use`` names.
        InvalidAudienceError: the token's app client is not one of ``policy.client_ids``.
        MissingGroupError: the user is in none of ``policy.allowed_groups``.
        InsufficientScopeError: a scope of ``policy.required_scopes`` is missing.

    """
    token_use = claims["token_use"]
    if policy.token_use is not None and token_use != policy.token_use:
        raise InvalidTokenUseError(
            f"an {token_use} token was presented where an {policy.token_use} token is required",
            claim="token_use",
            expected=policy.token_use,
            actual=token_use,
        )
    if policy.client_ids is not None and not (
        token_use == "access" and policy.skip_access_token_audience
    ):
        claim = "aud" if token_use == "id" else "client_id"
        client = claims[claim]
        if client not in policy.client_ids:
            raise InvalidAudienceError(
                f"{token_use} token was issued to app client {_describe(client)}, "
                "which this verifier does not accept",
                claim=claim,
                expected=tuple(sorted(policy.client_ids)),
                actual=_shown(client),
            )
    if revocation is not None:
        revocation(claims)
    if policy.allowed_groups is not None and not any(
        group in policy.allowed_groups for group in claims.groups
    ):
        raise MissingGroupError(
            f"user is in none of the groups {', '.join(policy.allowed_groups)}",
            required=policy.allowed_groups,
        )
    if policy.required_scopes is not None:
        missing = tuple(s for s in policy.required_scopes if s not in claims.scopes)
        if missing:
            raise InsufficientScopeError(
                f"token lacks the scope(s) {', '.join(missing)}",
                required=policy.required_scopes,
                missing=missing,
            )


def check_alb_origin(
    header: Mapping[str, Any],
    *,
    signers: Collection[str],
    client_ids: Collection[str] | None,
    issuer: str | None,
) -> None:
    """Check who made an ALB token, from its header: run before any key is fetched.

    ``header`` has passed ``_token.check_alb_header`` (the fields are strings).

    Raises:
        InvalidSignerError: ``signer`` is not one of ``signers``.
        InvalidAudienceError: ``client`` is not one of ``client_ids`` (unless ``None``).
        InvalidIssuerError: ``iss`` is not ``issuer`` (unless ``None``).

    """
    signer = header["signer"]
    if signer not in signers:
        raise InvalidSignerError(
            f"token was signed by load balancer {_describe(signer)}, "
            "which this verifier does not accept",
            claim="signer",
            expected=tuple(signers),
            actual=_shown(signer),
        )
    client = header["client"]
    if client_ids is not None and client not in client_ids:
        raise InvalidAudienceError(
            f"token was issued to app client {_describe(client)}, "
            "which this verifier does not accept",
            claim="client",
            expected=tuple(sorted(client_ids)),
            actual=_shown(client),
        )
    iss = header["iss"]
    if issuer is not None and iss != issuer:
        raise InvalidIssuerError(
            f"issuer {_describe(iss)} is not accepted",
            claim="iss",
            expected=issuer,
            actual=_shown(iss),
        )


def _expired(exp: float, *, now: float, leeway: float) -> ExpiredTokenError:
    """The error for a token whose ``exp`` (plus the leeway) is past."""
    return ExpiredTokenError(
        f"token expired {now - exp:.0f} s ago (leeway {leeway:g} s)",
        claim="exp",
        expected=now - leeway,
        actual=exp,
    )


def alb_expiry(header: Mapping[str, Any], payload: Mapping[str, Any]) -> float:
    """Return when an ALB token expires: the header's ``exp``, or the payload's if earlier.

    Raises:
        MalformedTokenError: an ``exp`` out of range, or a payload ``exp`` not a number.

    """
    _require_numeric_date(header, "exp", required=True)
    _require_numeric_date(payload, "exp", required=False)
    exp: float = header["exp"]
    payload_exp: float = payload.get("exp", exp)
    return min(exp, payload_exp)


def check_alb_token(
    header: Mapping[str, Any], payload: Mapping[str, Any], *, now: float, leeway: float
) -> float:
    """Check an ALB token whose signature verified, and return when it expires (``exp``).

    Checked: the lifetime, and that a payload ``iss`` is the header's.

    Raises:
        MalformedTokenError: ``exp`` out of range, or a payload ``exp`` or ``iss`` of
            the wrong type.
        ExpiredTokenError: ``now >= exp + leeway`` for the header's ``exp`` or the payload's.
        InvalidIssuerError: the payload carries an ``iss`` other than the header's.

    """
    exp = alb_expiry(header, payload)
    if now >= exp + leeway:
        raise _expired(exp, now=now, leeway=leeway)
    _require_string(payload, "iss", required=False)
    iss = payload.get("iss")
    if iss is not None and iss != header["iss"]:
        raise InvalidIssuerError(
            f"payload issuer {_describe(iss)} is not the header's",
            claim="iss",
            expected=header["iss"],
            actual=_shown(iss),
        )
    return exp
