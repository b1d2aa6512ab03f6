"""Correlation across partners: the same observable value stated by objects of several agencies.

Access-aware: a match is shown only when policy lets the asking user read its owner's records
(``ReadGate``); hidden matches are neither listed nor counted. Capped: a value stated by more
than ``CAP`` objects (a shared CDN address, a public resolver) is reported as too common, with
no links, so one busy value cannot tie everything together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.cyber.access import ReadGate
from jisr.cyber.models import CyberObject, CyberObservable
from jisr.cyber.stix import normalise_value

CAP = 50


@dataclass(frozen=True, slots=True)
class Match:
    stix_id: str
    owner_agency: str
    kind: str
    tlp: str


@dataclass
class Correlation:
    value: str
    matches: list[Match] = field(default_factory=list)
    capped: bool = False

    @property
    def agencies(self) -> list[str]:
        return sorted({m.owner_agency for m in self.matches})

    @property
    def cross_agency(self) -> bool:
        return len(self.agencies) > 1


def lookup(
    session: Session, actor: Actor, value: str, *, exclude: str | None = None
) -> Correlation:
    """Objects this user may see that state ``value`` (normalised like stored values)."""
    value = normalise_value(value)
    gate = ReadGate(session, actor)
    stmt = (
        select(
            CyberObservable.stix_id,
            CyberObservable.owner_agency,
            CyberObservable.kind,
            CyberObservable.tlp,
        )
        .where(CyberObservable.value == value)
        .limit(CAP * 4 + 1)
    )
    seen: dict[str, Match] = {}
    for stix_id, owner, kind, tlp in session.execute(stmt):
        if stix_id == exclude or stix_id in seen or not gate.may_read(owner):
            continue
        seen[stix_id] = Match(stix_id, owner, kind, tlp)
    if len(seen) > CAP:
        return Correlation(value, [], capped=True)
    return Correlation(value, sorted(seen.values(), key=lambda m: (m.owner_agency, m.stix_id)))


def for_object(session: Session, actor: Actor, stix_id: str) -> list[Correlation]:
    """Correlations of each value an object states (the object itself left out)."""
    values = session.execute(
        select(CyberObservable.value).where(CyberObservable.stix_id == stix_id).distinct()
    ).scalars()
    return [lookup(session, actor, v, exclude=stix_id) for v in sorted(values)]


def current_version(session: Session, stix_id: str) -> CyberObject | None:
    return session.execute(
        select(CyberObject)
        .where(CyberObject.stix_id == stix_id, CyberObject.current.is_(True))
        .order_by(CyberObject.origin)
        .limit(1)
    ).scalar_one_or_none()
