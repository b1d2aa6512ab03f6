"""What every command shares: the data-dir option, opening a node, rendering output.

Cheap to import (``jisr --help`` and every group's ``--help`` import it): the database and the
services are imported when a command opens its node.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from jisr.actors import Actor, system_actor

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from jisr.db import SessionFactory
    from jisr.settings import JisrSettings

DEFAULT_DATA_DIR = Path(os.environ.get("JISR_DATA_DIR", "jisr-data"))

DataDirOption = Annotated[
    Path,
    typer.Option(
        "--data-dir", help="The node's data directory (or JISR_DATA_DIR).", show_default=True
    ),
]


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


FormatOption = Annotated[
    OutputFormat, typer.Option("--format", help="table for people, json for scripts.")
]

stdout = Console()
stderr = Console(stderr=True)


@dataclass
class Node:
    settings: JisrSettings
    engine: Engine
    factory: SessionFactory
    agency_code: str

    @property
    def system(self) -> Actor:
        """Commands run on the node's own machine act as the node (audited as such)."""
        return system_actor(self.agency_code)

    @contextmanager
    def session(self) -> Iterator[Session]:
        from jisr.db import unit_of_work

        with unit_of_work(self.factory) as session:
            yield session


@contextmanager
def open_node(data_dir: Path) -> Iterator[Node]:
    from jisr.db import make_engine, make_session_factory, unit_of_work
    from jisr.db.migrate import require_current
    from jisr.identity.service import local_agency_code
    from jisr.settings import load_settings

    settings = load_settings(data_dir)
    engine = make_engine(settings.effective_database_url)
    try:
        require_current(engine)
        factory = make_session_factory(engine, settings.data_dir)
        with unit_of_work(factory) as session:
            agency = local_agency_code(session)
        yield Node(settings, engine, factory, agency)
    finally:
        engine.dispose()


def render(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: OutputFormat, title: str = ""
) -> None:
    """Print ``rows`` as a rich table or as JSON (one array) on stdout."""
    if fmt is OutputFormat.JSON:
        typer.echo(json.dumps(list(rows), ensure_ascii=False, default=str, indent=2))
        return
    from rich.table import Table

    table = Table(title=title or None)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    stdout.print(table)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(str(v) for v in value)
    return str(value)
