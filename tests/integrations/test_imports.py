"""The adapters are optional: the core never imports a framework, a missing one names its extra."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

FRAMEWORKS = ("fastapi", "starlette", "flask", "werkzeug", "django", "rest_framework")


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_core_and_the_lambda_adapter_import_no_framework() -> None:
    done = run(
        f"""
        import json, sys
        import cognito_jwt, cognito_jwt.integrations
        from cognito_jwt.integrations import aws_lambda
        from cognito_jwt.testing import FakeUserPool
        pool = FakeUserPool()
        pool.verifier().verify(pool.access_token())
        handler = aws_lambda.http_api_authorizer(pool.verifier())
        handler({{"headers": {{"authorization": "Bearer " + pool.access_token()}}}}, None)
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in {FRAMEWORKS!r})
        print(json.dumps(loaded))
        """
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


@pytest.mark.parametrize(
    ("adapter", "hidden", "extra"),
    [
        ("fastapi", "fastapi", "fastapi"),
        ("flask", "flask", "flask"),
        ("django", "django", "django"),
        ("django", "rest_framework", "django"),
    ],
)
def test_an_adapter_without_its_framework_names_the_extra(
    adapter: str, hidden: str, extra: str
) -> None:
    done = run(
        f"""
        import sys

        class Hide:
            def find_spec(self, name, path=None, target=None):
                if name == {hidden!r} or name.startswith({hidden!r} + "."):
                    raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
                return None

        sys.meta_path.insert(0, Hide())
        try:
            import cognito_jwt.integrations.{adapter}
        except ImportError as exc:
            print(exc)
            print(type(exc.__cause__).__name__)
        """
    )
    assert done.returncode == 0, done.stderr
    message, cause = done.stdout.strip().splitlines()
    assert f'pip install "cognito-jwt[{extra}]"' in message
    assert f"cognito_jwt.integrations.{adapter}" in message
    assert cause == "ModuleNotFoundError"


def test_importing_the_integrations_package_imports_no_adapter() -> None:
    done = run(
        """
        import sys, cognito_jwt.integrations
        print(sorted(m for m in sys.modules if m.startswith("cognito_jwt.integrations.")))
        """
    )
    assert done.stdout.strip() == "[]"
