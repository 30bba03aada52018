"""Time cognito-jwt side by side with its peers and with the cost of the RSA check itself.

Run it with ``make bench`` (which installs the pinned peers of
``benchmarks/requirements.txt``), or ``.venv/bin/python benchmarks/bench.py
[--quick]``. Everything runs in this one process against the same pre-minted
access tokens of a :class:`~cognito_jwt.testing.FakeUserPool`; no request
leaves the machine (JWKS come from a loopback server or are handed over
directly). Each round times every contender on the same slice of the tokens,
in an order that rotates from round to round, so machine drift hits all
alike; the median round is reported, and the fastest next to it.

Sections: the contenders' table, cold start, threads, memory, import time, the
tail latency of verifications while keys are refreshed (``tail_latency.py``),
the revocation check (``revocation.py``) and ALB tokens (``alb.py``).
Nothing here asserts a timing: the performance goals are printed
as met or not, for a person to read.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import importlib.metadata
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
from base64 import urlsafe_b64decode
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tail_latency
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey, RSAPublicNumbers
from cryptography.hazmat.primitives.hashes import SHA256

from cognito_jwt import CognitoVerifier
from cognito_jwt.testing import FakeUserPool

Verify = Callable[[str], object]

# The performance goals (read, never asserted).
GOAL_UNIQUE_VS_FLOOR = 0.85
GOAL_REPEATED_VS_FLOOR = 20.0
GOAL_RSS_GROWTH_MB = 5.0
# Tokens for warm-ups and checks only, never timed (so no timed call can hit a cache).
WARMUP_TOKENS = 200  # at least 2 * cold_trials


@dataclass(frozen=True)
class Settings:
    """How much work one run does."""

    tokens: int  # unique tokens the table cycles through (more than the token cache holds)
    batch: int  # tokens each contender verifies per round (the next slice of the cycle)
    rounds: int  # rounds of the table; the median is reported
    repeat: int  # the cache-hit contender verifies one token batch * repeat times
    thread_tokens: int  # tokens per threads measurement
    thread_rounds: int
    memory_tokens: int  # unique tokens minted for the memory run
    memory_passes: int  # passes over them (memory_tokens * memory_passes verifications)
    cold_trials: int
    import_runs: int


FULL = Settings(
    tokens=2000,
    batch=500,
    rounds=31,
    repeat=10,
    thread_tokens=6000,
    thread_rounds=5,
    memory_tokens=20_000,
    memory_passes=10,
    cold_trials=15,
    import_runs=7,
)
QUICK = Settings(
    tokens=1500,
    batch=250,
    rounds=9,
    repeat=10,
    thread_tokens=2000,
    thread_rounds=3,
    memory_tokens=2000,
    memory_passes=5,
    cold_trials=5,
    import_runs=3,
)


# --------------------------------------------------------------------------- the pool


@dataclass
class Fixture:
    """The fake pool, its tokens and the loopback JWKS URL every contender shares."""

    pool: FakeUserPool
    jwks_url: str
    tokens: list[str]  # the tokens that are timed
    extra_tokens: list[str]  # more of them, for the threads and memory runs
    warmup: list[str]  # never timed: warm-ups and checks use these, so no timed call hits a cache

    @property
    def jwks(self) -> dict[str, Any]:
        """The pool's published JWKS."""
        return self.pool.jwks

    def fetching_verifier(self, **options: Any) -> CognitoVerifier:
        """A verifier configured as in production: keys fetched from the (loopback) JWKS URL."""
        return CognitoVerifier(
            self.pool.region,
            self.pool.user_pool_id,
            client_ids=self.pool.client_id,
            token_use="access",
            jwks_url=self.jwks_url,
            **options,
        )


def mint(pool: FakeUserPool, count: int, prefix: str) -> list[str]:
    """Mint ``count`` distinct access tokens (each has its own jti, user and RSA signature)."""
    return [pool.access_token(f"{prefix}{index}") for index in range(count)]


# --------------------------------------------------------------------------- contenders


