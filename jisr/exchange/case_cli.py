"""``jisr case``: list and show cases; hold, close (with an outcome), reopen; assign; due date;
labels; links; members.

Commands act as the node's system actor unless ``--as USERNAME`` names an officer of this node
(prefer it: the case's history and the audit trail then name a person). Officers are named by
username (``--to amina``) or as ``user:<id>``; units as ``role:<role>``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer
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
from jisr.exchange import case_history, cases, casework, members, views
from jisr.exchange.access import load_case
from jisr.exchange.case_schemas import CaseLabels, CaseOutcome, CaseStatus, LinkKind
from jisr.exchange.cli import AsOption
from jisr.exchange.schemas import CaseRead
from jisr.identity.accounts import get_user
from jisr.identity.auth import actor_for

case_app = typer.Typer(help="Cases: status, outcome, assignee, members, labels, links.")
COLUMNS = ("ref", "status", "title", "owner_agency", "assignee", "due_at", "labels", "messages")
Ref = Annotated[str, typer.Argument(help="Case reference (OWNER:case:ULID).")]
ReasonOption = Annotated[str, typer.Option(help="Why (kept in the case's history and audit).")]


def _actor(node: Node, session: Session, username: str | None) -> Actor:
    return node.system if username is None else actor_for(get_user(session, username))


def _show(
    session: Session, case_ref: str, node: Node, as_user: str | None, fmt: OutputFormat
) -> None:
    case = load_case(session, _actor(node, session, as_user), case_ref)
    row: CaseRead = views.to_case(case, *cases.counts(session, [case.ref]).get(case.ref, (0, 0)))
    render([row.model_dump(mode="json")], COLUMNS, fmt)


def _officer(session: Session, name: str) -> str:
    """``user:<id>`` as given, or the officer of that username."""
    return name if name.startswith("user:") else f"user:{get_user(session, name).id}"


@case_app.command("list")
def list_(
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    status: Annotated[CaseStatus | None, typer.Option(help="Only cases in this status.")] = None,
    assignee: Annotated[
        str | None, typer.Option(help="Only cases assigned to this officer (or none).")
    ] = None,
    label: Annotated[str | None, typer.Option(help="Only cases with this label.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_user: AsOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Cases you may read, newest first."""
    with open_node(data_dir) as node, node.session() as session:
        actor = _actor(node, session, as_user)
        who = assignee if assignee in {None, "none"} else _officer(session, assignee or "")
        query = cases.CaseFilter(
            status.value if status else None, who, label and label.casefold(), limit, offset
        )
        found = cases.list_cases(session, actor, query=query)
        totals = cases.counts(session, [c.ref for c in found])
        rows = [views.to_case(c, *totals.get(c.ref, (0, 0))).model_dump(mode="json") for c in found]
        render(rows, COLUMNS, fmt)


@case_app.command("show")
def show(
    case_ref: Ref, data_dir: DataDirOption = DEFAULT_DATA_DIR, as_user: AsOption = None
) -> None:
    """A case, its messages and its history, as JSON (audited as a consultation)."""
    with open_node(data_dir) as node, node.session() as session:
        actor = _actor(node, session, as_user)
        case, thread = cases.case_thread(session, actor, case_ref)
        read = views.to_case(case, *cases.counts(session, [case.ref]).get(case.ref, (0, 0)))
        events = case_history.events_of(session, case.ref)
        links = casework.links_of(session, actor, case.ref)
        out = {
            "case": read.model_dump(mode="json"),
            "messages": [views.to_summary(m).model_dump(mode="json") for m in thread],
            "links": [{"kind": k.kind, "target": k.target_id} for k in links],
            "events": [
                {"at": e.at.isoformat(), "event": e.event, "actor": e.actor, "details": e.details}
                for e in events
            ],
        }
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))


def _status(
    action: casework.CaseAction,
    case_ref: str,
    data_dir: DataDirOption,
    reason: str,
    as_user: str | None,
    fmt: OutputFormat,
    outcome: CaseOutcome | None = None,
) -> None:
    with open_node(data_dir) as node, node.session() as session:
        actor = _actor(node, session, as_user)
        casework.change_status(session, actor, case_ref, action, reason=reason, outcome=outcome)
        _show(session, case_ref, node, as_user, fmt)


