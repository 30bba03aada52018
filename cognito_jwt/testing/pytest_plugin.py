"""pytest plugin (entry point ``cognito_jwt``): fixtures for testing code behind Cognito.

Installed with ``pip install cognito-jwt[testing]``; pytest loads it by itself.
``-p no:cognito_jwt`` turns it off. Fixtures:

* ``cognito_pool_config``: the fake pool's ``region``, ``user_pool_id`` and
  ``client_id``, and what the ``cognito_verifier`` accepts: ``token_use``
  (default ``None``, either kind) and ``client_ids`` (default: the pool's
  ``client_id``). Override it in a ``conftest.py`` to match your settings.
* ``cognito_pool``: a :class:`~cognito_jwt.testing.FakeUserPool` built from it.
* ``cognito_verifier``: ``cognito_pool.verifier(...)`` with the config's
  ``token_use`` and ``client_ids``, static keys, no network.
* ``cognito_revocation``: an empty in-memory
  :class:`~cognito_jwt.revocation.RevocationList`; pass it as
  ``cognito_pool.verifier(revocation=cognito_revocation)``.
* ``cognito_alb``: a :class:`~cognito_jwt.testing.FakeAlb` in front of ``cognito_pool``
  (its client and issuer); ``cognito_alb.verifier()`` verifies its tokens offline.

Importing this module is cheap: the library is imported when a fixture is first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from cognito_jwt import CognitoVerifier
    from cognito_jwt.revocation import RevocationList
    from cognito_jwt.testing import FakeAlb, FakeUserPool

__all__ = [
    "cognito_alb",
    "cognito_pool",
    "cognito_pool_config",
    "cognito_revocation",
    "cognito_verifier",
]


# The keys of cognito_pool_config that describe the pool; the others configure the verifier.
_POOL_KEYS = ("region", "user_pool_id", "client_id")
_VERIFIER_KEYS = ("token_use", "client_ids")


@pytest.fixture
def cognito_pool_config() -> dict[str, Any]:
    """The fake pool's settings and what its verifier accepts; override it with your own.

    Keys: ``region``, ``user_pool_id``, ``client_id`` (the pool), and optionally
    ``token_use`` and ``client_ids`` (the ``cognito_verifier``; by default either
    kind of token, and the pool's ``client_id``). Set ``token_use`` to what your
    application requires, so tests fail where the application would.
    """
    return {
        "region": "eu-west-1",
        "user_pool_id": "eu-west-1_TestPool1",
        "client_id": "test-client",
        "token_use": None,
    }


def _unknown_keys(config: dict[str, Any]) -> None:
    unknown = sorted(set(config) - {*_POOL_KEYS, *_VERIFIER_KEYS})
    if unknown:
        from cognito_jwt.exceptions import ConfigurationError  # noqa: PLC0415

        known = ", ".join((*_POOL_KEYS, *_VERIFIER_KEYS))
        raise ConfigurationError(
            f"cognito_pool_config has unknown key(s) {', '.join(unknown)}; known: {known}"
        )


@pytest.fixture
def cognito_pool(cognito_pool_config: dict[str, Any]) -> FakeUserPool:
    """A FakeUserPool built from ``cognito_pool_config``: mints tokens, publishes keys."""
    from cognito_jwt.testing import FakeUserPool  # noqa: PLC0415 - keep plugin import cheap

    _unknown_keys(cognito_pool_config)
    return FakeUserPool(**{k: v for k, v in cognito_pool_config.items() if k in _POOL_KEYS})


@pytest.fixture
def cognito_verifier(
    cognito_pool: FakeUserPool, cognito_pool_config: dict[str, Any]
) -> CognitoVerifier:
    """A CognitoVerifier for ``cognito_pool``, accepting what ``cognito_pool_config`` says.

    Its ``token_use`` and ``client_ids`` come from the config (by default either
    kind of token and the pool's client); its keys are static, so no network.
    """
    options = {k: v for k, v in cognito_pool_config.items() if k in _VERIFIER_KEYS}
    return cognito_pool.verifier(**options)


@pytest.fixture
def cognito_revocation() -> RevocationList:
    """An empty in-memory RevocationList, new for each test."""
    from cognito_jwt.revocation import RevocationList  # noqa: PLC0415 - keep plugin import cheap

    return RevocationList()


@pytest.fixture
def cognito_alb(cognito_pool: FakeUserPool) -> FakeAlb:
    """A FakeAlb in front of ``cognito_pool``: signs ``x-amzn-oidc-data``, publishes its keys."""
    from cognito_jwt.testing import FakeAlb  # noqa: PLC0415 - keep plugin import cheap

    return FakeAlb(user_pool=cognito_pool)
