"""Templates to HTML responses: one Jinja environment, the catalogue in every template,
and the headers every page carries.

Pages hold personal data, so they are never cached, never framed, and run no script but
the service's own files (the Content-Security-Policy allows nothing else, not even inline
script or style).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from starlette.routing import Router

from app.pages.catalogue import Catalogue

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # same-origin, not no-referrer: with no-referrer, browsers send `Origin: null` on forms.
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

templates = Jinja2Templates(
    env=Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
)


def page_path(request: Request, name: str, /, **params: object) -> str:
    """The path of a named page route (relative: right behind any proxy). Looked up among
    the pages only: an API handler may bear the same name."""
    router: Router = request.app.state.pages_router
    return str(router.url_path_for(name, **{k: str(v) for k, v in params.items()}))


@pass_context
def _path(context: Context, name: str, /, **params: object) -> str:
    return page_path(context["request"], name, **params)


@pass_context
def _query_with(context: Context, /, **changes: object) -> str:
    """The current query string with some parameters changed (a pager's links)."""
    request: Request = context["request"]
    params = dict(request.query_params)
    params.update({name: str(value) for name, value in changes.items()})
    return urlencode(params)


templates.env.globals["path"] = _path
templates.env.globals["query_with"] = _query_with


def catalogue_of(request: Request) -> Catalogue:
    return Catalogue.load(request.app.state.settings.pages_language)


def level_label(catalogue: Catalogue, name: str) -> str:
    """A lexicographic level's name (`priority:young`, `stage_order:all`) in words."""
    kind, _, category = name.partition(":")
    if category == "all":
        return catalogue.text("level.stage_order_all")
    if category:
        key = f"category.{category}"
        shown = catalogue.text(key) if catalogue.has(key) else category
        return catalogue.text(f"level.{kind}", category=shown)
    return catalogue.text(f"level.{kind}") if catalogue.has(f"level.{kind}") else name


def is_htmx(request: Request) -> bool:
    """Whether htmx sent the request (it then wants a fragment, not a whole page)."""
    return request.headers.get("hx-request") == "true"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A template as an HTML response, with the catalogue, the caller and the CSRF token."""
    catalogue = catalogue_of(request)
    state = request.state
    values: dict[str, Any] = {
        "t": catalogue.text,
        "has_text": catalogue.has,
        "level_label": lambda name: level_label(catalogue, name),
        "number": catalogue.number,
        "language": catalogue.language,
        "caller": getattr(state, "caller", None),
        "csrf_token": state.csrf_token,
        **(context or {}),
    }
    response: HTMLResponse = templates.TemplateResponse(
        request,
        template,
        values,
        status_code=status_code,
        headers={**PAGE_HEADERS, **(headers or {})},
    )
    return response
