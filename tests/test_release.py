"""The release artefacts: a wheel and an sdist that install and work on their own."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Artefacts:
    wheel: Path
    sdist: Path


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> Artefacts:
    out = tmp_path_factory.mktemp("dist")
    # --no-isolation: the pinned build backend of the test environment, no download.
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return Artefacts(wheel, sdist)


def test_twine_check_passes(artefacts: Artefacts) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "twine",
            "check",
            "--strict",
            str(artefacts.wheel),
            str(artefacts.sdist),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_wheel_contents(artefacts: Artefacts) -> None:
    with zipfile.ZipFile(artefacts.wheel) as wheel:
        names = wheel.namelist()
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        entry_text = wheel.read(entry_points).decode()
        metadata = wheel.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "cognito_jwt/py.typed" in names
    assert "cognito_jwt/testing/pytest_plugin.py" in names
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/", "examples/"))]
    assert "cognito-jwt = cognito_jwt._cli:main" in entry_text
    assert "cognito_jwt = cognito_jwt.testing.pytest_plugin" in entry_text
    requires = sorted(line for line in metadata.splitlines() if line.startswith("Requires-Dist:"))
    runtime = [r for r in requires if "extra ==" not in r]
    assert [re.split(r"[<>=; ]", r.split()[1])[0] for r in runtime] == [
        "cachetools",
        "python-jose[cryptography]",
        "requests",
        "urllib3",
    ]
    testing = {re.split(r"[<>=; ]", r.split()[1])[0] for r in requires if "'testing'" in r}
    assert testing == {"pytest", "responses"}
    extras = {
        extra: {re.split(r"[<>=; ]", r.split()[1])[0] for r in requires if f"'{extra}'" in r}
        for extra in ("fastapi", "flask", "django")
    }
    assert extras == {
        "fastapi": {"fastapi"},
        "flask": {"flask"},
        "django": {"django", "djangorestframework"},
    }
    for adapter in ("__init__", "_common", "fastapi", "flask", "django", "aws_lambda"):
        assert f"cognito_jwt/integrations/{adapter}.py" in names


def test_sdist_contents(artefacts: Artefacts) -> None:
    with tarfile.open(artefacts.sdist) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    for expected in (
        "pyproject.toml",
        "README.md",
        "CHANGELOG.md",
        "LICENSE",
        "SECURITY.md",
        "cognito_jwt/py.typed",
    ):
        assert expected in names


@dataclass(frozen=True)
class FreshVenv:
    root: Path
    python: Path
    site: Path


@pytest.fixture(scope="module")
def fresh_venv(artefacts: Artefacts, tmp_path_factory: pytest.TempPathFactory) -> FreshVenv:
    """A new virtual environment with the wheel and its framework extras installed."""
    root = tmp_path_factory.mktemp("fresh")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # The dependencies come from the test environment (no download); cognito_jwt
    # itself only from the wheel: a .pth file's folder is searched, its .pth files
    # (such as the editable install's) are not. pip resolves the wheel's
    # requirements, the framework extras' included, against those pinned versions.
    (site / "_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-index",
            f"{artefacts.wheel}[fastapi,flask,django]",
        ],
        check=True,
        timeout=300,
    )
    return FreshVenv(root, python, site)


def test_wheel_installs_and_works_in_a_fresh_environment(
    artefacts: Artefacts, fresh_venv: FreshVenv
) -> None:
    python, site, tmp_path, venv = (
        fresh_venv.python,
        fresh_venv.site,
        fresh_venv.root,
        fresh_venv.root / "venv",
    )
    probe = (
        "import json, importlib.metadata as md, pathlib, cognito_jwt\n"
        "from cognito_jwt.testing import FakeUserPool\n"
        "pool = FakeUserPool()\n"
        "claims = pool.verifier(token_use='access').verify(pool.access_token('wheel'))\n"
        "print(json.dumps({\n"
        "  'file': cognito_jwt.__file__,\n"
        "  'version': cognito_jwt.__version__,\n"
        "  'typed': (pathlib.Path(cognito_jwt.__file__).parent / 'py.typed').is_file(),\n"
        "  'plugin': [e.value for e in md.entry_points(group='pytest11')\n"
        "             if e.name == 'cognito_jwt'],\n"
        "  'username': claims.username,\n"
        "}))\n"
    )
    done = subprocess.run(
        [str(python), "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        timeout=120,
    )
    facts = json.loads(done.stdout)
    assert facts["file"].startswith(str(site))
    assert facts["version"] == artefacts.wheel.name.split("-")[1]
    assert facts["typed"] is True
    assert facts["plugin"] == ["cognito_jwt.testing.pytest_plugin"]
    assert facts["username"] == "wheel"
    cli = subprocess.run(
        [str(venv / "bin" / "cognito-jwt"), "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert cli.returncode == 0
    assert "verify" in cli.stdout
    assert "inspect" in cli.stdout
    assert "demo" in cli.stdout


# Each adapter of the installed wheel, in its framework, end to end: a refusal and a pass.
_ADAPTERS_PROBE = """
import json
import django
from django.conf import settings

