"""Flask example: a decorator verifying Cognito access tokens (see README.md)."""
