"""Where cognito-jwt's time goes on a unique token, and what measured changes would save.

Run ``.venv/bin/python benchmarks/breakdown.py`` (after ``make bench`` has
installed the peers and pyinstrument). Four parts:

1. a profile of ``CognitoVerifier.verify`` over unique tokens (cProfile, or
   pyinstrument with ``--pyinstrument``), each function's share of the time;
2. the cost of each stage, timed on its own without a profiler, next to the
   stages of the floor (split, base64url, RSA verify, json.loads, iss/exp);
3. proposals: for each, the current code and a prototype doing the same
   checks, their outputs compared on good and hostile input, both timed;
4. all prototypes together as one verify function, checked against the real
   verifier on a corpus of hostile tokens (same exception class and claim for
   every one), and timed against the real verifier and the floor.

The prototypes live here only: they are proposals, not the library's code,
and they reach into the library's private modules to reuse what they do not
change. Timings are the fastest of several interleaved repeats (the least
disturbed by other processes on a shared machine).
"""

from __future__ import annotations

import argparse
import binascii
import cProfile
import json
import pstats
import re
import statistics
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cognito_jwt import CognitoJWTError, CognitoVerifier, _checks, _token
from cognito_jwt._crypto import VerifyingKey
from cognito_jwt.claims import CognitoClaims, _freeze
from cognito_jwt.exceptions import InvalidSignatureError, MalformedTokenError
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
    parsed = [_token.parse(token, 65536) for token in tokens]
    store: Any = verifier._keys
    issuer = setup.pool.issuer
    issuers = (issuer,)
    key: VerifyingKey = store.get(issuer, parsed[0].kid)
    segments = [token.split(".") for token in tokens]
    header_bytes = [_b64(s[0]) for s in segments]
    payload_bytes = [_b64(s[1]) for s in segments]
    payloads = [json.loads(b) for b in payload_bytes]
    claims = [CognitoClaims(p) for p in payloads]
    policy = verifier._policy
    cache = _prefilled_ttl_cache()
    lock = threading.Lock()
    floor = floor_verifier_for(setup)
    malformed = MalformedTokenError

    def cache_get(token: str) -> object:
        with lock:
            return cache.get(token)

    def cache_set(token: str) -> None:
        with lock:
            cache[token] = None

    stages: dict[str, Callable[[], object]] = {
        "verify(), token cache off": over(verifier.verify, tokens),
        "verify(), default token cache (miss)": _cycling(cached_verifier, tokens),
        "_token.parse": over(lambda t: _token.parse(t, 65536), tokens),
        "  regex fullmatch of the token": over(_token._COMPACT_JWS.fullmatch, tokens),
        "  b64url_decode x3 (canonical check)": over(
            lambda s: [_token.b64url_decode(x, "s", malformed) for x in s], segments
        ),
        "  loads_strict(header)": over(
            lambda b: _token.loads_strict(b, "h", malformed), header_bytes
        ),
        "  loads_strict(payload)": over(
            lambda b: _token.loads_strict(b, "p", malformed), payload_bytes
        ),
        "    hooked JSONDecoder.decode(payload)": over(
            lambda b: _token._DECODER.decode(b.decode()),
            payload_bytes,
        ),
        "    _check_values(payload)": over(_token._check_values, payloads),
        "  _check_header": over(_token._check_header, [p.header for p in parsed]),
        "unverified_issuer": over(lambda p: _checks.unverified_issuer(p.payload, issuers), parsed),
        "key lookup (KeyStore.get)": over(lambda p: store.get(issuer, p.kid), parsed),
        "RSA verify (VerifyingKey.verify)": over(
            lambda p: key.verify(p.signing_input, p.signature), parsed
        ),
        "check_token": over(
            lambda p: _checks.check_token(p, now=time.time(), leeway=0.0, issuers=issuers),
            payloads,
        ),
        "CognitoClaims(payload)": over(CognitoClaims, payloads),
        "token cache get, miss (TTLCache + lock)": over(cache_get, tokens),
        "token cache insert, evicting (TTLCache + lock)": over(cache_set, tokens),
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


def _b64(segment: str) -> bytes:
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


def _prefilled_ttl_cache() -> Any:
    import cachetools  # noqa: PLC0415

    cache: Any = cachetools.TTLCache(maxsize=1024, ttl=60.0, timer=time.time)
    for index in range(1024):
        cache[f"filler{index}"] = None
    return cache


def _cycling(verifier: CognitoVerifier, tokens: Sequence[str]) -> Callable[[], None]:
    """Verify ``tokens`` (more than the token cache holds): every call is a cache miss."""
    return over(verifier.verify, tokens)


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


# --------------------------------------------------------------------------- 3. proposals
#
# Each proposal: the current code, a prototype that does the same checks, and
# inputs on which both must agree (result, or the exception class).

# A lone surrogate can only come from a \uD800-\uDFFF escape (the text itself was
# strictly decoded from UTF-8, which refuses encoded surrogates); escapes are
# written with a lowercase u in JSON. A match, even a false one (an escaped
# backslash before "ud800"), falls back to the exact walk.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")


def check_values_bounded(text: str, value: Any) -> None:
    """Prototype of proposal A: walk the decoded value only when a cheap bound cannot rule out.

    Nesting depth is at most the number of '{' and '[' in the text (brackets
    inside strings only over-count).
    """
    if text.count("{") + text.count("[") > _token.MAX_DEPTH or (
        "\\u" in text and _SURROGATE_ESCAPE.search(text) is not None
    ):
        _token._check_values(value)


def loads_strict_bounded(data: bytes) -> dict[str, Any]:
    """loads_strict with proposal A (same errors)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedTokenError("not valid UTF-8") from None
    try:
        value = _token._DECODER.decode(text)
        check_values_bounded(text, value)
    except _token._JSONRejectedError as exc:
        raise MalformedTokenError(f"not acceptable JSON: {exc}") from None
    except (ValueError, RecursionError):
        raise MalformedTokenError("not valid JSON") from None
    if not isinstance(value, dict):
        raise MalformedTokenError("not an object")
    return value


def loads_strict_current(data: bytes) -> dict[str, Any]:
    """The library's loads_strict for a payload."""
    return _token.loads_strict(data, "payload", MalformedTokenError)


_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_TOKEN_BYTES = _ALPHABET + b"."
_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
_VALUE = {byte: index for index, byte in enumerate(_ALPHABET)}


def split_bytes(token: object, max_bytes: int) -> list[bytes]:
    """Prototype of proposal C: the strict compact-JWS shape check on bytes, in C.

    Same rule as ``_COMPACT_JWS.fullmatch``: only base64url characters and two
    dots, three non-empty segments.
    """
    if not isinstance(token, str):
        raise MalformedTokenError("token must be a str")
    if len(token) > max_bytes:
        raise MalformedTokenError("token too long")
    try:
        raw = token.encode("ascii")
    except UnicodeEncodeError:
        raise MalformedTokenError("token contains characters outside base64url") from None
    if raw.translate(None, _TOKEN_BYTES):
        raise MalformedTokenError("token contains characters outside base64url")
    segments = raw.split(b".")
    if len(segments) != 3 or not all(segments):
        raise MalformedTokenError("token is not three non-empty segments")
    return segments


def b64url_bytes(segment: bytes) -> bytes:
    """Prototype of proposal C: canonical unpadded base64url straight through binascii."""
    remainder = len(segment) % 4
    if remainder == 1:
        raise MalformedTokenError("impossible base64url length")
    if remainder:
        if _VALUE[segment[-1]] & (0b1111 if remainder == 2 else 0b11):
            raise MalformedTokenError("not canonical base64url")
        segment += b"=" * (4 - remainder)
    return binascii.a2b_base64(segment.translate(_TO_STANDARD))


def split_current(token: object, max_bytes: int) -> list[bytes]:
    """What the library does for the same step: regex, split, three canonical decodes."""
    if not isinstance(token, str):
        raise MalformedTokenError("token must be a str")
    if len(token) > max_bytes:
        raise MalformedTokenError("token too long")
    if not _token._COMPACT_JWS.fullmatch(token):
        raise MalformedTokenError("shape")
    return [s.encode("ascii") for s in token.split(".")]


class HeaderCache:
    """Prototype of proposal B: remember the kid of header segments already checked.

    The header segment alone decides the header's verdict, and every token of
    a pool shares one of a handful of them, so a validated segment maps to its
    kid. Bounded: at most ``limit`` segments of at most 1 KiB are kept.
    """

    def __init__(self, limit: int = 32) -> None:
        """Keep at most ``limit`` segments."""
        self._kids: dict[bytes, str] = {}
        self._limit = limit

    def kid(self, header_b64: bytes) -> str:
        """Return the kid of a header segment, checking (and remembering) it on first sight."""
        kid = self._kids.get(header_b64)
        if kid is not None:
            return kid
        header = _token.loads_strict(b64url_bytes(header_b64), "header", MalformedTokenError)
        _token._check_header(header)
        kid = header["kid"]
        if len(self._kids) < self._limit and len(header_b64) <= 1024:
            self._kids[header_b64] = kid
        return kid


def header_current(header_b64: bytes) -> str:
    """What the library does for a header segment: decode, parse, check."""
    header = _token.loads_strict(
        _token.b64url_decode(header_b64.decode("ascii"), "header", MalformedTokenError),
        "header",
        MalformedTokenError,
    )
    _token._check_header(header)
    kid: str = header["kid"]
    return kid


class TokenCache:
    """Prototype of proposal F: the verified-token cache as a plain dict, FIFO-bounded.

    Each entry holds the claims and the window in which they may be served:
    from ``max(iat, nbf) - leeway`` to ``min(stored + 60 s, exp + leeway)``,
    the same rules as the TTLCache plus the recheck on every hit.
    """

    def __init__(self, maxsize: int, leeway: float, clock: Callable[[], float]) -> None:
        """Hold at most ``maxsize`` tokens."""
        self._entries: dict[str, tuple[CognitoClaims, float, float]] = {}
        self._maxsize = maxsize
        self._leeway = leeway
        self._clock = clock
        self._lock = threading.Lock()

    def get(self, token: str) -> CognitoClaims | None:
        """Return the claims of ``token`` if cached and servable now."""
        entry = self._entries.get(token)  # one dict read: atomic, no lock needed
        if entry is None:
            return None
        claims, not_before, not_after = entry
        return claims if not_before <= self._clock() < not_after else None

    def put(self, token: str, claims: CognitoClaims, now: float) -> None:
        """Cache the claims of a token just verified at ``now``."""
        leeway = self._leeway
        not_after = min(now + 60.0, claims["exp"] + leeway)
        nbf = claims.get("nbf")
        start = claims["iat"] if nbf is None else max(claims["iat"], nbf)
        with self._lock:
            self._entries[token] = (claims, start - leeway, not_after)
            if len(self._entries) > self._maxsize:
                del self._entries[next(iter(self._entries))]

    def put_payload(self, token: str, payload: dict[str, Any], now: float) -> CognitoClaims:
        """Wrap a checked payload in claims and cache them; the window is read from the dict."""
        leeway = self._leeway
        nbf = payload.get("nbf")
        start = payload["iat"] if nbf is None else max(payload["iat"], nbf)
        not_after = min(now + 60.0, payload["exp"] + leeway)
        claims = _claims_from(payload)
        with self._lock:
            self._entries[token] = (claims, start - leeway, not_after)
            if len(self._entries) > self._maxsize:
                del self._entries[next(iter(self._entries))]
        return claims

    def clear(self) -> None:
        """Forget every token (the key set changed)."""
        with self._lock:
            self._entries.clear()


def freeze_claims(payload: dict[str, Any]) -> dict[str, Any]:
    """Prototype of proposal G: freeze only the nested values (scalars are already immutable)."""
    data = dict(payload)
    for name, value in data.items():
        if isinstance(value, dict | list):
            data[name] = _freeze(value)
    return data


def freeze_current(payload: dict[str, Any]) -> dict[str, Any]:
    """What CognitoClaims.__init__ does to the payload."""
    return {k: _freeze(v) for k, v in payload.items()}


_NUMBER = (int, float)
_OPTIONAL_STRINGS = ("sub", "scope", "username", "cognito:username")


def check_token_fast(
    payload: dict[str, Any], *, now: float, leeway: float, issuers: tuple[str, ...]
) -> None:
    """Prototype of proposal H: one pass that only ever says yes; anything else gets the full rules.

    Every condition below is one the full :func:`_checks.check_token` requires,
    so returning early never accepts what it would refuse; when any condition
    fails, the full function runs and raises the exact error it always did.
    """
    get = payload.get
    exp, iat, nbf, auth_time = get("exp"), get("iat"), get("nbf", 0), get("auth_time", 0)
    limit = _checks._MAX_NUMERIC_DATE
    token_use = get("token_use")
    groups = get("cognito:groups", ())
    if (
        type(exp) in _NUMBER
        and type(iat) in _NUMBER
        and type(nbf) in _NUMBER
        and type(auth_time) in _NUMBER
        and 0 <= exp <= limit
        and 0 <= iat <= limit
        and 0 <= nbf <= limit
        and 0 <= auth_time <= limit
        and now < exp + leeway
        and iat <= now + leeway
        and nbf <= now + leeway
        and type(get("iss")) is str
        and get("iss") in issuers
        # == rather than "in {...}": an unhashable token_use (a list) must not raise TypeError
        and (token_use == "access" or token_use == "id")  # noqa: PLR1714
        and type(get("client_id" if token_use == "access" else "aud")) is str
        and all(type(get(name, "")) is str for name in _OPTIONAL_STRINGS)
        and (groups == () or (type(groups) is list and all(type(g) is str for g in groups)))
    ):
        return
    _checks.check_token(payload, now=now, leeway=leeway, issuers=issuers)


# Proposal J: the payload decoder without the parse_int hook (called for every
# integer: exp, iat, auth_time, version); integers of over 40 digits are then
# found by one search, and only a payload that has such a run of digits (in a
# string, too) is decoded again by the fully hooked decoder.
_DECODER_NO_INT_HOOK = json.JSONDecoder(
    object_pairs_hook=_token._reject_duplicates,
    parse_constant=_token._reject_constant,
    parse_float=_token._parse_float,
)
# One search for both screens: a surrogate escape (proposal A) or a long digit run (J).
_NEEDS_EXACT = re.compile(r"\\u[dD][89abcdefABCDEF]|[0-9]{41}")


def loads_payload_fast(data: bytes) -> dict[str, Any]:
    """loads_strict with proposals A and J (same errors)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedTokenError("not valid UTF-8") from None
    try:
        if _NEEDS_EXACT.search(text) is None:
            value = _DECODER_NO_INT_HOOK.decode(text)
            if text.count("{") + text.count("[") > _token.MAX_DEPTH:
                _token._check_values(value)
        else:
            value = _token._DECODER.decode(text)
            _token._check_values(value)
    except _token._JSONRejectedError as exc:
        raise MalformedTokenError(f"not acceptable JSON: {exc}") from None
    except (ValueError, RecursionError):
        raise MalformedTokenError("not valid JSON") from None
    if not isinstance(value, dict):
        raise MalformedTokenError("not an object")
    return value


@dataclass(frozen=True, slots=True)
class _FrozenParsed:
    header: Any
    payload: Any
    signing_input: bytes
    signature: bytes


@dataclass(slots=True)
class _PlainParsed:
    header: Any
    payload: Any
    signing_input: bytes
    signature: bytes


def part_proposals(setup: Setup, repeats: int) -> list[tuple[str, float, float]]:
    """Time each proposal against the current code; check they agree first."""
    tokens = setup.tokens
    segments = [t.encode("ascii").split(b".") for t in tokens]
    payload_bytes = [b64url_bytes(s[1]) for s in segments]
    hostile_json = _hostile_json()
    for data in payload_bytes + hostile_json:
        _same(loads_strict_current, loads_strict_bounded, data)
    for token in tokens[:50] + _hostile_shapes(tokens[0]):
        _same(lambda t: split_current(t, 65536), lambda t: split_bytes(t, 65536), token)
    for seg in [s[i] for s in segments[:50] for i in range(3)] + [b"QQ", b"QR", b"QUE", b"QUF"]:
        _same(
            lambda s: _token.b64url_decode(s.decode(), "s", MalformedTokenError), b64url_bytes, seg
        )
    headers = HeaderCache()
    for seg in [s[0] for s in segments[:50]]:
        _same(header_current, headers.kid, seg)
    for data in payload_bytes[:50] + hostile_json:
        _same(loads_strict_current, loads_payload_fast, data)
    payloads = [json.loads(b) for b in payload_bytes]
    for payload in payloads[:50]:
        assert freeze_current(payload) == freeze_claims(payload)  # noqa: S101
    now, issuers = time.time(), (setup.pool.issuer,)
    for payload in payloads[:50] + _odd_payloads(payloads[0]):
        _same(
            lambda p: _checks.check_token(p, now=now, leeway=0.0, issuers=issuers),
            lambda p: check_token_fast(p, now=now, leeway=0.0, issuers=issuers),
            payload,
        )

    store: Any = setup.verifier()._keys
    issuer, kid = setup.pool.issuer, _token.parse(tokens[0], 65536).kid
    snapshot = {(issuer, k): v for k, v in store.current_keys(issuer).items()}
    state = store._states[issuer]

    def snapshot_get(_: object) -> VerifyingKey:
        key = snapshot.get((issuer, kid)) if time.time() < state.fresh_until else None
        return key if key is not None else store.get(issuer, kid)

    ttl_cache = _prefilled_ttl_cache()
    lock = threading.Lock()
    dict_cache = TokenCache(1024, 0.0, time.time)
    for index in range(1024):
        dict_cache.put(f"filler{index}", CognitoClaims(payloads[0]), time.time())

    def ttl_miss_and_insert(token: str) -> None:
        with lock:
            ttl_cache.get(token)
        with lock:
            ttl_cache[token] = None

    claims0 = CognitoClaims(payloads[0])

    def dict_miss_and_insert(token: str) -> None:
        dict_cache.get(token)
        dict_cache.put(token, claims0, time.time())

    hit_token = tokens[0]
    ttl_hits = _prefilled_ttl_cache()
    ttl_hits[hit_token] = claims0
    dict_hits = TokenCache(1024, 0.0, time.time)
    dict_hits.put(hit_token, claims0, time.time())

    def ttl_hit(token: str) -> None:
        with lock:
            claims = ttl_hits.get(token)
        now = time.time()
        if now >= claims["exp"] or claims["iat"] > now or claims.get("nbf") is not None:
            raise AssertionError

    pairs: list[tuple[str, Callable[[], object], Callable[[], object], int]] = [
        (
            "A. _check_values walk -> bounded by bracket count + surrogate-escape search",
            over(loads_strict_current, payload_bytes),
            over(loads_strict_bounded, payload_bytes),
            len(payload_bytes),
        ),
        (
            "B. header: decode + parse + check per token -> cache of checked segments",
            over(header_current, [s[0] for s in segments]),
            over(headers.kid, [s[0] for s in segments]),
            len(segments),
        ),
        (
            "C. regex fullmatch + base64 wrappers -> bytes.translate + binascii (sig+payload)",
            over(
                lambda t: [
                    _token.b64url_decode(s, "s", MalformedTokenError)
                    for s in split_current_str(t)[1:]
                ],
                tokens,
            ),
            over(lambda t: [b64url_bytes(s) for s in split_bytes(t, 65536)[1:]], tokens),
            len(tokens),
        ),
        (
            "E. key lookup: TTLCache + lock + Lookup -> snapshot dict while fresh",
            over(lambda _: store.get(issuer, kid), tokens),
            over(snapshot_get, tokens),
            len(tokens),
        ),
        (
            "F. token cache miss + insert: TTLCache -> dict with serve window",
            over(ttl_miss_and_insert, tokens),
            over(dict_miss_and_insert, tokens),
            len(tokens),
        ),
        (
            "F'. token cache hit (lookup + lifetime recheck)",
            over(ttl_hit, [hit_token] * len(tokens)),
            over(dict_hits.get, [hit_token] * len(tokens)),
            len(tokens),
        ),
        (
            "G. CognitoClaims freeze of every value -> only nested ones",
            over(freeze_current, payloads),
            over(freeze_claims, payloads),
            len(payloads),
        ),
        (
            "H. check_token -> one-pass happy path, full rules on any doubt",
            over(lambda p: _checks.check_token(p, now=now, leeway=0.0, issuers=issuers), payloads),
            over(lambda p: check_token_fast(p, now=now, leeway=0.0, issuers=issuers), payloads),
            len(payloads),
        ),
        (
            "J. payload JSON: A + no parse_int hook (one screening search)",
            over(loads_strict_current, payload_bytes),
            over(loads_payload_fast, payload_bytes),
            len(payload_bytes),
        ),
        (
            "G'. CognitoClaims(payload) -> wrap the fresh dict, freeze only nested values",
            over(CognitoClaims, payloads),
            over(_claims_from, payloads),
            len(payloads),
        ),
        (
            "I. ParsedToken frozen slots dataclass -> plain slots dataclass",
            over(lambda p: _FrozenParsed(p, p, b"", b""), payloads),
            over(lambda p: _PlainParsed(p, p, b"", b""), payloads),
            len(payloads),
        ),
    ]
    results = []
    print("Proposals, µs per token (current -> prototype; outputs compared first):")
    for name, current, proposed, count in pairs:
        timed = best_of({"current": current, "proposed": proposed}, count, repeats)
        results.append((name, timed["current"], timed["proposed"]))
        print(
            f"  {name}\n      {timed['current']:6.2f} -> {timed['proposed']:6.2f}"
            f"   saves {timed['current'] - timed['proposed']:5.2f}"
        )
    return results


def split_current_str(token: str) -> list[str]:
    """The library's shape check and split, on str."""
    if not _token._COMPACT_JWS.fullmatch(token):
        raise MalformedTokenError("shape")
    return token.split(".")


def _same(current: Callable[[Any], object], proposed: Callable[[Any], object], item: Any) -> None:
    """Both give the same result, or both raise the same class; else stop the run."""
    outcomes = []
    for function in (current, proposed):
        try:
            outcomes.append(("ok", function(item)))
        except Exception as exc:  # noqa: BLE001 - compared below
            outcomes.append(("error", type(exc)))
    if outcomes[0] != outcomes[1]:
        raise SystemExit(f"prototype disagrees on {item!r}: {outcomes[0]} vs {outcomes[1]}")


def _odd_payloads(good: dict[str, Any]) -> list[dict[str, Any]]:
    """Payloads check_token refuses, one rule each, for proposal H's check."""
    changes: list[dict[str, Any]] = [
        {"exp": None},
        {"exp": "1"},
        {"exp": True},
        {"exp": -1},
        {"exp": 10**13},
        {"exp": 1.0},
        {"iat": None},
        {"iat": 2 * 10**9 + 10**8},
        {"nbf": None},
        {"nbf": 2 * 10**9 + 10**8},
        {"nbf": 1},
        {"auth_time": "x"},
        {"auth_time": None},
        {"iss": None},
        {"iss": 1},
        {"iss": "https://evil"},
        {"token_use": "id"},
        {"token_use": None},
        {"token_use": "refresh"},
        {"client_id": None},
        {"client_id": 1},
        {"sub": None},
        {"sub": 1},
        {"scope": ["a"]},
        {"username": None},
        {"cognito:username": 1},
        {"cognito:groups": None},
        {"cognito:groups": "a"},
        {"cognito:groups": ["a", 1]},
        {"cognito:groups": []},
        {"cognito:groups": ["a"]},
        {"token_use": "id", "aud": "c"},
        {"extra": None},
    ]
    result = []
    for change in changes:
        payload = dict(good)
        for name, value in change.items():
            payload[name] = value
        result.append(payload)
    for name in ("exp", "iat", "iss", "token_use", "client_id"):
        payload = dict(good)
        del payload[name]
        result.append(payload)
    return result


def _hostile_json() -> list[bytes]:
    deep = "[" * 40 + "]" * 40
    at_limit = "[" * 31 + "]" * 31
    return [
        b'{"a":1,"a":2}',
        b'{"a":"\\ud800"}',
        b'{"\\udfff":1}',
        b'{"a":"\\ud83d\\ude00"}',
        b'{"a":"\\\\ud800"}',
        b'{"a":"\\\\\\ud800"}',
        b'{"a":"' + b"[" * 40 + b'"}',
        ('{"a":' + deep + "}").encode(),
        ('{"a":' + at_limit + "}").encode(),
        ('{"a":' + "[" * 32 + "]" * 32 + "}").encode(),
        b'{"a":' + b"1" * 41 + b"}",
        b'{"a":' + b"1" * 40 + b"}",
        b'{"a":NaN}',
        b'{"a":1e999}',
        b'{"a":-Infinity}',
        b"[1]",
        b'"x"',
        b"\xff",
        b'{"a":"\xed\xa0\x80"}',
        b'{"a":{"b":{"c":[{"d":"\\uDBFF"}]}}}',
    ]


def _hostile_shapes(token: str) -> list[object]:
    header, payload, signature = token.split(".")
    return [
        "",
        "..",
        f"{header}.{payload}",
        f"{header}.{payload}.{signature}.x.y",
        f"{header}.{payload}.{signature}\n",
        f" {token}",
        f"{header}.{payload}.{signature}=",
        f"{header}+.{payload}.{signature}",
        f"{header}.{payload}/.{signature}",
        f"{header}.{payload}.{signature}é",
        f"{header}..{signature}",
        b"abc.def.ghi",
        None,
        "a" * 70_000,
    ]


# --------------------------------------------------------------------------- 4. prototype


class PrototypeVerifier:
    """Proposals A to I on the unique-token path (not J, which measured slower), every check kept.

    Config, keys, claim rules and policy come from a real verifier; what
    changed is how the token is split and decoded, how the header and key
    are found, how the payload is screened, and the token cache.
    """

    def __init__(self, verifier: CognitoVerifier, issuer: str) -> None:
        """Mirror ``verifier``, whose key store must hold ``issuer``'s keys."""
        self._real = verifier
        self._store: Any = verifier._keys
        self._issuers: tuple[str, ...] = verifier._issuers
        self._policy = verifier._policy
        self._leeway: float = verifier._leeway
        self._max_bytes: int = verifier._max_token_bytes
        self._headers = HeaderCache()
        self._tokens = TokenCache(1024, self._leeway, time.time)
        state = self._store._states[issuer]
        self._snapshot = {(issuer, k): v for k, v in self._store.current_keys(issuer).items()}
        self._fresh = state  # read fresh_until from the store's own state

    def verify(self, token: str) -> CognitoClaims:
        """Verify like CognitoVerifier.verify with the constructor's policy."""
        claims = self._tokens.get(token) if isinstance(token, str) and len(token) <= 4096 else None
        if claims is None:
            header_b64, payload_b64, signature_b64 = split_bytes(token, self._max_bytes)
            kid = self._headers.kid(header_b64)
            payload = loads_strict_bounded(b64url_bytes(payload_b64))
            signature = b64url_bytes(signature_b64)
            issuer = _checks.unverified_issuer(payload, self._issuers)
            now = time.time()
            key = self._snapshot.get((issuer, kid)) if now < self._fresh.fresh_until else None
            if key is None:
                key = self._store.get(issuer, kid)
            signing_input = token[: len(header_b64) + 1 + len(payload_b64)].encode("ascii")
            if not key.verify(signing_input, signature):
                raise InvalidSignatureError("signature does not verify")
            check_token_fast(payload, now=now, leeway=self._leeway, issuers=self._issuers)
            if len(token) <= 4096:
                claims = self._tokens.put_payload(token, payload, now)
            else:
                claims = _claims_from(payload)
        _checks.check_policy(claims, self._policy)
        return claims


def _claims_from(payload: dict[str, Any]) -> CognitoClaims:
    """Prototype of proposal G': wrap the freshly decoded dict itself, freezing nested values.

    The payload dict was built by the decoder for this call and is referenced
    nowhere else, so it needs no copy; only lists and objects inside it are
    replaced by read-only forms. (A prototype: it sets the slots directly.)
    """
    for name, value in payload.items():
        if type(value) is list or type(value) is dict:
            payload[name] = _freeze(value)
    claims = CognitoClaims.__new__(CognitoClaims)
    scope = payload.get("scope")
    object.__setattr__(claims, "_data", payload)
    object.__setattr__(claims, "_groups", tuple(payload.get("cognito:groups", ())))
    object.__setattr__(
        claims, "_scopes", frozenset(scope.split()) if type(scope) is str else frozenset()
    )
    return claims


def hostile_tokens(pool: FakeUserPool) -> list[tuple[str, object]]:
    """Tokens every verifier must refuse (and two it must accept), for the equivalence check."""
    from cognito_jwt.testing._keys import b64url  # noqa: PLC0415 - the kit's encoder

    now = int(time.time())
    access_key = pool.signing_keys[1]

    def raw(payload: bytes, header: bytes | None = None) -> str:
        head = header or json.dumps({"kid": access_key.kid, "alg": "RS256"}).encode()
        signing_input = b64url(head) + "." + b64url(payload)
        return signing_input + "." + b64url(access_key.sign(signing_input.encode()))

    base = {
        "sub": "s",
        "iss": pool.issuer,
        "client_id": pool.client_id,
        "token_use": "access",
        "scope": "a b",
        "exp": now + 3600,
        "iat": now,
    }

    def with_payload_text(text: str) -> str:
        return raw(text.encode())

    good = pool.access_token()
    header, payload, signature = good.split(".")
    base_text = json.dumps(base)[:-1]
    return [
        ("valid access token", good),
        ("valid, claims hand-written", raw(json.dumps(base).encode())),
        ("ID token where access required", pool.id_token()),
        ("expired", pool.expired_token()),
        ("nbf in the future", pool.access_token(claims={"nbf": now + 600})),
        ("iat in the future", pool.access_token(issued_at=now + 600)),
        ("foreign issuer", pool.access_token(claims={"iss": "https://evil.example"})),
        ("other app client", pool.access_token(client_id="other")),
        ("alg HS256", pool.access_token(headers={"alg": "HS256"})),
        ("alg none", pool.access_token(headers={"alg": "none"})),
        ("jku header", pool.access_token(headers={"jku": "https://evil.example/jwks"})),
        ("kid missing", pool.access_token(headers={"kid": None})),
        ("kid not a string", pool.access_token(headers={"kid": 7})),
        ("typ JOSE", pool.access_token(headers={"typ": "JOSE"})),
        ("unpublished key", pool.access_token(signing_key=pool.unpublished_key())),
        ("forged signature", f"{header}.{pool.access_token().split('.')[1]}.{signature}"),
        ("signature cut", f"{header}.{payload}.{signature[:-4]}"),
        ("non-canonical signature", f"{header}.{payload}.{signature[:-1]}{_flip(signature[-1])}"),
        ("missing exp", pool.access_token(claims={"exp": None})),
        ("exp a string", pool.access_token(claims={"exp": "soon"})),
        ("groups not a list", pool.access_token(claims={"cognito:groups": "admin"})),
        ("token_use other", pool.access_token(claims={"token_use": "refresh"})),
        ("duplicate exp", with_payload_text(base_text + f', "exp": {now - 10}}}')),
        ("lone surrogate", with_payload_text(base_text + ', "x": "\\ud800"}')),
        ("surrogate pair (fine)", with_payload_text(base_text + ', "x": "\\ud83d\\ude00"}')),
        ("escaped backslash (fine)", with_payload_text(base_text + ', "x": "\\\\ud800"}')),
        (
            "brackets in a string (fine)",
            with_payload_text(base_text + ', "x": "' + "[" * 50 + '"}'),
        ),
        ("nesting 40 deep", with_payload_text(base_text + ', "x": ' + "[" * 40 + "]" * 40 + "}")),
        ("41-digit integer", with_payload_text(base_text + ', "x": ' + "9" * 41 + "}")),
        ("NaN", with_payload_text(base_text + ', "x": NaN}')),
        ("1e999", with_payload_text(base_text + ', "x": 1e999}')),
        ("payload not UTF-8", raw(b'{"x": "\xff"}')),
        ("payload a list", raw(b"[1]")),
        ("five segments", f"{good}.x.y"),
        ("trailing newline", good + "\n"),
        ("non-ASCII character", good + "é"),
        ("padding", good + "="),
        ("empty", ""),
        ("bytes", good.encode()),
        ("too long", "a" * 70_000),
    ]


def _flip(char: str) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return alphabet[alphabet.index(char) ^ 1]


def part_prototype(setup: Setup, rounds: int) -> dict[str, float]:
    """Check the prototype against the real verifier on hostile tokens, then time both."""
    real, mirror = setup.verifier(), setup.verifier()
    prototype = PrototypeVerifier(mirror, setup.pool.issuer)
    disagreements = []
    for label, token in hostile_tokens(setup.pool):
        outcomes = []
        for verify in (real.verify, prototype.verify):
            try:
                verify(token)  # type: ignore[arg-type]
                outcomes.append("accepted")
            except CognitoJWTError as exc:
                outcomes.append(f"{type(exc).__name__}({getattr(exc, 'claim', '')})")
        if outcomes[0] != outcomes[1]:
            disagreements.append(f"{label}: {outcomes[0]} vs {outcomes[1]}")
    count = len(hostile_tokens(setup.pool))
    if disagreements:
        raise SystemExit("prototype disagrees with the verifier:\n  " + "\n  ".join(disagreements))
    print(f"Prototype agrees with CognitoVerifier on all {count} hostile and valid tokens.")

    floor = floor_verifier_for(setup)
    real, mirror = setup.verifier(), setup.verifier()
    prototype = PrototypeVerifier(mirror, setup.pool.issuer)
    repeated = [setup.tokens[0]] * len(setup.tokens)
    for verify in (real.verify, prototype.verify):
        verify(setup.tokens[0])
    functions: dict[str, Callable[[], object]] = {
        "floor": over(floor, setup.tokens),
        "cognito-jwt verify, unique": over(real.verify, setup.tokens),
        "prototype, unique": over(prototype.verify, setup.tokens),
        "cognito-jwt verify, repeated (hit)": over(real.verify, repeated),
        "prototype, repeated (hit)": over(prototype.verify, repeated),
    }
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(rounds):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            times[name].append((time.perf_counter() - start) / len(setup.tokens) * 1e6)
    best = {name: min(values) for name, values in times.items()}
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"End to end, µs per token ({rounds} interleaved rounds of {len(setup.tokens):,}):")
    print(f"  {'':<36} {'best':>7} {'x floor':>8} {'median':>7} {'x floor':>8}")
    for name in functions:
        print(
            f"  {name:<36} {best[name]:>7.2f} {best['floor'] / best[name]:>7.2f}x "
            f"{median[name]:>7.2f} {median['floor'] / median[name]:>7.2f}x"
        )
    return best


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    """Run the parts asked for and print their findings."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tokens", type=int, default=1500, help="unique tokens (default 1500)")
    parser.add_argument("--repeats", type=int, default=15, help="timing repeats (default 15)")
    parser.add_argument("--pyinstrument", action="store_true", help="profile with pyinstrument")
    parser.add_argument(
        "--parts", default="profile,stages,proposals,prototype", help="comma-separated subset"
    )
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
            print()
        if "proposals" in parts:
            part_proposals(setup, args.repeats)
            print()
        if "prototype" in parts:
            part_prototype(setup, args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
