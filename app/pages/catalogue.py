"""Every string the pages show, from one catalogue per language.

`app/pages/messages/en.toml` holds them all, in tables named after the screens; a
translation is another file with the same keys (`EXCHANGE_PAGES_LANGUAGE=uk` reads
`uk.toml`). Strings are written so that numbers stand apart ("Released: {count}"), which
avoids plural rules; `[format]` says how numbers are grouped.

What the solver writes (conflicts, warnings, input problems) comes in its own words and
is shown as it is.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

MESSAGES = Path(__file__).parent / "messages"


class Catalogue:
    """The strings of one language, by dotted key (`cases.title`)."""

    def __init__(self, language: str, messages: dict[str, str]) -> None:
        self.language = language
        self._messages = messages
        self._group = messages.get("format.thousands_separator", ",")
        self._decimal = messages.get("format.decimal_separator", ".")

    @classmethod
    def load(cls, language: str) -> Catalogue:
        return _load(language)

    def keys(self) -> frozenset[str]:
        return frozenset(self._messages)

    def has(self, key: str) -> bool:
        return key in self._messages

    def text(self, key: str, **values: object) -> str:
        """The string for `key`, its `{name}` fields filled in; numbers are grouped.

        An unknown key raises KeyError: a page must never show a key instead of text.
        """
        template = self._messages[key]
        if not values:
            return template
        shown = {
            name: self.number(value)
            if isinstance(value, int | float) and not isinstance(value, bool)
            else value
            for name, value in values.items()
        }
        return template.format_map(shown)

    def number(self, value: int | float, places: int = 2) -> str:
        """1234567 as "1,234,567" (separators from the catalogue); floats to `places`."""
        text = f"{value:,}" if isinstance(value, int) else f"{value:,.{places}f}"
        return text.replace(",", "\0").replace(".", self._decimal).replace("\0", self._group)


@cache
def _load(language: str) -> Catalogue:
    path = MESSAGES / f"{language}.toml"
    with path.open("rb") as file:
        document = tomllib.load(file)
    return Catalogue(language, dict(_flatten(document)))


def _flatten(table: dict[str, object], prefix: str = "") -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            pairs.extend(_flatten(value, key + "."))
        elif isinstance(value, str):
            pairs.append((key, value))
        else:
            raise ValueError(f"{key}: catalogue entries are strings")
    return pairs
