"""``jisr rights``: register data-subject requests, list them (overdue), block, decide."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer

from jisr.cli.common import (
    DEFAULT_DATA_DIR,
    DataDirOption,
    FormatOption,
    OutputFormat,
    open_node,
    render,
)
from jisr.errors import ValidationError
from jisr.rights import service
from jisr.rights.models import Outcome, RecordType, RequestKind
from jisr.rights.schemas import BlockCreate, DecisionCreate, RequestCreate
from jisr.rights.settings import RightsSettings

rights_app = typer.Typer(
    help="Data-subject requests: access, correction, deletion.", no_args_is_help=True
)
COLUMNS = ("id", "kind", "subject_name", "requester", "received_on", "due_at", "overdue", "status")


@rights_app.command("add")
def add_command(
    kind: Annotated[RequestKind, typer.Argument()],
    subject_name: Annotated[str, typer.Option("--subject")],
    requester: Annotated[str, typer.Option("--requester")],
    received_on: Annotated[str, typer.Option("--received", help="YYYY-MM-DD")],
    identifier: Annotated[list[str] | None, typer.Option("--id", help="label=value")] = None,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Register a request; its statutory clock starts on the day received."""
    identifiers = dict(item.split("=", 1) for item in identifier or [] if "=" in item)
    try:
        received = date.fromisoformat(received_on)
    except ValueError:
        raise ValidationError(
            f"--received {received_on!r}: not YYYY-MM-DD", code="date_invalid"
        ) from None
    data = RequestCreate(
        kind=kind,
        subject_name=subject_name,
        identifiers=identifiers,
        requester=requester,
        received_on=received,
    )
    with open_node(data_dir) as node, node.session() as session:
        request = service.create_request(
            session, node.system, data, node.settings.section(RightsSettings)
        )
        typer.echo(f"{request.id} due {request.due_at:%Y-%m-%d}")


@rights_app.command("list")
def list_command(
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    overdue: Annotated[bool, typer.Option(help="Only open requests past their due date.")] = False,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Requests by due date."""
    with open_node(data_dir) as node, node.session() as session:
        rows = [
            {
                "id": r.id,
                "kind": r.kind,
                "subject_name": r.subject_name,
                "requester": r.requester,
                "received_on": r.received_on.isoformat(),
                "due_at": r.due_at.isoformat(),
                "overdue": service.is_overdue(r),
                "status": r.status,
            }
            for r in service.list_requests(session, node.system, overdue=overdue)
        ]
    render(rows, COLUMNS, fmt, "Data-subject requests")


@rights_app.command("block")
def block_command(
    request_id: Annotated[str, typer.Argument()],
    record_type: Annotated[RecordType, typer.Option("--type")],
    record_id: Annotated[str, typer.Option("--record")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Hold a watchlist entry or an alert (even unpublished) back from publication, screening
    and reads during review."""
    with open_node(data_dir) as node, node.session() as session:
        block = service.place_block(
            session,
            node.system,
            request_id,
            BlockCreate(record_type=record_type, record_id=record_id),
        )
        typer.echo(block.id)


@rights_app.command("decide")
def decide_command(
    request_id: Annotated[str, typer.Argument()],
    outcome: Annotated[Outcome, typer.Option("--outcome")],
    grounds: Annotated[str, typer.Option("--grounds")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Grant or refuse, with grounds (lifts the request's blocks)."""
    with open_node(data_dir) as node, node.session() as session:
        decision = service.decide(
            session, node.system, request_id, DecisionCreate(outcome=outcome, grounds=grounds)
        )
        typer.echo(json.dumps({"id": decision.id, "outcome": decision.outcome}))
