"""Django REST framework example: Cognito bearer-token authentication (see README.md)."""
