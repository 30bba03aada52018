"""Lambda entry points; the verifier is created once per container, at cold start.

Handlers (the function's handler setting, with this folder deployed as the
package ``lambda_authorizer``): ``lambda_authorizer.handler.http_api_handler``
for an HTTP API authorizer (payload format 2.0, simple responses) and
``lambda_authorizer.handler.rest_api_handler`` for a REST API authorizer
(``TOKEN`` or ``REQUEST``). Configuration, read when the container starts: see
``authorizer.verifier_from_env`` and ``authorizer.requirements_from_env``.
"""

from __future__ import annotations

from typing import Any

from .authorizer import (
    authorize_http_api,
    authorize_rest_api,
    requirements_from_env,
    verifier_from_env,
)

__all__ = ["REQUIREMENTS", "VERIFIER", "http_api_handler", "rest_api_handler"]

# Module level: created once per container and reused by every invocation it
# serves, so the JWKS is fetched once, not once per request.
VERIFIER = verifier_from_env()
REQUIREMENTS = requirements_from_env()


def http_api_handler(event: dict[str, Any], context: object) -> dict[str, Any]:  # noqa: ARG001
    """HTTP API authorizer: ``{"isAuthorized": ..., "context": {...}}``."""
    return authorize_http_api(event, VERIFIER, REQUIREMENTS)


def rest_api_handler(event: dict[str, Any], context: object) -> dict[str, Any]:  # noqa: ARG001
    """REST API authorizer: an IAM policy, or ``Exception("Unauthorized")``."""
    return authorize_rest_api(event, VERIFIER, REQUIREMENTS)
