"""Time AlbVerifier against its own floor: what any verifier of ALB tokens must do.

The floor is cryptography's ECDSA P-256 verify of the raw signature (turned into
DER), base64 decoding and ``json.loads`` of header and payload, and the signer
and expiry checks, with the key built once outside the clock. AlbVerifier runs
with its defaults (a verified-token cache of 1024) on more distinct tokens than
that cache holds, so every timed call is a full verification; the cache-hit row
verifies one token again and again. Rounds interleave the contenders in turns,
and the median round is reported. Run it alone (``python benchmarks/alb.py
[--quick]``) or as the ``alb`` section of ``bench.py``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from base64 import urlsafe_b64decode
from collections.abc import Callable, Sequence
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from cognito_jwt.testing import FakeAlb

#: The goal of the ALB verifier against its floor (read, never asserted).
GOAL_VS_FLOOR = 0.8


def floor_verifier(alb: FakeAlb) -> Callable[[str], dict[str, Any]]:
    """The least a verifier of ALB tokens must do; the key is loaded outside the clock."""
    key = load_pem_public_key(alb.public_keys[alb.signing_key.kid].encode())
    if not isinstance(key, EllipticCurvePublicKey):
        raise TypeError("the fake ALB's key is not an EC key")
    algorithm = ECDSA(SHA256())
    signer = alb.alb_arn

    def floor(token: str) -> dict[str, Any]:
        header_b64, payload_b64, signature_b64 = token.split(".")
        signature = urlsafe_b64decode(signature_b64)
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        key.verify(der, token[: len(header_b64) + 1 + len(payload_b64)].encode(), algorithm)
        header = json.loads(urlsafe_b64decode(header_b64))
        payload: dict[str, Any] = json.loads(urlsafe_b64decode(payload_b64))
        if header["signer"] != signer or header["exp"] <= time.time():
            raise ValueError("signer or exp")
        return payload

    return floor


def _time(verify: Callable[[str], object], tokens: Sequence[str]) -> float:
    start = time.perf_counter()
    for token in tokens:
        verify(token)
    return (time.perf_counter() - start) / len(tokens)


def run(*, quick: bool = False) -> dict[str, float]:
    """Time the floor, AlbVerifier (every call a miss) and its cache hits; µs per token."""
    tokens_count, batch, rounds = (1500, 300, 9) if quick else (3000, 500, 31)
    alb = FakeAlb()
    tokens = [alb.token(username=f"user{i}", expires_in=3600) for i in range(tokens_count)]
    floor = floor_verifier(alb)
    verifier = alb.verifier()
    for token in tokens[:50]:  # warm both, and check that they agree
        if floor(token) != verifier.verify(token).to_dict():
            raise RuntimeError("the floor and AlbVerifier disagree")
    repeated = tokens[0]
    contenders: dict[str, Callable[[Sequence[str]], float]] = {
        "floor": lambda chunk: _time(floor, chunk),
        "AlbVerifier": lambda chunk: _time(verifier.verify, chunk),
        "AlbVerifier, cache hit": lambda chunk: _time(verifier.verify, [repeated] * len(chunk)),
    }
    times: dict[str, list[float]] = {name: [] for name in contenders}
    names = list(contenders)
    offset = 0
    for round_index in range(rounds):
        chunk = tokens[offset : offset + batch]
        offset = (offset + batch) % (tokens_count - batch)
        order = names[round_index % len(names) :] + names[: round_index % len(names)]
        for name in order:
            times[name].append(contenders[name](chunk))
    return {name: statistics.median(values) * 1e6 for name, values in times.items()}


def report_lines(figures: dict[str, float]) -> list[str]:
    """The section's text: a line per contender, then the goal."""
    floor = figures["floor"]
    lines = ["ALB tokens (ES256, padded), median µs per token:"]
    for name, micros in figures.items():
        lines.append(f"  {name:<24}{micros:>8.1f} µs   {floor / micros:>6.2f}x the floor's speed")
    ratio = floor / figures["AlbVerifier"]
    met = "met" if ratio >= GOAL_VS_FLOOR else "NOT met"
    lines.append(
        f"  goal: AlbVerifier at >= {GOAL_VS_FLOOR}x the floor's speed: {ratio:.2f}x ({met})"
    )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ALB benchmark alone and print its report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="fewer tokens and rounds")
    args = parser.parse_args(argv)
    print("\n".join(report_lines(run(quick=args.quick))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
