"""Concurrency and load: shared fetches, rotation under load, a flood of unknown kids."""

from __future__ import annotations

import asyncio
import base64
import json
import random
import statistics
import threading
import time
from typing import Any

import pytest

from cognito_jwt import CognitoJWTError, UnknownKeyError
from cognito_jwt.testing import FakeUserPool
from cognito_jwt.testing._keys import generate_key
from tests.conftest import FakeClock, JWKSServer


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def test_32_threads_and_32_tasks_at_cold_start_share_one_fetch(
    served_pool: tuple[FakeUserPool, JWKSServer],
) -> None:
    pool, server = served_pool
    server.delay = 0.5  # long enough for every caller to arrive while the fetch is in flight
    verifier = pool.verifier(jwks_url=server.url, token_cache_size=0)
    tokens = [pool.access_token(f"user{i}") for i in range(64)]
    results: list[Any] = [None] * 64
    barrier = threading.Barrier(33)

    def worker(index: int) -> None:
        barrier.wait()
        try:
            results[index] = verifier.verify(tokens[index]).username
        except CognitoJWTError as exc:  # pragma: no cover - reported by the assertion
            results[index] = exc

    async def tasks() -> list[str | None]:
        barrier.wait()
        claims = await asyncio.gather(*(verifier.averify(t) for t in tokens[32:]))
        return [c.username for c in claims]

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(32)]
    for thread in threads:
        thread.start()
    results[32:] = asyncio.run(tasks())
    for thread in threads:
        thread.join(timeout=30)
    assert results == [f"user{i}" for i in range(64)]
    assert server.requests == 1


def test_key_rotation_under_load_rejects_no_valid_token(
    served_pool: tuple[FakeUserPool, JWKSServer],
) -> None:
    pool, server = served_pool
    verifier = pool.verifier(jwks_url=server.url, token_cache_size=0)
    old_key = pool.signing_keys[1]
    new_key = generate_key("rotation-under-load")
    old_tokens = [pool.access_token(f"old{i}", signing_key=old_key) for i in range(20)]
    new_tokens = [pool.access_token(f"new{i}", signing_key=new_key) for i in range(20)]
    rotated = threading.Event()
    stop = threading.Event()
    failures: list[BaseException] = []
    verified = [0]
    lock = threading.Lock()

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        while not stop.is_set():
            pool_of_tokens = old_tokens + (new_tokens if rotated.is_set() else [])
            try:
                verifier.verify(rng.choice(pool_of_tokens))
            except CognitoJWTError as exc:
                failures.append(exc)
                return
            with lock:
                verified[0] += 1

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    # Cognito publishes a new key next to the old one before it signs with it.
    server.body = {"keys": [*pool.jwks["keys"], new_key.public_jwk]}
    rotated.set()
    time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert verified[0] > 100
    assert server.requests == 2  # the cold start, and one refetch for the new kid


def _unknown_kid_token(pool: FakeUserPool, rng: random.Random, now: float) -> str:
    header = {"kid": f"unknown-{rng.getrandbits(64):x}", "alg": "RS256"}
    payload = {
        "sub": "x",
        "iss": pool.issuer,
        "client_id": pool.client_id,
        "token_use": "access",
        "iat": int(now),
        "exp": int(now) + 3600,
    }
    signature = rng.randbytes(256)
    return ".".join(
        (_b64(json.dumps(header).encode()), _b64(json.dumps(payload).encode()), _b64(signature))
    )


def test_flood_of_unknown_kids_fetches_at_most_once_per_cooldown(
    served_pool: tuple[FakeUserPool, JWKSServer], clock: FakeClock
) -> None:
    pool, server = served_pool
    cooldown = 10.0
    verifier = pool.verifier(
        jwks_url=server.url, clock=clock, refresh_cooldown=cooldown, token_cache_size=0
    )
    verifier.fetch_jwks()
    rng = random.Random(8725)
    start_time = clock.now
    step = 0.01  # 10,000 tokens over 100 seconds of the fake clock
    latencies: list[float] = []
    for _ in range(10_000):
        token = _unknown_kid_token(pool, rng, clock.now)
        started = time.perf_counter()
        with pytest.raises(UnknownKeyError):
            verifier.verify(token)
        latencies.append(time.perf_counter() - started)
        clock.advance(step)
    elapsed_fake = clock.now - start_time
    refetches = server.requests - 1
    assert refetches <= int(elapsed_fake // cooldown) + 1
    assert refetches >= int(elapsed_fake // cooldown) - 1  # it does refetch once per cooldown
    # Figures for the record (never asserted: the machine is shared).
    print(
        f"\n10,000 unknown kids: {refetches} refetches over {elapsed_fake:.0f} s of clock; "
        f"median rejection {statistics.median(latencies) * 1e6:.0f} us"
    )
