"""Analysts' judgements on pairs (same / not same / unsure): recorded, audited, reversible.

A judgement is a row with who, when and why; a new judgement on a pair supersedes the standing
one (which is marked retracted, never overwritten), and retracting one brings back what the
automatic links say. Either way the clusters around the pair are recomputed at once.
The queue lists scored pairs between ``REVIEW`` and ``AUTO_LINK`` that nobody has judged yet,
among those the analyst may see whole (see ``access``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.audit.models import AuditAction
from jisr.audit.service import record as audit
from jisr.clock import utcnow
from jisr.errors import NotFoundError, ValidationError
from jisr.graph.access import require_graph, view_for, visibility
from jisr.graph.clusters import active_judgements, pair, recluster
from jisr.graph.compare import AUTO_LINK, REVIEW
from jisr.graph.models import GraphEntity, GraphJudgement, GraphLink, Judgement
from jisr.ids import new_id


@dataclass(frozen=True, slots=True)
class QueueItem:
    left_id: str
    right_id: str
    left_caption: str
    right_caption: str
    score: float
    explanation: str


def _visible_pair(session: Session, actor: Actor, left: str, right: str) -> None:
    seen = visibility(session, view_for(session, actor), (left, right))
    for entity_id in (left, right):
        if entity_id not in seen.whole:
            raise NotFoundError(f"no entity {entity_id}", code="graph_entity_not_found")


def judge(
    session: Session,
    actor: Actor,
    left_id: str,
    right_id: str,
    judgement: Judgement,
    reason: str = "",
) -> GraphJudgement:
    require_graph(session, actor, write=True)
    if left_id == right_id:
        raise ValidationError("a judgement needs two different entities", code="graph_pair_invalid")
    left, right = pair(left_id, right_id)
    _visible_pair(session, actor, left, right)
    now = utcnow()
    standing = session.execute(
        select(GraphJudgement).where(
            GraphJudgement.left_id == left,
            GraphJudgement.right_id == right,
            GraphJudgement.retracted_at.is_(None),
        )
    ).scalars()
    for old in standing:
        old.retracted_at, old.retracted_by = now, actor.display
    row = GraphJudgement(
        id=new_id(actor.agency_code, "judgement"),
        left_id=left,
        right_id=right,
        judgement=judgement.value,
        reason=reason[:2000],
        decided_by=actor.display,
        decided_at=now,
    )
    session.add(row)
    session.flush()
    recluster(session, {left, right}, actor.agency_code)
    audit(
        session,
        actor,
        AuditAction.COMBINATION,
        "graph_judgement",
        row.id,
        justification=reason,
        details={"left": left, "right": right, "judgement": judgement.value},
    )
    return row


def retract(session: Session, actor: Actor, judgement_id: str, reason: str = "") -> GraphJudgement:
    require_graph(session, actor, write=True)
    row = session.get(GraphJudgement, judgement_id)
    if row is None:
        raise NotFoundError(f"no judgement {judgement_id}", code="graph_judgement_not_found")
    _visible_pair(session, actor, row.left_id, row.right_id)
    if row.retracted_at is not None:
        raise ValidationError(
            "this judgement is already retracted", code="graph_judgement_retracted"
        )
    row.retracted_at, row.retracted_by = utcnow(), actor.display
    session.flush()
    recluster(session, {row.left_id, row.right_id}, actor.agency_code)
    audit(
        session,
        actor,
        AuditAction.ALTERATION,
        "graph_judgement",
        row.id,
        justification=reason,
        details={"retracted": True},
    )
    return row


def history(session: Session, actor: Actor, left_id: str, right_id: str) -> list[GraphJudgement]:
    left, right = pair(left_id, right_id)
    _visible_pair(session, actor, left, right)
    return list(
        session.execute(
            select(GraphJudgement)
            .where(GraphJudgement.left_id == left, GraphJudgement.right_id == right)
            .order_by(GraphJudgement.decided_at, GraphJudgement.id)
        ).scalars()
    )


def queue(session: Session, actor: Actor, limit: int = 50, offset: int = 0) -> list[QueueItem]:
    """Unjudged pairs between REVIEW and AUTO_LINK the actor may see whole, best first."""
    view = view_for(session, actor)
    out: list[QueueItem] = []
    position = 0
    page = 500
    start = 0
    while len(out) < limit:
        links = list(
            session.execute(
                select(GraphLink)
                .where(GraphLink.score >= REVIEW, GraphLink.score < AUTO_LINK)
                .order_by(GraphLink.score.desc(), GraphLink.id)
                .offset(start)
                .limit(page)
            ).scalars()
        )
        if not links:
            break
        start += page
        ids = {x for link in links for x in (link.left_id, link.right_id)}
        judged = active_judgements(session, ids)
        seen = visibility(session, view, ids)
        captions = dict(
            session.execute(
                select(GraphEntity.id, GraphEntity.caption).where(GraphEntity.id.in_(sorted(ids)))
            ).all()
        )
        for link in links:
            key = (link.left_id, link.right_id)
            if key in judged or not {link.left_id, link.right_id} <= seen.whole:
                continue
            position += 1
            if position <= offset:
                continue
            out.append(
                QueueItem(
                    link.left_id,
                    link.right_id,
                    captions.get(link.left_id, link.left_id),
                    captions.get(link.right_id, link.right_id),
                    link.score,
                    link.explanation,
                )
            )
            if len(out) >= limit:
                break
    return out
