"""The ``cognito-jwt`` command: ``demo``, ``verify``, ``inspect`` and ``fake-pool``.

Exit codes: 0 valid, 1 token rejected, 2 usage error, 3 keys unavailable.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from cognito_jwt import _token
from cognito_jwt.claims import AlbClaims, CognitoClaims, _thaw, decode_unverified
from cognito_jwt.exceptions import (
    AccessDeniedError,
    CognitoJWTError,
    ConfigurationError,
    InvalidTokenError,
    MalformedTokenError,
    UnavailableError,
)

EXIT_VALID = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_KEYS_UNAVAILABLE = 3
# The largest token inspect decodes: the verifiers' default max_token_bytes.
_MAX_INSPECTED_BYTES = 65536

_EPILOG = """\
examples:
  cognito-jwt demo
  cognito-jwt verify "$TOKEN" --region eu-west-1 --pool-id eu-west-1_AbCdEf123 \\
      --client-id my-app-client --token-use access
  pbpaste | cognito-jwt verify - --region eu-west-1 --pool-id eu-west-1_AbCdEf123 \\
      --jwks-file jwks.json
  cognito-jwt inspect - < token.txt
  cognito-jwt verify "$X_AMZN_OIDC_DATA" --alb-arn arn:aws:elasticloadbalancing:... \
      --client-id my-app-client --region eu-west-1 --pool-id eu-west-1_AbCdEf123
  cognito-jwt fake-pool --port 9876

