"""FakeAlb: mints the tokens an Application Load Balancer forwards after sign-in, for tests."""

from __future__ import annotations

import base64
import functools
import io
import json
import re
import time
import uuid
from collections.abc import Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import requests
import requests.adapters
import urllib3
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from cognito_jwt import _pool
from cognito_jwt.alb import AlbVerifier
from cognito_jwt.exceptions import ConfigurationError
from cognito_jwt.testing._fake_pool import _merge
from cognito_jwt.testing._server import serve as _serve

if TYPE_CHECKING:
    import responses

    from cognito_jwt.testing._fake_pool import FakeUserPool

__all__ = ["AlbSigningKey", "FakeAlb"]

_ACCOUNT = "123456789012"
_UNPUBLISHED_SLOT = "alb-unpublished"


@dataclass(frozen=True, eq=False)
class AlbSigningKey:
    """A private P-256 key and the kid a load balancer publishes it under."""

    kid: str
    private_key: ec.EllipticCurvePrivateKey = field(repr=False)

    @property
    def public_pem(self) -> str:
        """The public key as an ALB publishes it: PEM (SubjectPublicKeyInfo)."""
        return (
            self.private_key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode("ascii")
        )

    def sign(self, signing_input: bytes) -> bytes:
        """Return the ES256 signature of ``signing_input``: raw R||S, 64 bytes."""
        der = self.private_key.sign(signing_input, ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    def with_kid(self, kid: str) -> AlbSigningKey:
        """The same key material under another kid."""
        return AlbSigningKey(kid, self.private_key)


@functools.cache
def _alb_key(slot: Hashable) -> AlbSigningKey:
    # One key per slot per process; the kid is derived from the slot, a UUID as ALBs use.
    kid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"cognito-jwt-alb-key/{slot!r}"))
    return AlbSigningKey(kid, ec.generate_private_key(ec.SECP256R1()))


def _b64(data: bytes, *, padded: bool) -> str:
    text = base64.urlsafe_b64encode(data).decode("ascii")
    return text if padded else text.rstrip("=")


