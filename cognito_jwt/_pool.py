"""Pool id and region parsing, the issuers and JWKS URLs they imply, key URL rules: pure."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from cognito_jwt.exceptions import ConfigurationError

# AWS region names in every partition: "eu-west-1", "us-gov-west-1", "cn-north-1",
# "eusc-de-east-1", "us-isob-east-1": a short area code, one to three words, a number.
_REGION = re.compile(r"[a-z]{2,4}(?:-[a-z]+){1,3}-[0-9]{1,2}")
# Every partition other than the commercial one ("aws", whose regions have no
# prefix of their own): (partition, region-name prefix, DNS suffix), as the AWS
# SDKs' partition data gives them. The one place a region's partition is known:
# issuer domains and the partition of an ALB's region both come from it. Cognito
# documents its endpoints for China; for the European Sovereign Cloud and the
# isolated partitions the suffix is the partition's, not confirmed for Cognito's
# issuer (the docs say so; issuer= overrides).
_PARTITIONS = (
    ("aws-us-gov", "us-gov-", "amazonaws.com"),
    ("aws-cn", "cn-", "amazonaws.com.cn"),
    ("aws-eusc", "eusc-", "amazonaws.eu"),
    ("aws-iso-b", "us-isob-", "sc2s.sgov.gov"),
    ("aws-iso-f", "us-isof-", "csp.hci.ic.gov"),
    ("aws-iso", "us-iso-", "c2s.ic.gov"),
    ("aws-iso-e", "eu-isoe-", "cloud.adc-e.uk"),
)
_COMMERCIAL = "aws"
_COMMERCIAL_DOMAIN = "amazonaws.com"
# "<region>_<id>": the id part is letters and digits (Cognito uses 9 of them).
_POOL_ID = re.compile(r"(?P<region>[a-z0-9-]+)_(?P<id>[0-9A-Za-z]+)")
# Without a region check (emulators): still nothing that could change a URL's meaning.
_LOOSE_POOL_ID = re.compile(r"[0-9A-Za-z_-]{1,128}")

JWKS_PATH = "/.well-known/jwks.json"


def check_region(region: object) -> str:
    """Return ``region`` if it looks like an AWS region name.

    Raises:
        ConfigurationError: it does not.

    """
    if not isinstance(region, str) or not _REGION.fullmatch(region):
        raise ConfigurationError(f"region {region!r} is not an AWS region name like 'eu-west-1'")
    return region


def check_pool_id(user_pool_id: object, region: str, *, strict: bool) -> str:
    """Return ``user_pool_id`` if it is ``<region>_<id>`` for ``region``.

    With ``strict=False`` (an overridden issuer, for emulators) only its
    characters are checked.

    Raises:
        ConfigurationError: the id is malformed or names another region.

    """
    if not isinstance(user_pool_id, str):
        raise ConfigurationError(f"user_pool_id must be a str, not {type(user_pool_id).__name__}")
    if not strict:
        if not _LOOSE_POOL_ID.fullmatch(user_pool_id):
            raise ConfigurationError(f"user_pool_id {user_pool_id!r} has unexpected characters")
        return user_pool_id
    match = _POOL_ID.fullmatch(user_pool_id)
    if match is None:
        raise ConfigurationError(
            f"user_pool_id {user_pool_id!r} is not '<region>_<id>' like 'eu-west-1_AbCdEf123'"
        )
    if match["region"] != region:
        raise ConfigurationError(
            f"user_pool_id {user_pool_id!r} belongs to region {match['region']!r}, not {region!r}"
        )
    return user_pool_id


def domain_for(region: str) -> str:
    """The DNS suffix of ``region``'s partition: ``amazonaws.com``, ``amazonaws.com.cn``..."""
    for _, prefix, domain in _PARTITIONS:
        if region.startswith(prefix):
            return domain
    return _COMMERCIAL_DOMAIN


def primary_region(user_pool_id: str) -> str:
    """The region a pool id names (the pool's primary region): the part before ``_``."""
    return user_pool_id.partition("_")[0]


def original_issuer(region: str, user_pool_id: str) -> str:
    """The issuer Cognito has always used: ``https://cognito-idp.{region}.{domain}/{pool}``."""
    return f"https://cognito-idp.{region}.{domain_for(region)}/{user_pool_id}"


def updated_issuer(user_pool_id: str) -> str:
    """The pool's updated issuer: ``https://issuer-cognito-idp.{primary region}.{domain}/{pool}``.

    It always names the pool's primary region (the one in its id), also in the
    tokens a replica region issues.
    """
    region = primary_region(user_pool_id)
    return f"https://issuer-cognito-idp.{region}.{domain_for(region)}/{user_pool_id}"