exit codes: 0 valid, 1 token rejected, 2 usage error, 3 keys unavailable.
Pass the token as '-' to read it from standard input and keep it out of shell history.
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cognito-jwt",
        description="Verify and inspect AWS Cognito User Pool JWTs.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"cognito-jwt {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    commands.add_parser(
        "demo",
        help="offline end-to-end demonstration with a fake pool over loopback HTTP",
        description="Serve a fake user pool's keys on 127.0.0.1, mint tokens, verify them, "
        "and show how forged or wrong tokens are refused.",
    )
    verify = commands.add_parser(
        "verify",
        help="verify a token and print its claims as JSON",
        description="Verify a token against a user pool and print its claims as JSON. "
        "With --alb-arn, verify an Application Load Balancer's x-amzn-oidc-data token instead.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verify.add_argument("token", help="the token, or '-' to read it from standard input")
    verify.add_argument("--region", help="the pool's AWS region, e.g. eu-west-1")
    verify.add_argument("--pool-id", help="the user pool id, e.g. eu-west-1_Ab12")
    verify.add_argument(
        "--alb-arn",
        action="append",
        dest="alb_arns",
        metavar="ARN",
        help="verify an ALB token (x-amzn-oidc-data) signed by this load balancer (repeatable)",
    )
    verify.add_argument(
        "--keys-url", help="with --alb-arn: fetch the ALB's keys from this URL ({URL}/{kid})"
    )
    verify.add_argument(
        "--client-id",
        action="append",
        dest="client_ids",
        metavar="CLIENT_ID",
        help="an accepted app client id (repeatable); without it any client is accepted",
    )
    verify.add_argument("--token-use", choices=("id", "access"), help="the kind of token required")
    verify.add_argument(
        "--scope",
        action="append",
        dest="scopes",
        metavar="SCOPE",
        help="a scope the token must carry (repeatable: every one is required)",
    )
    verify.add_argument(
        "--group",
        action="append",
        dest="groups",
        metavar="GROUP",
        help="a group the user may be in (repeatable: at least one is required)",
    )
    keys = verify.add_mutually_exclusive_group()
    keys.add_argument("--jwks-file", type=Path, help="read the pool's keys from this file")
    keys.add_argument("--jwks-url", help="fetch the keys from this URL (emulators)")
    verify.add_argument(
        "--issuer", help="the issuer tokens carry, when not Cognito's own (emulators)"
    )
    verify.add_argument(
        "--allow-http",
        action="store_true",
        help="allow a plain http JWKS URL on a host other than this machine",
    )
    verify.add_argument(
        "--leeway", type=float, default=0.0, help="seconds of clock skew allowed (default 0)"
    )
    inspect = commands.add_parser(
        "inspect",
        help="print a token's header and claims WITHOUT verifying them",
        description="Decode a token's header and claims without verifying anything.",
    )
    inspect.add_argument("token", help="the token, or '-' to read it from standard input")
    _add_fake_pool(commands)
    return parser


def _add_fake_pool(commands: Any) -> None:
    fake = commands.add_parser(
        "fake-pool",
        help="run a fake user pool on 127.0.0.1: serves its keys, prints tokens to try a service",
        description="Run a fake Cognito user pool on 127.0.0.1 until Ctrl-C: it serves its "
        "JWKS over HTTP, prints tokens and the verifier settings that trust them, and mints "
        "fresh tokens at /token/access and /token/id, so a local service can be tried with "
        "curl. Point the service's verifier at the printed jwks_url; nothing leaves the machine.",
    )
    fake.add_argument(
        "--port", type=int, default=9876, help="the port on 127.0.0.1 (default 9876; 0: any free)"
    )
    fake.add_argument("--region", default="eu-west-1", help="the pool's region (eu-west-1)")
    fake.add_argument("--pool-id", help="the pool id (default: REGION_FakePool1)")
    fake.add_argument("--client-id", default="fake-client", help="the app client (fake-client)")
    fake.add_argument("--user", default="alice", help="the user the tokens are for (alice)")
    fake.add_argument(
        "--group", action="append", dest="groups", default=[], metavar="GROUP",
        help="a group of the user (repeatable)",
    )  # fmt: skip
    fake.add_argument(
        "--scope", action="append", dest="scopes", default=None, metavar="SCOPE",
        help="a scope of the access tokens (repeatable; default aws.cognito.signin.user.admin)",
    )  # fmt: skip
    fake.add_argument(
        "--expires-in", type=float, default=3600.0, help="token lifetime in seconds (3600)"
    )
    fake.add_argument(
        "--service-url",
        default="http://127.0.0.1:8000/",
        help="the service the printed curl line calls (http://127.0.0.1:8000/)",
    )
    fake.add_argument(
        "--for",
        type=float,
        dest="duration",
        metavar="SECONDS",
        help="stop after this many seconds instead of waiting for Ctrl-C",
    )


def _version() -> str:
    from cognito_jwt import __version__  # noqa: PLC0415 - the package, once it is imported

    return __version__


class _NoTokenError(Exception):
    """The token argument, or standard input, was empty."""


def _read_token(value: str, stdin: TextIO) -> str:
    token = stdin.read().strip() if value == "-" else value.strip()
    scheme, _, rest = token.partition(" ")
    if scheme.lower() == "bearer" and rest.strip():
        # A header value pasted whole: the command takes the token, and says so.
        token = rest.strip()
        print("note: the 'Bearer ' prefix was removed; the token follows it", file=sys.stderr)
    if not token:
        source = "standard input" if value == "-" else "the TOKEN argument"
        raise _NoTokenError(f"cognito-jwt: error: no token in {source}")
    return token


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``cognito-jwt`` with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error argparse has reported
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    command: Callable[[argparse.Namespace], int] = {
        "demo": _demo,
        "verify": _verify,
        "inspect": _inspect,
        "fake-pool": _fake_pool,
    }[args.command]
    try:
        return command(args)
    except BrokenPipeError:
        # The reader went away (`cognito-jwt demo | head`): stop quietly, and keep
        # Python from complaining about the closed pipe at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_VALID
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        return 130


# --------------------------------------------------------------------------- verify


def _verify(args: argparse.Namespace) -> int:
    from cognito_jwt.verifier import CognitoVerifier  # noqa: PLC0415 - keep --help fast

    try:
        token = _read_token(args.token, sys.stdin)
    except _NoTokenError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    if args.alb_arns:
        return _verify_alb(args, token)
    if args.region is None or args.pool_id is None or args.keys_url is not None:
        print(
            "cognito-jwt: error: --region and --pool-id are required (or --alb-arn for an ALB "
            "token); --keys-url goes with --alb-arn",
            file=sys.stderr,
        )
        return EXIT_USAGE
    options: dict[str, Any] = {"leeway": args.leeway, "allow_http": args.allow_http}
    if args.issuer is not None:
        options["issuer"] = args.issuer

    def verify() -> CognitoClaims:
        if args.jwks_file is not None:
            try:
                options["jwks"] = json.loads(args.jwks_file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ConfigurationError(f"cannot read --jwks-file: {exc}") from None
        if args.jwks_url is not None:
            options["jwks_url"] = args.jwks_url
        if not args.client_ids:
            print(
                "note: no --client-id given: tokens of any app client are accepted", file=sys.stderr
            )
        verifier = CognitoVerifier(
            args.region,
            args.pool_id,
            client_ids=args.client_ids or None,
            token_use=args.token_use,
            **options,
        )
        return verifier.verify(
            token, allowed_groups=args.groups or None, required_scopes=args.scopes or None
        )

    return _print_verified(verify)


def _verify_alb(args: argparse.Namespace, token: str) -> int:
    from cognito_jwt import _pool  # noqa: PLC0415 - keep --help fast
    from cognito_jwt.alb import AlbVerifier  # noqa: PLC0415

    if args.jwks_file is not None or args.jwks_url is not None or args.token_use is not None:
        print(
            "cognito-jwt: error: --jwks-file, --jwks-url and --token-use do not apply to ALB "
            "tokens (use --keys-url)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    issuer = args.issuer
    if issuer is None and args.region is not None and args.pool_id is not None:
        issuer = _pool.original_issuer(args.region, args.pool_id)
    if issuer is None:
        print("note: no --issuer (or --region and --pool-id): any IdP is accepted", file=sys.stderr)
    if not args.client_ids:
        print("note: no --client-id given: tokens of any app client are accepted", file=sys.stderr)

    def verify() -> AlbClaims:
        verifier = AlbVerifier(
            args.alb_arns,
            client_ids=args.client_ids or None,
            issuer=issuer,
            keys_url=args.keys_url,
            leeway=args.leeway,
            allow_http=args.allow_http,
        )
        return verifier.verify(token)

    return _print_verified(verify)


def _print_verified(verify: Callable[[], CognitoClaims | AlbClaims]) -> int:
    """Run ``verify``: print the claims as JSON or the error, and return the exit code."""
    try:
        claims = verify()
    except CognitoJWTError as exc:
        code = _exit_code_for(exc)
        print(f"{_LABELS[code]}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return code
    json.dump(claims.to_dict(), sys.stdout, indent=2, sort_keys=True)
    print()
    return EXIT_VALID


# --------------------------------------------------------------------------- inspect


def _when(value: Any, now: float) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        moment = datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    delta = value - now
    span = abs(delta)
    amount = (
        f"{span:.0f} s"
        if span < 120
        else f"{span / 60:.0f} min"
        if span < 7200
        else (f"{span / 3600:.1f} h")
    )
    relative = f"in {amount}" if delta >= 0 else f"{amount} ago"
    return f"{moment:%Y-%m-%dT%H:%M:%SZ} ({relative})"


def _inspect(args: argparse.Namespace) -> int:
    try:
        token = _read_token(args.token, sys.stdin)
    except _NoTokenError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    try:
        unverified = decode_unverified(token)
        header, claims = _thaw(unverified.header), _thaw(unverified.claims)
    except MalformedTokenError as exc:
        if "=" not in token:
            print(f"token rejected: {exc}", file=sys.stderr)
            return EXIT_REJECTED
        try:  # an Application Load Balancer keeps the base64 padding
            header, claims = _token.decode_segments(token, _MAX_INSPECTED_BYTES, padded=True)
        except MalformedTokenError:
            print(f"token rejected: {exc}", file=sys.stderr)
            return EXIT_REJECTED
    print("NOT VERIFIED: decoded as the token states it; signature and claims were not checked.")
    if isinstance(header, dict) and "signer" in header:
        padding = "kept" if "=" in token else "stripped"
        print(
            f"kind: Application Load Balancer token (x-amzn-oidc-data), {header.get('alg')}, "
            f"base64 padding {padding}; verify it with --alb-arn"
        )
    print("header:")
    print(json.dumps(header, indent=2, sort_keys=True))
    print("claims:")
    print(json.dumps(claims, indent=2, sort_keys=True))
    if isinstance(claims, dict):
        now = time.time()
        times = [(name, _when(claims.get(name), now)) for name in ("exp", "iat", "auth_time")]
        if isinstance(header, dict) and "exp" in header:
            times.insert(0, ("header exp", _when(header["exp"], now)))
        shown = [(name, text) for name, text in times if text is not None]
        if shown:
            print("times (UTC):")
            for name, text in shown:
                print(f"  {name:<11}{text}")
    return EXIT_VALID


# --------------------------------------------------------------------------- demo


def _demo(args: argparse.Namespace) -> int:
    del args
    from cognito_jwt.testing._demo import run_demo  # noqa: PLC0415 - the demo needs the kit

    return run_demo(sys.stdout)


# --------------------------------------------------------------------------- fake-pool


def _fake_pool(args: argparse.Namespace) -> int:
    from cognito_jwt.testing._serve_pool import FakePoolOptions, run_fake_pool  # noqa: PLC0415

    options = FakePoolOptions(
        region=args.region,
        user_pool_id=args.pool_id or f"{args.region}_FakePool1",
        client_id=args.client_id,
        port=args.port,
        username=args.user,
        groups=tuple(args.groups),
        scopes=tuple(args.scopes or ("aws.cognito.signin.user.admin",)),
        expires_in=args.expires_in,
        service_url=args.service_url,
        duration=args.duration,
    )
    problem = None
    if not 0 <= options.port <= 65535:
        problem = f"--port must be 0 to 65535, not {options.port}"
    elif options.duration is not None and not options.duration >= 0:
        problem = "--for must be a number of seconds, 0 or more"
    if problem is not None:
        print(f"cognito-jwt: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return run_fake_pool(options, sys.stdout, threading.Event())
    except ConfigurationError as exc:
        print(f"cognito-jwt: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(
            f"cognito-jwt: error: cannot serve on 127.0.0.1:{options.port}: {exc.strerror or exc}"
            " (another --port, or 0 for any free one)",
            file=sys.stderr,
        )
        return EXIT_USAGE


_LABELS = {
    EXIT_REJECTED: "token rejected",
    EXIT_USAGE: "cognito-jwt: error",
    EXIT_KEYS_UNAVAILABLE: "keys unavailable",
}


def _exit_code_for(exc: CognitoJWTError) -> int:
    """Map an error to the command's exit code."""
    if isinstance(exc, UnavailableError):
        return EXIT_KEYS_UNAVAILABLE
    if isinstance(exc, InvalidTokenError | AccessDeniedError):
        return EXIT_REJECTED
    return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
