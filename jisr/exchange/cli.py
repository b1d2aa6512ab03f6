"""``jisr message``: send, list, show, reply, withdraw; overdue requests, deadlines, purge.

Commands act as the node's system actor unless ``--as USERNAME`` names an officer of this node:
prefer ``--as`` so the audit trail names a person (and receipts for reads are only sent when an
officer, not the node, reads a partner's message).
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.models import CrimeArea, DataCategory, HandlingCode
from jisr.cli.common import (
    DEFAULT_DATA_DIR,
    DataDirOption,
    FormatOption,
    Node,
    OutputFormat,
    open_node,
    render,
)
from jisr.db.idempotency import purge_expired
from jisr.errors import ValidationError
from jisr.exchange import attachments, deadlines, messages, purge, views
from jisr.exchange.models import DeadlineClass, Direction, GradingScheme, MessageKind, Priority
from jisr.exchange.schemas import AttachmentRef, Grading, MessageCreate, ReplyCreate
from jisr.exchange.storage import BlobStore
from jisr.identity.accounts import get_user
from jisr.identity.auth import actor_for

message_app = typer.Typer(help="Messages and requests to partner agencies.", no_args_is_help=True)
COLUMNS = (
    "id",
    "direction",
    "kind",
    "priority",
    "subject",
    "deadline_at",
    "deadline_class",
    "overdue",
)
BodyFileOption = Annotated[
    Path | None, typer.Option(help="Read the text from a file (- for stdin).")
]
AsOption = Annotated[
    str | None,
    typer.Option("--as", help="Act as this officer of the node (default: the node itself)."),
]


def _actor(node: Node, session: Session, username: str | None) -> Actor:
    if username is None:
        return node.system
    return actor_for(get_user(session, username))


def _text(value: str | None, path: Path | None, what: str) -> str:
    if path is not None:
        return sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    if value is None:
        raise ValidationError(f"give --{what} or --{what}-file", code="option_missing")
    return value


def _entities(path: Path | None) -> list[dict[str, Any]]:
    if path is None:
        return []
    text = path.read_text(encoding="utf-8")
    try:
        if text.lstrip().startswith("["):
            data = json.loads(text)
        else:  # FollowTheMoney JSON lines
            data = [json.loads(line) for line in text.splitlines() if line.strip()]
    except ValueError as exc:
        raise ValidationError(f"{path}: not JSON: {exc}", code="entity_invalid") from None
    if not isinstance(data, list):
        raise ValidationError(f"{path}: expected a list of entities", code="entity_invalid")
    return data


def _upload(node: Node, session: Session, actor: Actor, files: list[Path]) -> list[AttachmentRef]:
    store = BlobStore.for_data_dir(node.settings.data_dir)
    refs = []
    attachments.check_upload(session, actor)
    for path in files:
        writer = store.writer(node.settings.attachment_max_bytes)
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(1024 * 1024):
                    writer.write(chunk)
            blob = writer.finish()
        except BaseException:
            writer.abort()
            raise
        attachments.register_upload(session, actor, blob)
        refs.append(AttachmentRef(sha256=blob.sha256, filename=path.name))
    return refs


def _grading(scheme: GradingScheme | None, grade: str | None) -> Grading | None:
    if scheme is None and grade is None:
        return None
    if scheme is None or grade is None or len(grade) != 2:
        raise ValidationError("give --grading-scheme and --grade like B2", code="grading_invalid")
    return Grading(scheme=scheme, source_reliability=grade[0], information_credibility=grade[1])


def _when(text: str | None, option: str) -> datetime | None:
    """An ISO 8601 time with a timezone (``Z`` or ``+01:00``), or None."""
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise ValidationError(
            f"--{option} needs a date and time with a timezone, e.g. 2031-01-01T09:00Z",
            code="deadline_invalid",
        )
    return value


@message_app.command("send")
def send(
    to: Annotated[str, typer.Option(help="Recipient agency code, e.g. FR-DGSI.")],
    agreement: Annotated[str, typer.Option(help="Agreement reference or id.")],
    subject: Annotated[str, typer.Option(help="Subject line.")],
    crime_area: Annotated[CrimeArea, typer.Option(help="Crime area.")],
    purpose: Annotated[str, typer.Option(help="Why this is sent (recorded in the audit).")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    body: Annotated[str | None, typer.Option(help="Message text.")] = None,
    body_file: Annotated[
        Path | None, typer.Option(help="Read the text from a file (- stdin).")
    ] = None,
    priority: Annotated[Priority, typer.Option(help="Priority.")] = Priority.ROUTINE,
    handling: Annotated[
        HandlingCode | None, typer.Option(help="Handling code (default: the agreement's).")
    ] = None,
    handling_text: Annotated[str | None, typer.Option(help="Restrictions (H3).")] = None,
    request: Annotated[
        bool, typer.Option("--request", help="Expect an answer by a deadline.")
    ] = False,
    deadline: Annotated[
        DeadlineClass | None,
        typer.Option(
            help="A request's deadline: 8h (urgent), 3d or 7d (Directive (EU) 2023/977); "
            "default: the priority's rule."
        ),
    ] = None,
    deadline_at: Annotated[
        str | None,
        typer.Option(help="A request's deadline as a date and time, e.g. 2031-01-01T09:00Z."),
    ] = None,
    case: Annotated[str | None, typer.Option(help="Existing case reference.")] = None,
    data_category: Annotated[
        DataCategory, typer.Option(help="Data category.")
    ] = DataCategory.OPERATIONAL,
    entity_file: Annotated[
        Path | None, typer.Option(help="FollowTheMoney entities (JSON array or JSON lines).")
    ] = None,
    attach: Annotated[list[Path] | None, typer.Option(help="File to attach (repeat).")] = None,
    grading_scheme: Annotated[GradingScheme | None, typer.Option(help="Grading scheme.")] = None,
    grade: Annotated[str | None, typer.Option(help="Reliability+credibility, e.g. B2.")] = None,
    as_user: AsOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Send a message (or with --request, a request with a deadline) to a partner."""
    with open_node(data_dir) as node, node.session() as session:
        actor = _actor(node, session, as_user)
        data = MessageCreate(
            to=to,
            agreement=agreement,
            subject=subject,
            body=_text(body, body_file, "body"),
            crime_area=crime_area,
            data_category=data_category,
            purpose=purpose,
            kind=MessageKind.REQUEST if request else MessageKind.MESSAGE,
            priority=priority,
            deadline=deadline,
            deadline_at=_when(deadline_at, "deadline-at"),
            handling_code=handling,
            handling_text=handling_text,
            grading=_grading(grading_scheme, grade),
            case_ref=case,
            entities=_entities(entity_file),
            attachments=_upload(node, session, actor, attach or []),
        )
        store = BlobStore.for_data_dir(node.settings.data_dir)
        message = messages.send_message(session, actor, data, store=store)
        render([views.to_summary(message).model_dump(mode="json")], COLUMNS, fmt)


