"""Verify AWS Cognito User Pool JWTs: strict checks, a JWKS cache that survives outages.

Typical use::

    from cognito_jwt import CognitoVerifier

    verifier = CognitoVerifier("eu-west-1", "eu-west-1_AbCdEf123",
                               client_ids="my-app-client", token_use="access")
    claims = verifier.verify(token)

The test kit lives in :mod:`cognito_jwt.testing`.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

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
from cognito_jwt.verifier import CognitoVerifier, MultiPoolVerifier

try:
    __version__ = version("cognito-jwt")
except PackageNotFoundError:  # pragma: no cover - running from a source tree not installed
    __version__ = "0.0.0"

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
    "__version__",
]
