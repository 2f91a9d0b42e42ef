"""Check-then-write steps hold the database's write lock from before they check: a second
request that arrives between the first one's check and its write waits, then sees it.

SQLite ignores SELECT ... FOR UPDATE, and pysqlite opens its transaction at the first
write; these tests hold the first request just before its write and let the second one
run meanwhile."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event

from app.case_store import ListChangedError
from app.reconciliation.store import fingerprint
from tests.app.api.routes.test_reconciliation import EXAMPLES, _namesakes_case
from tests.app.conftest import MakeClient
from tests.app.negotiation import MEDIATOR_TOKEN


def _race(engine: Engine, write: str, first: Callable[[], Any], second: Callable[[], Any]) -> Any:
    """Run `first`; when it is about to run a statement starting with `write`, run
    `second` in another thread and give it two seconds before `first` goes on. Return
    what `second` returned (or raised)."""
    outcome: dict[str, Any] = {}
    fired = threading.Event()

    def run_second() -> None:
        try:
            outcome["value"] = second()
        except Exception as error:  # the caller looks at it
            outcome["value"] = error

    other = threading.Thread(target=run_second)

    def hold(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(write) and not fired.is_set():
            fired.set()
            other.start()
            other.join(timeout=2)

    event.listen(engine, "before_cursor_execute", hold)
    try:
        first()
    finally:
        event.remove(engine, "before_cursor_execute", hold)
    assert fired.is_set()
    other.join(timeout=60)
    assert not other.is_alive()
    return outcome["value"]


def test_two_confirmations_of_rivals_cannot_both_pass(make_client: MakeClient) -> None:
    with make_client(bootstrap_mediator_key=MEDIATOR_TOKEN) as client:
        case_id = _namesakes_case(client).rsplit("/", 1)[1]
        state = client.app.state  # type: ignore[attr-defined]
        store = state.reconciliations
        mine: list[str] = []

        def first() -> None:
            mine.extend(store.decide(case_id, "m-4", "confirmed", "one", {"m-5": False}))

        refused = _race(
            state.engine,
            "DELETE FROM RECONCILIATION_DECISIONS",
            first,
            lambda: store.decide(case_id, "m-5", "confirmed", "two", {"m-4": False}),
        )
        assert mine == []
        assert refused == ["m-4"]
        assert store.decisions(case_id) == {"m-4": "confirmed"}


def test_two_replacements_of_one_list_cannot_both_pass(make_client: MakeClient) -> None:
    with make_client(bootstrap_mediator_key=MEDIATOR_TOKEN) as client:
        case_id = _namesakes_case(client).rsplit("/", 1)[1]
        state = client.app.state  # type: ignore[attr-defined]
        cases = state.cases
        stored = cases.get_list(case_id, "side_b")
        compared = fingerprint(stored.list_json)
        text = (EXAMPLES / "side_b.json").read_text(encoding="utf-8")

        def put(marker: str) -> Any:
            return cases.put_list(
                case_id, "side_b", marker, stored.detainee_count, text, replacing=compared
            )

        second = _race(
            state.engine, "DELETE FROM CASE_LISTS", lambda: put("json"), lambda: put("csv")
        )
        assert isinstance(second, ListChangedError)
        assert cases.get_list(case_id, "side_b").source == "json"
