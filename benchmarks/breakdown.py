"""Where cognito-jwt's time goes on a unique token, and what measured changes would save.

Run ``.venv/bin/python benchmarks/breakdown.py`` (after ``make bench`` has
installed the peers and pyinstrument). Two parts:

1. a profile of ``CognitoVerifier.verify`` over unique tokens (cProfile, or
   pyinstrument with ``--pyinstrument``), each function's share of the time;
2. the cost of each stage, timed on its own without a profiler, next to the
   stages of the floor (split, base64url, RSA verify, json.loads, iss/exp).

Part 2 reaches into the library's private modules to time each stage alone;
it follows them as they are. Timings are the fastest of several interleaved
repeats (the least disturbed by other processes on a shared machine).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cognito_jwt import CognitoVerifier, _checks, _token
from cognito_jwt._crypto import VerifyingKey
from cognito_jwt.claims import CognitoClaims
from cognito_jwt.exceptions import MalformedTokenError
from cognito_jwt.testing import FakeUserPool

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import floor_verifier, mint

# --------------------------------------------------------------------------- timing


def best_of(
    functions: dict[str, Callable[[], object]], count: int, repeats: int
) -> dict[str, float]:
    """Time each zero-argument function ``repeats`` times, interleaved; best µs per item."""
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            times[name].append((time.perf_counter() - start) / count * 1e6)
    return {name: min(values) for name, values in times.items()}


def over(function: Callable[[Any], object], items: Sequence[Any]) -> Callable[[], None]:
    """A zero-argument function that applies ``function`` to every item."""

    def run() -> None:
        for item in items:
            function(item)

    return run


# --------------------------------------------------------------------------- setup


@dataclass
class Setup:
    """The pool, its tokens and verifiers shared by every part."""

    pool: FakeUserPool
    jwks_url: str
    tokens: list[str]

    def verifier(self, **options: Any) -> CognitoVerifier:
        """A production-configured verifier (keys fetched from the loopback URL)."""
        verifier = CognitoVerifier(
            self.pool.region,
            self.pool.user_pool_id,
            client_ids=self.pool.client_id,
            token_use="access",
            jwks_url=self.jwks_url,
            **options,
        )
        verifier.fetch_jwks()
        return verifier


# --------------------------------------------------------------------------- 1. profile


def part_profile(setup: Setup, use_pyinstrument: bool) -> None:
    """Profile verify() over unique tokens; print each function's share of the time."""
    verifier = setup.verifier()
    tokens = setup.tokens
    for token in tokens[:100]:
        verifier.verify(token)
    verifier = setup.verifier()  # a cold token cache again: every call below is a miss
    if use_pyinstrument:
        from pyinstrument import Profiler  # noqa: PLC0415 - installed by make bench

        profiler = Profiler(interval=0.0001)
        profiler.start()
        for token in tokens:
            verifier.verify(token)
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        return
    profile = cProfile.Profile()
    profile.enable()
    for token in tokens:
        verifier.verify(token)
    profile.disable()
    stats = pstats.Stats(profile)
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in entries.values())  # tottime of every function
    rows = sorted(entries.items(), key=lambda item: item[1][2], reverse=True)
    print(
        f"cProfile, {len(tokens):,} unique tokens: {total / len(tokens) * 1e6:.1f} µs per verify "
        "under the profiler (which inflates Python calls; part 2 has the true costs)"
    )
    print(f"  {'own time':>8}  {'share':>6}  {'calls/verify':>12}  function")
    for (filename, line, name), (_, calls, own, _cum, _) in rows[:25]:
        where = _short(filename)
        print(
            f"  {own / len(tokens) * 1e6:>6.2f}µs  {own / total:>6.1%}  "
            f"{calls / len(tokens):>12.1f}  {where}:{line}({name})"
        )


def _short(filename: str) -> str:
    for marker in ("cognito_jwt/", "cachetools/", "json/", "base64", "threading"):
        index = filename.find(marker)
        if index >= 0:
            return filename[index:]
    return filename


# --------------------------------------------------------------------------- 2. stages


