"""`exchange-planner reconcile`: CSV and JSON files in, JSON out, named errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from solver.cli import EXIT_BAD_INPUT, EXIT_OK, main

HELD_CSV = """id;surname;given_name;patronymic;birth_date;status
B-1;Олейник;Александр;Петрович;1990-05-03;military
B-2;Шевченко;Тарас;Григорьевич;09.03.1984;civilian
B-3;Коваленко;Іван;;1979-12-01;military
"""
REQUESTED = [
    {"id": "R-1", "name": "Oliinyk Oleksandr Petrovych", "birth_date": "03.05.1990"},
    {"id": "R-2", "surname": "Шевченко", "given_name": "Тарас", "birth_date": "1984-03-09"},
]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    held = tmp_path / "held.csv"
    held.write_text(HELD_CSV, encoding="utf-8")
    requested = tmp_path / "requested.json"
    requested.write_text(json.dumps(REQUESTED, ensure_ascii=False), encoding="utf-8")
    exchanged = tmp_path / "exchanged.json"
    exchanged.write_text(
        json.dumps(
            {"detainees": [{"id": "X-1", "name": "Коваленко Іван", "birth_date": "01.12.1979"}]}
        ),
        encoding="utf-8",
    )
    return {"held": held, "requested": requested, "exchanged": exchanged, "dir": tmp_path}


def test_reconcile_writes_the_answer_and_a_summary(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    out = files["dir"] / "out.json"
    code = main(
        [
            "reconcile",
            "--held", str(files["held"]),
            "--requested", str(files["requested"]),
            "--exchanged", str(files["exchanged"]),
            "-o", str(out),
            "--no-progress",
        ]
    )  # fmt: skip
    assert code == EXIT_OK
    answer = json.loads(out.read_text(encoding="utf-8"))
    assert {(m["requested_id"], m["held_id"], m["band"]) for m in answer["matches"]} == {
        ("R-1", "B-1", "auto"),
        ("R-2", "B-2", "auto"),
    }
    assert [(e["held_id"], e["band"]) for e in answer["already_exchanged"]] == [("B-3", "auto")]
    assert answer["unmatched_requested"] == []
    err = capsys.readouterr().err
    assert (
        "2 matched (auto), 0 to review, 0 not found of 2 requested; 0 held listed more than "
        "once; 1 held already exchanged" in err
    )
    # Ids only: not one name of the lists is in the answer or on the terminal.
    for name in ("Олейник", "Шевченко", "Oliinyk", "Коваленко", "Тарас"):
        assert name not in out.read_text(encoding="utf-8")
        assert name not in err


def test_reconcile_names_every_problem_and_quotes_no_cell(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    bad = files["dir"] / "bad.csv"
    bad.write_text(
        "id,surname,given_name,birth_date,nickname\n"
        "B-1,Шевченко,Тарас,31.02.1984,Тарасик\n"
        "B-1,Шевченко,Тарас,1984-03-09,\n",
        encoding="utf-8",
    )
    code = main(["reconcile", "--held", str(bad), "--requested", str(files["requested"])])
    assert code == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "held, row 2, id B-1: birth_date:" in err
    assert "[unreadable_date]" in err
    assert "[unknown_field]" in err
    assert "[duplicate_id]" in err
    assert "31.02.1984" not in err
    assert "Тарас" not in err


def test_reconcile_refuses_a_csv_without_its_header_without_quoting_it(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    headless = files["dir"] / "headless.csv"
    headless.write_text("B-1,Шевченко,Тарас\n", encoding="utf-8")
    code = main(["reconcile", "--held", str(headless), "--requested", str(files["requested"])])
    assert code == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "[missing_id]" in err
    assert "Шевченко" not in err


def test_reconcile_refuses_a_list_without_any_name(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    nameless = files["dir"] / "nameless.json"
    nameless.write_text('[{"id": "R-1", "birth_date": "1990-01-01"}]', encoding="utf-8")
    code = main(["reconcile", "--held", str(files["held"]), "--requested", str(nameless)])
    assert code == EXIT_BAD_INPUT
    assert "[no_name_field]" in capsys.readouterr().err


def test_reconcile_says_which_file_it_cannot_read(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    missing = files["dir"] / "missing.csv"
    code = main(["reconcile", "--held", str(missing), "--requested", str(files["requested"])])
    assert code == EXIT_BAD_INPUT
    assert "missing.csv" in capsys.readouterr().err


def test_other_commands_do_not_load_the_linkage() -> None:
    """The CLI's other commands keep their start-up: Splink and DuckDB load on use."""
    import subprocess
    import sys

    code = (
        "import sys; from solver.cli import _parser; _parser(); "
        "print(any(m.startswith(('splink', 'duckdb', 'pyarrow')) for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_reconcile_names_a_header_cell_that_is_a_person_by_its_column(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # A header row that is really a person's row, with an id column all the same.
    headed = files["dir"] / "headed.csv"
    headed.write_text("id;Шевченко Тарас;09.03.1814\nB-1;Бойко;Іван\n", encoding="utf-8")
    code = main(["reconcile", "--held", str(headed), "--requested", str(files["requested"])])
    assert code == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "held, row 1: column 2: not a field" in err
    assert "held, row 1: column 3: not a field" in err
    for cell in ("Шевченко", "Тарас", "09.03.1814", "шевченко"):
        assert cell not in err


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ([], (0.95, 0.3)),
        (["--auto-probability", "0", "--review-probability", "0"], (0.0, 0.0)),
        (["--auto-probability", "1", "--review-probability", "0.5"], (1.0, 0.5)),
    ],
)
def test_reconcile_takes_the_thresholds_as_given_zero_included(
    files: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    flags: list[str],
    expected: tuple[float, float],
) -> None:
    import reconciliation.reconcile
    from reconciliation.schema import ReconcileOptions, Reconciliation

    seen: list[ReconcileOptions] = []

    def spy(*args: object, **kwargs: object) -> Reconciliation:
        options = args[3]
        assert isinstance(options, ReconcileOptions)
        seen.append(options)
        return Reconciliation()

    monkeypatch.setattr(reconciliation.reconcile, "reconcile", spy)
    out = files["dir"] / "out.json"
    command = ["reconcile", "--held", str(files["held"]), "--requested", str(files["requested"])]
    assert main([*command, "-o", str(out), "--no-progress", *flags]) == EXIT_OK
    assert [(o.auto_probability, o.review_probability) for o in seen] == [expected]


def test_reconcile_reads_a_workbook_as_its_csv_export(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.reconciliation.test_workbooks import workbook

    rows = [line.split(";") for line in HELD_CSV.strip().splitlines()]
    held = files["dir"] / "held.xlsx"
    held.write_bytes(workbook(rows))
    out = files["dir"] / "out.json"
    arguments = ["--requested", str(files["requested"]), "-o", str(out), "--no-progress"]
    code = main(["reconcile", "--held", str(held), *arguments])
    assert code == EXIT_OK, capsys.readouterr().err
    from_xlsx = json.loads(out.read_text(encoding="utf-8"))
    code = main(["reconcile", "--held", str(files["held"]), *arguments])
    assert code == EXIT_OK
    from_csv = json.loads(out.read_text(encoding="utf-8"))
    for answer in (from_xlsx, from_csv):
        answer["summary"].pop("seconds")
    assert from_xlsx == from_csv
    assert {(m["requested_id"], m["held_id"]) for m in from_xlsx["matches"]} == {
        ("R-1", "B-1"),
        ("R-2", "B-2"),
    }
