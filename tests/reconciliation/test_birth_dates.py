"""Birth dates as the lists write them: two forms, nothing guessed."""

from __future__ import annotations

from datetime import date

import pytest

from reconciliation.birth_dates import UnreadableDateError, parse_birth_date


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("1990-05-03", date(1990, 5, 3)),
        ("03.05.1990", date(1990, 5, 3)),
        ("3.5.1990", date(1990, 5, 3)),
        (" 29.02.2000 ", date(2000, 2, 29)),
    ],
)
def test_parse_birth_date_reads_both_forms(text: str, day: date) -> None:
    assert parse_birth_date(text) == day


@pytest.mark.parametrize(
    "text", ["1990/05/03", "03-05-1990", "03.05.90", "May 3 1990", "19900503", "", "1990-5-3"]
)
def test_parse_birth_date_refuses_other_forms(text: str) -> None:
    with pytest.raises(UnreadableDateError, match=r"YYYY-MM-DD or DD\.MM\.YYYY"):
        parse_birth_date(text)


@pytest.mark.parametrize("text", ["31.02.1990", "1990-13-01", "00.01.1990", "29.02.2001"])
def test_parse_birth_date_refuses_days_that_do_not_exist(text: str) -> None:
    with pytest.raises(UnreadableDateError) as raised:
        parse_birth_date(text)
    assert text not in str(raised.value)
