"""The cost of a revocation check per verification: none, the memory store, Redis on loopback.

Run by ``benchmarks/bench.py`` (section ``revocation``) or on its own:
``.venv/bin/python benchmarks/revocation.py [--quick]``. It starts its own
``redis-server`` (no persistence, a free port on 127.0.0.1, a temporary
directory) and stops it at the end; without ``redis-server`` on the PATH the
Redis row is left out with a note. Three verifiers with static keys verify the
same tokens: without ``revocation=``, with an in-memory ``RevocationList``, and
with one over ``RedisRevocationStore``. Each list holds entries for other
tokens (so a check finds nothing, as for most requests). "Unique" cycles
through more tokens than the verified-token cache holds, so every call is a
full verification; "cached" verifies one token again and again, so every call
is a cache hit, which the check does not skip. Rounds are interleaved; the
median round is reported. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from cognito_jwt import CognitoVerifier, RevocationList
from cognito_jwt.revocation import RedisRevocationStore
from cognito_jwt.testing import FakeUserPool

Verify = Callable[[str], object]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def redis_on_loopback() -> Iterator[Any | None]:
    """A client of a redis-server started here (``None`` when redis-server is missing)."""
    executable = shutil.which("redis-server")
    try:
        import redis  # noqa: PLC0415 - an extra, needed only for this row
        from redis.backoff import NoBackoff  # noqa: PLC0415
        from redis.retry import Retry  # noqa: PLC0415
    except ImportError:
        executable = None
    if executable is None:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="cognito-jwt-bench-redis-") as directory:
        port = _free_port()
        command = [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", directory, "--loglevel", "warning"]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603
        client = redis.Redis(
            host="127.0.0.1",
            port=port,
            socket_timeout=1.0,
            socket_connect_timeout=1.0,
            retry=Retry(NoBackoff(), 1),
        )
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise
                    time.sleep(0.02)
            yield client
        finally:
            client.close()
            process.terminate()
            process.wait(timeout=10)


def _time(verify: Verify, tokens: Sequence[str]) -> float:
    gc.collect()
    start = time.perf_counter()
    for token in tokens:
        verify(token)
    return (time.perf_counter() - start) / len(tokens)


def _fill(revocation: RevocationList, entries: int) -> None:
    """Entries for tokens never verified here: a check looks them up and finds nothing."""
    for n in range(entries):
        revocation.revoke_origin(f"other-sign-in-{n}")
    revocation.sign_out("someone-else")


def run(
    pool: FakeUserPool | None = None,
    *,
    quick: bool = False,
    out: Callable[[str], None] = print,
) -> dict[str, dict[str, float]]:
    """Time the three verifiers and print their rows; return microseconds per verification."""
    pool = pool or FakeUserPool()
    distinct, batch, rounds, repeat = (1500, 250, 9, 4) if quick else (2000, 500, 21, 4)
    tokens = [pool.access_token(f"rev{n}") for n in range(distinct)]
    cached_token = pool.access_token("cached")
    rows: dict[str, dict[str, float]] = {}
    with redis_on_loopback() as client:
        verifiers: dict[str, CognitoVerifier] = {"no revocation": pool.verifier()}
        memory = RevocationList()
        _fill(memory, 1000)
        verifiers["memory store"] = pool.verifier(revocation=memory)
        if client is not None:
            client.flushdb()
            shared = RevocationList(RedisRevocationStore(client))
            _fill(shared, 1000)
            verifiers["Redis store"] = pool.verifier(revocation=shared)
        for verifier in verifiers.values():  # warm up: keys built, connections open
            verifier.verify(cached_token)
            verifier.verify(tokens[0])
        times: dict[str, dict[str, list[float]]] = {
            name: {"unique": [], "cached": []} for name in verifiers
        }
        names = list(verifiers)
        for round_number in range(rounds):
            start = (round_number * batch) % distinct
            unique = (tokens + tokens)[start : start + batch]
            shift = round_number % len(names)
            for name in names[shift:] + names[:shift]:  # rotate the order from round to round
                verify = verifiers[name].verify
                times[name]["unique"].append(_time(verify, unique))
                times[name]["cached"].append(_time(verify, [cached_token] * (batch * repeat)))
        if client is not None:
            server = client.info("server")["redis_version"]
    for name, measured in times.items():
        rows[name] = {kind: statistics.median(values) * 1e6 for kind, values in measured.items()}
    base = rows["no revocation"]
    where = f"Redis {server} on loopback" if client is not None else "no redis-server found"
    out(
        f"\nRevocation check, microseconds per verification (median of {rounds} rounds; "
        f"unique: {batch} of {distinct} distinct tokens, every call a full verification; "
        f"cached: one token {batch * repeat} times; {where}):"
    )
    out(f"  {'':<16}{'unique tokens':>22}{'cached token':>22}")
    for name, row in rows.items():
        cells = []
        for kind in ("unique", "cached"):
            extra = "" if name == "no revocation" else f" ({row[kind] - base[kind]:+.1f})"
            cells.append(f"{row[kind]:.1f}{extra}")
        out(f"  {name:<16}{cells[0]:>22}{cells[1]:>22}")
    if client is None:
        out("  (Redis row left out: install redis-server and `pip install redis` to add it)")
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Run the revocation benchmark on its own."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    args = parser.parse_args(argv)
    run(quick=args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
