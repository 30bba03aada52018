"""Pool id and region parsing, the issuers and JWKS URLs they imply, key URL rules: pure."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from cognito_jwt.exceptions import ConfigurationError

# AWS region names: "eu-west-1", "us-gov-west-1", "ap-southeast-5", "cn-north-1".
_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}")
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


def original_issuer(region: str, user_pool_id: str) -> str:
    """The issuer Cognito has always used: ``https://cognito-idp.{region}.amazonaws.com/{pool}``."""
    return f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"


def updated_issuer(region: str, user_pool_id: str) -> str:
    """The pool's updated issuer format: ``https://issuer-cognito-idp.{region}...``."""
    return f"https://issuer-cognito-idp.{region}.amazonaws.com/{user_pool_id}"


def jwks_url_for(issuer: str) -> str:
    """The JWKS URL an issuer publishes its keys at."""
    return issuer.rstrip("/") + JWKS_PATH


def derived_issuers(region: str, user_pool_id: str, additional_regions: Iterable[str]) -> list[str]:
    """Every issuer a pool's tokens may carry: both formats, home region first.

    Raises:
        ConfigurationError: an additional region is not a region name.

    """
    regions = [region]
    for extra in additional_regions:
        check_region(extra)
        if extra not in regions:
            regions.append(extra)
    issuers: list[str] = []
    for name in regions:
        issuers.append(original_issuer(name, user_pool_id))
        issuers.append(updated_issuer(name, user_pool_id))
    return issuers


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
