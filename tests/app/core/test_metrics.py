"""Route templates for metric labels: never the ids in a URL."""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute

from app.core.metrics import route_template


def endpoint() -> None:
    return None


def scope_for(path: str, template: str | None) -> dict[str, Any]:
    scope: dict[str, Any] = {"type": "http", "path": path}
    if template is not None:
        scope["route"] = APIRoute(template, endpoint)
    return scope


def test_prefix_of_an_included_router_is_kept_and_ids_are_not() -> None:
    scope = scope_for("/v1/plans/3f2a", "/plans/{plan_id}")
    assert route_template(scope) == "/v1/plans/{plan_id}"


def test_top_level_route_is_its_own_template() -> None:
    assert route_template(scope_for("/healthz", "/healthz")) == "/healthz"


def test_unmatched_paths_share_one_label() -> None:
    assert route_template(scope_for("/v1/secret-id", None)) == "unmatched"
