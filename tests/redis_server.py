"""A real redis-server on 127.0.0.1 for the tests: started here, stopped at the end.

No persistence (``--save ""``, ``--appendonly no``), a free port, its working
directory a temporary one. When ``redis-server`` is not installed the tests
that need it fail (never skip) with a message saying how to install it.
Registered as a plugin by ``tests/conftest.py``; fixtures ``redis_server``
(one per test session) and ``redis_client`` (an emptied database per test).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # redis-py is imported when a Redis test runs, not when this plugin loads
    import redis

INSTALL_HINT = (
    "redis-server is not installed, and the revocation tests run against a real one: "
    "install it (Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis) "
    "or run .ci/run, which installs it when missing"
)


@dataclass
class RedisServer:
    """A running redis-server: where it listens, and its process."""

    port: int
    process: subprocess.Popen[bytes]
    host: str = "127.0.0.1"

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    def client(self, **options: Any) -> redis.Redis:
        """A client of this server (see :func:`make_client`)."""
        return make_client(self.port, **options)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover - a stuck server
                self.process.kill()
                self.process.wait(timeout=10)


def make_client(port: int, **options: Any) -> redis.Redis:
    """A client of 127.0.0.1:``port``: short timeouts, one retry at once (as the docs advise)."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    settings: dict[str, Any] = {
        "socket_timeout": 2.0,
        "socket_connect_timeout": 2.0,
        "retry": Retry(NoBackoff(), 1),
    }
    settings.update(options)
    return redis.Redis(host="127.0.0.1", port=port, **settings)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_redis_server() -> Iterator[RedisServer]:
    """Start a redis-server on a free loopback port; stop it when the block ends."""
    executable = shutil.which("redis-server")
    if executable is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    with tempfile.TemporaryDirectory(prefix="cognito-jwt-redis-") as directory:
        for _attempt in range(3):  # the free port may be taken before the server binds it
            port = free_port()
            process = subprocess.Popen(
                [
                    executable,
                    "--port", str(port),
                    "--bind", "127.0.0.1",
                    "--save", "",
                    "--appendonly", "no",
                    "--dir", directory,
                    "--daemonize", "no",
                    "--loglevel", "warning",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )  # fmt: skip
            server = RedisServer(port=port, process=process)
            if _wait_until_it_answers(server):
                break
            server.stop()
        else:  # pragma: no cover - three ports lost in a row
            raise RuntimeError("redis-server did not start on 127.0.0.1")
        try:
            yield server
        finally:
            server.stop()
            if server.process.stderr is not None:
                server.process.stderr.close()


def _wait_until_it_answers(server: RedisServer) -> bool:
    """Wait (up to 10 s) until the server answers PING; False if it died first."""
    import redis

    client = server.client(socket_timeout=0.5, socket_connect_timeout=0.5)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                return False
            try:
                if client.ping():
                    return True
            except redis.ConnectionError:
                time.sleep(0.02)
        return False
    finally:
        client.close()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One redis-server for the whole test session."""
    with running_redis_server() as server:
        yield server


@pytest.fixture
def redis_client(redis_server: RedisServer) -> Iterator[redis.Redis]:
    """A client of the session's server, its database emptied first."""
    client = redis_server.client()
    client.flushdb()
    try:
        yield client
    finally:
        client.close()
