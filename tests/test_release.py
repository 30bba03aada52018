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


def test_wheel_installs_and_works_in_a_fresh_environment(
    artefacts: Artefacts, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
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
    # (such as the editable install's) are not.
    (site / "_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            str(artefacts.wheel),
        ],
        check=True,
        timeout=300,
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