@dataclass
class Contender:
    """One way of verifying a token, and what it is given before the clock starts."""

    name: str
    make: Callable[[], Verify]  # called once, outside the timed region
    repeated: bool = False  # verify one token over and over (the cache-hit case)
    times: list[float] = field(default_factory=list)  # seconds per token, one per round

    @property
    def median(self) -> float:
        """The median seconds per token over the rounds."""
        return statistics.median(self.times)

    @property
    def best(self) -> float:
        """The fastest round's seconds per token (the least disturbed by other processes)."""
        return min(self.times)


def floor_verifier(fixture: Fixture) -> Verify:
    """The least any verifier must do; the RSA key is built once, outside the clock."""
    access_jwk = next(
        k for k in fixture.jwks["keys"] if k["kid"] == fixture.pool.signing_keys[1].kid
    )
    public_key: RSAPublicKey = RSAPublicNumbers(
        int.from_bytes(_b64(access_jwk["e"]), "big"), int.from_bytes(_b64(access_jwk["n"]), "big")
    ).public_key()
    issuer = fixture.pool.issuer
    padding, hashing = PKCS1v15(), SHA256()

    def floor(token: str) -> dict[str, Any]:
        header_b64, payload_b64, signature_b64 = token.split(".")
        signing_input = token[: len(header_b64) + 1 + len(payload_b64)].encode("ascii")
        public_key.verify(_b64(signature_b64), signing_input, padding, hashing)
        payload: dict[str, Any] = json.loads(_b64(payload_b64))
        if payload["iss"] != issuer or payload["exp"] <= time.time():
            raise ValueError("issuer or exp")
        return payload

    return floor


def _b64(segment: str) -> bytes:
    return urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _cognito_checks(claims: dict[str, Any], client_id: str) -> dict[str, Any]:
    """What a peer's caller must add for a Cognito access token: its kind and its client."""
    if claims.get("token_use") != "access" or claims.get("client_id") != client_id:
        raise ValueError("token_use or client_id")
    return claims


def pyjwt_prebuilt(fixture: Fixture) -> Verify:
    """PyJWT ``jwt.decode`` with the access key built once (no kid lookup)."""
    import jwt  # noqa: PLC0415 - a peer, imported only when benchmarked

    key = jwt.PyJWK(_access_jwk(fixture)).key
    issuer, client = fixture.pool.issuer, fixture.pool.client_id
    options: Any = {"require": ["exp", "iat", "iss"]}

    def pyjwt_decode(token: str) -> dict[str, Any]:
        claims = jwt.decode(token, key, algorithms=["RS256"], issuer=issuer, options=options)
        return _cognito_checks(claims, client)

    return pyjwt_decode


def pyjwt_jwks_client(fixture: Fixture) -> Verify:
    """PyJWT's own recipe: ``PyJWKClient`` (JWKS cached) picks the key by kid, then decode."""
    import jwt  # noqa: PLC0415

    client_ = jwt.PyJWKClient(fixture.jwks_url)
    issuer, client = fixture.pool.issuer, fixture.pool.client_id
    options: Any = {"require": ["exp", "iat", "iss"]}

    def pyjwt_client_decode(token: str) -> dict[str, Any]:
        key = client_.get_signing_key_from_jwt(token)
        claims = jwt.decode(token, key, algorithms=["RS256"], issuer=issuer, options=options)
        return _cognito_checks(claims, client)

    return pyjwt_client_decode


def jose_jwk_dict(fixture: Fixture) -> Verify:
    """python-jose as most tutorials use it: pick the JWK dict by kid, ``jwt.decode`` with it."""
    from jose import jwt  # noqa: PLC0415

    keys = {jwk["kid"]: jwk for jwk in fixture.jwks["keys"]}
    issuer, client = fixture.pool.issuer, fixture.pool.client_id

    def jose_decode_dict(token: str) -> dict[str, Any]:
        key = keys[jwt.get_unverified_header(token)["kid"]]
        claims = jwt.decode(token, key, algorithms=["RS256"], issuer=issuer)
        return _cognito_checks(claims, client)

    return jose_decode_dict


