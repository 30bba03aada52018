"""Minimal settings: Django REST framework with Cognito authentication, no database.

Every value a deployment changes comes from the environment: the ``COGNITO_*``
variables (read by ``authentication.get_verifier()`` through ``COGNITO``) and
the ``DJANGO_*`` ones.
"""

from __future__ import annotations

import os
from typing import Any

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-key-for-the-example-only")
DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")

ROOT_URLCONF = "examples.django_app.urls"
INSTALLED_APPS = ["rest_framework"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
DATABASES: dict[str, Any] = {}  # the token is the identity: no user table
USE_TZ = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "examples.django_app.authentication.CognitoAuthentication",
    ],
    # Signed in, plus the groups and scopes a view names (cognito_groups, cognito_scopes).
    "DEFAULT_PERMISSION_CLASSES": ["examples.django_app.authentication.CognitoAccess"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": None,  # no django.contrib.auth: no AnonymousUser either
}

# The user pool whose tokens this API accepts (see authentication.get_verifier()).
COGNITO = {
    "REGION": os.environ.get("COGNITO_REGION", ""),
    "USER_POOL_ID": os.environ.get("COGNITO_USER_POOL_ID", ""),
    "CLIENT_IDS": os.environ.get("COGNITO_CLIENT_IDS", ""),  # comma-separated
    "TOKEN_USE": os.environ.get("COGNITO_TOKEN_USE", "access"),  # access, id or any
    "JWKS_URL": os.environ.get("COGNITO_JWKS_URL", ""),  # an emulator's, if any
}
