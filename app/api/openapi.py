"""Request bodies in the OpenAPI document for routes that parse their bodies themselves.

Such routes declare no body parameter (FastAPI would validate it and echo bad input in
its 422), so their schemas and examples are written into the document here.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from app.problems import PROBLEM_JSON

_REF = "#/components/schemas/{model}"
_body_models: dict[str, type[BaseModel]] = {}


def json_body(model: type[BaseModel], examples: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """`openapi_extra` for a route whose JSON body has the shape of `model`."""
    _body_models[model.__name__] = model
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": _REF.format(model=model.__name__)},
                    "examples": examples,
                }
            },
        }
    }


def form_body(
    properties: dict[str, dict[str, Any]], required: list[str], encoding: dict[str, Any]
) -> dict[str, Any]:
    """`openapi_extra` for a multipart form whose parts the route reads itself."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {"type": "object", "properties": properties, "required": required},
                    "encoding": encoding,
                }
            },
        }
    }


def install_openapi(app: FastAPI, extra_models: list[type[BaseModel]]) -> None:
    """Generate the document once, with the self-parsed bodies' schemas added."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            separate_input_output_schemas=False,
        )
        models = [*_body_models.values(), *extra_models]
        _, definitions = models_json_schema(
            [(model, "validation") for model in models], ref_template=_REF
        )
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for name, schema in definitions.get("$defs", {}).items():
            schemas.setdefault(name, schema)
        _problem_422s(document)
        _access_responses(document)
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _problem_422s(document: dict[str, Any]) -> None:
    """Describe every 422 as the problem+json it is, not FastAPI's default (which echoes
    the input and is never sent by this service)."""
    problem = {
        "description": "Unprocessable Content",
        "content": {PROBLEM_JSON: {"schema": {"$ref": _REF.format(model="Problem")}}},
    }
    for item in document.get("paths", {}).values():
        for operation in item.values():
            responses = operation.get("responses", {})
            if "422" in responses and PROBLEM_JSON not in responses["422"].get("content", {}):
                responses["422"] = problem
    schemas = document.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)


_ACCESS_RESPONSES: dict[str, tuple[str, dict[str, Any]]] = {
    "401": (
        "No valid API key (missing, unknown, revoked); or no keys are configured and the "
        "request did not come over loopback.",
        {"WWW-Authenticate": {"schema": {"type": "string"}}},
    ),
    "404": (
        "Not found, or not for this key: a party gets 404 for everything but its own case, "
        "its own list and the published plan.",
        {},
    ),
    "429": (
        "This key's rate is used up; retry after the given seconds.",
        {"Retry-After": {"schema": {"type": "integer"}}},
    ),
}


def _access_responses(document: dict[str, Any]) -> None:
    """Every authenticated operation can answer 401, 404 and 429; every one with a body 413."""
    for item in document.get("paths", {}).values():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            statuses = dict(_ACCESS_RESPONSES) if "security" in operation else {}
            if "requestBody" in operation:
                statuses["413"] = ("The request body is over the service's limit.", {})
            for status, (description, headers) in statuses.items():
                if status in responses:
                    continue
                response: dict[str, Any] = {
                    "description": description,
                    "content": {PROBLEM_JSON: {"schema": {"$ref": _REF.format(model="Problem")}}},
                }
                if headers:
                    response["headers"] = headers
                responses[status] = response