def jose_prebuilt(fixture: Fixture) -> Verify:
    """python-jose ``jwt.decode`` with the access key built once (no kid lookup)."""
    from jose import jwk, jwt  # noqa: PLC0415

    key = jwk.construct(_access_jwk(fixture), "RS256")
    issuer, client = fixture.pool.issuer, fixture.pool.client_id

    def jose_decode_key(token: str) -> dict[str, Any]:
        claims = jwt.decode(token, key, algorithms=["RS256"], issuer=issuer)
        return _cognito_checks(claims, client)

    return jose_decode_key


def joserfc_registry(fixture: Fixture) -> Verify:
    """The joserfc ``jwt.decode`` with a KeySet (kid lookup), then a ``JWTClaimsRegistry``."""
    from joserfc import jwt  # noqa: PLC0415
    from joserfc.jwk import KeySet  # noqa: PLC0415

    key_set = KeySet.import_key_set(fixture.jwks)  # type: ignore[arg-type]
    registry = jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": fixture.pool.issuer},
        exp={"essential": True},
        iat={"essential": True},
        token_use={"essential": True, "value": "access"},
        client_id={"essential": True, "value": fixture.pool.client_id},
    )

    def joserfc_decode(token: str) -> dict[str, Any]:
        claims: dict[str, Any] = jwt.decode(token, key_set, algorithms=["RS256"]).claims
        registry.validate(claims)
        return claims

    return joserfc_decode


def cognitojwt_decode(fixture: Fixture) -> Verify:
    """The ``cognitojwt`` package's ``decode``, its JWKS fetched once from the loopback server.

    It reads the JWKS location from ``AWS_COGNITO_JWKS_PATH`` and caches the
    fetched document (``lru_cache``); the first call, made here outside the
    clock, fetches it. It builds the python-jose key on every call.
    """
    os.environ["AWS_COGNITO_JWKS_PATH"] = fixture.jwks_url
    import cognitojwt  # noqa: PLC0415

    pool, client = fixture.pool, fixture.pool.client_id

    def cognitojwt_verify(token: str) -> dict[str, Any]:
        claims: dict[str, Any] = cognitojwt.decode(
            token, pool.region, pool.user_pool_id, app_client_id=client
        )
        return claims

    return cognitojwt_verify


def _access_jwk(fixture: Fixture) -> dict[str, Any]:
    kid = fixture.pool.signing_keys[1].kid
    jwk: dict[str, Any] = next(k for k in fixture.jwks["keys"] if k["kid"] == kid)
    return jwk


def cognito_unique(fixture: Fixture) -> Verify:
    """A production-configured verifier, keys fetched before the clock starts.

    Its verified-token cache keeps the default size (1024): the table cycles
    through more distinct tokens than that, so every call is a miss that also
    pays for the cache's insert and eviction, as on a busy server.
    """
    verifier = fixture.fetching_verifier()
    verifier.fetch_jwks()
    return verifier.verify


def cognito_static(fixture: Fixture) -> Verify:
    """A verifier with static keys (``jwks=``), as the test kit builds it; default caches."""
    return fixture.pool.verifier(token_use="access").verify


def contenders(fixture: Fixture) -> list[Contender]:
    """Every contender of the table, the floor first."""

    def bind(factory: Callable[[Fixture], Verify]) -> Callable[[], Verify]:
        return lambda: factory(fixture)

    repeated_verifier = fixture.fetching_verifier()
    repeated_verifier.fetch_jwks()
    return [
        Contender("floor (split, b64, RSA verify, json, iss/exp)", bind(floor_verifier)),
        Contender("cognito-jwt, unique tokens", bind(cognito_unique)),
        Contender("cognito-jwt, unique, static jwks=", bind(cognito_static)),
        Contender(
            "cognito-jwt, repeated token (cache hit)",
            lambda: repeated_verifier.verify,
            repeated=True,
        ),
        Contender("PyJWT decode, prebuilt key", bind(pyjwt_prebuilt)),
        Contender("PyJWT decode + PyJWKClient", bind(pyjwt_jwks_client)),
        Contender("python-jose decode, JWK dict", bind(jose_jwk_dict)),
        Contender("python-jose decode, prebuilt key", bind(jose_prebuilt)),
        Contender("joserfc decode + claims registry", bind(joserfc_registry)),
        Contender("cognitojwt decode", bind(cognitojwt_decode)),
    ]


