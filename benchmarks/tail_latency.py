"""Tail latency of steady verification while the JWKS is refreshed, with refresh ahead on and off.

One verifier (``jwks_ttl=2``, ``refresh_ahead=1`` or 0, the other settings at
their defaults: ``timeout=3``, ``refresh_cooldown=10``) verifies pre-minted
tokens flat out for a while against a loopback JWKS endpoint that answers in
50 ms, then against one that hangs (the keys were fetched once before it
started hanging). Every call is timed on its own; the table gives the median,
the 99.9th percentile and the slowest call, and how many JWKS requests the run
made. The verified-token cache is off, so that every call looks its key up.

Run from ``benchmarks/bench.py`` (section ``tail``) or alone:
``.venv/bin/python benchmarks/tail_latency.py [--quick]``. It also runs against
a version of the library without ``refresh_ahead`` (then only the "off" rows).
"""

from __future__ import annotations

import argparse
import inspect
import json
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

from cognito_jwt import CognitoJWTError, CognitoVerifier
from cognito_jwt.testing import FakeUserPool

SECONDS_FULL = 30.0
SECONDS_QUICK = 5.0
JWKS_TTL = 2.0
REFRESH_AHEAD = 1.0
ANSWER_DELAY = 0.05
GOAL_MAX_MS = 5.0


