"""What an actor may see of the graph: policy on every statement's source, so on every edge.

A source is visible when ``policy.authorize`` lets the actor read an entity record with the
source's owner, crime area, data category and handling code. Sources with the same terms share
one decision (a ``Signature``), so a view costs one policy call per distinct set of terms, not
per record. An entity is visible when one of its live statements is; a resolution link (or a
cluster) is shown only when *every* source behind both of its entities is visible, since the
score was computed from all of them: a partner's record the viewer may not read never shows up
through a path, a merge or a count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.policy import Action, Resource, ResourceKind
from jisr.agreements.service import check, require
from jisr.graph.models import GraphSource, GraphStatement

Signature = tuple[str, str | None, str | None, str]


def signature_of(source: GraphSource) -> Signature:
    return (source.owner_agency, source.crime_area, source.data_category, source.handling_code)


def resource_of(signature: Signature, record_id: str | None = None) -> Resource:
    owner, crime_area, data_category, handling_code = signature
    return Resource(
        ResourceKind.ENTITY,
        owner_agency=owner,
        crime_area=crime_area,
        data_category=data_category,
        handling_code=handling_code,
        id=record_id,
    )


def require_graph(session: Session, actor: Actor, *, write: bool = False) -> None:
    """Refuse actors whose roles never work with entity records (before any lookup)."""
    action = Action.CREATE if write else Action.READ
    require(session, actor, action, Resource(ResourceKind.ENTITY, owner_agency=actor.agency_code))


@dataclass
class View:
    """The sources one actor may see, decided once per distinct set of terms."""

    actor: Actor
    allowed: dict[Signature, bool]
    hidden_sources: set[str]

    def sees_source(self, source_id: str) -> bool:
        return source_id not in self.hidden_sources


def view_for(session: Session, actor: Actor) -> View:
    require_graph(session, actor)
    allowed: dict[Signature, bool] = {}
    hidden: set[str] = set()
    rows = session.execute(
        select(
            GraphSource.id,
            GraphSource.owner_agency,
            GraphSource.crime_area,
            GraphSource.data_category,
            GraphSource.handling_code,
            GraphSource.withdrawn_at,
        )
    ).all()
    for source_id, owner, crime, category, code, withdrawn in rows:
        signature: Signature = (owner, crime, category, code)
        if signature not in allowed:
            allowed[signature] = check(session, actor, Action.READ, resource_of(signature)).allowed
        if withdrawn is not None or not allowed[signature]:
            hidden.add(source_id)
    return View(actor, allowed, hidden)


@dataclass(frozen=True, slots=True)
class Visibility:
    # Entities with at least one visible live statement.
    visible: frozenset[str]
    # Entities all of whose live statements are visible (their links may be shown).
    whole: frozenset[str]


def visibility(session: Session, view: View, entity_ids: Iterable[str]) -> Visibility:
    ids = sorted(set(entity_ids))
    seen: dict[str, list[bool]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = session.execute(
            select(GraphStatement.entity_id, GraphStatement.source_id)
            .where(GraphStatement.entity_id.in_(chunk))
            .distinct()
        ).all()
        withdrawn = _withdrawn(session, {s for _, s in rows})
        for entity_id, source_id in rows:
            if source_id in withdrawn:
                continue
            seen.setdefault(entity_id, []).append(view.sees_source(source_id))
    visible = frozenset(e for e, flags in seen.items() if any(flags))
    whole = frozenset(e for e, flags in seen.items() if flags and all(flags))
    return Visibility(visible, whole)


def _withdrawn(session: Session, source_ids: set[str]) -> set[str]:
    if not source_ids:
        return set()
    return set(
        session.execute(
            select(GraphSource.id).where(
                GraphSource.id.in_(sorted(source_ids)), GraphSource.withdrawn_at.is_not(None)
            )
        ).scalars()
    )
