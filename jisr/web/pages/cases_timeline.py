"""A case's timeline: its messages and requests (with their answers and attachments), the hits
and decisions on them, the records linked to it, and the case's own events, in time order.

Everything shown goes through each domain's own access function: a linked alert, hit or
operation the viewer may not read is shown as such, by id only (never its content).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.policy import Action
from jisr.errors import JisrError
from jisr.exchange import case_history
from jisr.exchange.access import load_case
from jisr.exchange.models import Case, CaseLink, Message
from jisr.notices.access import load_notice
from jisr.operations.models import OperationLink
from jisr.operations.sharing import load_operation
from jisr.watchlists.checks import decisions_of, load_hit
from jisr.watchlists.models import HitDecision


@dataclass(frozen=True, slots=True)
class Entry:
    at: datetime
    # event (a case event), message, request, answered, attachment, hit, decision, alert,
    # operation: the template words each kind.
    kind: str
    title: str = ""
    href: str = ""
    actor: str = ""
    agency: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    # The message itself, for message and request entries (shown whole on the case page).
    message: Message | None = None


@dataclass(frozen=True, slots=True)
class LinkView:
    kind: str
    target: str
    title: str | None  # None: not held here, or not for the viewer to read
    href: str
    added_by: str
    added_at: datetime
    # Linked from the other side (an operation naming this case): not removable here.
    inbound: bool = False


HREFS = {
    "alert": "/alerts/{}",
    "hit": "/screening/hits/{}",
    "operation": "/operations/{}",
    "case": "/exchange/cases/{}",
}


def _resolve(session: Session, actor: Actor, kind: str, target: str) -> tuple[str | None, Any]:
    """The title of a linked record and the record, if the viewer may read it here."""
    try:
        if kind == "alert":
            notice = load_notice(session, actor, target, Action.READ)
            return notice.title, notice
        if kind == "hit":
            hit, _entry = load_hit(session, actor, target)
            return hit.matched_name, hit
        if kind == "operation":
            operation = load_operation(session, actor, target)
            return operation.title, operation
        if kind == "case":
            found = load_case(session, actor, target)
            return found.title, found
    except JisrError:
        return None, None
    return None, None


def links(session: Session, actor: Actor, case: Case) -> list[LinkView]:
    own = session.execute(
        select(CaseLink).where(CaseLink.case_ref == case.ref).order_by(CaseLink.added_at)
    ).scalars()
    views = []
    for link in own:
        title, _record = _resolve(session, actor, link.kind, link.target_id)
        href = HREFS[link.kind].format(link.target_id)
        views.append(LinkView(link.kind, link.target_id, title, href, link.added_by, link.added_at))
    reverse = session.execute(
        select(OperationLink).where(
            OperationLink.kind == "case", OperationLink.target_id == case.ref
        )
    ).scalars()
    for op_link in reverse:
        title, _record = _resolve(session, actor, "operation", op_link.operation_id)
        href = HREFS["operation"].format(op_link.operation_id)
        views.append(
            LinkView(
                "operation", op_link.operation_id, title, href, op_link.added_by,
                op_link.added_at, inbound=True,
            )
        )  # fmt: skip
    return views


def _message_entries(message: Message) -> list[Entry]:
    href = f"/exchange/messages/{message.id}"
    kind = "request" if message.kind == "request" else "message"
    details = {
        "from": message.owner_agency,
        "to": message.recipient_agency,
        "deadline": message.deadline_at,
        "direction": message.direction,
        "handling": message.handling_code,
    }
    by, owner = message.created_by, message.owner_agency
    entries = [Entry(message.created_at, kind, message.subject, href, by, owner, details, message)]
    for link in message.attachments:
        entries.append(
            Entry(
                message.created_at, "attachment", link.filename, href, message.created_by,
                message.owner_agency, {"size": link.attachment.size},
            )
        )  # fmt: skip
    if message.kind == "request" and message.answered_at is not None:
        entries.append(Entry(message.answered_at, "answered", message.subject, href))
    return entries


def _hit_entries(session: Session, actor: Actor, hit_ids: Sequence[str]) -> list[Entry]:
    entries = []
    for hit_id in hit_ids:
        title, hit = _resolve(session, actor, "hit", hit_id)
        if hit is None:
            continue
        href = HREFS["hit"].format(hit_id)
        entries.append(
            Entry(hit.screened_at, "hit", title or "", href, hit.screened_by, actor.agency_code,
                  {"score": round(float(hit.score) * 100)})
        )  # fmt: skip
        for decision in decisions_of(session, hit_id):
            entries.append(
                Entry(decision.decided_at, "decision", title or "", href, decision.decided_by,
                      actor.agency_code, {"verdict": decision.verdict})
            )  # fmt: skip
    return entries


def timeline(
    session: Session, actor: Actor, case: Case, thread: Sequence[Message], views: Sequence[LinkView]
) -> list[Entry]:
    """Every entry of the case the viewer may see, oldest first."""
    entries: list[Entry] = []
    for event in case_history.events_of(session, case.ref):
        details = dict(event.details)
        entries.append(
            Entry(event.at, "event", event.event, "", event.actor, event.agency, details)
        )
    for message in thread:
        entries.extend(_message_entries(message))
    # Hits linked to the case, and hits whose follow-up request is in it.
    ids = [m.id for m in thread]
    followed: list[str] = []
    if ids:
        stmt = select(HitDecision.hit_id).where(HitDecision.followup_message_id.in_(ids))
        followed = list(session.execute(stmt).scalars())
    hit_ids = sorted({v.target for v in views if v.kind == "hit"} | set(followed))
    entries.extend(_hit_entries(session, actor, hit_ids))
    order = {"event": 0, "message": 1, "request": 1, "attachment": 2}
    return sorted(entries, key=lambda e: (e.at, order.get(e.kind, 3)))
