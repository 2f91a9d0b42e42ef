"""The docs say what the product does: quoted plans are re-solved, commands and links exist.

docs/terms.md quotes requests and plans after a marker line
(`<!-- request: PATH -->` or `<!-- plan: PATH -->`) followed by a ```json block. A quoted
request must be the file as it is; a quoted plan must be part of what the planner makes
of that file today. Objects may leave keys out, and an abridged quote may end a list with
"..." (the items before it must be the first ones) or hold a "...": "..." entry; everything
else quoted must match exactly. The README's plan quote is held to the same rules.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from app.core.config import Settings
from solver import solve
from solver.cli import _parser, main
from solver.input_errors import parse_request

ROOT = Path(__file__).resolve().parent.parent
TERMS_DOC = ROOT / "docs" / "terms.md"
README = ROOT / "README.md"
_ELLIPSIS = "..."
_QUOTE = re.compile(r"<!-- (request|plan): (\S+) -->\n```json\n(.*?)\n```", re.DOTALL)


def quotes(markdown: Path) -> list[tuple[str, str, Any]]:
    """(kind, path, quoted JSON) for every marked block, in order."""
    found = []
    for kind, path, block in _QUOTE.findall(markdown.read_text(encoding="utf-8")):
        found.append((kind, path, json.loads(block)))
    return found


def mismatches(quoted: Any, actual: Any, at: str = "") -> list[str]:
    """Where `quoted` is not part of `actual`: objects may omit keys, the rest must match."""
    if isinstance(quoted, dict):
        if not isinstance(actual, dict):
            return [f"{at or '.'}: quoted an object, the plan has {actual!r}"]
        problems = []
        for key, value in quoted.items():
            if key == _ELLIPSIS:
                continue
            if key not in actual:
                problems.append(f"{at}.{key}: not in the plan")
            else:
                problems.extend(mismatches(value, actual[key], f"{at}.{key}"))
        return problems
    if isinstance(quoted, list) and quoted and quoted[-1] == _ELLIPSIS:
        head = quoted[:-1]
        if not isinstance(actual, list) or len(actual) < len(head):
            return [f"{at}: quoted {quoted!r}, the plan has {actual!r}"]
        return mismatches(head, actual[: len(head)], at)
    if isinstance(quoted, list):
        if not isinstance(actual, list) or len(quoted) != len(actual):
            return [f"{at}: quoted {quoted!r}, the plan has {actual!r}"]
        return [
            problem
            for i, (q, a) in enumerate(zip(quoted, actual, strict=True))
            for problem in mismatches(q, a, f"{at}[{i}]")
        ]
    return [] if quoted == actual else [f"{at}: quoted {quoted!r}, the plan has {actual!r}"]


TERMS_QUOTES = quotes(TERMS_DOC)


def test_terms_doc_quotes_every_terms_example() -> None:
    quoted = {path for _, path, _ in TERMS_QUOTES}
    examples = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "examples" / "terms").glob("*.json")
        if not path.name.endswith(".plan.json")
    }
    assert quoted == examples
    assert len(TERMS_QUOTES) >= 20


@pytest.mark.parametrize(
    ("kind", "path", "quoted"),
    [q for q in TERMS_QUOTES if q[0] == "request"],
    ids=lambda value: value if isinstance(value, str) and value.endswith(".json") else "",
)
def test_terms_doc_request_is_the_file(kind: str, path: str, quoted: Any) -> None:
    assert quoted == json.loads((ROOT / path).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("kind", "path", "quoted"),
    [q for q in TERMS_QUOTES if q[0] == "plan"],
    ids=lambda value: value if isinstance(value, str) and value.endswith(".json") else "",
)
def test_terms_doc_plan_holds_when_solved_again(kind: str, path: str, quoted: Any) -> None:
    plan = solve(parse_request((ROOT / path).read_bytes()))
    assert mismatches(quoted, plan.model_dump(mode="json")) == []


def test_mismatches_reads_quotes_as_parts_of_the_plan() -> None:
    plan = {"status": "optimal", "released": {"side_a": ["A-1"], "side_b": []}, "x": 1}
    assert mismatches({"released": {"side_a": ["A-1"]}}, plan) == []
    assert mismatches({"released": {"side_a": []}}, plan) != []
    assert mismatches({"status": "feasible"}, plan) != []
    assert mismatches({"nope": 1}, plan) != []
    assert mismatches({"released": {"side_a": ["..."]}, "...": "..."}, plan) == []
    assert mismatches({"released": {"side_a": ["A-2", "..."]}}, plan) != []


# --------------------------------------------------------------------------- README


def readme_blocks(language: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)\n```", text, re.DOTALL)


def command_lines(block: str) -> list[str]:
    """The block's commands, continuation lines joined, comments dropped."""
    joined = block.replace("\\\n", " ")
    return [line.split(" #")[0].strip() for line in joined.splitlines() if line.strip()]


