"""Thin framework adapters over the verifiers, one optional extra each.

* :mod:`cognito_jwt.integrations.fastapi` (``pip install "cognito-jwt[fastapi]"``)
* :mod:`cognito_jwt.integrations.flask` (``pip install "cognito-jwt[flask]"``)
* :mod:`cognito_jwt.integrations.django` (``pip install "cognito-jwt[django]"``,
  with Django REST framework)
* :mod:`cognito_jwt.integrations.aws_lambda` (no extra): API Gateway authorizers

Each adapter translates the framework's request into one verifier call and a
refusal into the answer its ``status_code`` and ``www_authenticate`` name:
401 and 403 with the RFC 6750 challenge, 503 when the keys cannot be had.
This package imports nothing; import the adapter you use.
"""