class _Endpoint:
    """A loopback JWKS endpoint that answers after ``delay`` seconds, or hangs.

    It runs in a child process, so that it takes no share of this process's GIL
    (a real endpoint would not). ``/control`` changes its behaviour and reports
    how many JWKS requests it served.
    """

    def __init__(self, body: bytes) -> None:
        self._child = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
            [sys.executable, __file__, "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        stdin, stdout = self._child.stdin, self._child.stdout
        if stdin is None or stdout is None:  # pragma: no cover - PIPE always gives both
            raise RuntimeError("the endpoint process has no pipes")
        stdin.write(body)
        stdin.close()
        port = int(stdout.readline())
        self.base = f"http://127.0.0.1:{port}"
        self.url = f"{self.base}/.well-known/jwks.json"

    def control(self, **settings: float) -> int:
        """Change ``delay`` / ``hang``; return the JWKS requests served so far."""
        answer = requests.get(f"{self.base}/control", params=settings, timeout=10)
        answer.raise_for_status()
        return int(answer.text)

    def close(self) -> None:
        self._child.kill()
        self._child.wait()


def _serve_forever() -> None:
    """The child process: serve the JWKS read from stdin; print the port first."""
    body = sys.stdin.buffer.read()
    state = {"delay": 0.0, "hang": 0.0, "requests": 0}
    lock = threading.Lock()
    never = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.startswith("/control"):
                for pair in self.path.partition("?")[2].split("&"):
                    name, _, value = pair.partition("=")
                    if name in state:
                        state[name] = float(value)
                self._answer(str(state["requests"]).encode())
                return
            with lock:
                state["requests"] += 1
            if state["hang"]:
                never.wait()
            time.sleep(state["delay"])
            self._answer(body)

        def _answer(self, data: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    print(httpd.server_address[1], flush=True)
    httpd.serve_forever()


@dataclass
class Row:
    """The figures of one run."""

    endpoint: str
    refresh_ahead: str
    verifications: int
    refused: int
    p50_us: float
    p999_us: float
    max_ms: float
    over_goal: int  # calls slower than GOAL_MAX_MS
    jwks_requests: int


def supports_refresh_ahead() -> bool:
    """Whether this version of the library has ``refresh_ahead``."""
    return "refresh_ahead" in inspect.signature(CognitoVerifier).parameters


def _steady(verify: Callable[[str], object], tokens: Sequence[str], seconds: float) -> list[int]:
    """Verify ``tokens`` round and round for ``seconds``; return each call's nanoseconds."""
    clock = time.perf_counter_ns
    latencies: list[int] = []
    record = latencies.append
    count = len(tokens)
    index = 0
    end = clock() + int(seconds * 1e9)
    while True:
        token = tokens[index % count]
        index += 1
        start = clock()
        try:
            verify(token)
        except CognitoJWTError:
            record(-1)  # refused: counted apart (none is expected)
            continue
        stop = clock()
        record(stop - start)
        if stop > end:
            return latencies


def _row(endpoint: str, ahead: str, latencies: list[int], requests: int) -> Row:
    timed = sorted(t for t in latencies if t >= 0)
    return Row(
        endpoint=endpoint,
        refresh_ahead=ahead,
        verifications=len(timed),
        refused=len(latencies) - len(timed),
        p50_us=statistics.median(timed) / 1e3,
        p999_us=timed[min(len(timed) - 1, int(len(timed) * 0.999))] / 1e3,
        max_ms=timed[-1] / 1e6,
        over_goal=sum(1 for t in timed if t > GOAL_MAX_MS * 1e6),
        jwks_requests=requests,
    )


def _run(
    pool: FakeUserPool, tokens: Sequence[str], *, hang: bool, ahead: float | None, seconds: float
) -> Row:
    endpoint = _Endpoint(json.dumps(pool.jwks).encode())
    try:
        options: dict[str, Any] = {"jwks_ttl": JWKS_TTL, "token_cache_size": 0}
        if ahead is not None:
            options["refresh_ahead"] = ahead
        verifier = CognitoVerifier(
            pool.region,
            pool.user_pool_id,
            client_ids=pool.client_id,
            token_use="access",
            jwks_url=endpoint.url,
            **options,
        )
        verifier.fetch_jwks()  # the warm-up fetch, before the endpoint misbehaves
        before = endpoint.control(delay=ANSWER_DELAY, hang=int(hang))
        latencies = _steady(verifier.verify, tokens, seconds)
        requests = endpoint.control() - before
    finally:
        endpoint.close()
    label = "off (not available)" if ahead is None else ("on" if ahead else "off")
    return _row(
        "hangs" if hang else f"answers in {ANSWER_DELAY * 1000:.0f} ms",
        label if ahead is None else f"{label} ({ahead:g} s)",
        latencies,
        requests,
    )


def _reference(pool: FakeUserPool, tokens: Sequence[str], seconds: float) -> Row:
    """The same loop with static keys: no fetch ever, so only the machine's own noise."""
    verifier = CognitoVerifier(
        pool.region,
        pool.user_pool_id,
        client_ids=pool.client_id,
        token_use="access",
        jwks=pool.jwks,
        token_cache_size=0,
    )
    return _row("none (static jwks=)", "-", _steady(verifier.verify, tokens, seconds), 0)


def run(
    pool: FakeUserPool,
    tokens: Sequence[str],
    *,
    seconds: float,
    log: Callable[[str], None] = lambda _: None,
) -> list[Row]:
    """Run the four cases (endpoint slow or hanging, refresh ahead on or off)."""
    aheads: list[float | None] = [REFRESH_AHEAD, 0.0] if supports_refresh_ahead() else [None]
    log("  tail latency: static keys (the machine's noise floor)")
    rows = [_reference(pool, tokens, seconds)]
    for hang in (False, True):
        for ahead in aheads:
            log(f"  tail latency: endpoint {'hangs' if hang else 'slow'}, refresh_ahead={ahead}")
            rows.append(_run(pool, tokens, hang=hang, ahead=ahead, seconds=seconds))
    return rows


def table_text(rows: Sequence[Row], seconds: float) -> list[str]:
    """The rows as a fixed-width table, with the goal read (never asserted)."""
    lines = [
        (
            f"\nTail latency: {seconds:g} s of steady verification per row, one verifier "
            f"(jwks_ttl={JWKS_TTL:g} s, timeout 3 s, refresh_cooldown 10 s, no token cache)"
        ),
        (
            f"{'JWKS endpoint':<19}  {'refresh ahead':<19}  {'calls':>9}  {'p50 µs':>7}  "
            f"{'p99.9 µs':>9}  {'max ms':>8}  {'> ' + format(GOAL_MAX_MS, 'g') + ' ms':>7}  "
            f"{'JWKS requests':>13}"
        ),
    ]
    lines.append("-" * len(lines[-1]))
    for row in rows:
        refused = f"  ({row.refused:,} refused)" if row.refused else ""
        lines.append(
            f"{row.endpoint:<19}  {row.refresh_ahead:<19}  {row.verifications:>9,}  "
            f"{row.p50_us:>7.1f}  {row.p999_us:>9.1f}  {row.max_ms:>8.2f}  {row.over_goal:>7,}  "
            f"{row.jwks_requests:>13}{refused}"
        )
    on = [row for row in rows if row.refresh_ahead.startswith("on")]
    if on:
        worst = max(row.max_ms for row in on)
        met = "met" if worst <= GOAL_MAX_MS else "NOT met"
        lines.append(
            f"  [{met}] slowest call with refresh ahead on: {worst:.2f} ms "
            f"(goal ≤ {GOAL_MAX_MS:g} ms, both endpoints; the static-keys row shows what the "
            "machine itself adds)"
        )
    return lines


def section(
    pool: FakeUserPool, tokens: Sequence[str], *, quick: bool, log: Callable[[str], None]
) -> list[dict[str, Any]]:
    """Run the section for ``bench.py``: print the table, return the rows for its JSON."""
    seconds = SECONDS_QUICK if quick else SECONDS_FULL
    rows = run(pool, tokens, seconds=seconds, log=log)
    print("\n".join(table_text(rows, seconds)))
    return [asdict(row) for row in rows]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the section on its own."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help=f"{SECONDS_QUICK:g} s per row")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        _serve_forever()
        return 0
    pool = FakeUserPool()
    tokens = [pool.access_token(f"tail{index}") for index in range(2000)]
    section(pool, tokens, quick=args.quick, log=lambda text: print(text, file=sys.stderr))
    return 0


if __name__ == "__main__":
    sys.exit(main())