from cognito_jwt.testing import FakeUserPool

pool = FakeUserPool()
verifier = pool.verifier(token_use="access")
good = {"Authorization": "Bearer " + pool.access_token("wheel", scopes=["orders/read"])}
seen = {}

from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from cognito_jwt.integrations.fastapi import CognitoAuth as FastAPIAuth

auth = FastAPIAuth(verifier)
api = FastAPI()
api.get("/me")(lambda claims=Depends(auth.require(scopes="orders/read")): claims.username)
client = TestClient(api)
seen["fastapi"] = [client.get("/me").status_code, client.get("/me", headers=good).json()]

from flask import Flask
from cognito_jwt.integrations.flask import CognitoAuth as FlaskAuth, current_claims

app = Flask("probe")
flask_auth = FlaskAuth(app, verifier=verifier)
app.get("/me")(flask_auth.required(lambda: current_claims().username))
client = app.test_client()
seen["flask"] = [client.get("/me").status_code, client.get("/me", headers=good).text]

settings.configure(
    INSTALLED_APPS=["rest_framework"],
    REST_FRAMEWORK={"UNAUTHENTICATED_USER": None},
    COGNITO_JWT={"VERIFIER": verifier},
)
django.setup()
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from cognito_jwt.integrations.django import CognitoAuthentication, HasScopes

@api_view(["GET"])
@authentication_classes([CognitoAuthentication])
@permission_classes([HasScopes("orders/read")])
def me(request):
    return Response(request.user.username)

factory = APIRequestFactory()
seen["django"] = [
    me(factory.get("/me")).status_code,
    me(factory.get("/me", HTTP_AUTHORIZATION=good["Authorization"])).data,
]

from cognito_jwt.integrations.aws_lambda import http_api_authorizer

handler = http_api_authorizer(verifier, scopes="orders/read")
seen["aws_lambda"] = [
    handler({"headers": {}}, None)["isAuthorized"],
    handler({"headers": {"authorization": good["Authorization"]}}, None)["context"]["username"],
]
import cognito_jwt.integrations.fastapi as module

seen["file"] = module.__file__
print(json.dumps(seen))
"""


def test_the_wheel_s_framework_adapters_work_in_a_fresh_environment(
    fresh_venv: FreshVenv,
) -> None:
    python, site, tmp_path = fresh_venv.python, fresh_venv.site, fresh_venv.root
    done = subprocess.run(
        [str(python), "-c", _ADAPTERS_PROBE],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen.pop("file").startswith(str(site))
    assert seen == {
        "fastapi": [401, "wheel"],
        "flask": [401, "wheel"],
        "django": [401, "wheel"],
        "aws_lambda": [False, "wheel"],
    }
