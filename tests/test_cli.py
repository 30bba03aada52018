"""The cognito-jwt command: demo, verify and inspect, with their exit codes."""

from __future__ import annotations

import io
import json
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

import cognito_jwt
from cognito_jwt import CognitoVerifier
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


class TestVersionAndOptions:
    def test_version(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = run(capsys, "--version")
        assert code == 0
        assert out == f"cognito-jwt {cognito_jwt.__version__}\n"

    def test_verify_scope_and_group(
        self, capsys: pytest.CaptureFixture[str], pool: FakeUserPool, jwks_file: str
    ) -> None:
        token = pool.access_token("amy", groups=["staff"], scopes=["orders/read", "profile"])
        base = ["verify", token, *pool_args(pool), "--jwks-file", jwks_file]
        code, out, _ = run(capsys, *base, "--scope", "orders/read", "--scope", "profile")
        assert code == 0
        assert json.loads(out)["username"] == "amy"
        code, _, err = run(capsys, *base, "--group", "admin", "--group", "staff")
        assert code == 0, err
        code, _, err = run(capsys, *base, "--scope", "orders/write")
        assert code == 1
        assert "InsufficientScopeError" in err
        code, _, err = run(capsys, *base, "--group", "admin")
        assert code == 1
        assert "MissingGroupError" in err
        code, _, err = run(capsys, *base, "--scope", "orders/read profile")
        assert code == 2
        assert "one scope containing whitespace" in err


class TestInspectMessages:
    def test_a_bearer_prefix_is_removed_with_a_note(
        self, capsys: pytest.CaptureFixture[str], pool: FakeUserPool
    ) -> None:
        code, out, err = run(capsys, "inspect", f"Bearer {pool.access_token('ned')}")
        assert code == 0
        assert '"username": "ned"' in out
        assert "'Bearer ' prefix was removed" in err

    @pytest.mark.parametrize(
        ("token", "message"),
        [
            ("abc", "token has 1 segment separated by dots; a signed JWT has 3"),
            ("a.b.c.d", "token has 4 segments separated by dots; a signed JWT has 3"),
            (
                "a.b.c.d.e",
                "token has 5 segments: it is a JWE (such as a refresh token), not a signed JWT",
            ),
            ("e30.e30.c2ln=", "token has base64 padding ('='), which a JWT never carries"),
            ("bm90IGpzb24.e30.c2ln", "header is not valid JSON"),
            ("abc.def\x01.ghi", "token contains characters outside unpadded base64url"),
        ],
    )
    def test_messages_are_the_library_s_own(
        self, capsys: pytest.CaptureFixture[str], token: str, message: str
    ) -> None:
        code, out, err = run(capsys, "inspect", token)
        assert code == 1
        assert out == ""
        assert err == f"token rejected: {message}\n"
        for raw in ("Incorrect padding", "Expecting value", "base64-encoded", "codec"):
            assert raw not in err
        if "5 segments" not in message:
            assert "encrypted" not in err
            assert "JWE" not in err


def _console_script() -> list[str]:
    script = Path(sys.executable).with_name("cognito-jwt")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "cognito_jwt._cli"]


