"""No name and no birth date in any log record of a reconciliation, even at DEBUG."""

from __future__ import annotations

import logging
from datetime import date

import pytest

import reconciliation.backends
from benchmarks.reconciliation.lists import generate_lists
from reconciliation.reconcile import read_lists, reconcile


def _personal_data(records: list[dict[str, object]]) -> set[str]:
    """Every name word and every date, as written and as ISO, of the lists."""
    found: set[str] = set()
    for record in records:
        for field in ("name", "surname", "given_name", "patronymic"):
            value = record.get(field)
            if isinstance(value, str):
                found.update(word for word in value.split() if len(word) >= 4)
        born = record.get("birth_date")
        if isinstance(born, str):
            found.add(born)
            if "." in born:
                day, month, year = born.split(".")
                found.add(date(int(year), int(month), int(day)).isoformat())
    return found


def test_no_log_record_carries_a_name_or_a_birth_date(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The libraries are heard too (the run would quiet Splink to errors), so that what
    # they would log at DEBUG is checked as well as the project's own records.
    monkeypatch.setattr(reconciliation.backends, "quiet_libraries", lambda: None)
    for name in ("splink", "duckdb", "reconciliation"):
        monkeypatch.setattr(logging.getLogger(name), "level", logging.NOTSET)
    lists = generate_lists(600, 600, seed=9)  # trained: u sampling and EM are logged
    held, requested, exchanged = read_lists(lists.held, lists.requested, lists.exchanged)
    with caplog.at_level(logging.DEBUG):
        reconcile(held, requested, exchanged)
    assert caplog.records  # Splink said something: the check is not vacuous
    secrets = _personal_data([*lists.held, *lists.requested, *lists.exchanged])
    for record in caplog.records:
        text = f"{record.name} {record.getMessage()} {record.exc_text or ''}"
        leaked = {secret for secret in secrets if secret in text}
        assert not leaked, (record.name, record.levelname, sorted(leaked)[:5])
