"""Client example: get Cognito tokens and call an API with them (see README.md)."""
