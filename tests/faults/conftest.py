"""Prints the fault suite's summary table (one row per infrastructure fault) after the run."""

from __future__ import annotations

from typing import Any

from tests.faults.harness import SUMMARY

COLUMNS = ("fault", "entries", "indexed", "dead-lettered", "lost", "duplicated", "recovery s")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The reconciliation of every fault scenario that ran, as a table."""
    if not SUMMARY:
        return
    widths = [max(len(c), *(len(str(row[c])) for row in SUMMARY)) for c in COLUMNS]
    terminalreporter.section("fault reconciliation (../shared/docs/reliability.md)")
    terminalreporter.write_line(
        " | ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True))
    )
    terminalreporter.write_line("-+-".join("-" * w for w in widths))
    for row in SUMMARY:
        cells = (str(row[c]).ljust(w) for c, w in zip(COLUMNS, widths, strict=True))
        terminalreporter.write_line(" | ".join(cells))
