"""Test kit: a fake Cognito User Pool that mints real, signed, Cognito-shaped tokens.

Use it in your own tests to exercise code protected by :class:`~cognito_jwt.CognitoVerifier`
without a real user pool or any network::

    from cognito_jwt.testing import FakeUserPool

    pool = FakeUserPool()
    verifier = pool.verifier(token_use="access")
    claims = verifier.verify(pool.access_token("alice", groups=["admin"]))

:class:`FakeAlb` does the same for the ``x-amzn-oidc-data`` tokens of an
Application Load Balancer (see :class:`~cognito_jwt.AlbVerifier`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cognito_jwt.testing._fake_alb import AlbSigningKey, FakeAlb
    from cognito_jwt.testing._fake_pool import FakeUserPool
    from cognito_jwt.testing._keys import SigningKey

__all__ = ["AlbSigningKey", "FakeAlb", "FakeUserPool", "SigningKey"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so that loading the pytest plugin stays cheap.
    if name == "FakeUserPool":
        from cognito_jwt.testing._fake_pool import FakeUserPool  # noqa: PLC0415

        return FakeUserPool
    if name in ("FakeAlb", "AlbSigningKey"):
        from cognito_jwt.testing import _fake_alb  # noqa: PLC0415

        return getattr(_fake_alb, name)
    if name == "SigningKey":
        from cognito_jwt.testing._keys import SigningKey  # noqa: PLC0415

        return SigningKey
    raise AttributeError(f"module 'cognito_jwt.testing' has no attribute {name!r}")


def __dir__() -> list[str]:
    # The public names only, as for the package itself.
    return sorted({*__all__, *(name for name in globals() if name.startswith("__"))})
