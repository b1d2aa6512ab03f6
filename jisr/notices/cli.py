"""``jisr notice``: create (from a JSON file), list, show, submit, review, publish, withdraw,
cancel, expire.

Commands act as the node's system actor unless ``--as USERNAME`` names an officer of this node;
reviews need ``--as`` (a compliance review is made by a person).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.cli.common import (
    DEFAULT_DATA_DIR,
    DataDirOption,
    FormatOption,
    Node,
    OutputFormat,
    open_node,
    render,
)
from jisr.errors import ValidationError
from jisr.identity.accounts import get_user
from jisr.identity.auth import actor_for
from jisr.notices import drafting, publication, review, views
from jisr.notices.models import AlertType, NoticeStatus, Origin, RefusalGround, ReviewDecision
from jisr.notices.schemas import NoticeCreate, ReviewCreate

notice_app = typer.Typer(
    help="Alerts (notices and diffusions) to partner agencies.", no_args_is_help=True
)
COLUMNS = ("id", "reference", "alert_type", "status", "origin", "title", "valid_until")
AsOption = Annotated[
    str | None,
    typer.Option("--as", help="Act as this officer of the node (default: the node itself)."),
]
NoticeArg = Annotated[str, typer.Argument(help="Notice id.")]
ReasonOption = Annotated[str, typer.Option(help="Why (recorded in the audit trail).")]


def _actor(node: Node, session: Session, username: str | None) -> Actor:
    return node.system if username is None else actor_for(get_user(session, username))


def _show(row: dict[str, Any], fmt: OutputFormat) -> None:
    if fmt is OutputFormat.JSON:
        typer.echo(json.dumps(row, ensure_ascii=False, default=str, indent=2))
    else:
        render([row], COLUMNS + ("review_reasons",), fmt)


@notice_app.command("create")
def create(
    file: Annotated[Path, typer.Argument(help="JSON file with the alert (- for stdin).")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    as_user: AsOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Write a draft alert from a JSON file (the fields of POST /api/v1/notices)."""
    text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    try:
        data = NoticeCreate.model_validate_json(text)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValidationError(f"{file}: {where}: {first['msg']}", code="notice_invalid") from None
    with open_node(data_dir) as node, node.session() as session:
        notice = drafting.create_notice(session, _actor(node, session, as_user), data)
        _show(views.to_read(notice).model_dump(mode="json"), fmt)


@notice_app.command("list")
def list_(
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    alert_type: Annotated[AlertType | None, typer.Option("--type")] = None,
    status: Annotated[NoticeStatus | None, typer.Option()] = None,
    origin: Annotated[Origin | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 100,
    as_user: AsOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Alerts held by this node, newest first."""
    with open_node(data_dir) as node, node.session() as session:
        query = drafting.NoticeFilter(alert_type, status, origin, None, limit)
        rows = drafting.list_notices(session, _actor(node, session, as_user), query)
        render([views.to_summary(n).model_dump(mode="json") for n in rows], COLUMNS, fmt)


@notice_app.command("show")
def show(
    notice_id: NoticeArg, data_dir: DataDirOption = DEFAULT_DATA_DIR, as_user: AsOption = None
) -> None:
    """One alert in full, as JSON."""
    with open_node(data_dir) as node, node.session() as session:
        notice = drafting.read_notice(session, _actor(node, session, as_user), notice_id)
        _show(views.to_read(notice).model_dump(mode="json"), OutputFormat.JSON)


@notice_app.command("submit")
def submit(
    notice_id: NoticeArg,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    as_user: AsOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Run the automated checks (results stored with the alert)."""
    with open_node(data_dir) as node, node.session() as session:
        notice = drafting.submit_notice(session, _actor(node, session, as_user), notice_id)
        if fmt is OutputFormat.TABLE:
            render(notice.checks, ("check", "outcome", "message"), fmt, title=notice.status)
        else:
            _show(views.to_read(notice).model_dump(mode="json"), fmt)


@notice_app.command("review")
def review_(
    notice_id: NoticeArg,
    decision: Annotated[ReviewDecision, typer.Option(help="approve or refuse.")],
    as_user: Annotated[str, typer.Option("--as", help="The reviewing liaison officer.")],
    ground: Annotated[list[RefusalGround] | None, typer.Option(help="Refusal ground.")] = None,
    comment: Annotated[str, typer.Option(help="Grounds in words.")] = "",
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Record a compliance decision on an alert in review."""
    data = ReviewCreate(decision=decision, grounds=ground or [], comment=comment)
    with open_node(data_dir) as node, node.session() as session:
        row = review.review_notice(session, _actor(node, session, as_user), notice_id, data)
        render([views.to_review(row).model_dump(mode="json")], ("id", "decision", "grounds"), fmt)


@notice_app.command("publish")
def publish(
    notice_id: NoticeArg,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    as_user: AsOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Publish an approved alert to every partner whose agreement covers it."""
    with open_node(data_dir) as node, node.session() as session:
        notice = publication.publish_notice(session, _actor(node, session, as_user), notice_id)
        _show(views.to_read(notice).model_dump(mode="json"), fmt)


def _close(
    notice_id: str, data_dir: Path, as_user: str | None, target: NoticeStatus, reason: str,
    fmt: OutputFormat,
) -> None:  # fmt: skip
    with open_node(data_dir) as node, node.session() as session:
        actor = _actor(node, session, as_user)
        notice = publication.close_notice(session, actor, notice_id, target, reason)
        _show(views.to_read(notice).model_dump(mode="json"), fmt)


@notice_app.command("withdraw")
def withdraw(
    notice_id: NoticeArg,
    reason: ReasonOption,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    as_user: AsOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Withdraw an alert: partners erase their copies and send deletion receipts."""
    _close(notice_id, data_dir, as_user, NoticeStatus.WITHDRAWN, reason, fmt)


@notice_app.command("cancel")
def cancel(
    notice_id: NoticeArg,
    reason: ReasonOption,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    as_user: AsOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Cancel an alert (subject found, warrant lifted)."""
    _close(notice_id, data_dir, as_user, NoticeStatus.CANCELLED, reason, fmt)


@notice_app.command("expire")
def expire(
    data_dir: DataDirOption = DEFAULT_DATA_DIR, fmt: FormatOption = OutputFormat.TABLE
) -> None:
    """Expire alerts past their validity (ours everywhere, partners' off our watchlists)."""
    with open_node(data_dir) as node, node.session() as session:
        rows = publication.expire_due(session, node.system)
        render([views.to_summary(n).model_dump(mode="json") for n in rows], COLUMNS, fmt)
