"""Minimal settings: Django REST framework with Cognito authentication, no database.

The user pool comes from the ``COGNITO_*`` environment variables, the rest
from the ``DJANGO_*`` ones.
"""

from __future__ import annotations

import os
from typing import Any

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-key-for-the-example-only")
DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
ROOT_URLCONF = "examples.django_app.urls"
INSTALLED_APPS = ["rest_framework"]
DATABASES: dict[str, Any] = {}  # the token is the identity: no user table
USE_TZ = True

COGNITO_JWT = {
    "REGION": os.environ.get("COGNITO_REGION", ""),
    "USER_POOL_ID": os.environ.get("COGNITO_USER_POOL_ID", ""),
    "CLIENT_IDS": os.environ.get("COGNITO_CLIENT_IDS", ""),  # comma-separated
    "TOKEN_USE": os.environ.get("COGNITO_TOKEN_USE", "access"),  # access, id or any
    "JWKS_URL": os.environ.get("COGNITO_JWKS_URL") or None,  # an emulator's, if any
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["cognito_jwt.integrations.django.CognitoAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,  # no django.contrib.auth: no AnonymousUser either
}
