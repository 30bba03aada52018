"""Django REST framework example: cognito_jwt.integrations.django (see README.md)."""
