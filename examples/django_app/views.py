"""Any signed-in user, the ``admin`` group, the ``orders/read`` scope."""

from __future__ import annotations

from typing import cast

from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from cognito_jwt import CognitoClaims
from cognito_jwt.integrations.django import HasScopes, InGroups


@api_view(["GET"])
def me(request: Request) -> Response:
    """The caller: ``request.user`` is a ``CognitoUser``, ``request.auth`` the claims."""
    claims = cast(CognitoClaims, request.auth)  # CognitoAuthentication authenticated the request
    return Response({"username": str(request.user), "groups": list(claims.groups)})


@api_view(["GET"])
@permission_classes([InGroups("admin")])
def admin(request: Request) -> Response:
    """Members of the ``admin`` group only."""
    return Response(f"hello, {request.user}")


@api_view(["GET"])
@permission_classes([IsAuthenticated, HasScopes("orders/read")])
def orders(request: Request) -> Response:
    """Tokens with the ``orders/read`` scope only."""
    return Response({"orders": [], "reader": request.user.pk})
