"""Who may call: API keys checked against their stored hashes, or open loopback access.

Authentication is on as soon as a mediator key exists (the operator's bootstrap key, or one
created with `python -m app.admin keys create`), or when `require_api_keys` is set. Until
then the service is open, but only to requests that arrive on a loopback address and
carry no proxy headers: a service bound to a public address, or reached through a proxy,
refuses them with 401.

Authorization is deny-by-default: every route under the versioned API is for mediators,
except the handlers marked with `party_route`, which check the case and side themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from app.core.config import Settings
from app.core.security import (
    BOOTSTRAP_KEY_ID,
    OPEN_ACCESS,
    ROLES,
    Caller,
    is_loopback,
    key_id_of,
    same_hash,
    token_sha256,
)
from app.key_store import KeyStore
from app.problems import unauthorized

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

_PARTY_ENDPOINTS: set[Callable[..., Any]] = set()
PROXY_HEADERS = frozenset({"forwarded", "x-forwarded-for", "x-real-ip"})


def party_route(endpoint: F) -> F:
    """Mark a handler that a party's key may reach (it must check case and side itself)."""
    _PARTY_ENDPOINTS.add(endpoint)
    return endpoint


def parties_may_call(endpoint: object) -> bool:
    return endpoint in _PARTY_ENDPOINTS


class AccessGate:
    """Turns the credentials of a request into a `Caller`, or refuses it with 401."""

    def __init__(self, settings: Settings, keys: KeyStore) -> None:
        bootstrap = settings.bootstrap_mediator_key
        self._bootstrap_sha256 = (
            token_sha256(bootstrap.get_secret_value()) if bootstrap is not None else None
        )
        self._require = settings.require_api_keys
        self._keys = keys

    def keys_configured(self) -> bool:
        """Whether requests must carry a key (blocking: call from a thread)."""
        return (
            self._require or self._bootstrap_sha256 is not None or self._keys.mediator_keys_exist()
        )

    def identify(self, token: str | None, server_host: str | None, proxied: bool) -> Caller:
        """The caller a token stands for; without a token, open access where allowed.

        Blocking (it reads the keys table): call from a thread.
        """
        if token is not None:
            return self._caller_of(token)
        if self.keys_configured():
            raise unauthorized("An API key is required: send it as X-API-Key or as a Bearer token.")
        if is_loopback(server_host) and not proxied:
            return OPEN_ACCESS
        raise unauthorized(
            "No API keys are configured, so this service answers only requests made on a "
            "loopback address; configure a mediator key to serve others."
        )

    def _caller_of(self, token: str) -> Caller:
        if self._bootstrap_sha256 is not None and same_hash(token, self._bootstrap_sha256):
            return Caller(key_id=BOOTSTRAP_KEY_ID, role="mediator")
        key_id = key_id_of(token)
        record = self._keys.active(key_id) if key_id is not None else None
        if record is None or not same_hash(token, record.token_sha256):
            raise unauthorized("The API key is not valid (unknown, revoked, or mistyped).")
        role = record.role
        if role not in ROLES:  # a row written by hand
            raise unauthorized("The API key is not valid (unknown, revoked, or mistyped).")
        return Caller(key_id=record.id, role=role, case_id=record.case_id)

    def caller_of_key(self, key_id: str) -> tuple[Caller, str] | None:
        """The caller an active key id stands for, with the SHA-256 of its token; None for
        a revoked or unknown key. For the pages' sessions, which carry the key id, never
        the token (blocking: call from a thread)."""
        if key_id == BOOTSTRAP_KEY_ID:
            if self._bootstrap_sha256 is None:
                return None
            return Caller(key_id=BOOTSTRAP_KEY_ID, role="mediator"), self._bootstrap_sha256
        record = self._keys.active(key_id)
        if record is None:
            return None
        role = record.role
        if role not in ROLES:  # a row written by hand
            return None
        return Caller(key_id=record.id, role=role, case_id=record.case_id), record.token_sha256

    def describe(self) -> str:
        """The start-up line saying how requests are authenticated."""
        if self.keys_configured():
            sources = []
            if self._bootstrap_sha256 is not None:
                sources.append("the bootstrap mediator key")
            if self._keys.mediator_keys_exist():
                sources.append("mediator keys in the database")
            if self._require and not sources:
                sources.append("none yet: every request will be refused until one is created")
            return "API keys required (" + ", ".join(sources) + ")"
        return (
            "no API keys configured: OPEN ACCESS for requests on a loopback address only "
            "(others get 401); set EXCHANGE_BOOTSTRAP_MEDIATOR_KEY or run "
            "`python -m app.admin keys create` before serving anyone else"
        )