def part_stages(setup: Setup, repeats: int) -> dict[str, float]:
    """Time each stage of verify() on its own, and the floor's stages; print both."""
    verifier = setup.verifier(token_cache_size=0)
    cached_verifier = setup.verifier()
    tokens = setup.tokens
    verifier.verify(tokens[0])  # remembers the pool's header segment, as in production
    known = verifier._known_headers
    parsed = [_token.parse(token, 65536, known) for token in tokens]
    store: Any = verifier._keys
    issuer = setup.pool.issuer
    issuers = (issuer,)
    key: VerifyingKey = store.get(issuer, parsed[0].kid)
    raw = [token.encode("ascii") for token in tokens]
    payload_segments = [r.split(b".")[1] for r in raw]
    signature_segments = [r.split(b".")[2] for r in raw]
    payload_bytes = [_b64(s) for s in payload_segments]
    payloads = [json.loads(b) for b in payload_bytes]
    claims = [CognitoClaims(p) for p in payloads]
    policy = verifier._policy
    floor = floor_verifier_for(setup)
    malformed = MalformedTokenError
    now = time.time()

    stages: dict[str, Callable[[], object]] = {
        "verify(), token cache off": over(verifier.verify, tokens),
        "verify(), default token cache (miss)": over(cached_verifier.verify, tokens),
        "_token.parse (header already known)": over(
            lambda t: _token.parse(t, 65536, known), tokens
        ),
        "  alphabet check (bytes.translate)": over(
            lambda r: r.translate(None, _token._COMPACT_ALPHABET), raw
        ),
        "  b64url_decode(payload)": over(
            lambda s: _token.b64url_decode(s, "p", malformed), payload_segments
        ),
        "  b64url_decode(signature)": over(
            lambda s: _token.b64url_decode(s, "s", malformed), signature_segments
        ),
        "  loads_strict(payload)": over(
            lambda b: _token.loads_strict(b, "p", malformed), payload_bytes
        ),
        "unverified_issuer": over(lambda p: _checks.unverified_issuer(p.payload, issuers), parsed),
        "key lookup (KeyStore.get)": over(lambda p: store.get(issuer, p.kid), parsed),
        "RSA verify (VerifyingKey.verify)": over(
            lambda p: key.verify(p.signing_input, p.signature), parsed
        ),
        "check_token": over(
            lambda p: _checks.check_token(p, now=now, leeway=0.0, issuers=issuers), payloads
        ),
        "CognitoClaims._adopt(payload copy)": over(
            lambda p: CognitoClaims._adopt(dict(p)), payloads
        ),
        "check_policy": over(lambda c: _checks.check_policy(c, policy), claims),
        "FLOOR total": over(floor, tokens),
        "floor: split + b64 x2 + encode": over(_floor_decode, tokens),
        "floor: json.loads(payload)": over(json.loads, payload_bytes),
    }
    results = best_of(stages, len(tokens), repeats)
    print("Stage costs, µs per token (fastest of interleaved repeats, no profiler):")
    for name, micros in results.items():
        print(f"  {name:<48} {micros:>7.2f}")
    return results


def _b64(segment: bytes) -> bytes:
    return _token.b64url_decode(segment, "segment", MalformedTokenError)


def _floor_decode(token: str) -> tuple[bytes, bytes, bytes]:
    header_b64, payload_b64, signature_b64 = token.split(".")
    signing_input = token[: len(header_b64) + 1 + len(payload_b64)].encode("ascii")
    from base64 import urlsafe_b64decode  # noqa: PLC0415

    return (
        signing_input,
        urlsafe_b64decode(signature_b64 + "=" * (-len(signature_b64) % 4)),
        urlsafe_b64decode(payload_b64 + "=" * (-len(payload_b64) % 4)),
    )


def floor_verifier_for(setup: Setup) -> Callable[[str], object]:
    """The harness's floor for this pool."""

    @dataclass
    class _Fixture:
        pool: FakeUserPool
        jwks_url: str

        @property
        def jwks(self) -> dict[str, Any]:
            return self.pool.jwks

    return floor_verifier(_Fixture(setup.pool, setup.jwks_url))  # type: ignore[arg-type]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the parts asked for and print their findings."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tokens", type=int, default=1500, help="unique tokens (default 1500)")
    parser.add_argument("--repeats", type=int, default=15, help="timing repeats (default 15)")
    parser.add_argument("--pyinstrument", action="store_true", help="profile with pyinstrument")
    parser.add_argument("--parts", default="profile,stages", help="comma-separated subset")
    args = parser.parse_args(argv)
    parts = {p.strip() for p in args.parts.split(",")}
    pool = FakeUserPool()
    with pool.serve() as jwks_url:
        setup = Setup(pool, jwks_url, mint(pool, args.tokens, "user"))
        if "profile" in parts:
            part_profile(setup, args.pyinstrument)
            print()
        if "stages" in parts:
            part_stages(setup, args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
