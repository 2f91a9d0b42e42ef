"""Screen 4, terms: a form with every term and the solve options, the agreed defaults
filled in, and each problem shown beside its field.

The form becomes the same `{"terms": ..., "options": ...}` document that
`PUT /v1/cases/{id}/terms` takes, and is checked by the same `terms_document`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from app.audit import AuditLog
from app.case_documents import terms_document
from app.case_store import CaseStore
from app.core.security import Caller
from app.models import CaseRecord
from app.pages.cases import case_context
from app.pages.deps import Mediator, PageCase
from app.pages.rendering import is_htmx, page_path, render
from app.pages.routing import PageRoute, form_of
from app.problems import ProblemError
from solver.input_errors import InvalidRequest
from solver.schema import Category, Options, Terms

router = APIRouter(route_class=PageRoute)

CATEGORIES: tuple[str, ...] = tuple(category.value for category in Category)
RANKS = len(CATEGORIES)
_IDS = re.compile(r"[\s,;]+")


@dataclass
class TermsForm:
    """The form's values as text (what the mediator typed), and a message per field."""

    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)  # field -> catalogue key or text
    problem_texts: dict[str, str] = field(default_factory=dict)  # field -> solver's words

    @classmethod
    def of(cls, terms: Terms, options: Options) -> TermsForm:
        return cls(
            {
                "reference_date": terms.reference_date.isoformat() if terms.reference_date else "",
                "min_per_side": str(terms.min_per_side),
                "max_per_side": "" if terms.max_per_side is None else str(terms.max_per_side),
                "parity": terms.parity,
                "young_age_limit": str(terms.young_age_limit),
                "priorities": [c.value for c in terms.priorities],
                "release_all": [c.value for c in terms.release_all],
                "outside_parity": [c.value for c in terms.outside_parity],
                "stages": ", ".join(str(s) for s in terms.stages) if terms.stages else "",
                "civilians_separately": terms.civilians_separately,
                "must_include_side_a": "\n".join(terms.must_include.side_a),
                "must_include_side_b": "\n".join(terms.must_include.side_b),
                "must_exclude_side_a": "\n".join(terms.must_exclude.side_a),
                "must_exclude_side_b": "\n".join(terms.must_exclude.side_b),
                "time_limit_s": f"{options.time_limit_s:g}",
                "seed": str(options.seed),
            }
        )


def stored_form(case: CaseRecord) -> TermsForm:
    terms = Terms.model_validate_json(case.terms_json) if case.terms_json else Terms()
    options = Options.model_validate_json(case.options_json) if case.options_json else Options()
    return TermsForm.of(terms, options)


def _whole(form: TermsForm, name: str, text: str, optional: bool = False) -> int | None:
    text = text.strip().replace(",", "").replace(" ", "")
    if not text and optional:
        return None
    if not text.isdigit():
        form.errors[name] = "terms.error_whole_number"
        return None
    return int(text)