class TestFakePool:
    def test_end_to_end_a_service_verifies_its_tokens_over_loopback(self) -> None:
        command = [*_console_script(), "fake-pool", "--port", "0", "--group", "staff"]
        command += ["--scope", "orders/read", "--client-id", "web", "--user", "pat"]
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            assert process.stdout is not None
            lines: list[str] = []
            for line in process.stdout:
                lines.append(line.rstrip("\n"))
                if line.startswith("Press Ctrl-C"):
                    break
            named = [line.split(None, 1) for line in lines if line[:1].isalpha() and " " in line]
            fields = dict(named)
            jwks_url = fields["jwks_url"]
            assert jwks_url.startswith("http://127.0.0.1:")
            verifier = CognitoVerifier(
                "eu-west-1",
                "eu-west-1_FakePool1",
                client_ids="web",
                token_use="access",
                jwks_url=jwks_url,
            )
            claims = verifier.verify(fields["access_token"])
            assert (claims.username, claims.groups, claims.scopes) == (
                "pat",
                ("staff",),
                frozenset({"orders/read"}),
            )
            base = jwks_url.split("/eu-west-1_FakePool1/")[0]
            fresh = requests.get(f"{base}/token/access", timeout=10).text
            assert fresh != fields["access_token"] or fresh
            assert verifier.verify(fresh).username == "pat"
            id_token = requests.get(f"{base}/token/id", timeout=10).text
            assert verifier.verify(id_token, token_use="id").username == "pat"
            assert requests.get(f"{base}/other", timeout=10).status_code == 404
            text = "\n".join(lines)
            assert f'jwks_url="{jwks_url}"' in text
            assert f'curl -H "Authorization: Bearer $(curl -s {base}/token/access)"' in text
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=30)
        finally:
            if process.poll() is None:  # pragma: no cover - only when an assertion failed
                process.kill()
                process.wait()
        assert process.returncode == 0, err
        assert "fake pool stopped" in out
        assert "Traceback" not in err

    def test_for_seconds_stops_by_itself(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, err = run(capsys, "fake-pool", "--port", "0", "--for", "0")
        assert code == 0, err
        assert "Stopping after 0 s" in out
        assert out.endswith("fake pool stopped\n")

    def test_the_pool_id_follows_the_region(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, err = run(
            capsys, "fake-pool", "--port", "0", "--for", "0", "--region", "cn-north-1"
        )
        assert code == 0, err
        issuer = "https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_FakePool1"
        assert f"issuer        {issuer}\n" in out

    def test_a_port_in_use_is_a_usage_error(self, capsys: pytest.CaptureFixture[str]) -> None:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            code, out, err = run(capsys, "fake-pool", "--port", str(port), "--for", "0")
        assert code == 2
        assert out == ""
        assert f"cannot serve on 127.0.0.1:{port}" in err

    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            (["--scope", "a b"], "one scope containing whitespace"),
            (["--region", "mars-1"], "not an AWS region name"),
            (["--port", "70000"], "--port must be 0 to 65535"),
            (["--for", "-1"], "--for must be"),
        ],
    )
    def test_bad_options_are_usage_errors(
        self, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
    ) -> None:
        code, out, err = run(capsys, "fake-pool", "--port", "0", "--for", "0", *argv)
        assert code == 2
        assert out == ""
        assert message in err


class TestAlb:
    """ALB tokens: inspected with their header, verified with --alb-arn against served keys."""

    def test_inspect_shows_an_alb_token(self, capsys: pytest.CaptureFixture[str]) -> None:
        from cognito_jwt.testing import FakeAlb

        alb = FakeAlb()
        code, out, _ = run(capsys, "inspect", alb.token())
        assert code == 0
        assert "kind: Application Load Balancer token (x-amzn-oidc-data), ES256" in out
        assert "base64 padding kept" in out
        assert alb.alb_arn in out
        assert "header exp" in out

    def test_verify_with_alb_arn(self, capsys: pytest.CaptureFixture[str]) -> None:
        from cognito_jwt.testing import FakeAlb

        pool = FakeUserPool()
        alb = FakeAlb(user_pool=pool)
        with alb.serve() as url:
            base = ["--alb-arn", alb.alb_arn, "--keys-url", url, "--client-id", pool.client_id]
            pool_names = ["--region", pool.region, "--pool-id", pool.user_pool_id]
            code, out, err = run(capsys, "verify", "-", *base, *pool_names, stdin=alb.token())
            assert code == 0, err
            assert json.loads(out)["username"] == "alice"
            other = alb.token(headers={"client": "other"})
            code, _, err = run(capsys, "verify", other, *base, *pool_names)
            assert code == 1
            assert "InvalidAudienceError" in err
            code, _, err = run(capsys, "verify", alb.token(), *base, "--issuer", "https://x.example")
            assert code == 1
            assert "InvalidIssuerError" in err
        code, _, err = run(capsys, "verify", alb.token(), *base, "--token-use", "id")
        assert code == 2
        code, _, err = run(capsys, "verify", alb.token(), "--keys-url", "https://k.example")
        assert code == 2
        assert "--region and --pool-id are required" in err
