"""Page sessions: a signed cookie that names an API key by its id, and the CSRF token.

The cookie holds a random session nonce, the key id and a fingerprint of the key's stored
hash (an HMAC of it under the session secret), signed and timestamped with itsdangerous.
It never holds the token: a stolen cookie is worth no more than the session it belongs
to, and revoking the key (or changing the bootstrap key) ends every session made with it
at the next request. Every browser gets a session, signed in or not, so that every form,
the sign-in form included, carries a CSRF token bound to it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE_NAME = "exchange_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_SALT = "exchange-planner.pages.session"


@dataclass(frozen=True)
class PageSession:
    """One browser's session: signed in with a key (its id) or not."""

    nonce: str
    key_id: str | None = None
    fingerprint: str | None = None

    @classmethod
    def fresh(cls) -> PageSession:
        return cls(nonce=secrets.token_urlsafe(24))

    def signed_in(self, key_id: str, fingerprint: str) -> PageSession:
        """A new session (a new nonce: no fixation) for this key."""
        return PageSession(nonce=secrets.token_urlsafe(24), key_id=key_id, fingerprint=fingerprint)


class SessionSigner:
    """Signs and reads session cookies, and derives and checks CSRF tokens."""

    def __init__(self, secret: bytes, max_age_s: int) -> None:
        self._secret = secret
        self._max_age_s = max_age_s
        self._serializer = URLSafeTimedSerializer(
            secret, salt=_SALT, signer_kwargs={"digest_method": hashlib.sha256}
        )

    @property
    def max_age_s(self) -> int:
        return self._max_age_s

    def dump(self, session: PageSession) -> str:
        payload = {"n": session.nonce, "k": session.key_id, "f": session.fingerprint}
        return self._serializer.dumps(payload)

    def load(self, cookie: str | None) -> PageSession | None:
        """The session a cookie holds; None when it is missing, forged or too old."""
        if not cookie:
            return None
        try:
            payload = self._serializer.loads(cookie, max_age=self._max_age_s)
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(payload, dict):
            return None
        nonce, key_id, fingerprint = payload.get("n"), payload.get("k"), payload.get("f")
        if not isinstance(nonce, str) or not nonce:
            return None
        if key_id is not None and (not isinstance(key_id, str) or not isinstance(fingerprint, str)):
            return None
        return PageSession(nonce, key_id, fingerprint)

    def fingerprint(self, token_sha256: str) -> str:
        """What binds a session to one key: an HMAC of its stored hash, not the hash."""
        return self._mac("key:" + token_sha256)[:32]

    def csrf_token(self, session: PageSession) -> str:
        return self._mac("csrf:" + session.nonce)

    def csrf_ok(self, session: PageSession, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(self.csrf_token(session), token)

    def _mac(self, message: str) -> str:
        return hmac.new(self._secret, message.encode("utf-8"), hashlib.sha256).hexdigest()
