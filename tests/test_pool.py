"""Pool id and region parsing, issuer and JWKS URL derivation: cognito_jwt._pool."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cognito_jwt import _pool
from cognito_jwt.exceptions import ConfigurationError
from cognito_jwt.testing import FakeUserPool

# --------------------------------------------------------------------------- regions


@pytest.mark.parametrize(
    "region",
    [
        "eu-west-1",
        "us-east-1",
        "us-gov-west-1",
        "ap-southeast-5",
        "cn-north-1",
        "eu-central-2",
        "il-central-1",
        "ca-west-1",
        "us-isob-east-1",
        "ap-northeast-12",
    ],
)
def test_aws_region_names_are_accepted(region: str) -> None:
    assert _pool.check_region(region) == region


@pytest.mark.parametrize(
    "region",
    [
        pytest.param("", id="empty"),
        pytest.param("EU-WEST-1", id="upper-case"),
        pytest.param("eu_west_1", id="underscores"),
        pytest.param("euwest1", id="no-dashes"),
        pytest.param("eu-west", id="no-number"),
        pytest.param("eu-1", id="no-name"),
        pytest.param("e-west-1", id="one-letter-prefix"),
        pytest.param("eu-west-123", id="three-digits"),
        pytest.param("eu-west-1 ", id="trailing-space"),
        pytest.param("eu-west-1\n", id="trailing-newline"),
        pytest.param("\neu-west-1", id="leading-newline"),
        pytest.param("eu-west-\u0661", id="arabic-indic-digit"),
        pytest.param("eu-west-1.evil.example", id="host-suffix"),
        pytest.param("evil.example/eu-west-1", id="host-prefix"),
        pytest.param("eu-west-1/..", id="path"),
        pytest.param("eu-west-1#", id="fragment"),
        pytest.param("eu-west-1@evil", id="userinfo"),
    ],
)
def test_anything_else_is_not_a_region(region: str) -> None:
    with pytest.raises(ConfigurationError, match="is not an AWS region name"):
        _pool.check_region(region)


@pytest.mark.parametrize("region", [None, 1, b"eu-west-1", ["eu-west-1"]])
def test_a_region_must_be_a_str(region: object) -> None:
    with pytest.raises(ConfigurationError):
        _pool.check_region(region)


def test_configuration_errors_are_value_errors_too() -> None:
    with pytest.raises(ValueError, match="AWS region"):
        _pool.check_region("nowhere")


# --------------------------------------------------------------------------- pool ids


@pytest.mark.parametrize(
    ("pool_id", "region"),
    [
        ("eu-west-1_AbCdEf123", "eu-west-1"),
        ("us-east-1_x", "us-east-1"),
        ("us-gov-west-1_ABC123def", "us-gov-west-1"),
    ],
)
def test_a_pool_id_of_its_region_is_accepted(pool_id: str, region: str) -> None:
    assert _pool.check_pool_id(pool_id, region, strict=True) == pool_id


def test_a_pool_id_of_another_region_is_refused_naming_both() -> None:
    with pytest.raises(ConfigurationError) as info:
        _pool.check_pool_id("us-east-1_AbCdEf123", "eu-west-1", strict=True)
    message = str(info.value)
    assert "belongs to region 'us-east-1', not 'eu-west-1'" in message


@pytest.mark.parametrize(
    "pool_id",
    [
        pytest.param("eu-west-1", id="no-id"),
        pytest.param("eu-west-1_", id="empty-id"),
        pytest.param("_AbCdEf123", id="no-region"),
        pytest.param("AbCdEf123", id="no-underscore"),
        pytest.param("eu-west-1_AbC_dEf", id="two-underscores"),
        pytest.param("eu-west-1_AbC-dEf", id="dash-in-id"),
        pytest.param("eu-west-1_AbC/../x", id="path"),
        pytest.param("eu-west-1_AbC.evil", id="dot"),
        pytest.param("eu-west-1_AbC?x=1", id="query"),
        pytest.param("eu-west-1_AbC#x", id="fragment"),
        pytest.param("eu-west-1_AbC\n", id="trailing-newline"),
        pytest.param("eu-west-1_AbC ", id="trailing-space"),
        pytest.param("eu-west-1_Ab\u00e7", id="non-ascii"),
        pytest.param("EU-WEST-1_AbC", id="upper-case-region"),
        pytest.param("", id="empty"),
    ],
)
def test_a_malformed_pool_id_is_refused(pool_id: str) -> None:
    with pytest.raises(ConfigurationError, match="is not '<region>_<id>'"):
        _pool.check_pool_id(pool_id, "eu-west-1", strict=True)


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize("pool_id", [None, 7, b"eu-west-1_AbC", ["eu-west-1_AbC"]])
def test_a_pool_id_must_be_a_str(pool_id: object, strict: bool) -> None:
    with pytest.raises(ConfigurationError, match="must be a str"):
        _pool.check_pool_id(pool_id, "eu-west-1", strict=strict)


@pytest.mark.parametrize(
    "pool_id", ["local_pool", "eu-west-1_AbC", "us-east-1_AbC", "x", "A-b_C9", "p" * 128]
)
def test_a_loose_pool_id_needs_no_region(pool_id: str) -> None:
    assert _pool.check_pool_id(pool_id, "local", strict=False) == pool_id


@pytest.mark.parametrize(
    "pool_id",
    [
        pytest.param("", id="empty"),
        pytest.param("p" * 129, id="too-long"),
        pytest.param("a/b", id="slash"),
        pytest.param("..", id="dots"),
        pytest.param("a.b", id="dot"),
        pytest.param("a?b", id="query"),
        pytest.param("a#b", id="fragment"),
        pytest.param("a%2Fb", id="percent"),
        pytest.param("a b", id="space"),
        pytest.param("a\n", id="trailing-newline"),
        pytest.param("a@b", id="at"),
        pytest.param("a\\b", id="backslash"),
        pytest.param("p\u00f6\u00f6l", id="non-ascii"),
    ],
)
def test_a_loose_pool_id_still_cannot_change_a_urls_meaning(pool_id: str) -> None:
    with pytest.raises(ConfigurationError, match="unexpected characters"):
        _pool.check_pool_id(pool_id, "local", strict=False)


# --------------------------------------------------------------------------- issuers


def test_the_original_issuer() -> None:
    assert (
        _pool.original_issuer("eu-west-1", "eu-west-1_AbCdEf123")
        == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123"
    )


def test_the_updated_issuer() -> None:
    assert (
        _pool.updated_issuer("eu-west-1_AbCdEf123")
        == "https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123"
    )


@pytest.mark.parametrize(
    ("issuer", "jwks_url"),
    [
        (
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC",
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC/.well-known/jwks.json",
        ),
        (
            "https://issuer-cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC",
            "https://issuer-cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC/.well-known/jwks.json",
        ),
        (
            "http://localhost:9229/local_pool/",
            "http://localhost:9229/local_pool/.well-known/jwks.json",
        ),
        ("http://127.0.0.1:9229", "http://127.0.0.1:9229/.well-known/jwks.json"),
    ],
)
def test_the_jwks_url_of_an_issuer(issuer: str, jwks_url: str) -> None:
    assert _pool.jwks_url_for(issuer) == jwks_url


def test_a_pool_has_both_issuer_formats_of_its_home_region() -> None:
    assert _pool.derived_issuers("eu-west-1", "eu-west-1_AbC", ()) == [
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC",
        "https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC",
    ]


def test_a_replica_region_adds_its_original_issuer_and_no_updated_one() -> None:
    # The updated issuer names the primary region even in a replica's tokens (Cognito's
    # IssuerConfigurationType; aws-jwt-verify derives it from the pool id alike).
    issuers = _pool.derived_issuers("eu-west-1", "eu-west-1_AbC", ["us-east-1", "ap-south-1"])
    assert issuers == [
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC",
        "https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC",
        "https://cognito-idp.us-east-1.amazonaws.com/eu-west-1_AbC",
        "https://cognito-idp.ap-south-1.amazonaws.com/eu-west-1_AbC",
    ]
    assert not any("issuer-cognito-idp.us-east-1" in issuer for issuer in issuers)


def test_repeated_regions_give_no_repeated_issuers() -> None:
    issuers = _pool.derived_issuers(
        "eu-west-1", "eu-west-1_AbC", ["us-east-1", "eu-west-1", "us-east-1"]
    )
    assert len(issuers) == len(set(issuers)) == 3
    assert issuers[0] == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC"


def test_additional_regions_may_be_any_iterable() -> None:
    def regions() -> Iterator[str]:
        yield "us-east-1"

    assert len(_pool.derived_issuers("eu-west-1", "eu-west-1_AbC", regions())) == 3


@pytest.mark.parametrize(
    "extra", ["US-EAST-1", "us-east-1.evil.example", "", "us-east-1/", "evil.example#"]
)
def test_an_additional_region_must_be_a_region(extra: str) -> None:
    with pytest.raises(ConfigurationError, match="is not an AWS region name"):
        _pool.derived_issuers("eu-west-1", "eu-west-1_AbC", ["us-east-1", extra])


def test_the_fake_pool_uses_the_same_derivation(pool: FakeUserPool) -> None:
    assert pool.issuer == _pool.original_issuer(pool.region, pool.user_pool_id)
    assert pool.jwks_url == _pool.jwks_url_for(pool.issuer)
    assert pool.issuer in _pool.derived_issuers(pool.region, pool.user_pool_id, ())