@case_app.command("hold")
def hold(
    case_ref: Ref,
    reason: ReasonOption,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    as_user: AsOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Put an open case on hold (its owner only; partners are told)."""
    _status(casework.CaseAction.HOLD, case_ref, data_dir, reason, as_user, fmt)


@case_app.command("close")
def close(
    case_ref: Ref,
    outcome: Annotated[CaseOutcome, typer.Option(help="The outcome (required).")],
    note: Annotated[str, typer.Option(help="What came of it (sent to the case's partners).")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    as_user: AsOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Close a case with an outcome (its owner only; partners are told)."""
    _status(casework.CaseAction.CLOSE, case_ref, data_dir, note, as_user, fmt, outcome)


@case_app.command("reopen")
def reopen(
    case_ref: Ref,
    reason: ReasonOption,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    as_user: AsOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Reopen a case on hold or closed (its owner only; partners are told)."""
    _status(casework.CaseAction.REOPEN, case_ref, data_dir, reason, as_user, fmt)


@case_app.command("assign")
def assign(
    case_ref: Ref,
    to: Annotated[
        str | None, typer.Option(help="Officer's username or user:<id>; omit to unassign.")
    ] = None,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    as_user: AsOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Assign the case to an officer of this agency (made a member), or unassign it."""
    with open_node(data_dir) as node, node.session() as session:
        actor = _actor(node, session, as_user)
        casework.assign(session, actor, case_ref, _officer(session, to) if to else None)
        _show(session, case_ref, node, as_user, fmt)


@case_app.command("due")
def due(
    case_ref: Ref,
    at: Annotated[
        datetime | None, typer.Option(help="Due date (UTC), e.g. 2027-01-15; omit to clear.")
    ] = None,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    as_user: AsOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Set or clear this agency's due date for the case."""
    with open_node(data_dir) as node, node.session() as session:
        actor = _actor(node, session, as_user)
        when = at.replace(tzinfo=at.tzinfo or UTC) if at else None
        casework.set_due(session, actor, case_ref, when)
        _show(session, case_ref, node, as_user, fmt)


@case_app.command("label")
def label(
    case_ref: Ref,
    add: Annotated[list[str] | None, typer.Option("--add", help="Label to add (repeat).")] = None,
    remove: Annotated[
        list[str] | None, typer.Option("--remove", help="Label to remove (repeat).")
    ] = None,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    as_user: AsOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Add or remove labels."""
    change = CaseLabels(add=add or [], remove=remove or [])
    with open_node(data_dir) as node, node.session() as session:
        actor = _actor(node, session, as_user)
        casework.change_labels(session, actor, case_ref, change.add, change.remove)
        _show(session, case_ref, node, as_user, fmt)


@case_app.command("link")
def link(
    case_ref: Ref,
    kind: Annotated[LinkKind, typer.Argument(help="alert, hit, operation or case.")],
    target: Annotated[str, typer.Argument(help="The id of the record linked.")],
    remove: Annotated[bool, typer.Option("--remove", help="Remove the link instead.")] = False,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    as_user: AsOption = None,
) -> None:
    """Link the case to an alert, a hit, an operation or another case (or --remove it)."""
    with open_node(data_dir) as node, node.session() as session:
        actor = _actor(node, session, as_user)
        if remove:
            casework.remove_link(session, actor, case_ref, kind, target)
            typer.echo(f"unlinked {kind.value} {target} from {case_ref}")
        else:
            casework.add_link(session, actor, case_ref, kind, target)
            typer.echo(f"linked {kind.value} {target} to {case_ref}")


@case_app.command("member")
def member(
    case_ref: Ref,
    who: Annotated[str, typer.Argument(help="Username, user:<id> or role:<role>.")],
    remove: Annotated[bool, typer.Option("--remove", help="Take them off instead.")] = False,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    as_user: AsOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Add a member (an officer or a unit) to the case, or --remove one."""
    with open_node(data_dir) as node, node.session() as session:
        actor = _actor(node, session, as_user)
        key = who if who.startswith("role:") else _officer(session, who)
        if remove:
            members.remove_member(session, actor, case_ref, key)
        else:
            members.add_member(session, actor, case_ref, key)
        _show(session, case_ref, node, as_user, fmt)
