"""Tested examples of cognito-jwt in web frameworks, AWS Lambda and a client.

Each subpackage is one self-contained example with a README; the tests are in
``tests/examples``. Run them from the repository root (``python -m ...``).
"""
