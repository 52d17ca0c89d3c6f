"""Shared consoles and the one way a command fails with a clear message."""

from __future__ import annotations

import typer
from rich.console import Console

console = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 1) -> None:
    """Print ``message`` as an error and exit with ``code`` (no traceback)."""
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)
