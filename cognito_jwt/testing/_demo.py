"""``cognito-jwt demo``: the library's job, end to end, offline, in one screen."""

from __future__ import annotations

import base64
import json
import textwrap
from collections.abc import Callable
from typing import Any, TextIO

import requests

from cognito_jwt.claims import CognitoClaims
from cognito_jwt.exceptions import (
    CognitoJWTError,
    ExpiredTokenError,
    InsufficientScopeError,
    InvalidAudienceError,
    InvalidSignatureError,
    InvalidTokenUseError,
    MissingTokenError,
    UnknownKeyError,
)
from cognito_jwt.testing._fake_pool import FakeUserPool
from cognito_jwt.verifier import CognitoVerifier


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _tampered(token: str) -> str:
    """The token with its payload rewritten to claim another user, signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["username"] = "admin"
    return ".".join((header, _b64(json.dumps(claims).encode()), signature))


def _alg_none(token: str) -> str:
    """The token re-headed with ``alg: none`` and its signature dropped."""
    _, payload, _ = token.split(".")
    return _b64(b'{"alg":"none","typ":"JWT"}') + "." + payload + ".AA"


def run_demo(out: TextIO) -> int:
    """Run the demonstration, writing to ``out``; return 0 when every step came out as expected."""
    pool = FakeUserPool(
        region="eu-west-1", user_pool_id="eu-west-1_DemoPool1", client_id="demo-client"
    )
    session = requests.Session()
    fetches: list[str] = []

    def count(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        del args, kwargs
        fetches.append(response.url)

    session.hooks["response"].append(count)
    failures = 0

    def say(line: str = "", indent: int = 0) -> None:
        # Short lines for a terminal: long messages wrap under their own indent.
        prefix = " " * indent
        print(
            textwrap.fill(
                line,
                width=78,
                initial_indent=prefix,
                subsequent_indent=prefix + "  ",
                break_on_hyphens=False,
                break_long_words=False,
            )
            if line
            else "",
            file=out,
        )

    say("cognito-jwt demo: a fake Cognito user pool, keys served over loopback HTTP.")
    say()
    with pool.serve() as jwks_url:
        verifier = CognitoVerifier(
            pool.region,
            pool.user_pool_id,
            client_ids=pool.client_id,
            token_use=None,
            jwks_url=jwks_url,
            session=session,
        )
        say(f"pool      {pool.user_pool_id} (app client {pool.client_id})")
        say(f"issuer    {verifier.issuer}")
        say(f"JWKS      {jwks_url}")
        say()
        say("1. Valid tokens, verified with a real JWKS fetch")
        valid: list[tuple[str, str, Callable[[CognitoClaims], str]]] = [
            (
                "ID token, alice in group admin",
                pool.id_token("alice", groups=["admin"], email="alice@example.com"),
                lambda c: f"username={c.username} groups={','.join(c.groups)}",
            ),
            (
                "access token, alice",
                pool.access_token("alice", scopes=["openid", "orders/read"]),
                lambda c: f"username={c.username} scopes={' '.join(sorted(c.scopes))}",
            ),
            (
                "M2M token (client_credentials)",
                pool.m2m_token(scopes=["orders/read"], client_id="demo-client"),
                lambda c: f"sub={c.sub} scopes={' '.join(sorted(c.scopes))}",
            ),
        ]
        for label, token, describe in valid:
            try:
                claims = verifier.verify(token)
            except CognitoJWTError as exc:  # pragma: no cover - the demo reports, not raises
                failures += 1
                say(f"FAIL {label}: {type(exc).__name__}: {exc}", indent=3)
                continue
            say(f"200  {label}", indent=3)
            say(describe(claims), indent=8)
        say(f"JWKS requests so far: {len(fetches)} (keys are cached)", indent=3)
        say()
        say("2. Tokens that must be refused, and what an API answers")
        access = pool.access_token("alice")
        rejected: list[tuple[str, type[CognitoJWTError], Callable[[], CognitoClaims]]] = [
            ("no Authorization header", MissingTokenError, lambda: verifier.verify_bearer(None)),
            (
                "expired access token",
                ExpiredTokenError,
                lambda: verifier.verify(pool.expired_token("access")),
            ),
            (
                "token for another app client",
                InvalidAudienceError,
                lambda: verifier.verify(pool.access_token(client_id="other-client")),
            ),
            (
                "payload tampered (username=admin)",
                InvalidSignatureError,
                lambda: verifier.verify(_tampered(access)),
            ),
            (
                "alg: none, signature removed",
                InvalidSignatureError,
                lambda: verifier.verify(_alg_none(access)),
            ),
            (
                "signed by a key the pool never published",
                UnknownKeyError,
                lambda: verifier.verify(pool.access_token(signing_key=pool.unpublished_key())),
            ),
            (
                "ID token where an access token is required",
                InvalidTokenUseError,
                lambda: verifier.verify(pool.id_token(), token_use="access"),
            ),
            (
                "scope orders/write missing",
                InsufficientScopeError,
                lambda: verifier.verify(access, required_scopes=["orders/write"]),
            ),
        ]
        for label, expected, attempt in rejected:
            try:
                attempt()
            except CognitoJWTError as exc:
                if not isinstance(exc, expected):  # pragma: no cover - only if broken
                    failures += 1
                    say(f"FAIL expected {expected.__name__}", indent=3)
                say(f"{exc.status_code}  {label}", indent=3)
                say(f"{type(exc).__name__}: {exc}", indent=8)
                say(f"WWW-Authenticate: {exc.www_authenticate}", indent=8)
            else:  # pragma: no cover - the demo reports, not raises
                failures += 1
                say(f"FAIL {label}: accepted", indent=3)
        say(f"JWKS requests in all: {len(fetches)} (the unknown kid cost one refetch)", indent=3)
    say()
    if failures:  # pragma: no cover - only when the library is broken
        say(f"{failures} step(s) did not come out as expected.")
        return 1
    say("Every valid token was accepted and every bad one refused.")
    return 0