def jwks_url_for(issuer: str) -> str:
    """The JWKS URL an issuer publishes its keys at."""
    return issuer.rstrip("/") + JWKS_PATH


def derived_issuers(region: str, user_pool_id: str, additional_regions: Iterable[str]) -> list[str]:
    """Every issuer a pool's tokens may carry, the primary one first.

    The original issuer of the home region and of each additional (replica)
    region, and the one updated issuer, which names the primary region whatever
    region issued the token: Cognito never issues an updated issuer naming a
    replica, nor publishes keys under one.

    Raises:
        ConfigurationError: an additional region is not a region name.

    """
    regions = [region]
    for extra in additional_regions:
        check_region(extra)
        if extra not in regions:
            regions.append(extra)
    issuers = [original_issuer(region, user_pool_id), updated_issuer(user_pool_id)]
    issuers.extend(original_issuer(name, user_pool_id) for name in regions[1:])
    return issuers


# An Application Load Balancer's ARN:
# arn:<partition>:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>
_ALB_ARN = re.compile(
    r"arn:(?P<partition>aws(?:-[a-z]+)*):elasticloadbalancing:(?P<region>[a-z0-9-]+)"
    r":(?P<account>[0-9]{12}):loadbalancer/app/(?P<name>[A-Za-z0-9-]{1,32})/(?P<id>[0-9a-f]+)"
)
# The partitions whose load balancers' key URL is known (see alb_keys_url).
_ALB_KEY_PARTITIONS = frozenset({_COMMERCIAL, "aws-us-gov", "aws-cn"})


def alb_region(arn: object) -> tuple[str, str]:
    """Return the ``(partition, region)`` of an Application Load Balancer's ARN.

    Raises:
        ConfigurationError: ``arn`` is not an ALB ARN, or its region does not
            belong to its partition.

    """
    if not isinstance(arn, str):
        raise ConfigurationError(f"alb_arns must hold str, not {type(arn).__name__}")
    match = _ALB_ARN.fullmatch(arn)
    if match is None:
        raise ConfigurationError(
            f"{arn!r} is not an Application Load Balancer ARN like 'arn:aws:elasticloadbalancing:"
            "eu-west-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188'"
        )
    partition, region = match["partition"], check_region(match["region"])
    # A region whose name places it in a partition must be in the ARN's; the
    # partitions with a derived key URL must name one of their own regions.
    of_region = partition_of(region)
    in_partition = of_region == partition or (
        of_region == _COMMERCIAL and partition not in _ALB_KEY_PARTITIONS
    )
    if not in_partition:
        raise ConfigurationError(
            f"ARN {arn!r} names region {region!r}, which is not in partition {partition!r}"
        )
    return partition, region


def alb_keys_url(partition: str, region: str) -> str:
    """The URL under which a region's load balancers publish their keys, ``{url}/{kid}``.

    As AWS documents it for the standard regions and for GovCloud (US), where
    the keys are in an S3 bucket. For China the URL follows the standard form
    on the partition's domain (``amazonaws.com.cn``).

    Raises:
        ConfigurationError: a partition with no known key URL (pass ``keys_url``).

    """
    if partition == "aws":
        return f"https://public-keys.auth.elb.{region}.amazonaws.com"
    if partition == "aws-us-gov":
        return f"https://s3-{region}.amazonaws.com/aws-elb-public-keys-prod-{region}"
    if partition == "aws-cn":
        return f"https://public-keys.auth.elb.{region}.amazonaws.com.cn"
    raise ConfigurationError(
        f"no known key URL for load balancers in partition {partition!r}; pass keys_url"
    )


def partition_of(region: str) -> str:
    """The partition a region name belongs to: ``aws``, ``aws-cn``, ``aws-eusc``..."""
    for partition, prefix, _ in _PARTITIONS:
        if region.startswith(prefix):
            return partition
    return _COMMERCIAL


def is_loopback_host(host: str | None) -> bool:
    """Return whether ``host`` names this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_jwks_url(url: object, *, allow_http: bool, name: str = "jwks_url") -> str:
    """Return ``url`` if keys may be fetched from it: https, or http on loopback.

    ``name`` says in messages where the URL came from.

    Raises:
        ConfigurationError: another scheme, no host, or http to a non-loopback host
            without ``allow_http``.

    """
    if not isinstance(url, str):
        raise ConfigurationError(f"{name} must be a str, not {type(url).__name__}")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigurationError(f"{name} {url!r} is not an absolute https URL")
    if parts.username or parts.password:
        raise ConfigurationError(f"{name} must not carry credentials")
    if parts.scheme == "http" and not (allow_http or is_loopback_host(parts.hostname)):
        raise ConfigurationError(
            f"{name} {url!r} is plain http; keys must come over https "
            "(http is allowed for loopback hosts, or with allow_http=True)"
        )
    return url
