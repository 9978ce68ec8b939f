"""One table of figures at the end of a test run: faults injected, edits checked, inputs
tried, failures, as the fault, fuzz and property tests count them.

A test asks for the `figures` fixture and adds a row: `figures.add("socket floods",
inputs=343, failures=0)`. Rows of the same label add up (a parametrized test makes one
row); `faults`, `edits`, `inputs` and `failures` come first, other columns after them in
name order. The figures travel on the test's report, so under pytest-xdist they reach the
process that prints the summary from every worker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

FIGURES = "parley_figures"
COLUMNS = {
    "faults": "faults injected",
    "edits": "edits checked",
    "inputs": "inputs tried",
    "failures": "failures",
}
# label -> column -> count, in the process that prints the summary.
_rows: dict[str, dict[str, int]] = {}


@dataclass
class Figures:
    item: pytest.Item

    def add(self, label: str, **counts: int) -> None:
        self.item.user_properties.append((FIGURES, {"label": label, **counts}))


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Figures:
    assert isinstance(request.node, pytest.Item)
    return Figures(request.node)


def rows_add(rows: dict[str, dict[str, int]], user_properties: Any) -> None:
    for name, value in user_properties:
        if name != FIGURES or not isinstance(value, dict):
            continue
        counts = dict(value)
        row = rows.setdefault(str(counts.pop("label")), {})
        for column, count in counts.items():
            row[column] = row.get(column, 0) + int(count)


def table(rows: dict[str, dict[str, int]]) -> list[str]:
    """The rows as lines of text, a column per figure, numbers right-aligned."""
    columns = [c for c in COLUMNS if any(c in row for row in rows.values())]
    columns += sorted({c for row in rows.values() for c in row} - set(columns))
    header = ["", *(COLUMNS.get(column, column) for column in columns)]
    cells = [header] + [
        [label, *(f"{row[c]:,}" if c in row else "" for c in columns)]
        for label, row in sorted(rows.items())
    ]
    widths = [max(len(line[i]) for line in cells) for i in range(len(header))]
    return [
        "  ".join(
            [line[0].ljust(widths[0])]
            + [cell.rjust(width) for cell, width in zip(line[1:], widths[1:], strict=True)]
        ).rstrip()
        for line in cells
    ]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # Every phase's report carries the properties so far: the teardown's has them all.
    if report.when == "teardown":
        rows_add(_rows, report.user_properties)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _rows:
        terminalreporter.write_sep("=", "figures")
        for line in table(_rows):
            terminalreporter.write_line(line)
