"""FastAPI example: a dependency verifying Cognito access tokens (see README.md)."""
