"""Example bodies for /docs: small synthetic exchanges that work with "Try it out" as is.

Every person here is made up. The ids `example-plan`, `example-plan-to-delete` and
`example-job` are stored at start-up (setting `seed_examples`) so that the routes taking
an id have something to find.
"""

from __future__ import annotations

import copy
from typing import Any

EXAMPLE_PLAN_ID = "example-plan"
EXAMPLE_PLAN_TO_DELETE_ID = "example-plan-to-delete"
EXAMPLE_JOB_ID = "example-job"
EXAMPLE_CASE_ID = "example-case"
EXAMPLE_CASE_TO_DELETE_ID = "example-case-to-delete"
EXAMPLE_CASE_PLAN_ID = "example-case-plan"
EXAMPLE_KEY_ID = "0000000000000000"

# Side A holds six people, side B six. Side A's A-104 refuses repatriation and A-105 is
# held back; side B's B-205 and B-206 are a family, released together or not at all.
EXCHANGE: dict[str, Any] = {
    "terms": {
        "reference_date": "2025-05-23",
        "min_per_side": 3,
        "max_per_side": None,
        "parity": "total",
        "young_age_limit": 25,
        "priorities": ["seriously_ill", "young", "civilian", "requested"],
        "release_all": ["seriously_ill", "young"],
        "outside_parity": [],
        "stages": [2, 2],
        "civilians_separately": False,
        "must_include": {"side_a": ["A-106"], "side_b": []},
        "must_exclude": {"side_a": [], "side_b": []},
    },
    "side_a": {
        "name": "Side A",
        "detainees": [
            {
                "id": "A-101",
                "name": "Synthetic Person One",
                "birth_date": "1990-03-14",
                "captured_on": "2024-02-01",
            },
            {"id": "A-102", "age": 41, "seriously_ill": True, "captured_on": "2023-11-20"},
            {
                "id": "A-103",
                "birth_date": "2003-07-09",
                "status": "civilian",
                "captured_on": "2024-06-30",
            },
            {"id": "A-104", "age": 35, "consents": False, "captured_on": "2024-01-15"},
            {
                "id": "A-105",
                "age": 28,
                "eligible": False,
                "ineligible_reason": "pending criminal proceedings",
            },
            {"id": "A-106", "age": 33, "requested": True, "captured_on": "2024-03-02"},
        ],
    },
    "side_b": {
        "name": "Side B",
        "detainees": [
            {"id": "B-201", "age": 45, "captured_on": "2023-09-01"},
            {"id": "B-202", "age": 38, "seriously_ill": True, "captured_on": "2024-04-11"},
            {"id": "B-203", "age": 19, "status": "civilian", "captured_on": "2024-08-19"},
            {"id": "B-204", "age": 29, "requested": True, "captured_on": "2023-12-24"},
            {
                "id": "B-205",
                "age": 52,
                "status": "civilian",
                "group": "family-7",
                "captured_on": "2024-05-05",
            },
            {
                "id": "B-206",
                "age": 24,
                "status": "civilian",
                "group": "family-7",
                "captured_on": "2024-05-05",
            },
        ],
    },
    "options": {"time_limit_s": 5, "seed": 0},
}


def exchange(**terms: Any) -> dict[str, Any]:
    """The example exchange with some terms changed."""
    body = copy.deepcopy(EXCHANGE)
    body["terms"].update(terms)
    return body


EXCHANGE_EXAMPLES: dict[str, dict[str, Any]] = {
    "two_stages": {
        "summary": "Six people per side, two stages of two",
        "description": "Feasible: the seriously ill and the young go first; a family "
        "travels together.",
        "value": EXCHANGE,
    },
    "art_109": {
        "summary": "Seriously ill released on top of a balanced core (art. 109 mode)",
        "value": exchange(outside_parity=["seriously_ill"], min_per_side=2),
    },
    "infeasible": {
        "summary": "A floor no list can reach: the plan names the conflict",
        "value": exchange(min_per_side=10),
    },
}

PROPOSAL: dict[str, Any] = {
    "released": {
        "side_a": ["A-101", "A-102", "A-103", "A-106"],
        "side_b": ["B-201", "B-202", "B-203", "B-205"],
    },
    "stages": [
        {"number": 1, "side_a": ["A-102", "A-103"], "side_b": ["B-202", "B-203"]},
        {"number": 2, "side_a": ["A-101", "A-106"], "side_b": ["B-201", "B-205"]},
    ],
}

VERIFY_EXAMPLES: dict[str, dict[str, Any]] = {
    "split_family": {
        "summary": "A proposal that splits a family and leaves a young person behind",
        "value": {**EXCHANGE, "plan": PROPOSAL},
    },
    "without_stages": {
        "summary": "A proposal that names only who is released",
        "value": {
            **exchange(stages=None),
            "plan": {
                "released": {
                    "side_a": ["A-102", "A-103", "A-106", "A-101"],
                    "side_b": ["B-202", "B-203", "B-205", "B-206"],
                }
            },
        },
    },
}

