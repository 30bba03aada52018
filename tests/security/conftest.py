"""Hypothesis profiles for the fuzz tests, and a count of the examples they ran.

``quick`` (the default, in ``make test``): a few hundred examples per test,
derandomized so every run checks the same inputs. ``fuzz`` (``make fuzz``):
thousands of fresh random examples per test.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "quick",
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES_PER_TEST", "4000")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))

EXAMPLES_RUN: dict[str, int] = {}


def count_example(test: str) -> None:
    """Record one example run by ``test`` (reported at the end of the session)."""
    EXAMPLES_RUN[test] = EXAMPLES_RUN.get(test, 0) + 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not EXAMPLES_RUN:
        return
    terminalreporter.section("fuzz examples")
    for test, count in sorted(EXAMPLES_RUN.items()):
        terminalreporter.write_line(f"{count:8d}  {test}")
    terminalreporter.write_line(f"{sum(EXAMPLES_RUN.values()):8d}  fuzz examples run in all")
