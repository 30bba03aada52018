"""FakeUserPool: mints tokens shaped like a real Cognito User Pool's, for tests."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from cognito_jwt import _pool
from cognito_jwt.testing._keys import SigningKey, b64url, generate_key
from cognito_jwt.verifier import CognitoVerifier

__all__ = ["FakeUserPool"]

# Slot of the key no pool ever publishes (see unpublished_key()).
_UNPUBLISHED_SLOT = -1


def _merge(base: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Apply ``overrides`` to ``base``: a value of ``None`` removes the member."""
    for name, value in overrides.items():
        if value is None:
            base.pop(name, None)
        else:
            base[name] = value
    return base


class FakeUserPool:
    """A stand-in for a Cognito User Pool: its issuer, JWKS and tokens, no network.

    ID and access tokens are signed by two different published keys, as Cognito
    does. Keys are generated at run time and cached per process, so creating
    many pools is cheap.
    """

    def __init__(
        self,
        region: str = "eu-west-1",
        user_pool_id: str = "eu-west-1_TestPool1",
        client_id: str = "test-client",
    ) -> None:
        """Describe the pool; ``user_pool_id`` must start with ``region`` as Cognito's do."""
        self.region = _pool.check_region(region)
        self.user_pool_id = _pool.check_pool_id(user_pool_id, region, strict=True)
        self.client_id = client_id
        self._generation = 0
        self._id_key = generate_key(0)
        self._access_key = generate_key(1)

    def __repr__(self) -> str:
        """Show the pool's issuer and client."""
        return f"FakeUserPool(issuer={self.issuer!r}, client_id={self.client_id!r})"

    @property
    def issuer(self) -> str:
        """The pool's issuer, as a real pool's: ``https://cognito-idp.{region}.amazonaws.com/{id}``."""
        return _pool.original_issuer(self.region, self.user_pool_id)

    @property
    def jwks_url(self) -> str:
        """The pool's JWKS URL, as a real pool's."""
        return _pool.jwks_url_for(self.issuer)

    @property
    def jwks(self) -> dict[str, Any]:
        """The pool's published JWKS (a new dict on each access)."""
        return {"keys": [self._id_key.public_jwk, self._access_key.public_jwk]}

    @property
    def signing_keys(self) -> tuple[SigningKey, SigningKey]:
        """The published (ID token, access token) signing keys."""
        return self._id_key, self._access_key

    def verifier(self, **kwargs: Any) -> CognitoVerifier:
        """A CognitoVerifier for this pool with its keys given statically (no network).

        Defaults: ``client_ids=self.client_id``, ``token_use=None``, ``jwks=self.jwks``;
        any keyword overrides them or sets another constructor argument.
        """
        options: dict[str, Any] = {
            "client_ids": self.client_id,
            "token_use": None,
            "jwks": self.jwks,
        }
        options.update(kwargs)
        if "jwks_url" in kwargs and "jwks" not in kwargs:
            del options["jwks"]
        return CognitoVerifier(self.region, self.user_pool_id, **options)

    def id_token(
        self,
        username: str = "alice",
        *,
        groups: Iterable[str] = (),
        email: str | None = None,
        claims: Mapping[str, Any] | None = None,
        expires_in: float = 3600,
        issued_at: float | None = None,
        client_id: str | None = None,
        signing_key: SigningKey | None = None,
        headers: Mapping[str, Any] | None = None,
    ) -> str:
        """Mint an ID token for ``username``, shaped like Cognito's.

        ``claims`` are applied last (a value of ``None`` removes a claim), as are
        ``headers``; ``issued_at`` (epoch seconds) and ``expires_in`` move the
        token in time.
        """
        now = int(time.time() if issued_at is None else issued_at)
        sub = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.issuer}/{username}"))
        payload: dict[str, Any] = {"sub": sub}
        group_list = list(groups)
        if group_list:
            payload["cognito:groups"] = group_list
        payload.update(
            {
                "email_verified": email is not None,
                "iss": self.issuer,
                "cognito:username": username,
                "origin_jti": str(uuid.uuid4()),
                "aud": client_id or self.client_id,
                "event_id": str(uuid.uuid4()),
                "token_use": "id",
                "auth_time": now,
                "exp": int(now + expires_in),
                "iat": now,
                "jti": str(uuid.uuid4()),
            }
        )
        if email is not None:
            payload["email"] = email
        return self._sign(payload, claims, signing_key or self._id_key, headers)

    def access_token(
        self,
        username: str = "alice",
        *,
        scopes: Iterable[str] = ("aws.cognito.signin.user.admin",),
        groups: Iterable[str] = (),
        claims: Mapping[str, Any] | None = None,
        expires_in: float = 3600,
        issued_at: float | None = None,
        client_id: str | None = None,
        signing_key: SigningKey | None = None,
        headers: Mapping[str, Any] | None = None,
    ) -> str:
        """Mint an access token for ``username``, shaped like Cognito's (options as id_token)."""
        now = int(time.time() if issued_at is None else issued_at)
        sub = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.issuer}/{username}"))
        payload: dict[str, Any] = {"sub": sub}
        group_list = list(groups)
        if group_list:
            payload["cognito:groups"] = group_list
        payload.update(
            {
                "iss": self.issuer,
                "version": 2,
                "client_id": client_id or self.client_id,
                "origin_jti": str(uuid.uuid4()),
                "event_id": str(uuid.uuid4()),
                "token_use": "access",
                "scope": " ".join(scopes),
                "auth_time": now,
                "exp": int(now + expires_in),
                "iat": now,
                "jti": str(uuid.uuid4()),
                "username": username,
            }
        )
        return self._sign(payload, claims, signing_key or self._access_key, headers)

    def _sign(
        self,
        payload: dict[str, Any],
        claims: Mapping[str, Any] | None,
        key: SigningKey,
        headers: Mapping[str, Any] | None,
    ) -> str:
        header = _merge({"kid": key.kid, "alg": "RS256"}, headers or {})
        body = _merge(payload, claims or {})
        signing_input = (
            b64url(json.dumps(header, separators=(",", ":")).encode())
            + "."
            + b64url(json.dumps(body, separators=(",", ":")).encode())
        )
        return signing_input + "." + b64url(key.sign(signing_input.encode("ascii")))