def test_readme_plan_quote_holds_when_solved_again() -> None:
    readme_quotes = quotes(README)
    assert [(kind, path) for kind, path, _ in readme_quotes] == [("plan", "examples/teaching.json")]
    _, path, quoted = readme_quotes[0]
    quoted.pop("id")  # the service's id for the stored plan
    plan = solve(parse_request((ROOT / path).read_bytes()))
    assert mismatches(quoted, plan.model_dump(mode="json")) == []


def test_readme_scenario_table_is_what_the_variants_give() -> None:
    """The table printed under the scenarios example, row by row, from the solver."""
    text = README.read_text(encoding="utf-8")
    table = text.split("--data-binary @examples/teaching.scenarios.json", 1)[1]
    rows = re.search(r"```text\n(.*?)\n```", table, re.DOTALL)
    assert rows is not None
    body = json.loads((ROOT / "examples" / "teaching.scenarios.json").read_text(encoding="utf-8"))
    variants = body.pop("variants")
    expected = []
    for variant in variants:
        request = {**body, "terms": {**body["terms"], **variant["terms"]}}
        plan = solve(parse_request(json.dumps(request).encode()))
        released = (len(plan.released.side_a), len(plan.released.side_b))
        expected.append(f"{variant['name']} {plan.status} {released[0]} for {released[1]}")
    shown = [" ".join(line.split()) for line in rows.group(1).splitlines()]
    assert shown == expected


def test_readme_cli_examples_parse_and_name_existing_files() -> None:
    seen = 0
    for block in readme_blocks("bash"):
        for line in command_lines(block):
            if not line.startswith("exchange-planner "):
                continue
            words = shlex.split(line)[1:]
            _parser().parse_args(words)  # exits (fails the test) on a bad command line
            for word in words:
                if word.startswith("examples/"):
                    assert (ROOT / word).exists(), f"{line}: {word} does not exist"
            seen += 1
    assert seen >= 6


def test_readme_and_docs_link_only_to_files_that_exist() -> None:
    for document in (README, TERMS_DOC, ROOT / "examples" / "README.md"):
        text = document.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            assert (document.parent / target).exists(), f"{document.name} links to {target}"


def test_readme_documents_every_setting() -> None:
    text = README.read_text(encoding="utf-8")
    documented = set(re.findall(r"`EXCHANGE_([A-Z0-9_]+)`", text))
    settings = {name.upper() for name in Settings.model_fields}
    assert settings - documented == set(), "settings missing from README's Configuration"
    assert documented - settings == set(), "README names settings that do not exist"


def test_readme_cli_block_runs_as_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each command of the README's command-line block, in order, in a scratch folder that
    sees examples/: a plan the block solved verifies cleanly against its own request, and
    every other command ends normally (a draft's violations are exit 1, by design)."""
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    solved_from: dict[str, str] = {}
    verified = 0
    for block in readme_blocks("bash"):
        for line in command_lines(block):
            if not line.startswith("exchange-planner "):
                continue
            words = shlex.split(line)[1:]
            code = main(words)
            capsys.readouterr()
            args = _parser().parse_args(words)
            if args.command == "solve" and args.output:
                solved_from[args.output] = args.input
            if args.command == "verify" and args.plan in solved_from:
                assert args.input == solved_from[args.plan], f"{line}: plan of another request"
                assert code == 0, f"{line}: exit {code}"
                verified += 1
            elif args.command == "verify":
                assert code in (0, 1), f"{line}: exit {code}"
            else:
                assert code == 0, f"{line}: exit {code}"
    assert verified >= 1
