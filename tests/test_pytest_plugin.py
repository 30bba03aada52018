"""The pytest plugin, proven with pytest's own pytester against the installed package."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest


def test_registered_as_pytest11_entry_point() -> None:
    found = [ep for ep in entry_points(group="pytest11") if ep.name == "cognito_jwt"]
    assert [ep.value for ep in found] == ["cognito_jwt.testing.pytest_plugin"]


def test_fixtures_available_without_configuration(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from cognito_jwt import InvalidAudienceError
        from cognito_jwt.testing import FakeUserPool

        def test_pool_and_verifier(cognito_pool, cognito_verifier):
            assert isinstance(cognito_pool, FakeUserPool)
            assert cognito_pool.client_id == "test-client"
            claims = cognito_verifier.verify(cognito_pool.access_token("zoe", groups=["ops"]))
            assert claims.username == "zoe"
            assert claims.groups == ("ops",)

        def test_other_client_refused(cognito_pool, cognito_verifier):
            with pytest.raises(InvalidAudienceError):
                cognito_verifier.verify(cognito_pool.id_token(client_id="someone-else"))
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=2)


def test_configuration_fixture_can_be_overridden(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def cognito_pool_config():
            return {"region": "us-east-2", "user_pool_id": "us-east-2_Mine", "client_id": "web"}
        """
    )
    pytester.makepyfile(
        """
        def test_uses_my_pool(cognito_pool, cognito_verifier):
            assert cognito_pool.issuer == (
                "https://cognito-idp.us-east-2.amazonaws.com/us-east-2_Mine"
            )
            assert cognito_verifier.verify(cognito_pool.id_token()).client_id == "web"
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)


def test_disabled_with_no_cognito_jwt(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_needs_fixture(cognito_pool):
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cognito_jwt")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'cognito_pool' not found*"])


def test_plugin_import_does_not_load_the_library(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import sys

        def test_lazy():
            assert "cognito_jwt.testing.pytest_plugin" in sys.modules
            assert "cognito_jwt.verifier" not in sys.modules
            assert "jose" not in sys.modules
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)


def test_revocation_fixture_is_a_fresh_in_memory_list(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from cognito_jwt import RevocationList, RevokedTokenError
        from cognito_jwt.revocation import MemoryRevocationStore

        def test_logout_refuses_the_token(cognito_pool, cognito_revocation):
            assert isinstance(cognito_revocation, RevocationList)
            assert isinstance(cognito_revocation.store, MemoryRevocationStore)
            verifier = cognito_pool.verifier(revocation=cognito_revocation)
            token = cognito_pool.access_token("zoe")
            verifier.verify(token)
            cognito_revocation.revoke(token)
            with pytest.raises(RevokedTokenError):
                verifier.verify(token)

        def test_each_test_gets_an_empty_list(cognito_revocation):
            assert len(cognito_revocation.store) == 0
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=2)


def test_the_config_carries_what_the_fixture_verifier_accepts(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def cognito_pool_config():
            return {
                "region": "eu-west-1",
                "user_pool_id": "eu-west-1_Mine",
                "client_id": "web",
                "token_use": "access",
                "client_ids": "mobile",
            }
        """
    )
    pytester.makepyfile(
        """
        import pytest
        from cognito_jwt import InvalidAudienceError, InvalidTokenUseError

        def test_an_id_token_is_refused_as_the_app_would(cognito_pool, cognito_verifier):
            with pytest.raises(InvalidTokenUseError):
                cognito_verifier.verify(cognito_pool.id_token(client_id="mobile"))

        def test_client_ids_is_one_name_and_replaces_the_pool_s(cognito_pool, cognito_verifier):
            assert cognito_verifier.verify(cognito_pool.access_token(client_id="mobile"))
            with pytest.raises(InvalidAudienceError):
                cognito_verifier.verify(cognito_pool.access_token())  # client "web"
            with pytest.raises(InvalidAudienceError):
                cognito_verifier.verify(cognito_pool.access_token(client_id="m"))
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=2)


def test_an_unknown_config_key_is_named(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def cognito_pool_config():
            return {"region": "eu-west-1", "user_pool_id": "eu-west-1_Mine", "tokenuse": "id"}
        """
    )
    pytester.makepyfile(
        """
        def test_pool(cognito_pool):
            pass
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*unknown key(s) tokenuse*"])
