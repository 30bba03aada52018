"""Verify AWS Cognito User Pool JWTs: strict checks, a JWKS cache that survives outages.

Typical use::

    from cognito_jwt import CognitoVerifier

    verifier = CognitoVerifier("eu-west-1", "eu-west-1_AbCdEf123",
                               client_ids="my-app-client", token_use="access")
    claims = verifier.verify(token)

The test kit lives in :mod:`cognito_jwt.testing`.
"""

from __future__ import annotations

import importlib as _importlib
import logging as _logging
import typing as _typing
from importlib.metadata import PackageNotFoundError as _PackageNotFoundError
from importlib.metadata import version as _version

from cognito_jwt._stats import VerifierStats
from cognito_jwt.claims import AlbClaims, CognitoClaims, UnverifiedToken, decode_unverified
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
    InvalidSignerError,
    InvalidTokenError,
    InvalidTokenUseError,
    JWKSError,
    JWKSFetchError,
    JWKSFormatError,
    MalformedTokenError,
    MissingGroupError,
    MissingTokenError,
    NotYetValidError,
    RevocationCheckError,
    RevokedTokenError,
    UnavailableError,
    UnknownKeyError,
)

if _typing.TYPE_CHECKING:
    from cognito_jwt.alb import AlbVerifier
    from cognito_jwt.revocation import RevocationList, RevocationStore
    from cognito_jwt.verifier import CognitoVerifier, MultiPoolVerifier

# A library logs, the application decides where to: without a handler of the
# application's, nothing is printed (not even through logging's last resort).
_logging.getLogger("cognito_jwt").addHandler(_logging.NullHandler())

try:
    __version__ = _version("cognito-jwt")
except _PackageNotFoundError:  # pragma: no cover - running from a source tree not installed
    __version__ = "0.0.0"

# Public names imported on first use, by the module that defines them: the
# verifiers pull in requests, python-jose and cryptography, so importing the
# package (or its pytest plugin) stays cheap. Add a name here and to __all__.
_LAZY: dict[str, str] = {
    "AlbVerifier": "cognito_jwt.alb",
    "CognitoVerifier": "cognito_jwt.verifier",
    "MultiPoolVerifier": "cognito_jwt.verifier",
    "RevocationList": "cognito_jwt.revocation",
    "RevocationStore": "cognito_jwt.revocation",
}


def __getattr__(name: str) -> _typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cognito_jwt' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    # The public names only: no submodule, no helper imported for this file's own use.
    return sorted({*__all__, *(name for name in globals() if name.startswith("__"))})


__all__ = [
    "AccessDeniedError",
    "AlbClaims",
    "AlbVerifier",
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
    "InvalidSignerError",
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
    "RevocationCheckError",
    "RevocationList",
    "RevocationStore",
    "RevokedTokenError",
    "UnavailableError",
    "UnknownKeyError",
    "UnverifiedToken",
    "VerifierStats",
    "__version__",
    "decode_unverified",
]
