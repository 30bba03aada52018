"""Verify AWS Cognito User Pool JWTs: strict checks, a JWKS cache that survives outages.

Typical use::

    from cognito_jwt import CognitoVerifier

    verifier = CognitoVerifier("eu-west-1", "eu-west-1_AbCdEf123",
                               client_ids="my-app-client", token_use="access")
    claims = verifier.verify(token)

The test kit lives in :mod:`cognito_jwt.testing`.
"""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from cognito_jwt._stats import VerifierStats
from cognito_jwt.claims import CognitoClaims
from cognito_jwt.exceptions import (
    AccessDeniedError,
    ClaimError,
    CognitoJWTError,
    ConfigurationError,
    ExpiredTokenError,
    InsufficientScopeError,
    InvalidAudienceError,
    InvalidIssuerError,
    InvalidSignatureError,
    InvalidTokenError,
    InvalidTokenUseError,
    JWKSError,
    JWKSFetchError,
    JWKSFormatError,
    MalformedTokenError,
    MissingGroupError,
    MissingTokenError,
    NotYetValidError,
    UnknownKeyError,
)

if TYPE_CHECKING:
    from cognito_jwt.verifier import CognitoVerifier, MultiPoolVerifier

# A library logs, the application decides where to: without a handler of the
# application's, nothing is printed (not even through logging's last resort).
logging.getLogger("cognito_jwt").addHandler(logging.NullHandler())

try:
    __version__ = version("cognito-jwt")
except PackageNotFoundError:  # pragma: no cover - running from a source tree not installed
    __version__ = "0.0.0"

# The verifiers pull in requests, python-jose and cryptography; they are imported
# on first use so that importing the package (or its pytest plugin) stays cheap.
_LAZY = {"CognitoVerifier", "MultiPoolVerifier"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from cognito_jwt import verifier  # noqa: PLC0415

        return getattr(verifier, name)
    raise AttributeError(f"module 'cognito_jwt' has no attribute {name!r}")


__all__ = [
    "AccessDeniedError",
    "ClaimError",
    "CognitoClaims",
    "CognitoJWTError",
    "CognitoVerifier",
    "ConfigurationError",
    "ExpiredTokenError",
    "InsufficientScopeError",
    "InvalidAudienceError",
    "InvalidIssuerError",
    "InvalidSignatureError",
    "InvalidTokenError",
    "InvalidTokenUseError",
    "JWKSError",
    "JWKSFetchError",
    "JWKSFormatError",
    "MalformedTokenError",
    "MissingGroupError",
    "MissingTokenError",
    "MultiPoolVerifier",
    "NotYetValidError",
    "UnknownKeyError",
    "VerifierStats",
    "__version__",
]
