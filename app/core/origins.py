"""Whom a request was addressed to, and which site made a browser send it.

Open loopback access trusts the machine, not the browser on it: any web page the
mediator opens can make that browser send requests to 127.0.0.1. Two checks keep such a
page out, for the API and the pages alike:

- the `Host` a request was addressed to must be a loopback name: a page whose own name
  was pointed at 127.0.0.1 (DNS rebinding) shares an origin with the service, and could
  otherwise read its answers;
- a browser request sent by a page of another site is refused: browsers say so in
  `Sec-Fetch-Site`, and in `Origin` on every POST (`null` from sandboxed frames and files).

curl, the command line and scripts send neither `Origin` nor `Sec-Fetch-Site`, and pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from app.core.security import is_loopback


def host_name(host_header: str) -> str:
    """`127.0.0.1:8000` -> `127.0.0.1`, `[::1]:8000` -> `::1`, `localhost` -> `localhost`."""
    if host_header.startswith("["):
        return host_header[1:].split("]", 1)[0]
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


def addressed_to_loopback(host_header: str | None) -> bool:
    """Whether the request was addressed to 127.0.0.0/8, ::1 or `localhost` (by name)."""
    return host_header is not None and is_loopback(host_name(host_header))


def cross_site(headers: Mapping[str, str]) -> bool:
    """Whether a page of another site made the browser send this request: it says
    `Sec-Fetch-Site: cross-site`, or its `Origin` is not the host it was sent to."""
    if headers.get("sec-fetch-site") == "cross-site":
        return True
    origin = headers.get("origin")
    return origin is not None and urlsplit(origin).netloc != headers.get("host")
