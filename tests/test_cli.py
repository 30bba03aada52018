"""The cognito-jwt command: demo, verify and inspect, with their exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cognito_jwt._cli import main
from cognito_jwt.testing import FakeUserPool


def run(
    capsys: pytest.CaptureFixture[str], *argv: str, stdin: str | None = None
) -> tuple[int, str, str]:
    if stdin is not None:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("sys.stdin", io.StringIO(stdin))
            code = main(list(argv))
    else:
        code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def jwks_file(pool: FakeUserPool, tmp_path: Path) -> str:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(pool.jwks))
    return str(path)


def pool_args(pool: FakeUserPool) -> list[str]:
    return ["--region", pool.region, "--pool-id", pool.user_pool_id, "--client-id", pool.client_id]


class TestDemo:
    def test_demo_accepts_valid_and_refuses_bad_tokens(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, out, err = run(capsys, "demo")
        assert code == 0, out + err
        assert err == ""
        assert out.count("   200  ") == 3
        for error in [
            "MissingTokenError",
            "ExpiredTokenError",
            "InvalidAudienceError",
            "InvalidSignatureError",
            "UnknownKeyError",
            "InvalidTokenUseError",
            "InsufficientScopeError",
        ]:
            assert f"        {error}: " in out
        assert "   401  alg: none, signature removed" in out
        assert "   403  scope orders/write missing" in out
        assert "WWW-Authenticate: Bearer\n" in out
        assert "JWKS requests so far: 1 " in out
        assert "JWKS requests in all: 2 " in out
        assert "Traceback" not in out
        assert max(len(line) for line in out.splitlines()) <= 80

    def test_console_script_is_installed(self) -> None:
        script = Path(sys.executable).with_name("cognito-jwt")
        assert script.is_file()
        done = subprocess.run(
            [str(script), "demo"], capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr
        assert "Every valid token was accepted and every bad one refused." in done.stdout


class TestVerify:
    def test_valid_token_prints_claims_as_json(
        self, capsys: pytest.CaptureFixture[str], pool: FakeUserPool, jwks_file: str
    ) -> None:
        token = pool.access_token("ivy", groups=["g"])
        code, out, err = run(
            capsys,
            "verify",
            token,
            *pool_args(pool),
            "--token-use",
            "access",
            "--jwks-file",
            jwks_file,
        )
        assert code == 0, err
        claims = json.loads(out)
        assert claims["username"] == "ivy"
        assert claims["cognito:groups"] == ["g"]

    def test_token_from_stdin(
        self, capsys: pytest.CaptureFixture[str], pool: FakeUserPool, jwks_file: str
    ) -> None:
        token = pool.id_token("jo")
        code, out, _ = run(
            capsys, "verify", "-", *pool_args(pool), "--jwks-file", jwks_file, stdin=token + "\n"
        )
        assert code == 0
        assert json.loads(out)["cognito:username"] == "jo"

    def test_without_client_id_a_note_says_any_client_is_accepted(
        self, capsys: pytest.CaptureFixture[str], pool: FakeUserPool, jwks_file: str
    ) -> None:
        token = pool.access_token(client_id="whatever")
        args = ["--region", pool.region, "--pool-id", pool.user_pool_id]
        code, _, err = run(capsys, "verify", token, *args, "--jwks-file", jwks_file)
        assert code == 0
        assert "any app client" in err

    def test_rejected_token_exits_1_with_one_line(
        self, capsys: pytest.CaptureFixture[str], pool: FakeUserPool, jwks_file: str
    ) -> None:
        token = pool.expired_token()
        code, out, err = run(capsys, "verify", token, *pool_args(pool), "--jwks-file", jwks_file)
        assert code == 1
        assert out == ""
        assert err.startswith("token rejected: ExpiredTokenError:")
        assert err.count("\n") == 1
        assert token not in err

    def test_keys_unavailable_exits_3(
        self, capsys: pytest.CaptureFixture[str], pool: FakeUserPool, jwks_server: object
    ) -> None:
        url = jwks_server.url  # type: ignore[attr-defined]
        jwks_server.status = 500  # type: ignore[attr-defined]
        code, _, err = run(
            capsys, "verify", pool.access_token(), *pool_args(pool), "--jwks-url", url
        )
        assert code == 3
        assert err.startswith("keys unavailable: JWKSFetchError:")

    def test_usage_errors_exit_2(
        self, capsys: pytest.CaptureFixture[str], pool: FakeUserPool, tmp_path: Path
    ) -> None:
        code, _, err = run(capsys, "verify", "tok")
        assert code == 2
        assert "--region" in err
        code, _, err = run(
            capsys, "verify", "tok", "--region", "eu-west-1", "--pool-id", "us-east-1_X"
        )
        assert code == 2
        assert "region" in err
        code, _, err = run(
            capsys,
            "verify",
            pool.access_token(),
            *pool_args(pool),
            "--jwks-file",
            str(tmp_path / "missing.json"),
        )
        assert code == 2
        assert "--jwks-file" in err

    def test_empty_token_is_a_usage_error(
        self, capsys: pytest.CaptureFixture[str], pool: FakeUserPool, jwks_file: str
    ) -> None:
        code, _, err = run(
            capsys, "verify", "-", *pool_args(pool), "--jwks-file", jwks_file, stdin="\n"
        )
        assert code == 2
        assert err == "cognito-jwt: error: no token in standard input\n"
        code, _, err = run(capsys, "inspect", "  ")
        assert code == 2

    def test_issuer_override_and_allow_http(
        self, capsys: pytest.CaptureFixture[str], pool: FakeUserPool, jwks_file: str
    ) -> None:
        issuer = "http://localhost.localstack.cloud:4566/eu-west-1_TestPool1"
        token = pool.access_token("lou", claims={"iss": issuer})
        args = [*pool_args(pool), "--issuer", issuer, "--jwks-file", jwks_file]
        code, out, err = run(capsys, "verify", token, *args)
        assert code == 0, err
        assert json.loads(out)["username"] == "lou"
        remote = "http://jwks.internal/keys"
        code, _, err = run(
            capsys, "verify", token, *pool_args(pool), "--issuer", issuer, "--jwks-url", remote
        )
        assert code == 2
        assert "plain http" in err

    def test_help_returns_0(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = run(capsys, "verify", "--help")
        assert code == 0
        assert "--jwks-file" in out
        assert "examples:" in out


class TestInspect:
    def test_shows_header_and_claims_not_verified(
        self, capsys: pytest.CaptureFixture[str], pool: FakeUserPool
    ) -> None:
        token = pool.access_token("kim", signing_key=pool.unpublished_key())
        code, out, _ = run(capsys, "inspect", token)
        assert code == 0
        assert out.startswith("NOT VERIFIED")
        assert '"username": "kim"' in out
        assert '"alg": "RS256"' in out
        assert "exp       " in out
        assert "(in 60 min)" in out

    def test_from_stdin(self, capsys: pytest.CaptureFixture[str], pool: FakeUserPool) -> None:
        code, out, _ = run(capsys, "inspect", "-", stdin=pool.expired_token("id"))
        assert code == 0
        assert "ago)" in out

    @pytest.mark.parametrize("token", ["not-a-token", "a.b.c.d.e", "!!!.???.x"])
    def test_undecodable_exits_1(self, capsys: pytest.CaptureFixture[str], token: str) -> None:
        code, out, err = run(capsys, "inspect", token)
        assert code == 1
        assert out == ""
        assert err.startswith("token rejected:")
