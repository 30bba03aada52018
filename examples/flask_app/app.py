"""Flask: views protected by ``cognito_jwt.integrations.flask.CognitoAuth``.

Run it from the repository root (see README.md)::

    flask --app examples.flask_app.app run
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from cognito_jwt.integrations.flask import CognitoAuth, current_claims

auth = CognitoAuth()


def create_app(**config: Any) -> Flask:
    """The application, configured by the ``COGNITO_*`` environment variables and ``config``."""
    app = Flask(__name__)
    app.config.update({k: v for k, v in os.environ.items() if k.startswith("COGNITO_")})
    app.config.update(config)
    auth.init_app(app)

    @app.get("/me")
    @auth.required
    def me() -> dict[str, Any]:
        return {"username": current_claims().username, "groups": list(current_claims().groups)}

    @app.get("/admin")
    @auth.required(groups="admin")
    def admin() -> str:
        return f"hello, {current_claims().username}"

    @app.get("/orders/<int:order_id>")
    @auth.required(scopes="orders/read")
    def order(order_id: int) -> dict[str, Any]:
        return {"order": order_id, "reader": current_claims().sub}

    return app
