"""pytest plugin (entry point ``cognito_jwt``): fixtures for testing code behind Cognito.

Installed with ``pip install cognito-jwt[testing]``; pytest loads it by itself.
``-p no:cognito_jwt`` turns it off. Fixtures:

* ``cognito_pool_config``: the fake pool's ``region``, ``user_pool_id`` and
  ``client_id``. Override it in a ``conftest.py`` to match your settings.
* ``cognito_pool``: a :class:`~cognito_jwt.testing.FakeUserPool` built from it.
* ``cognito_verifier``: ``cognito_pool.verifier()``, static keys, no network.
* ``cognito_alb``: a :class:`~cognito_jwt.testing.FakeAlb` in front of ``cognito_pool``
  (its client and issuer); ``cognito_alb.verifier()`` verifies its tokens offline.

Importing this module is cheap: the library is imported when a fixture is first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from cognito_jwt import CognitoVerifier
    from cognito_jwt.testing import FakeAlb, FakeUserPool

__all__ = ["cognito_alb", "cognito_pool", "cognito_pool_config", "cognito_verifier"]


@pytest.fixture
def cognito_pool_config() -> dict[str, str]:
    """The fake pool's settings; override this fixture to use your own names."""
    return {
        "region": "eu-west-1",
        "user_pool_id": "eu-west-1_TestPool1",
        "client_id": "test-client",
    }


@pytest.fixture
def cognito_pool(cognito_pool_config: dict[str, str]) -> FakeUserPool:
    """A FakeUserPool built from ``cognito_pool_config``: mints tokens, publishes keys."""
    from cognito_jwt.testing import FakeUserPool  # noqa: PLC0415 - keep plugin import cheap

    return FakeUserPool(**cognito_pool_config)


@pytest.fixture
def cognito_verifier(cognito_pool: FakeUserPool) -> CognitoVerifier:
    """A CognitoVerifier for ``cognito_pool``: its client, either kind of token, no network."""
    return cognito_pool.verifier()


@pytest.fixture
def cognito_alb(cognito_pool: FakeUserPool) -> FakeAlb:
    """A FakeAlb in front of ``cognito_pool``: signs ``x-amzn-oidc-data``, publishes its keys."""
    from cognito_jwt.testing import FakeAlb  # noqa: PLC0415 - keep plugin import cheap

    return FakeAlb(user_pool=cognito_pool)
