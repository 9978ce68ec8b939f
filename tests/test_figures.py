"""The table of figures printed at the end of a run (tests/figures.py)."""

from __future__ import annotations

from tests.figures import FIGURES, rows_add, table


def test_it_adds_up_rows_of_one_label_and_puts_the_known_columns_first() -> None:
    rows: dict[str, dict[str, int]] = {}
    rows_add(rows, [(FIGURES, {"label": "floods", "failures": 0, "inputs": 1200})])
    rows_add(rows, [("other", {}), (FIGURES, {"label": "floods", "inputs": 34, "failures": 0})])
    rows_add(rows, [(FIGURES, {"label": "Redis restarts", "faults": 20, "edits": 400})])
    assert table(rows) == [
        "                faults injected  edits checked  inputs tried  failures",
        "Redis restarts               20            400",
        "floods                                                 1,234         0",
    ]
