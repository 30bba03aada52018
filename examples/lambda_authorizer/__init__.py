"""AWS Lambda authorizers for API Gateway HTTP and REST APIs (see README.md)."""
