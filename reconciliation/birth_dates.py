"""Birth dates as the lists write them: `YYYY-MM-DD`, or `DD.MM.YYYY` as clerks often do."""

from __future__ import annotations

import re
from datetime import date

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", re.ASCII)


class UnreadableDateError(ValueError):
    """A birth date in neither accepted form, or a day that does not exist."""


def parse_birth_date(text: str) -> date:
    """The day a cell names; `UnreadableDateError` (without the cell's text) otherwise.

    Only these two forms: a two-digit year, or a day and month in an unknown order,
    would be a guess, and a guessed birth date is worse than none.
    """
    text = text.strip()
    iso = _ISO.fullmatch(text)
    if iso is not None:
        year, month, day = (int(part) for part in iso.groups())
    else:
        dotted = _DOTTED.fullmatch(text)
        if dotted is None:
            raise UnreadableDateError("a birth date must be written YYYY-MM-DD or DD.MM.YYYY")
        day, month, year = (int(part) for part in dotted.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise UnreadableDateError("the birth date names a day that does not exist") from None
