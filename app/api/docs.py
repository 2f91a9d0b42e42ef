"""/docs and /redoc with every file served by the service itself.

FastAPI's own pages load Swagger UI and ReDoc from a CDN, which leaves a blank page on a
laptop without internet. The files come from the `fastapi-offline` package (Swagger UI 5
and ReDoc 2 bundles, MIT; the bundles keep their own licences), served under
`/static/docs`; the pages are FastAPI's documented `get_swagger_ui_html` and
`get_redoc_html` pointed at them. Swagger UI's validator badge (an image from another
site) is switched off, and ReDoc does not load Google's fonts.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_ASSETS = "/static/docs"
# Nothing on these pages may reach another host: ReDoc draws its makers' logo from their
# CDN in every menu (no option turns it off), so the browser is told to load nothing from
# elsewhere. Swagger UI's page starts it with an inline script, ReDoc searches in a worker.
_NOTHING_FROM_ELSEWHERE = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' blob:; worker-src 'self' blob:; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)
OAUTH2_REDIRECT = "/docs/oauth2-redirect"


def docs_assets() -> Path:
    """The folder of the `fastapi-offline` package's Swagger UI and ReDoc files."""
    return Path(str(files("fastapi_offline") / "static"))


def install_docs(app: FastAPI) -> None:
    """Serve the docs assets and the two pages; call on an app made with `docs_url=None`
    and `redoc_url=None`."""
    app.mount(DOCS_ASSETS, StaticFiles(directory=docs_assets()), name="docs_assets")
    router = APIRouter(include_in_schema=False)

    @router.get("/docs")
    async def swagger_ui() -> HTMLResponse:
        return _local_only(
            get_swagger_ui_html(
                openapi_url=app.openapi_url or "/openapi.json",
                title=f"{app.title} - Swagger UI",
                oauth2_redirect_url=OAUTH2_REDIRECT,
                swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
                swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
                swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png",
                swagger_ui_parameters={"validatorUrl": None},
            )
        )

    @router.get(OAUTH2_REDIRECT)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @router.get("/redoc")
    async def redoc() -> HTMLResponse:
        return _local_only(
            get_redoc_html(
                openapi_url=app.openapi_url or "/openapi.json",
                title=f"{app.title} - ReDoc",
                redoc_js_url=f"{DOCS_ASSETS}/redoc.standalone.js",
                redoc_favicon_url=f"{DOCS_ASSETS}/favicon.png",
                with_google_fonts=False,
            )
        )

    app.include_router(router)


def _local_only(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = _NOTHING_FROM_ELSEWHERE
    return page
