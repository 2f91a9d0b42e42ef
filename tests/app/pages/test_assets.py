"""Every asset comes from the service: htmx as vendored, Swagger UI and ReDoc from the
fastapi-offline package, nothing from a CDN."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from fastapi.testclient import TestClient

from app.api.docs import docs_assets
from app.pages.main import STATIC


def test_vendored_htmx_is_the_one_its_notice_names() -> None:
    notice = (STATIC / "htmx" / "README.md").read_text()
    digest = hashlib.sha256((STATIC / "htmx" / "htmx.min.js").read_bytes()).hexdigest()
    assert f"SHA-256: {digest}" in notice
    version = re.search(r"version: (\S+)", notice)
    assert version is not None
    assert (STATIC / "htmx" / "LICENSE").read_text().startswith("Zero-Clause BSD")


def test_docs_pages_load_only_local_files(make_client: object) -> None:
    with make_client() as service:  # type: ignore[operator]
        assert isinstance(service, TestClient)
        for page in ("/docs", "/redoc"):
            html = service.get(page).text
            urls = re.findall(r'(?:src|href)="([^"]+)"', html) + re.findall(r"url: '([^']+)'", html)
            assert urls, page
            assert all(url.startswith("/") for url in urls), urls
            assert "googleapis" not in html
            assert "cdn." not in html
            for url in re.findall(r'(?:src|href)="([^"]+)"', html):
                assert service.get(url).status_code == 200, url
        assert '"validatorUrl": null' in service.get("/docs").text


def test_docs_assets_are_in_the_package() -> None:
    names = {path.name for path in Path(docs_assets()).iterdir()}
    assert {"swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"} <= names
