"""The transparency report: refusals of alerts by ground, and data-subject requests against
their statutory clocks, computed from the audit trail itself.

Every figure names where it comes from: the audit filter it counts (action, object type, the
``details`` it requires), the sequence range of the trail the period covers, and the sequence
numbers of the entries counted. An oversight body holding an export of the trail
(``jisr audit export``, verified with ``jisr audit verify``) recounts each figure without
trusting this node's other tables; ``chain_head`` is the trail's head when the report was made,
so the export can be shown to contain the range.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jisr.actors import Actor, reads_audit_trail
from jisr.audit import AuditAction, AuditEntry, record
from jisr.audit.models import AuditHead
from jisr.clock import utcnow
from jisr.errors import PermissionDeniedError
from jisr.reports.periods import Period

# The audit entries each figure counts (what the domains record; see notices.review and
# rights.service).
REVIEW_FILTER = {"action": "alteration", "object_type": "notice", "details.event": "reviewed"}
RETRACTION_FILTER = {
    "action": "alteration",
    "object_type": "notice",
    "details.event": "review_retracted",
}
DSR_RECEIVED_FILTER = {
    "action": "collection",
    "object_type": "rights_request",
    "details.event": "received",
}
DSR_DECIDED_FILTER = {
    "action": "alteration",
    "object_type": "rights_request",
    "details.event": "decided",
}


@dataclass(frozen=True, slots=True)
class AuditRange:
    """The audit entries dated within the period: ``first_seq``..``last_seq`` (inclusive);
    both 0 when the period holds none."""

    first_seq: int
    last_seq: int

    def holds(self, seq: int) -> bool:
        return self.first_seq <= seq <= self.last_seq


@dataclass(frozen=True, slots=True)
class Figure:
    """One number of the report and the entries it counts."""

    key: str
    value: int
    # The audit filter: ``action``, ``object_type`` and ``details.<name>`` equalities (a list
    # value: the detail must contain it), plus ``seq`` as ``[first, last]``.
    query: dict[str, Any]
    seqs: tuple[int, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class TransparencyReport:
    agency: str
    period: Period
    generated_at: datetime
    range: AuditRange
    # The trail's newest entry when the report was made: (seq, hash).
    chain_head: tuple[int, str]
    refusals: Figure
    refusals_by_ground: tuple[Figure, ...]
    approvals: Figure
    retractions: Figure
    requests_received: tuple[Figure, ...]  # by kind
    requests_decided: tuple[Figure, ...]  # by outcome
    decided_in_time: Figure
    decided_late: Figure
    open_overdue: Figure  # at the period's end
    open_in_time: Figure  # at the period's end

    def figures(self) -> list[Figure]:
        return [
            self.refusals,
            *self.refusals_by_ground,
            self.approvals,
            self.retractions,
            *self.requests_received,
            *self.requests_decided,
            self.decided_in_time,
            self.decided_late,
            self.open_overdue,
            self.open_in_time,
        ]


def audit_range(session: Session, period: Period) -> AuditRange:
    first, last = session.execute(
        select(func.min(AuditEntry.seq), func.max(AuditEntry.seq)).where(
            AuditEntry.at >= period.start, AuditEntry.at < period.end
        )
    ).one()
    return AuditRange(int(first or 0), int(last or 0))


def _entries(
    session: Session, filter_: dict[str, str], *, after: int = 0, upto: int
) -> list[AuditEntry]:
    """Entries ``after < seq <= upto`` matching ``filter_`` (details compared in Python: the
    same on SQLite and PostgreSQL, and exactly what an export reader does)."""
    stmt = (
        select(AuditEntry)
        .where(
            AuditEntry.seq > after,
            AuditEntry.seq <= upto,
            AuditEntry.action == filter_["action"],
            AuditEntry.object_type == filter_["object_type"],
        )
        .order_by(AuditEntry.seq)
    )
    wanted = {k.removeprefix("details."): v for k, v in filter_.items() if k.startswith("details.")}
    return [
        entry
        for entry in session.execute(stmt).scalars()
        if all(entry.details.get(key) == value for key, value in wanted.items())
    ]


def _figure(
    key: str, query: dict[str, Any], rows: Sequence[AuditEntry], span: AuditRange
) -> Figure:
    return Figure(
        key,
        len(rows),
        {**query, "seq": [span.first_seq, span.last_seq]},
        tuple(e.seq for e in rows),
    )


def _parse_time(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def transparency_report(
    session: Session, actor: Actor, period: Period, *, now: datetime | None = None
) -> TransparencyReport:
    """The period's figures from the audit trail; for its readers (auditors, the
    data-protection officer, administrators); audited as a consultation."""
    if not reads_audit_trail(actor):
        raise PermissionDeniedError(
            "the transparency report is for auditors, the data-protection officer and "
            "administrators"
        )
    moment = now or utcnow()
    head = session.get(AuditHead, 1)
    head_seq, head_hash = (head.seq, head.hash) if head is not None else (0, "")
    span = audit_range(session, period)
    inside = {"after": span.first_seq - 1, "upto": span.last_seq} if span.last_seq else None

    def within(filter_: dict[str, str]) -> list[AuditEntry]:
        return _entries(session, filter_, **inside) if inside else []

    reviews = within(REVIEW_FILTER)
    refused = [e for e in reviews if e.details.get("decision") == "refuse"]
    approved = [e for e in reviews if e.details.get("decision") == "approve"]
    by_ground: dict[str, list[AuditEntry]] = defaultdict(list)
    for entry in refused:
        for ground in entry.details.get("grounds") or []:
            by_ground[str(ground)].append(entry)
    refuse_query = {**REVIEW_FILTER, "details.decision": "refuse"}

    received = within(DSR_RECEIVED_FILTER)
    by_kind: dict[str, list[AuditEntry]] = defaultdict(list)
    for entry in received:
        by_kind[str(entry.details.get("kind"))].append(entry)
    decided = within(DSR_DECIDED_FILTER)
    by_outcome: dict[str, list[AuditEntry]] = defaultdict(list)
    for entry in decided:
        by_outcome[str(entry.details.get("outcome"))].append(entry)

    # Clocks: every request received up to the period's end, its due time as recorded.
    upto = span.last_seq or _last_seq_before(session, period.end)
    all_received = _entries(session, DSR_RECEIVED_FILTER, upto=upto)
    due = {e.object_id: _parse_time(e.details.get("due")) for e in all_received}
    all_decided = _entries(session, DSR_DECIDED_FILTER, upto=upto)
    first_decision: dict[str | None, AuditEntry] = {}
    for entry in all_decided:
        first_decision.setdefault(entry.object_id, entry)
    in_time: list[AuditEntry] = []
    late: list[AuditEntry] = []
    for entry in decided:
        if first_decision.get(entry.object_id) is not entry:
            continue  # a later decision superseding the first: the clock was met or not then
        limit = due.get(entry.object_id)
        (in_time if limit is not None and entry.at <= limit else late).append(entry)
    at_end = min(period.end, moment)
    open_overdue: list[AuditEntry] = []
    open_in_time: list[AuditEntry] = []
    for entry in all_received:
        if entry.object_id in first_decision:
            continue
        limit = due.get(entry.object_id)
        (open_overdue if limit is not None and limit < at_end else open_in_time).append(entry)

    whole = AuditRange(1 if upto else 0, upto)
    report = TransparencyReport(
        agency=actor.agency_code,
        period=period,
        generated_at=moment,
        range=span,
        chain_head=(head_seq, head_hash),
        refusals=_figure("alerts.refused", refuse_query, refused, span),
        refusals_by_ground=tuple(
            _figure(
                f"alerts.refused.{ground}",
                {**refuse_query, "details.grounds": [ground]},
                rows,
                span,
            )
            for ground, rows in sorted(by_ground.items())
        ),
        approvals=_figure(
            "alerts.approved", {**REVIEW_FILTER, "details.decision": "approve"}, approved, span
        ),
        retractions=_figure("alerts.retracted", RETRACTION_FILTER, within(RETRACTION_FILTER), span),
        requests_received=tuple(
            _figure(
                f"requests.received.{kind}",
                {**DSR_RECEIVED_FILTER, "details.kind": kind},
                rows,
                span,
            )
            for kind, rows in sorted(by_kind.items())
        ),
        requests_decided=tuple(
            _figure(
                f"requests.decided.{outcome}",
                {**DSR_DECIDED_FILTER, "details.outcome": outcome},
                rows,
                span,
            )
            for outcome, rows in sorted(by_outcome.items())
        ),
        decided_in_time=_figure(
            "requests.decided_in_time",
            {**DSR_DECIDED_FILTER, "first_per_request": True, "at<=": "received.details.due"},
            in_time,
            span,
        ),
        decided_late=_figure(
            "requests.decided_late",
            {**DSR_DECIDED_FILTER, "first_per_request": True, "at>": "received.details.due"},
            late,
            span,
        ),
        open_overdue=_figure(
            "requests.open_overdue",
            {**DSR_RECEIVED_FILTER, "undecided": True, "details.due<": at_end.isoformat()},
            open_overdue,
            whole,
        ),
        open_in_time=_figure(
            "requests.open_in_time",
            {**DSR_RECEIVED_FILTER, "undecided": True, "details.due>=": at_end.isoformat()},
            open_in_time,
            whole,
        ),
    )
    record(
        session,
        actor,
        AuditAction.CONSULTATION,
        "transparency_report",
        period.label,
        details={"period": period.label, "seq": [span.first_seq, span.last_seq]},
    )
    return report


def _last_seq_before(session: Session, end: datetime) -> int:
    value = session.execute(select(func.max(AuditEntry.seq)).where(AuditEntry.at < end)).scalar()
    return int(value or 0)
