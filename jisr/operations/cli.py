"""``jisr operation`` and ``jisr event``: joint operations and major events from the node's
machine (acting as the node, audited as such)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError as PydanticValidationError

from jisr.cli.common import (
    DEFAULT_DATA_DIR,
    DataDirOption,
    FormatOption,
    OutputFormat,
    open_node,
    render,
    stderr,
)
from jisr.errors import ValidationError
from jisr.operations import accreditation, exports, log, service, venues
from jisr.operations.accreditation import AccreditationCategory
from jisr.operations.models import EntryKind, OperationKind
from jisr.operations.schemas import EntryCreate, EntryRead, OperationCreate, TaskCreate
from jisr.watchlists import manifests
from jisr.watchlists.cache import ScreenerCache

operation_app = typer.Typer(
    help="Joint operations: log, tasks, hand-over, report.", no_args_is_help=True
)
event_app = typer.Typer(
    help="Major events: venues, incidents, threats, accreditation.", no_args_is_help=True
)
OpArg = Annotated[str, typer.Argument(help="Operation or event id.")]


def _read_json(path: Path) -> object:
    text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(f"{path}: not JSON ({exc.msg}, line {exc.lineno})") from None


def _create(path: Path, data_dir: Path, kind: OperationKind) -> None:
    raw = _read_json(path)
    try:
        data = OperationCreate.model_validate(raw).model_copy(update={"kind": kind})
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValidationError(f"{path}: {where}: {first['msg']}") from None
    with open_node(data_dir) as node, node.session() as session:
        operation = service.create_operation(session, node.system, data)
        typer.echo(operation.id)


def _list(data_dir: Path, fmt: OutputFormat, kind: OperationKind | None) -> None:
    with open_node(data_dir) as node, node.session() as session:
        rows = [
            {
                "id": o.id,
                "title": o.title,
                "owner": o.owner_agency,
                "status": o.status,
                "starts": o.starts_at.isoformat(),
                "participants": [p.agency_code for p in service.to_read(session, o).participants],
            }
            for o in service.list_operations(session, node.system, kind)
        ]
    render(rows, ("id", "title", "owner", "status", "starts", "participants"), fmt, "Operations")


def _entry(data_dir: Path, op_id: str, data: EntryCreate) -> None:
    with open_node(data_dir) as node, node.session() as session:
        entry, sent, refused = log.add_entry(session, node.system, op_id, data)
        typer.echo(f"{entry.id} sent to {', '.join(sent) or 'nobody'}")
        for agency, reason in refused.items():
            stderr.print(f"not sent to {agency}: {reason}", markup=False, highlight=False)


def _log(data_dir: Path, op_id: str, fmt: OutputFormat, kind: EntryKind | None) -> None:
    with open_node(data_dir) as node, node.session() as session:
        rows = [
            EntryRead.model_validate(e).model_dump(mode="json")
            for e in log.list_entries(session, node.system, op_id, kind=kind)
        ]
    render(
        rows,
        ("occurred_at", "recorded_at", "kind", "severity", "owner_agency", "title"),
        fmt,
        "Log",
    )


@operation_app.command("create")
def create_operation(
    file: Annotated[Path, typer.Argument(help="JSON of the operation ('-': stdin).")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Open an operation from a JSON description (title, starts_at, participants...)."""
    _create(file, data_dir, OperationKind.OPERATION)


@operation_app.command("list")
def list_operations(
    data_dir: DataDirOption = DEFAULT_DATA_DIR, fmt: FormatOption = OutputFormat.TABLE
) -> None:
    """Operations and events this node holds."""
    _list(data_dir, fmt, None)


@operation_app.command("show")
def show(op_id: OpArg, data_dir: DataDirOption = DEFAULT_DATA_DIR) -> None:
    """The operation as JSON."""
    with open_node(data_dir) as node, node.session() as session:
        typer.echo(service.read_operation(session, node.system, op_id).model_dump_json(indent=2))


