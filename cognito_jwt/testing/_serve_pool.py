"""``cognito-jwt fake-pool``: a fake user pool on loopback HTTP for trying a service with curl."""

from __future__ import annotations

import contextlib
import json
import shlex
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from cognito_jwt import _pool
from cognito_jwt.testing._fake_pool import FakeUserPool
from cognito_jwt.testing._server import Answer, serve_routes

#: Where the pool mints fresh tokens (GET, plain text).
ACCESS_TOKEN_PATH = "/token/access"
ID_TOKEN_PATH = "/token/id"


@dataclass(frozen=True, slots=True)
class FakePoolOptions:
    """What ``cognito-jwt fake-pool`` serves: the pool, its user, and for how long."""

    region: str
    user_pool_id: str
    client_id: str
    port: int
    username: str
    groups: tuple[str, ...]
    scopes: tuple[str, ...]
    expires_in: float
    service_url: str
    duration: float | None


def _python_call(options: FakePoolOptions, jwks_url: str) -> str:
    region, pool_id, client = (
        json.dumps(v) for v in (options.region, options.user_pool_id, options.client_id)
    )
    return (
        f"CognitoVerifier({region}, {pool_id},\n"
        f'                    client_ids={client}, token_use="access",\n'
        f"                    jwks_url={json.dumps(jwks_url)})"
    )


def _cli_call(options: FakePoolOptions, jwks_url: str) -> str:
    words = [
        "cognito-jwt",
        "verify",
        "-",
        "--region",
        options.region,
        "--pool-id",
        options.user_pool_id,
        "--client-id",
        options.client_id,
        "--jwks-url",
        jwks_url,
    ]
    return " ".join(shlex.quote(word) for word in words)


def run_fake_pool(options: FakePoolOptions, out: TextIO, stop: threading.Event) -> int:
    """Serve the pool until ``stop`` is set, ``options.duration`` passes, or Ctrl-C; return 0.

    Raises:
        OSError: the port cannot be bound.
        ConfigurationError: a region, pool id, group or scope is not acceptable.

    """
    pool = FakeUserPool(options.region, options.user_pool_id, options.client_id)
    jwks_path = f"/{pool.user_pool_id}{_pool.JWKS_PATH}"

    def access() -> tuple[str, bytes]:
        token = pool.access_token(
            options.username,
            groups=options.groups,
            scopes=options.scopes,
            expires_in=options.expires_in,
        )
        return "text/plain", token.encode("ascii")

    def identity() -> tuple[str, bytes]:
        token = pool.id_token(
            options.username, groups=options.groups, expires_in=options.expires_in
        )
        return "text/plain", token.encode("ascii")

    def jwks() -> tuple[str, bytes]:
        return "application/json", json.dumps(pool.jwks).encode()

    routes: dict[str, Answer] = {
        jwks_path: jwks,
        ACCESS_TOKEN_PATH: access,
        ID_TOKEN_PATH: identity,
    }
    # Minted before serving, so a bad group or scope is reported before anything listens.
    access_token = access()[1].decode("ascii")
    id_token = identity()[1].decode("ascii")
    with serve_routes(routes, options.port) as base:
        jwks_url = base + jwks_path
        fresh = f"curl -s {base}{ACCESS_TOKEN_PATH}"
        lines: Sequence[str] = [
            f"cognito-jwt fake-pool: a fake Cognito user pool on {base}",
            "",
            f"pool          {pool.user_pool_id} (app client {pool.client_id})",
            f"issuer        {pool.issuer}",
            f"jwks_url      {jwks_url}",
            "",
            "Configure the service under test with this pool and keys URL, for example:",
            f"    {_python_call(options, jwks_url)}",
            f"    {_cli_call(options, jwks_url)}",
            "",
            f"Tokens for {options.username} (valid {options.expires_in:g} s):",
            f"access_token  {access_token}",
            f"id_token      {id_token}",
            "",
            f"Fresh tokens: {fresh}    (or {base}{ID_TOKEN_PATH})",
            "Try the service:",
            f'    curl -H "Authorization: Bearer $({fresh})" {options.service_url}',
            "",
            "Press Ctrl-C to stop."
            if options.duration is None
            else f"Stopping after {options.duration:g} s (or Ctrl-C).",
        ]
        print("\n".join(lines), file=out, flush=True)
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: the way to stop
            stop.wait(options.duration)
    print("fake pool stopped", file=out, flush=True)
    return 0
