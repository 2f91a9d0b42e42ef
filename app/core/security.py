"""API keys and who is calling: tokens, their hashes and roles (the per-key rate limit is
in `app.core.rate_limits`).

A token reads `exk_<key id>_<secret>`. Only the SHA-256 of the whole token is stored; the
key id in front finds the row, and the hashes are compared in constant time. A token is
shown once, when it is issued.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass
from typing import Literal

Role = Literal["mediator", "side_a", "side_b"]
PartySide = Literal["side_a", "side_b"]
ROLES: tuple[Role, ...] = ("mediator", "side_a", "side_b")

TOKEN_PREFIX = "exk_"
BOOTSTRAP_KEY_ID = "bootstrap"
OPEN_ACCESS_ID = "open"
_KEY_ID_BYTES = 8


def new_token() -> tuple[str, str]:
    """A fresh key id and the token that carries it (256 random bits of secret)."""
    key_id = secrets.token_hex(_KEY_ID_BYTES)
    return key_id, f"{TOKEN_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def key_id_of(token: str) -> str | None:
    """The key id a well-formed token names, else None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    key_id, underscore, secret = token[len(TOKEN_PREFIX) :].partition("_")
    if not underscore or len(key_id) != 2 * _KEY_ID_BYTES or not secret:
        return None
    if any(char not in "0123456789abcdef" for char in key_id):
        return None
    return key_id


def same_hash(token: str, stored_sha256: str) -> bool:
    """Whether the token hashes to the stored hash, compared in constant time."""
    return hmac.compare_digest(token_sha256(token), stored_sha256)


@dataclass(frozen=True)
class Caller:
    """Who is calling: a mediator, or one party of one case.

    `key_id` is the API key used (`bootstrap` for the operator's key, `open` when no keys
    are configured and the request came over loopback).
    """

    key_id: str
    role: Role
    case_id: str | None = None

    @property
    def is_mediator(self) -> bool:
        return self.role == "mediator"

    def is_party_of(self, case_id: str) -> bool:
        return self.role != "mediator" and self.case_id == case_id

    def may_see(self, case_id: str, side: str | None = None) -> bool:
        """Mediators see every case; a party sees its own case and, of the lists, its own."""
        if self.is_mediator:
            return True
        return self.is_party_of(case_id) and (side is None or side == self.role)


OPEN_ACCESS = Caller(key_id=OPEN_ACCESS_ID, role="mediator")


def is_loopback(host: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and `localhost`."""
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
