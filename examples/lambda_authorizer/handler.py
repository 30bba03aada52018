"""Lambda entry points: ``lambda_authorizer.handler.http_api_handler`` or ``.rest_api_handler``.

The verifier is created at module level, once per container (at cold start),
and reused by every invocation: the pool's keys are fetched once per container.
"""

from __future__ import annotations

import os

from cognito_jwt import CognitoVerifier
from cognito_jwt.integrations.aws_lambda import http_api_authorizer, rest_api_authorizer

VERIFIER = CognitoVerifier(
    os.environ["COGNITO_REGION"],
    os.environ["COGNITO_USER_POOL_ID"],
    client_ids=os.environ["COGNITO_CLIENT_IDS"].split(","),
    token_use="access",
    jwks_url=os.environ.get("COGNITO_JWKS_URL"),
)
SCOPES = os.environ.get("COGNITO_REQUIRED_SCOPES", "").split()
GROUPS = os.environ.get("COGNITO_ALLOWED_GROUPS", "").split()

http_api_handler = http_api_authorizer(VERIFIER, scopes=SCOPES, groups=GROUPS)
rest_api_handler = rest_api_authorizer(VERIFIER, scopes=SCOPES, groups=GROUPS)