@message_app.command("list")
def list_(
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    case: Annotated[str | None, typer.Option(help="Only this case.")] = None,
    direction: Annotated[Direction | None, typer.Option(help="inbound or outbound.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    as_user: AsOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Messages, newest first."""
    with open_node(data_dir) as node, node.session() as session:
        query = messages.MessageFilter(case_ref=case, direction=direction, limit=limit)
        rows = messages.list_messages(session, _actor(node, session, as_user), query)
        render([views.to_summary(m).model_dump(mode="json") for m in rows], COLUMNS, fmt)


@message_app.command("show")
def show(
    message_id: Annotated[str, typer.Argument(help="Message id.")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    as_user: AsOption = None,
) -> None:
    """Print one message as JSON (audited; an officer reading a partner's message marks it read)."""
    with open_node(data_dir) as node, node.session() as session:
        message = messages.read_message(session, _actor(node, session, as_user), message_id)
        typer.echo(views.to_read(message).model_dump_json(indent=2))


@message_app.command("reply")
def reply(
    message_id: Annotated[str, typer.Argument(help="Message answered.")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    body: Annotated[str | None, typer.Option(help="Answer text.")] = None,
    body_file: Annotated[
        Path | None, typer.Option(help="Read the text from a file (- stdin).")
    ] = None,
    subject: Annotated[str | None, typer.Option(help="Subject (default Re: ...).")] = None,
    priority: Annotated[Priority, typer.Option(help="Priority.")] = Priority.ROUTINE,
    handling: Annotated[
        HandlingCode | None,
        typer.Option(help="Handling code (default: that of the message answered, if stricter)."),
    ] = None,
    handling_text: Annotated[str | None, typer.Option(help="Restrictions (H3).")] = None,
    lowered_reason: Annotated[
        str | None,
        typer.Option(help="Why the answer is less restricted than the message answered."),
    ] = None,
    data_category: Annotated[DataCategory | None, typer.Option(help="Data category.")] = None,
    entity_file: Annotated[Path | None, typer.Option(help="FollowTheMoney entities.")] = None,
    attach: Annotated[list[Path] | None, typer.Option(help="File to attach (repeat).")] = None,
    as_user: AsOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Answer a message in its case (answering a request closes it)."""
    with open_node(data_dir) as node, node.session() as session:
        actor = _actor(node, session, as_user)
        data = ReplyCreate(
            body=_text(body, body_file, "body"),
            subject=subject,
            priority=priority,
            handling_code=handling,
            handling_text=handling_text,
            handling_lowered_reason=lowered_reason,
            data_category=data_category,
            entities=_entities(entity_file),
            attachments=_upload(node, session, actor, attach or []),
        )
        store = BlobStore.for_data_dir(node.settings.data_dir)
        answer = messages.reply(session, actor, message_id, data, store=store)
        render([views.to_summary(answer).model_dump(mode="json")], COLUMNS, fmt)


@message_app.command("withdraw")
def withdraw(
    message_id: Annotated[str, typer.Argument(help="Message sent from this node.")],
    reason: Annotated[str, typer.Option(help="Why (recorded, sent to the partner).")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    as_user: AsOption = None,
) -> None:
    """Withdraw a message: the partner deletes its copy."""
    with open_node(data_dir) as node, node.session() as session:
        messages.withdraw(session, _actor(node, session, as_user), message_id, reason)
        typer.echo(f"withdrawn {message_id}")


@message_app.command("overdue")
def overdue(
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    as_user: AsOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Unanswered requests past their deadline."""
    with open_node(data_dir) as node, node.session() as session:
        rows = deadlines.list_overdue(session, _actor(node, session, as_user))
        render([views.to_summary(m).model_dump(mode="json") for m in rows], COLUMNS, fmt)


@message_app.command("remind")
def remind(
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    as_user: AsOption = None,
    within_hours: Annotated[
        int, typer.Option(min=1, max=24 * 30, help="remind requests due within this many hours")
    ] = 24,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Mark requests newly due soon or overdue and remind the partners that owe answers to our
    requests (each request once per state: run it from cron)."""
    with open_node(data_dir) as node, node.session() as session:
        due = deadlines.collect_reminders(
            session, _actor(node, session, as_user), within=timedelta(hours=within_hours)
        )
        purge_expired(session)  # as the scheduled pass does (``jisr.db.idempotency``)
        rows = [
            {**views.to_summary(m).model_dump(mode="json"), "state": state.value}
            for m, state in due
        ]
        render(rows, (*COLUMNS, "state"), fmt)


@message_app.command("deadlines")
def set_deadlines(
    agreement: Annotated[str, typer.Option(help="Agreement reference or id.")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    routine_hours: Annotated[int | None, typer.Option(help="Default 168.")] = None,
    urgent_hours: Annotated[int | None, typer.Option(help="Default 72.")] = None,
    immediate_hours: Annotated[int | None, typer.Option(help="Default 8.")] = None,
    retention_days: Annotated[int | None, typer.Option(help="Default 1825.")] = None,
) -> None:
    """Override response deadlines and retention for one agreement (unset = default)."""
    change = deadlines.RulesChange(routine_hours, urgent_hours, immediate_hours, retention_days)
    with open_node(data_dir) as node, node.session() as session:
        deadlines.set_agreement_rules(session, node.system, agreement, change)
        typer.echo(f"exchange rules of {agreement} updated")


@message_app.command("purge")
def purge_(data_dir: DataDirOption = DEFAULT_DATA_DIR) -> None:
    """Erase messages past their retention date, empty cases and unreferenced attachments."""
    with open_node(data_dir) as node:
        with node.session() as session:
            result = purge.purge_expired(session, node.system)
        with node.session() as session:
            store = BlobStore.for_data_dir(node.settings.data_dir)
            files = purge.remove_files(session, store, result.blobs, result.transfers)
        typer.echo(
            f"erased {len(result.messages)} message(s), {len(result.cases)} case(s),"
            f" {files} file(s)"
        )
