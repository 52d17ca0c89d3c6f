"""`communique config`: every setting with its variable, default and value."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from workers.cli.common import console
from workers.connections import redact_url
from workers.settings import get_settings


def show_config(
    markdown: Annotated[bool, typer.Option(help="Print the README's Markdown table")] = False,
) -> None:
    """Every setting with its environment variable, default and current value."""
    settings = get_settings()
    fields = type(settings).model_fields
    if markdown:
        print("| setting | environment variable | default | meaning |")
        print("|---|---|---|---|")
    table = Table("setting", "env var", "value", "meaning")
    for name, info in fields.items():
        env_var = f"COMMUNIQUE_{name.upper()}"
        default = "" if info.default is None else info.default
        if isinstance(default, Path):
            default = os.path.relpath(default, Path.cwd()) if default.is_absolute() else default
        if markdown:
            print(f"| `{name}` | `{env_var}` | `{default}` | {info.description} |")
        else:
            # SecretStr prints as '**********'; a password written into a URL is masked too
            value = redact_url(str(getattr(settings, name)))
            table.add_row(name, env_var, value, info.description or "")
    if not markdown:
        console.print(table)
