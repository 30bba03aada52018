"""FakeUserPool: mints tokens shaped like a real Cognito User Pool's, for tests."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal

from cognito_jwt import _names, _pool
from cognito_jwt.exceptions import ConfigurationError
from cognito_jwt.testing._keys import SigningKey, b64url, generate_key
from cognito_jwt.testing._server import serve_jwks as _serve_jwks
from cognito_jwt.verifier import CognitoVerifier

if TYPE_CHECKING:
    import responses

__all__ = ["FakeUserPool"]

# Slot of the key no pool ever publishes (see unpublished_key()).
_UNPUBLISHED_SLOT = "unpublished"


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
        self._id_key, self._access_key = self._keys_of_generation()

    def __repr__(self) -> str:
        """Show the pool's issuer and client."""
        return f"FakeUserPool(issuer={self.issuer!r}, client_id={self.client_id!r})"

    @property
    def issuer(self) -> str:
        """The pool's issuer, as a real pool's: ``https://cognito-idp.{region}.{domain}/{id}``."""
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
        groups: str | Iterable[str] = (),
        email: str | None = None,
        claims: Mapping[str, Any] | None = None,
        expires_in: float = 3600,
        issued_at: float | None = None,
        client_id: str | None = None,
        signing_key: SigningKey | None = None,
        headers: Mapping[str, Any] | None = None,
    ) -> str:
        """Mint an ID token for ``username``, shaped like Cognito's.

        ``groups`` is one group name (a ``str``) or an iterable of them.
        ``claims`` are applied last (a value of ``None`` removes a claim; use it
        for ``custom:`` attributes too), as are ``headers``; ``issued_at`` (epoch
        seconds, default now) and ``expires_in`` (seconds) move the token in time;
        ``signing_key`` signs with another key (see :meth:`unpublished_key`).
        """
        now = self._now(issued_at)
        payload = self._user_claims(username, groups)
        payload.update(
            {
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
        if email is not None:  # Cognito sends both only when the user has an email
            payload["email"] = email
            payload["email_verified"] = True
        return self._sign(payload, claims, signing_key or self._id_key, headers)

    def access_token(
        self,
        username: str = "alice",
        *,
        scopes: str | Iterable[str] = ("aws.cognito.signin.user.admin",),
        groups: str | Iterable[str] = (),
        claims: Mapping[str, Any] | None = None,
        expires_in: float = 3600,
        issued_at: float | None = None,
        client_id: str | None = None,
        signing_key: SigningKey | None = None,
        headers: Mapping[str, Any] | None = None,
    ) -> str:
        """Mint a user's access token, shaped like Cognito's (options as :meth:`id_token`).

        ``scopes`` and ``groups`` are each one name (a ``str``) or an iterable of
        names; a scope containing whitespace is refused (``ConfigurationError``).
        """
        now = self._now(issued_at)
        payload = self._user_claims(username, groups)
        payload.update(
            {
                "iss": self.issuer,
                "version": 2,
                "client_id": client_id or self.client_id,
                "origin_jti": str(uuid.uuid4()),
                "event_id": str(uuid.uuid4()),
                "token_use": "access",
                "scope": " ".join(_names.scopes("scopes", scopes)),
                "auth_time": now,
                "exp": int(now + expires_in),
                "iat": now,
                "jti": str(uuid.uuid4()),
                "username": username,
            }
        )
        return self._sign(payload, claims, signing_key or self._access_key, headers)

    def m2m_token(
        self,
        scopes: str | Iterable[str] = ("orders/read",),
        client_id: str | None = None,
        *,
        claims: Mapping[str, Any] | None = None,
        expires_in: float = 3600,
        issued_at: float | None = None,
        signing_key: SigningKey | None = None,
        headers: Mapping[str, Any] | None = None,
    ) -> str:
        """Mint a machine-to-machine (client_credentials) access token.

        As Cognito issues them: ``sub`` is the app client id, there is no
        ``username``, no groups and no ``origin_jti``; ``scope`` holds the
        resource server scopes. Other options as :meth:`id_token`.
        """
        now = self._now(issued_at)
        client = client_id or self.client_id
        payload: dict[str, Any] = {
            "sub": client,
            "token_use": "access",
            "scope": " ".join(_names.scopes("scopes", scopes)),
            "auth_time": now,
            "iss": self.issuer,
            "exp": int(now + expires_in),
            "iat": now,
            "version": 2,
            "jti": str(uuid.uuid4()),
            "client_id": client,
        }
        return self._sign(payload, claims, signing_key or self._access_key, headers)

    def expired_token(self, kind: Literal["id", "access"] = "access", **options: Any) -> str:
        """Mint a token of ``kind`` that expired an hour ago (issued two hours ago)."""
        if kind not in ("id", "access"):
            raise ConfigurationError(f"kind must be 'id' or 'access', not {kind!r}")
        options.setdefault("issued_at", time.time() - 7200)
        options.setdefault("expires_in", 3600)
        mint = self.id_token if kind == "id" else self.access_token
        return mint(**options)

    def unpublished_key(self) -> SigningKey:
        """A signing key this pool never publishes: tokens it signs must be refused.

        Pass it as ``signing_key=``; ``key.with_kid(pool.signing_keys[1].kid)``
        makes it claim a published kid (a forged signature).
        """
        return generate_key(_UNPUBLISHED_SLOT)

    def rotate_keys(self) -> None:
        """Replace both published keys with new ones, as a key rotation does.

        From now on :attr:`jwks` publishes only the new keys (so do :meth:`serve`
        and :meth:`mock_jwks`), and new tokens are signed with them.
        """
        self._generation += 1
        self._id_key, self._access_key = self._keys_of_generation()

    def _keys_of_generation(self) -> tuple[SigningKey, SigningKey]:
        # Each pool (by issuer) has keys of its own, as real pools do; pools built
        # again with the same names get the same keys, generated once per process.
        return (
            generate_key((self.issuer, self._generation, "id")),
            generate_key((self.issuer, self._generation, "access")),
        )

    @contextmanager
    def mock_jwks(
        self, rsps: responses.RequestsMock | None = None
    ) -> Iterator[responses.RequestsMock]:
        """Serve this pool's JWKS at its real URL through ``responses`` (no network).

        Registers :attr:`jwks_url` on ``rsps`` (a new, started ``RequestsMock``
        when ``None``) and yields it; every request is answered with the pool's
        current keys, so :meth:`rotate_keys` is visible. ``rsps.calls`` counts them.
        """
        import responses as responses_lib  # noqa: PLC0415 - the testing extra, only when used

        def answer(request: Any) -> tuple[int, dict[str, str], str]:
            del request
            return 200, {"Content-Type": "application/json"}, json.dumps(self.jwks)

        if rsps is None:
            with responses_lib.RequestsMock(assert_all_requests_are_fired=False) as own:
                own.add_callback(responses_lib.GET, self.jwks_url, callback=answer)
                yield own
        else:
            rsps.add_callback(responses_lib.GET, self.jwks_url, callback=answer)
            yield rsps

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Serve this pool's JWKS over real HTTP on 127.0.0.1 and yield its URL.

        The port is chosen by the OS; the server stops when the block exits. It
        answers with the pool's current keys, so :meth:`rotate_keys` is visible.
        Use the URL as ``jwks_url=`` of a :class:`~cognito_jwt.CognitoVerifier`.
        """
        with _serve_jwks(lambda: self.jwks, f"/{self.user_pool_id}{_pool.JWKS_PATH}") as url:
            yield url

    def _now(self, issued_at: float | None) -> int:
        return int(time.time() if issued_at is None else issued_at)

    def _user_claims(self, username: str, groups: str | Iterable[str]) -> dict[str, Any]:
        # The same user always has the same sub, in ID and access tokens alike.
        payload: dict[str, Any] = {
            "sub": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.issuer}/{username}"))
        }
        group_list = list(_names.strings("groups", groups, allow_empty=True))
        if group_list:  # Cognito leaves the claim out when the user is in no group
            payload["cognito:groups"] = group_list
        return payload

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
