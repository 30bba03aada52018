"""The example's views: any signed-in user, the ``admin`` group, the ``orders/read`` scope."""

from __future__ import annotations

from typing import Any, ClassVar

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cognito_jwt import CognitoClaims

__all__ = ["AdminView", "MeView", "OrdersView", "user_info"]


def user_info(request: Request) -> dict[str, Any]:
    """The parts of the request's verified claims these views answer with."""
    claims = request.auth
    if not isinstance(claims, CognitoClaims):  # CognitoAccess let no other request in
        raise TypeError("the request was not authenticated by CognitoAuthentication")
    return {
        "sub": claims.sub,
        "username": claims.username,
        "client_id": claims.client_id,
        "token_use": claims.token_use,
        "groups": list(claims.groups),
        "scopes": sorted(claims.scopes),
    }


class MeView(APIView):
    """Any signed-in user."""

    def get(self, request: Request) -> Response:
        """The caller's identity."""
        return Response(user_info(request))


class AdminView(APIView):
    """Members of the ``admin`` group only."""

    cognito_groups: ClassVar[tuple[str, ...]] = ("admin",)

    def get(self, request: Request) -> Response:
        """The caller's identity."""
        return Response(user_info(request))


class OrdersView(APIView):
    """Tokens with the ``orders/read`` scope only."""

    cognito_scopes: ClassVar[tuple[str, ...]] = ("orders/read",)

    def get(self, request: Request) -> Response:
        """No orders, and who asked."""
        return Response({"orders": [], "reader": user_info(request)})