class FakeAlb:
    """A stand-in for an Application Load Balancer with an ``authenticate-cognito`` action.

    It signs ``x-amzn-oidc-data`` tokens as an ALB does (ES256, a UUID kid, the
    signer, client, issuer and expiry in the header, base64 padding kept) and
    publishes its keys, one PEM per kid. With a ``user_pool``
    (:class:`~cognito_jwt.testing.FakeUserPool`), its client id and issuer are
    the defaults, and :meth:`headers` forwards an access token of that pool.
    """

    def __init__(
        self,
        alb_arn: str | None = None,
        client_id: str | None = None,
        issuer: str | None = None,
        region: str | None = None,
        *,
        user_pool: FakeUserPool | None = None,
    ) -> None:
        """Describe the load balancer; ``alb_arn`` defaults to one in ``region`` (eu-west-1)."""
        if alb_arn is None:
            region = _pool.check_region(
                region or (user_pool.region if user_pool is not None else "eu-west-1")
            )
            partition = _pool.partition_of(region)
            alb_arn = (
                f"arn:{partition}:elasticloadbalancing:{region}:{_ACCOUNT}"
                ":loadbalancer/app/test-alb/50dc6c495c0c9188"
            )
        partition, arn_region = _pool.alb_region(alb_arn)
        if region is not None and region != arn_region:
            raise ConfigurationError(f"alb_arn is in region {arn_region!r}, not {region!r}")
        self.alb_arn = alb_arn
        self.region = arn_region
        self.partition = partition
        self.user_pool = user_pool
        self.client_id = client_id or (user_pool.client_id if user_pool else "test-client")
        self.issuer = issuer or (
            user_pool.issuer
            if user_pool
            else _pool.original_issuer(arn_region, f"{arn_region}_TestPool1")
        )
        self._generation = 0
        self._keys = [self._key_of_generation()]

    def __repr__(self) -> str:
        """Show the load balancer's ARN and client."""
        return f"FakeAlb(alb_arn={self.alb_arn!r}, client_id={self.client_id!r})"

    # ------------------------------------------------------------------ keys

    @property
    def keys_url(self) -> str:
        """Where the keys are published, ``{keys_url}/{kid}``: the real URL for the region."""
        return _pool.alb_keys_url(self.partition, self.region)

    @property
    def public_keys(self) -> dict[str, str]:
        """Every key published so far, kid to PEM (a new dict on each access)."""
        return {key.kid: key.public_pem for key in self._keys}

    @property
    def signing_key(self) -> AlbSigningKey:
        """The key new tokens are signed with."""
        return self._keys[-1]

    def rotate_keys(self) -> None:
        """Sign new tokens with a new key (a new kid); the old keys stay published, as ALBs do."""
        self._generation += 1
        self._keys.append(self._key_of_generation())

    def unpublished_key(self) -> AlbSigningKey:
        """A key this load balancer never publishes: tokens it signs must be refused.

        Pass it as ``signing_key=``; ``key.with_kid(alb.signing_key.kid)`` makes
        it claim a published kid (a forged signature).
        """
        return _alb_key(_UNPUBLISHED_SLOT)

    def _key_of_generation(self) -> AlbSigningKey:
        return _alb_key((self.alb_arn, self._generation))

    def _answer(self, kid: str) -> bytes | None:
        pem = self.public_keys.get(kid)
        return None if pem is None else pem.encode("ascii")

    # ------------------------------------------------------------------ tokens

    def sub_of(self, username: str) -> str:
        """The ``sub`` of ``username``: the same a FakeUserPool of the same issuer gives."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.issuer}/{username}"))

    def token(
        self,
        sub: str | None = None,
        email: str | None = None,
        claims: Mapping[str, Any] | None = None,
        expires_in: float = 120,
        padded: bool = True,
        *,
        username: str = "alice",
        issued_at: float | None = None,
        signing_key: AlbSigningKey | None = None,
        headers: Mapping[str, Any] | None = None,
    ) -> str:
        """Mint an ``x-amzn-oidc-data`` token as the load balancer sends it.

        The payload holds the user's claims as the IdP's user info endpoint gives
        them (``sub`` defaults to ``username``'s, as :meth:`sub_of` says); ``exp``
        is in both header and payload. ``claims`` and ``headers`` are applied
        last (a value of ``None`` removes a member); ``padded=False`` strips the
        base64 padding an ALB keeps; ``signing_key`` signs with another key.
        """
        now = int(time.time() if issued_at is None else issued_at)
        exp = int(now + expires_in)
        key = signing_key or self.signing_key
        header = _merge(
            {
                "typ": "JWT",
                "kid": key.kid,
                "alg": "ES256",
                "iss": self.issuer,
                "client": self.client_id,
                "signer": self.alb_arn,
                "exp": exp,
            },
            headers or {},
        )
        payload: dict[str, Any] = {"sub": sub or self.sub_of(username)}
        if email is not None:
            payload.update({"email_verified": "true", "email": email})
        payload.update({"username": username, "exp": exp, "iss": self.issuer})
        payload = _merge(payload, claims or {})
        signing_input = (
            _b64(json.dumps(header, separators=(",", ":")).encode(), padded=padded)
            + "."
            + _b64(json.dumps(payload, separators=(",", ":")).encode(), padded=padded)
        )
        signature = key.sign(signing_input.encode("ascii"))
        return signing_input + "." + _b64(signature, padded=padded)

    def headers(
        self,
        username: str = "alice",
        *,
        email: str | None = None,
        claims: Mapping[str, Any] | None = None,
        expires_in: float = 120,
        padded: bool = True,
        scopes: Iterable[str] = ("openid", "email"),
        groups: Iterable[str] = (),
    ) -> dict[str, str]:
        """The ``x-amzn-oidc-*`` headers the load balancer adds to a signed-in request.

        ``x-amzn-oidc-data`` (see :meth:`token`), ``x-amzn-oidc-identity`` (the
        user's ``sub``) and, with a ``user_pool``, ``x-amzn-oidc-accesstoken``: an
        access token of that pool for ``username`` with ``scopes`` and ``groups``.
        """
        sub = self.sub_of(username)
        result = {
            "x-amzn-oidc-data": self.token(
                sub, email, claims, expires_in, padded, username=username
            ),
            "x-amzn-oidc-identity": sub,
        }
        if self.user_pool is not None:
            result["x-amzn-oidc-accesstoken"] = self.user_pool.access_token(
                username, scopes=scopes, groups=groups
            )
        return result

    # ------------------------------------------------------------------ verifiers and serving

    def verifier(self, **kwargs: Any) -> AlbVerifier:
        """An AlbVerifier for this load balancer, with no network.

        Defaults: ``client_ids=self.client_id``, ``issuer=self.issuer``, and a
        session that answers the key URL in memory (published keys 200, other
        kids 404), with the published keys loaded; any keyword overrides them.
        With ``keys_url`` given, keys are fetched from it (nothing is loaded).
        """
        options: dict[str, Any] = {"client_ids": self.client_id, "issuer": self.issuer}
        options.update(kwargs)
        fetching = "keys_url" in kwargs
        if not fetching:
            options.setdefault("session", self.offline_session())
        verifier = AlbVerifier(self.alb_arn, **options)
        if not fetching:
            verifier.load_keys(self.public_keys)
        return verifier

    def offline_session(self) -> requests.Session:
        """A ``requests.Session`` that answers :attr:`keys_url` in memory, never the network."""
        session = requests.Session()
        adapter = _KeysAdapter(self)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session

    @contextmanager
    def mock_keys(
        self, rsps: responses.RequestsMock | None = None
    ) -> Iterator[responses.RequestsMock]:
        """Serve the keys at :attr:`keys_url` through ``responses`` (no network).

        Registers ``{keys_url}/<kid>`` on ``rsps`` (a new, started ``RequestsMock``
        when ``None``) and yields it: published kids get their PEM, others a 404,
        so :meth:`rotate_keys` is visible. ``rsps.calls`` counts the requests.
        """
        import responses as responses_lib  # noqa: PLC0415 - the testing extra, only when used

        prefix = self.keys_url + "/"

        def answer(request: Any) -> tuple[int, dict[str, str], bytes]:
            body = self._answer(str(request.url)[len(prefix) :])
            if body is None:
                return 404, {}, b"Not Found"
            return 200, {"Content-Type": "application/x-pem-file"}, body

        pattern = re.compile(re.escape(prefix) + r"[^/]+")
        if rsps is None:
            with responses_lib.RequestsMock(assert_all_requests_are_fired=False) as own:
                own.add_callback(responses_lib.GET, pattern, callback=answer)
                yield own
        else:
            rsps.add_callback(responses_lib.GET, pattern, callback=answer)
            yield rsps

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Serve the keys over real HTTP on 127.0.0.1 (``/<kid>``) and yield the base URL.

        Use the URL as ``keys_url=`` of an :class:`~cognito_jwt.AlbVerifier`. The
        server answers with the current keys, so :meth:`rotate_keys` is visible.
        """

        def answer(path: str) -> tuple[bytes, str] | None:
            body = self._answer(path.lstrip("/"))
            return None if body is None else (body, "application/x-pem-file")

        with _serve(answer) as url:
            yield url


class _KeysAdapter(requests.adapters.BaseAdapter):
    """A transport that answers a FakeAlb's key URLs from memory and refuses everything else."""

    def __init__(self, alb: FakeAlb) -> None:
        super().__init__()
        self._alb = alb

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        del kwargs
        url = str(request.url)
        prefix = self._alb.keys_url + "/"
        body = self._alb._answer(url[len(prefix) :]) if url.startswith(prefix) else None
        status = 404 if body is None else 200
        data = body or b"Not Found"
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(data),
            preload_content=False,
            status=status,
            headers={"Content-Length": str(len(data))},
        )
        response = requests.Response()
        response.status_code = status
        response.raw = raw
        response.url = url
        response.request = request
        response.headers = requests.structures.CaseInsensitiveDict(raw.headers)
        return response

    def close(self) -> None:
        """Nothing to release."""