def form_document(form_data: FormData) -> tuple[TermsForm, dict[str, Any]]:
    """The document the form stands for; problems a form alone can have (text in a number
    field, a category ranked twice) go to `errors` and leave the field out."""
    text = {name: str(form_data.get(name, "")) for name in TermsForm.of(Terms(), Options()).values}
    ranked = [str(form_data.get(f"priority_{rank}", "")) for rank in range(1, RANKS + 1)]
    priorities = [c for c in ranked if c in CATEGORIES]
    values: dict[str, Any] = {
        **text,
        "priorities": priorities,
        "release_all": [c for c in form_data.getlist("release_all") if c in CATEGORIES],
        "outside_parity": [c for c in form_data.getlist("outside_parity") if c in CATEGORIES],
        "civilians_separately": form_data.get("civilians_separately") == "yes",
    }
    form = TermsForm(values)
    terms: dict[str, Any] = {}
    if text["reference_date"].strip():
        terms["reference_date"] = text["reference_date"].strip()
    for name in ("min_per_side", "young_age_limit"):
        number = _whole(form, name, text[name])
        if number is not None:
            terms[name] = number
    cap = _whole(form, "max_per_side", text["max_per_side"], optional=True)
    if cap is not None:
        terms["max_per_side"] = cap
    terms["parity"] = text["parity"] or "total"
    if len(set(priorities)) != len(priorities):
        form.errors["priorities"] = "terms.error_ranked_twice"
    else:
        terms["priorities"] = priorities
    terms["release_all"] = values["release_all"]
    terms["outside_parity"] = values["outside_parity"]
    stages_text = text["stages"].strip()
    if stages_text:
        parts = [p for p in re.split(r"[\s,;]+", stages_text) if p]
        if all(p.isdigit() for p in parts):
            terms["stages"] = [int(p) for p in parts]
        else:
            form.errors["stages"] = "terms.error_stages"
    terms["civilians_separately"] = values["civilians_separately"]
    for rule in ("must_include", "must_exclude"):
        terms[rule] = {
            side: [i for i in _IDS.split(text[f"{rule}_{side}"]) if i]
            for side in ("side_a", "side_b")
        }
    options: dict[str, Any] = {}
    limit = text["time_limit_s"].strip()
    try:
        options["time_limit_s"] = float(limit) if limit else 10.0
    except ValueError:
        form.errors["time_limit_s"] = "terms.error_number"
    seed = _whole(form, "seed", text["seed"] or "0")
    if seed is not None:
        options["seed"] = seed
    return form, {"terms": terms, "options": options}


def _field_of(path: str) -> str:
    """A problem's field path (`terms.must_include.side_a[2]`) as the form field it is
    about (`must_include_side_a`)."""
    for prefix in ("terms.", "options."):
        if path.startswith(prefix):
            path = path[len(prefix) :]
    return path.split("[")[0].replace(".", "_")


def _render(
    request: Request, case: CaseRecord, caller: Caller, form: TermsForm, saved: bool, status: int
) -> Response:
    context = {
        **case_context(request, case, caller, "terms_page"),
        "form": form,
        "saved": saved,
        "categories": CATEGORIES,
        "ranks": RANKS,
    }
    if is_htmx(request):
        # htmx swaps only successful answers: the fragment itself says what is wrong.
        return render(request, "fragments/terms_form.html", context)
    return render(request, "terms.html", context, status_code=status)


@router.get("/cases/{case_id}/terms", name="terms_page")
async def terms_page(request: Request, case: PageCase, caller: Mediator) -> Response:
    saved = request.query_params.get("saved") == "1"
    return _render(request, case, caller, stored_form(case), saved, 200)


@router.post("/cases/{case_id}/terms", name="save_terms")
async def save_terms(request: Request, case: PageCase, caller: Mediator) -> Response:
    form, document = form_document(await form_of(request))
    if form.errors:
        return _render(request, case, caller, form, False, 422)
    body = json.dumps(document).encode("utf-8")
    try:
        checked = await run_in_threadpool(terms_document, body)
    except (ProblemError, InvalidRequest) as error:
        problems = error.errors or [] if isinstance(error, ProblemError) else error.problems
        for problem in problems:
            form.problem_texts.setdefault(_field_of(problem.field), problem.message)
        return _render(request, case, caller, form, False, 422)
    cases: CaseStore = request.app.state.cases
    audit: AuditLog = request.app.state.audit
    terms_json = json.dumps(checked["terms"], separators=(",", ":"))
    options_json = json.dumps(checked["options"], separators=(",", ":"))
    await run_in_threadpool(cases.set_terms, case.id, terms_json, options_json)
    await run_in_threadpool(audit.append, "terms_set", caller, case_id=case.id)
    if is_htmx(request):
        fresh = await run_in_threadpool(cases.get, case.id)
        return _render(request, fresh or case, caller, stored_form(fresh or case), True, 200)
    return RedirectResponse(
        page_path(request, "terms_page", case_id=case.id) + "?saved=1", status_code=303
    )