def check_contender(contender: Contender, verify: Verify, fixture: Fixture) -> None:
    """Make sure a contender really verifies: a good token passes, forged and expired ones fail.

    A contender that accepted anything would look fast; this runs before any timing.
    """
    good, other = fixture.warmup[0], fixture.warmup[1]
    verify(good)
    forged = other.rsplit(".", 1)[0] + "." + good.rsplit(".", 1)[1]
    expired = fixture.pool.expired_token()
    for label, bad in (("forged signature", forged), ("expired", expired)):
        try:
            verify(bad)
        except Exception:  # noqa: BLE001, S112 - every peer has its own exception tree
            continue
        raise SystemExit(f"{contender.name} accepted a token with a {label}: the harness is wrong")


def time_batch(verify: Verify, tokens: Sequence[str]) -> float:
    """Return the seconds ``verify`` takes over ``tokens``, collected garbage first."""
    gc.collect()
    start = time.perf_counter()
    for token in tokens:
        verify(token)
    return time.perf_counter() - start


def run_table(fixture: Fixture, settings: Settings, log: Callable[[str], None]) -> list[Contender]:
    """Time every contender, rounds interleaved, and return them with their times."""
    entries = contenders(fixture)
    verifiers: dict[str, Verify] = {}
    for contender in entries:
        verify = contender.make()
        check_contender(contender, verify, fixture)
        time_batch(verify, fixture.warmup)
        verifiers[contender.name] = verify
    cycle = fixture.tokens[: settings.tokens]
    repeated = [fixture.warmup[0]] * (settings.batch * settings.repeat)
    for round_index in range(settings.rounds):
        start = round_index * settings.batch % len(cycle)
        unique = (cycle[start:] + cycle[:start])[: settings.batch]
        shift = round_index % len(entries)
        for contender in entries[shift:] + entries[:shift]:
            tokens = repeated if contender.repeated else unique
            contender.times.append(time_batch(verifiers[contender.name], tokens) / len(tokens))
        if (round_index + 1) % 10 == 0:
            log(f"  round {round_index + 1}/{settings.rounds} done")
    return entries


def table_text(entries: list[Contender]) -> list[str]:
    """Format the contenders as the table of the docs (text, fixed width).

    tokens/s, µs/token and "x floor" come from the median round; "best" is the
    fastest round, and "best x floor" compares the best rounds, which are the
    least disturbed by other processes on a shared machine.
    """
    floor = entries[0]
    width = max(len(c.name) for c in entries)
    header = (
        f"{'contender':<{width}}  {'tokens/s':>9}  {'µs/token':>9}  {'x floor':>8}  "
        f"{'best µs':>8}  {'best x floor':>12}"
    )
    lines = [header, "-" * len(header)]
    for contender in entries:
        lines.append(
            f"{contender.name:<{width}}  {1 / contender.median:>9,.0f}  "
            f"{contender.median * 1e6:>9.1f}  {floor.median / contender.median:>7.2f}x  "
            f"{contender.best * 1e6:>8.1f}  {floor.best / contender.best:>11.2f}x"
        )
    return lines


# --------------------------------------------------------------------------- cold start


