"""Every string the pages show is in the catalogue: templates hold markup and keys only."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from app.pages.catalogue import Catalogue
from app.pages.rendering import TEMPLATES

_KEY = re.compile(r"""\bt\(\s*["']([a-z0-9_.]+)["']\s*[,)]""")
_JINJA = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.DOTALL)
# Attributes whose values people read (or hear).
_SPOKEN = ("alt", "title", "placeholder", "aria-label", "data-announce", "data-copied")


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


class _Text(HTMLParser):
    """Collects the text and the spoken attributes left once Jinja is taken out."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_data(self, data: str) -> None:
        if re.search(r"[A-Za-z]", data):
            self.found.append(data.strip())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in _SPOKEN and value and re.search(r"[A-Za-z]", value):
                self.found.append(f"{name}={value}")


def test_every_key_the_templates_use_is_in_the_catalogue() -> None:
    catalogue = Catalogue.load("en")
    missing = {
        f"{path.name}: {key}"
        for path in _templates()
        for key in _KEY.findall(path.read_text(encoding="utf-8"))
        if not catalogue.has(key)
    }
    assert not missing


def test_templates_hold_no_text_of_their_own() -> None:
    leftovers = {}
    # macros.html writes attributes (aria-describedby and the like), not text.
    for path in (p for p in _templates() if p.name != "macros.html"):
        parser = _Text()
        parser.feed(_JINJA.sub(" ", path.read_text(encoding="utf-8")))
        if parser.found:
            leftovers[path.name] = parser.found
    assert not leftovers


def test_the_python_side_uses_only_known_keys() -> None:
    catalogue = Catalogue.load("en")
    pages = Path(__file__).resolve().parents[3] / "app" / "pages"
    used = {
        key
        for path in pages.glob("*.py")
        for key in re.findall(r'"((?:terms|errors)\.[a-z_.]+)"', path.read_text())
    }
    assert used
    assert all(catalogue.has(key) for key in used if not key.endswith((".", ".html")))


def test_numbers_are_grouped_as_the_catalogue_says() -> None:
    catalogue = Catalogue.load("en")
    assert catalogue.number(1234567) == "1,234,567"
    assert catalogue.text("case.list_count", count=1000) == "1,000 people"
