"""API Gateway events in the shapes AWS documents, for the Lambda adapter's tests.

Authorizer inputs: an HTTP API ``REQUEST`` authorizer with payload format 2.0,
and REST API ``TOKEN`` and ``REQUEST`` authorizers. Integration inputs: a REST
API proxy event behind a Cognito user pool authorizer (every claim a string,
times as ``Tue Apr 04 18:39:39 UTC 2023``, groups comma-separated) and an HTTP
API (payload 2.0) event behind a JWT authorizer (numbers as strings, arrays as
``[a b]``).
"""

from __future__ import annotations

from typing import Any

ACCOUNT = "123456789012"
API = "abcdef123"
METHOD_ARN = f"arn:aws:execute-api:eu-west-1:{ACCOUNT}:{API}/prod/GET/orders/7"
STAGE_WIDE = f"arn:aws:execute-api:eu-west-1:{ACCOUNT}:{API}/prod/*"

# The route GET /orders/{id}, requested as /orders/7, as each kind of API names it.
_HTTP_API_ROUTE = {
    "version": "2.0",
    "routeKey": "GET /orders/{id}",
    "rawPath": "/orders/7",
    "rawQueryString": "",
}
_REST_API_ROUTE = {"resource": "/orders/{id}", "path": "/orders/7", "httpMethod": "GET"}


def http_api_authorizer_event(authorization: str | None) -> dict[str, Any]:
    """HTTP API Lambda authorizer, payload format 2.0; header names are lowercased."""
    headers = {"accept": "application/json", "host": f"{API}.execute-api.eu-west-1.amazonaws.com"}
    if authorization is not None:
        headers["authorization"] = authorization
    return {
        **_HTTP_API_ROUTE,
        "type": "REQUEST",
        "routeArn": METHOD_ARN,
        "identitySource": [authorization] if authorization else [],
        "cookies": [],
        "headers": headers,
        "queryStringParameters": {},
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": API,
            "domainName": f"{API}.execute-api.eu-west-1.amazonaws.com",
            "domainPrefix": API,
            "http": {
                "method": "GET",
                "path": "/orders/7",
                "protocol": "HTTP/1.1",
                "sourceIp": "192.0.2.1",
                "userAgent": "curl/8.5.0",
            },
            "requestId": "id",
            "routeKey": "GET /orders/{id}",
            "stage": "prod",
            "time": "01/Dec/2026:12:00:00 +0000",
            "timeEpoch": 1796126400000,
        },
        "pathParameters": {"id": "7"},
        "stageVariables": {},
    }


def rest_token_event(authorization: str | None) -> dict[str, Any]:
    """REST API ``TOKEN`` authorizer: the identity source's value and the method ARN."""
    event: dict[str, Any] = {"type": "TOKEN", "methodArn": METHOD_ARN}
    if authorization is not None:
        event["authorizationToken"] = authorization
    return event


def rest_request_event(authorization: str | None) -> dict[str, Any]:
    """REST API ``REQUEST`` authorizer; header names keep the client's case."""
    headers = {"Accept": "application/json", "Host": f"{API}.execute-api.eu-west-1.amazonaws.com"}
    if authorization is not None:
        headers["Authorization"] = authorization
    return {
        **_REST_API_ROUTE,
        "type": "REQUEST",
        "methodArn": METHOD_ARN,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": {},
        "multiValueQueryStringParameters": {},
        "pathParameters": {"id": "7"},
        "stageVariables": {},
        "requestContext": {
            "path": "/prod/orders/7",
            "accountId": ACCOUNT,
            "resourceId": "a1b2c3",
            "stage": "prod",
            "requestId": "id",
            "identity": {"sourceIp": "192.0.2.1", "userAgent": "curl/8.5.0"},
            "resourcePath": "/orders/{id}",
            "httpMethod": "GET",
            "apiId": API,
        },
    }


def rest_proxy_event_with_cognito_claims() -> dict[str, Any]:
    """A REST API Lambda proxy event behind a ``COGNITO_USER_POOLS`` authorizer (ID token)."""
    return {
        **_REST_API_ROUTE,
        "headers": {"Authorization": "eyJ..."},
        "requestContext": {
            "resourcePath": "/orders/{id}",
            "httpMethod": "GET",
            "stage": "prod",
            "authorizer": {
                "claims": {
                    "sub": "4f1c2d3e-0000-4000-8000-000000000001",
                    "cognito:groups": "admin,staff",
                    "email_verified": "true",
                    "iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool1",
                    "cognito:username": "alice",
                    "origin_jti": "5a6b7c8d-0000-4000-8000-000000000002",
                    "aud": "test-client",
                    "event_id": "6b7c8d9e-0000-4000-8000-000000000003",
                    "token_use": "id",
                    "auth_time": "1680629979",
                    "exp": "Tue Apr 04 18:39:39 UTC 2023",
                    "iat": "Tue Apr 04 17:39:39 UTC 2023",
                    "jti": "7c8d9e0f-0000-4000-8000-000000000004",
                    "email": "alice@example.com",
                }
            },
        },
        "body": None,
        "isBase64Encoded": False,
    }


def http_api_event_with_jwt_claims() -> dict[str, Any]:
    """An HTTP API (payload 2.0) event behind a JWT authorizer (access token)."""
    return {
        **_HTTP_API_ROUTE,
        "headers": {"authorization": "Bearer eyJ..."},
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": API,
            "authorizer": {
                "jwt": {
                    "claims": {
                        "sub": "4f1c2d3e-0000-4000-8000-000000000001",
                        "cognito:groups": "[admin staff]",
                        "iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool1",
                        "version": "2",
                        "client_id": "test-client",
                        "origin_jti": "5a6b7c8d-0000-4000-8000-000000000002",
                        "event_id": "6b7c8d9e-0000-4000-8000-000000000003",
                        "token_use": "access",
                        "scope": "orders/read openid",
                        "auth_time": "1680629979",
                        "exp": "1680633579",
                        "iat": "1680629979",
                        "jti": "7c8d9e0f-0000-4000-8000-000000000004",
                        "username": "alice",
                    },
                    "scopes": ["orders/read"],
                }
            },
            "http": {"method": "GET", "path": "/orders/7"},
            "routeKey": "GET /orders/{id}",
            "stage": "$default",
        },
        "isBase64Encoded": False,
    }