def run_cold_start(fixture: Fixture, settings: Settings) -> dict[str, float]:
    """Time construction, the first verify (one JWKS fetch + one verify) and a second verify.

    Each trial builds a new verifier pointed at the loopback JWKS server (a new
    HTTP connection each time), so every first verify pays a real fetch. For
    scale, each trial also times a bare ``requests.get`` of the same URL from a
    new session: what the HTTP round trip alone costs here.
    """
    import requests  # noqa: PLC0415 - a dependency of the library, imported by it already

    construct, first, second, bare = [], [], [], []
    for trial in range(settings.cold_trials):
        token, next_token = fixture.warmup[2 * trial], fixture.warmup[2 * trial + 1]
        start = time.perf_counter()
        verifier = fixture.fetching_verifier()
        built = time.perf_counter()
        verifier.verify(token)
        verified = time.perf_counter()
        verifier.verify(next_token)
        again = time.perf_counter()
        with requests.Session() as session:
            fetch_start = time.perf_counter()
            session.get(fixture.jwks_url, timeout=5).raise_for_status()
            bare.append(time.perf_counter() - fetch_start)
        construct.append(built - start)
        first.append(verified - built)
        second.append(again - verified)
    return {
        "construct_ms": statistics.median(construct) * 1e3,
        "first_verify_ms": statistics.median(first) * 1e3,
        "first_verify_max_ms": max(first) * 1e3,
        "first_verify_min_ms": min(first) * 1e3,
        "second_verify_ms": statistics.median(second) * 1e3,
        "bare_requests_get_ms": statistics.median(bare) * 1e3,
        "bare_requests_get_min_ms": min(bare) * 1e3,
    }


# --------------------------------------------------------------------------- threads


def _threaded(make: Callable[[], Verify], tokens: Sequence[str], threads: int) -> float:
    """Return tokens per second of ``threads`` threads sharing one verifier and the tokens."""
    verify = make()
    shares = [tokens[index::threads] for index in range(threads)]
    barrier = threading.Barrier(threads + 1)
    failures: list[BaseException] = []

    def work(share: Sequence[str]) -> None:
        barrier.wait()
        try:
            for token in share:
                verify(token)
        except BaseException as exc:  # noqa: BLE001 - reported by the caller
            failures.append(exc)

    workers = [threading.Thread(target=work, args=(share,)) for share in shares]
    for worker in workers:
        worker.start()
    gc.collect()
    barrier.wait()
    start = time.perf_counter()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise SystemExit(f"a thread failed: {failures[0]!r}")
    return len(tokens) / elapsed


# Hashing 64 KiB releases the GIL throughout: how well it scales says whether the
# machine's second core was free while the threads ran (a shared machine's may not be).
CONTROL = "control: sha256 of 64 KiB"
_BLOCK = bytes(64 * 1024)


def _rsa_only(fixture: Fixture) -> Verify:
    """Only the floor's RSA call, on one prebuilt signature: how far the GIL release goes."""
    key = fixture.pool.signing_keys[1]
    message = fixture.tokens[0].rsplit(".", 1)[0].encode("ascii")
    signature = key.sign(message)
    public_key = key.private_key.public_key()
    padding, hashing = PKCS1v15(), SHA256()
    return lambda _token: public_key.verify(signature, message, padding, hashing)


def _hashing() -> Verify:
    return lambda _token: hashlib.sha256(_BLOCK).digest()