SCENARIO_EXAMPLES: dict[str, dict[str, Any]] = {
    "floors_and_art_109": {
        "summary": "Three floors, and the art. 109 mode, side by side",
        "value": {
            **EXCHANGE,
            "variants": [
                {"name": "as agreed", "terms": {}},
                {"name": "floor 4", "terms": {"min_per_side": 4}},
                {"name": "floor 5", "terms": {"min_per_side": 5}},
                {
                    "name": "art. 109 mode",
                    "terms": {"outside_parity": ["seriously_ill"], "min_per_side": 2},
                },
                {"name": "one stage", "terms": {"stages": None}},
            ],
        },
    },
}

SIDE_A_CSV = """id,name,birth_date,age,status,seriously_ill,captured_on,consents,eligible,ineligible_reason,group,requested
A-101,Synthetic Person One,1990-03-14,,military,false,2024-02-01,true,true,,,false
A-102,,,41,military,true,2023-11-20,true,true,,,false
A-103,,2003-07-09,,civilian,false,2024-06-30,true,true,,,false
A-104,,,35,military,false,2024-01-15,false,true,,,false
A-105,,,28,military,false,,true,false,pending criminal proceedings,,false
A-106,,,33,military,false,2024-03-02,true,true,,,true
"""  # noqa: E501 - a CSV header is one line

SIDE_B_CSV = """id,age,status,seriously_ill,captured_on,group,requested
B-201,45,military,false,2023-09-01,,false
B-202,38,military,true,2024-04-11,,false
B-203,19,civilian,false,2024-08-19,,false
B-204,29,military,false,2023-12-24,,true
B-205,52,civilian,false,2024-05-05,family-7,false
B-206,24,civilian,false,2024-05-05,family-7,false
"""

CSV_TERMS = {k: v for k, v in EXCHANGE["terms"].items() if v is not None}
CSV_OPTIONS = EXCHANGE["options"]

CSV_UPLOAD_EXAMPLES: dict[str, dict[str, Any]] = {
    "two_lists": {
        "summary": "Both lists as CSV text, the terms as JSON",
        "value": {
            "side_a": SIDE_A_CSV,
            "side_b": SIDE_B_CSV,
            "terms": CSV_TERMS,
            "options": CSV_OPTIONS,
            "side_a_name": "Side A",
            "side_b_name": "Side B",
        },
    },
}

CASE_LIST_EXAMPLES: dict[str, dict[str, Any]] = {
    "side_a": {
        "summary": "The six people side A holds",
        "value": EXCHANGE["side_a"],
    },
}

CASE_TERMS_EXAMPLES: dict[str, dict[str, Any]] = {
    "two_stages": {
        "summary": "Two stages of two, at least three per side",
        "value": {"terms": EXCHANGE["terms"], "options": EXCHANGE["options"]},
    },
}

# The day of the exchange: the example exchange's plan as agreed, and what happened.
AGREED_PLAN: dict[str, Any] = {
    "stages": [
        {"number": 1, "side_a": ["A-102", "A-103"], "side_b": ["B-202", "B-203"]},
        {"number": 2, "side_a": ["A-101", "A-106"], "side_b": ["B-205", "B-206"]},
    ]
}
STAGE_1_DONE: dict[str, Any] = {"type": "stage_executed", "number": 1}
B_205_UNFIT: dict[str, Any] = {
    "type": "dropout",
    "side": "side_b",
    "id": "B-205",
    "reason": "unfit_to_travel",
}

REPAIR_EXAMPLES: dict[str, dict[str, Any]] = {
    "dropout_after_stage_1": {
        "summary": "Stage 1 done; B-205 is too ill to travel in stage 2",
        "description": "Her son B-206 (24, so released whatever happens) goes on alone; "
        "one more person of side B fills the place. Three options, best first.",
        "value": {
            **EXCHANGE,
            "plan": AGREED_PLAN,
            "events": [STAGE_1_DONE, B_205_UNFIT],
            "repair": {"policy": "priorities_first", "options": 3},
        },
    },
    "listed_late": {
        "summary": "Stage 1 done; side A lists A-107 late: nothing needs to change",
        "value": {
            **EXCHANGE,
            "plan": AGREED_PLAN,
            "events": [
                STAGE_1_DONE,
                {
                    "type": "add",
                    "side": "side_a",
                    "detainee": {"id": "A-107", "age": 30, "captured_on": "2023-01-01"},
                },
            ],
            "repair": {"policy": "fewest_changes_first"},
        },
    },
}

CASE_EVENTS_EXAMPLES: dict[str, dict[str, Any]] = {
    "changed_facts": {
        "summary": "Changed facts: side B now asks for B-201 by name (can be sent again)",
        "value": {
            "events": [
                {"type": "update", "side": "side_b", "id": "B-201", "fields": {"requested": True}}
            ]
        },
    },
    "dropout": {
        "summary": "B-205 cannot travel (once only: a second dropout of B-205 is refused)",
        "value": {"events": [B_205_UNFIT]},
    },
}

CASE_REPAIR_EXAMPLES: dict[str, dict[str, Any]] = {
    "priorities_first": {
        "summary": "The priorities first, then the fewest changes; two options",
        "value": {"policy": "priorities_first", "options": 2},
    },
    "fewest_changes_first": {
        "summary": "The fewest changes before anything else",
        "value": {"policy": "fewest_changes_first"},
    },
}
