"""What every framework adapter answers, for the adapters' and the examples' tests.

The RFC 6750 challenges of the refusals, the requests that carry no bearer
token, and the tokens each adapter must refuse with 401.
"""

from __future__ import annotations

import pytest

from cognito_jwt.testing import FakeUserPool

INVALID = 'Bearer error="invalid_token", error_description="The access token is invalid"'
MALFORMED = 'Bearer error="invalid_token", error_description="The access token is malformed"'
EXPIRED = 'Bearer error="invalid_token", error_description="The access token expired"'
FORBIDDEN = (
    'Bearer error="insufficient_scope", '
    'error_description="The access token does not grant this request"'
)
NEEDS_ORDERS_READ = FORBIDDEN + ', scope="orders/read"'

# Parametrizes a test's ``headers``: requests with no bearer token, a plain
# ``Bearer`` challenge for each (RFC 6750 section 3.1).
no_token_headers = pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": ""}, {"Authorization": "Bearer"}, {"Authorization": "Basic dTpw"}],
    ids=["no-header", "empty", "bearer-alone", "basic"],
)


def bearer(token: str) -> dict[str, str]:
    """The request headers that carry ``token``."""
    return {"Authorization": f"Bearer {token}"}


def bad_tokens(pool: FakeUserPool) -> dict[str, str]:
    """Tokens an access-token verifier of ``pool`` refuses with 401, and the challenge of each."""
    return {
        "not-a-jwt": MALFORMED,
        pool.expired_token("access"): EXPIRED,
        pool.access_token(client_id="someone-else"): INVALID,
        pool.id_token(): INVALID,  # an ID token where access tokens are required
        pool.access_token(signing_key=pool.unpublished_key()): INVALID,
    }