def run_threads(fixture: Fixture, settings: Settings) -> dict[str, dict[int, float]]:
    """Throughput of 1 and 2 threads on unique tokens, for cognito-jwt and for the floor."""
    tokens = (fixture.tokens + fixture.extra_tokens)[: settings.thread_tokens]
    makers: dict[str, Callable[[], Verify]] = {
        "cognito-jwt": lambda: cognito_unique(fixture),
        "floor": lambda: floor_verifier(fixture),
        "RSA verify call alone": lambda: _rsa_only(fixture),
        CONTROL: _hashing,
    }
    items = dict.fromkeys(makers, tokens)
    items[CONTROL] = tokens[: max(len(tokens) // 8, 2)]
    results: dict[str, dict[int, list[float]]] = {name: {1: [], 2: []} for name in makers}
    for _ in range(settings.thread_rounds):
        for name, make in makers.items():
            for threads in (1, 2):
                results[name][threads].append(_threaded(make, items[name], threads))
    return {
        name: {threads: statistics.median(rates) for threads, rates in by_threads.items()}
        for name, by_threads in results.items()
    }


# --------------------------------------------------------------------------- memory


def _status_kib(field_name: str) -> int | None:
    """Read one ``kB`` field of /proc/self/status (Linux), or None where there is none."""
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return None
    match = re.search(rf"^{field_name}:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) if match else None


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (VmHWM) of this process, where Linux allows it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def run_memory(fixture: Fixture, settings: Settings) -> dict[str, Any]:
    """RSS before and after many verifications of unique tokens, with the default caches.

    The verifier keeps its default verified-token cache (1024 tokens): the
    tokens are verified in passes over a set much larger than the cache, so
    every call is a miss and the cache stays full, as on a busy server.
    """
    tokens = fixture.tokens + fixture.extra_tokens
    verifier = fixture.fetching_verifier()
    verifier.fetch_jwks()
    for token in fixture.warmup:
        verifier.verify(token)
    gc.collect()
    peak_reset = _reset_peak()
    before = _status_kib("VmRSS")
    after_pass: list[int | None] = []
    for _ in range(settings.memory_passes):
        for token in tokens:
            verifier.verify(token)
        gc.collect()
        after_pass.append(_status_kib("VmRSS"))
    after = after_pass[-1]
    return {
        "verifications": len(tokens) * settings.memory_passes,
        "distinct_tokens": len(tokens),
        "rss_before_kib": before,
        "rss_after_kib": after,
        "rss_after_each_pass_kib": after_pass,
        "growth_kib": None if before is None or after is None else after - before,
        "growth_after_first_pass_kib": (
            None if after is None or after_pass[0] is None else after - after_pass[0]
        ),
        "peak_kib": _status_kib("VmHWM"),
        "peak_is_of_this_run": peak_reset,
        "ru_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "heap_growth_after_each_pass_kib": _traced_heap_growth(fixture, tokens, passes=2),
    }


def _traced_heap_growth(fixture: Fixture, tokens: Sequence[str], passes: int) -> list[float]:
    """Python heap held after each pass of a new verifier over ``tokens`` (tracemalloc).

    RSS hides what the caches hold when freed memory of earlier work is reused;
    the traced heap shows it: after the first pass the token cache is full
    (1024 entries) and later passes must add nothing.
    """
    verifier = fixture.fetching_verifier()
    verifier.fetch_jwks()
    verifier.verify(fixture.warmup[0])
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        growth = []
        for _ in range(passes):
            for token in tokens:
                verifier.verify(token)
            gc.collect()
            growth.append((tracemalloc.get_traced_memory()[0] - base) / 1024)
    finally:
        tracemalloc.stop()
    return growth


# --------------------------------------------------------------------------- import time


_IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)")


def import_ms(module: str) -> float:
    """Return the cumulative import time of ``module`` and what it pulls in, in a new process."""
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
    )
    total_us = 0
    for line in result.stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        if match and not match.group(3):  # a top-level import: its cumulative time counts
            total_us += int(match.group(2))
    return total_us / 1e3


def socket_calls_at_import(module: str) -> int:
    """Count the socket audit events raised while importing ``module`` (none is expected)."""
    code = (
        "import sys\n"
        "events = []\n"
        "sys.addaudithook(lambda e, a: events.append(e) if e.startswith('socket.') else None)\n"
        f"import {module}\n"
        "print(len(events))\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return int(result.stdout.strip())


def run_imports(settings: Settings) -> dict[str, float]:
    """Median import time of cognito_jwt, PyJWT and python-jose, runs interleaved."""
    modules = ["cognito_jwt", "jwt", "jose.jwt"]
    runs: dict[str, list[float]] = {module: [] for module in modules}
    for _ in range(settings.import_runs):
        for module in modules:
            runs[module].append(import_ms(module))
    return {module: statistics.median(times) for module, times in runs.items()}


# --------------------------------------------------------------------------- report


def machine() -> list[str]:
    """Describe the machine and the versions measured."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from cryptography.hazmat.backends.openssl import backend  # noqa: PLC0415

    versions = ", ".join(
        f"{name} {_version(name)}"
        for name in ("cognito-jwt", "PyJWT", "python-jose", "joserfc", "cognitojwt", "cryptography")
    )
    python = f"{platform.python_implementation()} {platform.python_version()}"
    return [
        f"machine: {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        f"python:  {python}, {backend.openssl_version_text()}",
        f"versions: {versions}",
    ]


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def goals(entries: list[Contender], memory: dict[str, Any] | None) -> list[str]:
    """Say, goal by goal, whether this run met it (information, never an assertion)."""
    by_name = {c.name: c for c in entries}
    floor = entries[0].median
    unique = by_name["cognito-jwt, unique tokens"].median
    repeated = by_name["cognito-jwt, repeated token (cache hit)"].median
    peers = entries[4:]
    fastest_peer = min(peers, key=lambda c: c.median)
    lines = [
        _goal(
            floor / unique >= GOAL_UNIQUE_VS_FLOOR,
            f"unique tokens at {floor / unique:.2f}x the floor (goal ≥ {GOAL_UNIQUE_VS_FLOOR}x)",
        ),
        _goal(
            unique < fastest_peer.median,
            f"unique tokens {fastest_peer.median / unique:.2f}x the fastest peer "
            f"({fastest_peer.name})",
        ),
        _goal(
            floor / repeated >= GOAL_REPEATED_VS_FLOOR,
            f"repeated token at {floor / repeated:.1f}x the floor "
            f"(goal ≥ {GOAL_REPEATED_VS_FLOOR:g}x)",
        ),
    ]
    if memory is not None and memory["growth_kib"] is not None:
        growth_mb = memory["growth_kib"] / 1024
        lines.append(
            _goal(
                growth_mb < GOAL_RSS_GROWTH_MB,
                f"RSS grew {growth_mb:.2f} MB over {memory['verifications']:,} verifications "
                f"(goal < {GOAL_RSS_GROWTH_MB:g} MB)",
            )
        )
    return lines


def _goal(met: bool, text: str) -> str:
    return f"  [{'met' if met else 'NOT met'}] {text}"


def _mib(kib: int | None) -> str:
    return "n/a" if kib is None else f"{kib / 1024:.1f} MiB"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fewer tokens and rounds, 5 s per tail-latency row (under a minute)",
    )
    parser.add_argument(
        "--sections",
        default="table,cold,threads,memory,import,tail,revocation,alb",
        help="comma-separated subset of: table, cold, threads, memory, import, tail, "
        "revocation, alb",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    sections = {s.strip() for s in args.sections.split(",") if s.strip()}
    report: dict[str, Any] = {"settings": settings.__dict__}

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    started = time.perf_counter()
    pool = FakeUserPool()
    with pool.serve() as jwks_url:
        minted = settings.tokens
        extra = (
            settings.memory_tokens if "memory" in sections else settings.thread_tokens
        ) - minted
        log(f"minting {minted + max(extra, 0) + WARMUP_TOKENS:,} access tokens ...")
        fixture = Fixture(
            pool,
            jwks_url,
            tokens=mint(pool, minted, "user"),
            extra_tokens=mint(pool, max(extra, 0), "more"),
            warmup=mint(pool, WARMUP_TOKENS, "warm"),
        )

        print("\n".join(machine()))
        entries: list[Contender] = []
        if "table" in sections:
            log(f"table: {settings.rounds} rounds ...")
            entries = run_table(fixture, settings, log)
            print(
                f"\nVerification of RS256 access tokens: {settings.batch:,} per contender and "
                f"round, cycling through {settings.tokens:,} distinct ones "
                f"(the cache-hit row: one token {settings.batch * settings.repeat:,} times); "
                f"median of {settings.rounds} interleaved rounds"
            )
            print("\n".join(table_text(entries)))
            report["table"] = {
                c.name: {
                    "us_per_token": c.median * 1e6,
                    "best_us": c.best * 1e6,
                    "rounds_us": [t * 1e6 for t in c.times],
                }
                for c in entries
            }
        if "cold" in sections:
            log("cold start ...")
            cold = run_cold_start(fixture, settings)
            report["cold_start"] = cold
            print(
                f"\nCold start (median of {settings.cold_trials}): construct "
                f"{cold['construct_ms']:.2f} ms; first verify (JWKS fetch over loopback HTTP + "
                f"verify) {cold['first_verify_ms']:.2f} ms (fastest "
                f"{cold['first_verify_min_ms']:.2f}, slowest "
                f"{cold['first_verify_max_ms']:.2f} ms); second verify "
                f"{cold['second_verify_ms'] * 1e3:.0f} µs\n"
                f"  for scale: a bare requests.get of the same URL from a new session takes "
                f"{cold['bare_requests_get_ms']:.2f} ms (fastest "
                f"{cold['bare_requests_get_min_ms']:.2f} ms)"
            )
        if "threads" in sections:
            log("threads ...")
            threads = run_threads(fixture, settings)
            report["threads"] = threads
            print(
                f"\nThreads ({settings.thread_tokens:,} unique tokens, one shared verifier; "
                f"median of {settings.thread_rounds}):"
            )
            for name, rates in threads.items():
                print(
                    f"  {name:<25}  1 thread {rates[1]:>8,.0f} tokens/s   2 threads "
                    f"{rates[2]:>8,.0f} tokens/s   ({rates[2] / rates[1]:.2f}x)"
                )
        memory: dict[str, Any] | None = None
        if "memory" in sections:
            log("memory ...")
            memory = run_memory(fixture, settings)
            report["memory"] = memory
            passes = ", ".join(_mib(kib) for kib in memory["rss_after_each_pass_kib"])
            peak_note = "" if memory["peak_is_of_this_run"] else " (of the whole process)"
            print(
                f"\nMemory: {memory['verifications']:,} verifications of "
                f"{memory['distinct_tokens']:,} distinct tokens (default token cache, every "
                f"call a miss): RSS {_mib(memory['rss_before_kib'])} before, "
                f"{_mib(memory['rss_after_kib'])} after, growth "
                f"{(memory['growth_kib'] or 0) / 1024:+.2f} MiB; peak {_mib(memory['peak_kib'])}"
                f"{peak_note}; ru_maxrss {_mib(memory['ru_maxrss_kib'])}\n"
                f"  RSS after each pass: {passes}\n"
                f"  Python heap (tracemalloc) held by a new verifier after each pass: "
                + ", ".join(
                    f"{kib / 1024:+.2f} MiB" for kib in memory["heap_growth_after_each_pass_kib"]
                )
                + " (the full token cache, then nothing more)"
            )
        if "tail" in sections:
            log("tail latency ...")
            tokens = fixture.tokens + fixture.extra_tokens
            report["tail_latency"] = tail_latency.section(pool, tokens, quick=args.quick, log=log)
    if "import" in sections:
        log("import time ...")
        imports = run_imports(settings)
        sockets = socket_calls_at_import("cognito_jwt")
        report["import_ms"] = imports
        report["socket_events_at_import"] = sockets
        shown = ", ".join(f"import {module}: {ms:.1f} ms" for module, ms in imports.items())
        print(
            f"\nImport (python -X importtime, cumulative, median of {settings.import_runs}): "
            f"{shown}\n  socket calls while importing cognito_jwt: {sockets}"
        )
    if "revocation" in sections:  # benchmarks/revocation.py: none vs memory vs Redis
        log("revocation ...")
        from revocation import run as run_revocation  # noqa: PLC0415 - a sibling script

        report["revocation_us"] = run_revocation(pool, quick=args.quick)

    if "alb" in sections:
        log("ALB tokens ...")
        import alb  # noqa: PLC0415 - benchmarks/alb.py, beside this script

        report["alb_us_per_token"] = figures = alb.run(quick=args.quick)
        print("\n" + "\n".join(alb.report_lines(figures)))
    if entries:
        print("\nPerformance goals (read, not asserted):")
        print("\n".join(goals(entries, memory)))
    print(f"\n(whole run {time.perf_counter() - started:.0f} s)")
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