@operation_app.command("note")
def note(
    op_id: OpArg,
    title: Annotated[str, typer.Option(help="What happened.")],
    body: Annotated[str, typer.Option(help="Details.")] = "",
    occurred: Annotated[datetime | None, typer.Option(help="When it happened (UTC ISO).")] = None,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Write a note to the shared log."""
    _entry(data_dir, op_id, EntryCreate(title=title, body=body, occurred_at=_utc(occurred)))


@operation_app.command("log")
def read_log(
    op_id: OpArg,
    kind: Annotated[EntryKind | None, typer.Option(help="Only this kind.")] = None,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """The shared log, in order of occurrence, with both times."""
    _log(data_dir, op_id, fmt, kind)


@operation_app.command("task")
def task(
    op_id: OpArg,
    title: Annotated[str, typer.Option(help="The task.")],
    due: Annotated[datetime, typer.Option(help="Deadline (UTC ISO).")],
    owner: Annotated[str | None, typer.Option(help="Agency that owes it.")] = None,
    assignee: Annotated[str, typer.Option(help="Officer in charge.")] = "",
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Add a task with an owner and a deadline."""
    data = TaskCreate(title=title, due_at=_utc(due), owner_agency=owner, assignee=assignee)
    with open_node(data_dir) as node, node.session() as session:
        typer.echo(service.add_task(session, node.system, op_id, data).id)


@operation_app.command("handover")
def handover(
    op_id: OpArg,
    to: Annotated[str, typer.Option(help="Participant agency taking the lead.")],
    reason: Annotated[str, typer.Option(help="Why.")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Hand the operation over to a participant agency."""
    with open_node(data_dir) as node, node.session() as session:
        typer.echo(service.hand_over(session, node.system, op_id, to, reason).status)


@operation_app.command("close")
def close(
    op_id: OpArg,
    summary: Annotated[str, typer.Option(help="End-of-operation summary.")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Close the operation and freeze its report."""
    with open_node(data_dir) as node, node.session() as session:
        service.close_operation(session, node.system, op_id, summary)
        typer.echo("closed")


@operation_app.command("report")
def report(op_id: OpArg, data_dir: DataDirOption = DEFAULT_DATA_DIR) -> None:
    """The end-of-operation report as JSON."""
    with open_node(data_dir) as node, node.session() as session:
        typer.echo(
            json.dumps(service.report_of(session, node.system, op_id), ensure_ascii=False, indent=2)
        )


@operation_app.command("export")
def export(
    op_id: OpArg,
    what: Annotated[str, typer.Option(help="log, tasks or participants.")] = "log",
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """CSV of the log, the tasks or the participants, on stdout."""
    writers = {
        "log": exports.log_csv,
        "tasks": exports.tasks_csv,
        "participants": exports.participants_csv,
    }
    if what not in writers:
        raise ValidationError(f"--what is one of {', '.join(writers)}")
    with open_node(data_dir) as node, node.session() as session:
        sys.stdout.write(writers[what](session, node.system, op_id))


@event_app.command("create")
def create_event(
    file: Annotated[Path, typer.Argument(help="JSON of the event ('-': stdin).")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Open a major event from a JSON description (venues, participants, liaison officers)."""
    _create(file, data_dir, OperationKind.EVENT)


@event_app.command("list")
def list_events(
    data_dir: DataDirOption = DEFAULT_DATA_DIR, fmt: FormatOption = OutputFormat.TABLE
) -> None:
    """Major events this node holds."""
    _list(data_dir, fmt, OperationKind.EVENT)


@event_app.command("incident")
def incident(
    op_id: OpArg,
    title: Annotated[str, typer.Option(help="What happened.")],
    severity: Annotated[str, typer.Option(help="low, medium, high or critical.")],
    venue: Annotated[str | None, typer.Option(help="Where.")] = None,
    body: Annotated[str, typer.Option(help="Details.")] = "",
    occurred: Annotated[datetime | None, typer.Option(help="When it happened (UTC ISO).")] = None,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Log an incident; it goes to every participating node."""
    data = _validated(
        kind=EntryKind.INCIDENT,
        title=title,
        severity=severity,
        venue=venue,
        body=body,
        occurred_at=_utc(occurred),
    )
    _entry(data_dir, op_id, data)


@event_app.command("threat")
def threat(
    op_id: OpArg,
    title: Annotated[str, typer.Option(help="The assessment's subject.")],
    level: Annotated[str, typer.Option(help="low, moderate, substantial, severe, critical.")],
    body: Annotated[str, typer.Option(help="The assessment.")] = "",
    handling: Annotated[str | None, typer.Option(help="Handling code H0-H3.")] = None,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Record a graded threat assessment with its handling code."""
    data = _validated(
        kind=EntryKind.THREAT_ASSESSMENT,
        title=title,
        severity=level,
        body=body,
        handling_code=handling,
    )
    _entry(data_dir, op_id, data)


@event_app.command("incidents")
def incidents(
    op_id: OpArg, data_dir: DataDirOption = DEFAULT_DATA_DIR, fmt: FormatOption = OutputFormat.TABLE
) -> None:
    """The event's incident log."""
    _log(data_dir, op_id, fmt, EntryKind.INCIDENT)


@event_app.command("accredit")
def accredit(
    op_id: OpArg,
    file: Annotated[Path, typer.Argument(help="CSV: id, name, birth_date, nationality, ...")],
    category: Annotated[AccreditationCategory, typer.Option(help="Who is on the list.")],
    threshold: Annotated[float | None, typer.Option(help="Score threshold (0.5-1).")] = None,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Screen an accreditation list against this node's watchlists; hits go to review."""
    with open_node(data_dir) as node:
        with node.session() as session:
            item = accreditation.create_accreditation(
                session,
                node.system,
                op_id,
                category,
                node.settings.data_dir,
                file.name,
                file.read_bytes(),
                threshold,
            )
            job_id, item_id = item.manifest_job_id, item.id
        manifests.run_job(node.factory, node.system, ScreenerCache(), job_id)
        with node.session() as session:
            result = accreditation.accreditation_read(
                session, node.system, accreditation.get_accreditation(session, node.system, item_id)
            )
    for rejection in result.rejections:
        stderr.print(
            f"line {rejection['line']}: {rejection['reason']}", markup=False, highlight=False
        )
    typer.echo(
        f"{result.id}: {result.screened} screened, {result.hits} hits sent to review, "
        f"{result.rejected} rows rejected ({result.status})"
    )


@event_app.command("venues")
def show_venues(
    op_id: OpArg,
    svg: Annotated[Path | None, typer.Option(help="Also write the offline map here.")] = None,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """The venues with their coordinates (and an SVG map drawn offline)."""
    with open_node(data_dir) as node, node.session() as session:
        operation = service.read_operation(session, node.system, op_id)
    points = [v.model_dump() for v in operation.venues]
    typer.echo(venues.venues_text(points))
    if svg is not None:
        svg.write_text(venues.venues_svg(points, operation.title), encoding="utf-8")


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _validated(**fields: object) -> EntryCreate:
    try:
        return EntryCreate.model_validate(fields)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        raise ValidationError(
            f"{'.'.join(str(p) for p in first['loc']) or 'entry'}: {first['msg']}"
        ) from None
