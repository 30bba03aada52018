"""FastAPI: routes protected by ``cognito_jwt.integrations.fastapi.CognitoAuth``.

Run it from the repository root (see README.md)::

    uvicorn --factory examples.fastapi_app.app:create_app
"""

# No "from __future__ import annotations": FastAPI reads the routes' annotations,
# which name the "auth" of create_app().
import os
from typing import Annotated, Any

from fastapi import Depends, FastAPI

from cognito_jwt import CognitoClaims, CognitoVerifier
from cognito_jwt.integrations.fastapi import CognitoAuth


def create_app(verifier: CognitoVerifier | None = None) -> FastAPI:
    """The application, with ``verifier`` or one for the pool the environment names."""
    auth = CognitoAuth(
        verifier
        or CognitoVerifier(
            os.environ["COGNITO_REGION"],
            os.environ["COGNITO_USER_POOL_ID"],
            client_ids=os.environ["COGNITO_CLIENT_IDS"].split(","),
            token_use="access",
            jwks_url=os.environ.get("COGNITO_JWKS_URL"),
        )
    )
    app = FastAPI(title="cognito-jwt FastAPI example")

    @app.get("/me")
    async def me(claims: Annotated[CognitoClaims, Depends(auth)]) -> dict[str, Any]:
        return {"username": claims.username, "groups": list(claims.groups)}

    @app.get("/admin")
    def admin(claims: Annotated[CognitoClaims, Depends(auth.require(groups="admin"))]) -> str:
        return f"hello, {claims.username}"

    @app.get("/orders")
    async def orders(
        claims: Annotated[CognitoClaims, Depends(auth.require(scopes="orders/read"))],
    ) -> dict[str, Any]:
        return {"orders": [], "reader": claims.sub}

    return app
