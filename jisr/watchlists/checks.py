"""Screening one traveller in the node, hit / no-hit first, and opening a hit.

A check answers only whether there is a hit and, per candidate, the alert type, owner, reference
and score: the listed person's details and the explanation are shown when an officer opens the
hit, with a justification, and that opening is audited on its own.

Screening the same traveller again against the same entry does not make a new hit: while the
first one awaits a decision, it counts the repeat (``seen_count``, ``last_seen_at``). Desk
checks fold together, and so do a manifest's own rows; a decided hit is never reopened (the
traveller seen again after a decision is a new event, a new hit).
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.policy import Action, Resource, ResourceKind
from jisr.agreements.service import require
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.errors import NotFoundError, ValidationError
from jisr.ids import new_id
from jisr.screening.model import Match, Subject
from jisr.screening.sources.base import (
    RowError,
    check_birth_date,
    clean_country,
    clean_document,
    clean_gender,
    clean_name,
)
from jisr.watchlists.cache import EntryInfo, ScreenerCache, Snapshot
from jisr.watchlists.models import (
    HitDecision,
    HitStatus,
    ScreeningHit,
    Watchlist,
    WatchlistEntry,
)
from jisr.watchlists.schemas import (
    Candidate,
    CheckResult,
    DecisionRead,
    HitRead,
    ListedSubject,
    TravellerCheck,
)
from jisr.watchlists.service import require_unblocked


def require_screen(session: Session, actor: Actor) -> None:
    require(session, actor, Action.SCREEN, Resource(ResourceKind.SCREENING, actor.agency_code))


def _checked(field: str, clean: Callable[[str], str], value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    try:
        return (clean(value),)
    except RowError as exc:
        # ``field`` names the input at fault, so a form marks that field and no other.
        raise ValidationError(str(exc), code="traveller_invalid", field=field) from None


def traveller_subject(data: TravellerCheck, query_id: str) -> Subject:
    """The traveller as a screening query, each field checked as the source readers check it;
    a field that cannot be read is refused as ``traveller_invalid`` with its name in ``field``."""
    names = _checked("name", clean_name, data.name or " ")
    try:
        gender = clean_gender(data.gender)
    except RowError as exc:
        raise ValidationError(str(exc), code="traveller_invalid", field="gender") from None
    return Subject(
        id=query_id,
        names=names,
        birth_dates=_checked("birth_date", check_birth_date, data.birth_date),
        nationalities=_checked("nationality", clean_country, data.nationality),
        gender=gender,
        documents=_checked("document_number", clean_document, data.document_number),
    )


def query_of(subject: Subject, flight: str | None = None) -> dict[str, str | None]:
    query = {
        "id": subject.id,
        "name": subject.names[0],
        "birth_date": subject.birth_dates[0] if subject.birth_dates else None,
        "nationality": subject.nationalities[0] if subject.nationalities else None,
        "gender": subject.gender,
        "document_number": subject.documents[0] if subject.documents else None,
    }
    if flight:
        query["flight"] = flight
    return query


def traveller_key(query: dict[str, str | None]) -> str:
    """Who the traveller is, whatever the check: name (case and spacing folded), date of
    birth, nationality, gender, document. The row id and the flight are left out."""
    name = " ".join(unicodedata.normalize("NFKC", query.get("name") or "").casefold().split())
    facts = [name] + [
        (query.get(k) or "").casefold()
        for k in ("birth_date", "nationality", "gender", "document_number")
    ]
    return hashlib.sha256(json.dumps(facts, ensure_ascii=False).encode()).hexdigest()


def _open_repeat(
    session: Session, agency: str, entry_id: str, key: str, manifest_id: str | None
) -> ScreeningHit | None:
    stmt = select(ScreeningHit).where(
        ScreeningHit.entry_id == entry_id,
        ScreeningHit.traveller_key == key,
        ScreeningHit.status == HitStatus.OPEN.value,
        ScreeningHit.id.like(f"{agency}:hit:%"),
        ScreeningHit.manifest_id.is_(None)
        if manifest_id is None
        else ScreeningHit.manifest_id == manifest_id,
    )
    return session.execute(stmt.order_by(ScreeningHit.screened_at).limit(1)).scalar_one_or_none()


def record_hits(
    session: Session,
    actor: Actor,
    snapshot: Snapshot,
    subject: Subject,
    matches: Sequence[Match],
    *,
    check_id: str,
    manifest_id: str | None = None,
    flight: str | None = None,
) -> list[Candidate]:
    """A hit per match, or the repeat counted on the open hit of the same traveller and entry."""
    candidates = []
    query = query_of(subject, flight)
    key = traveller_key(query)
    now = utcnow()
    for match in matches:
        info = snapshot.entries[match.entity_id]
        hit = _open_repeat(session, actor.agency_code, match.entity_id, key, manifest_id)
        if hit is not None:
            hit.seen_count += 1
            hit.last_seen_at = now
            hit.query = query
            hit.score = max(hit.score, round(match.score, 4))
        else:
            hit = ScreeningHit(
                id=new_id(actor.agency_code, "hit"),
                check_id=check_id,
                manifest_id=manifest_id,
                entry_id=match.entity_id,
                query=query,
                score=round(match.score, 4),
                matched_name=match.name[:500],
                explanation=match.explanation,
                screened_by=actor.display,
                screened_at=now,
                traveller_key=key,
                seen_count=1,
                last_seen_at=now,
            )
            session.add(hit)
        candidates.append(
            Candidate(
                hit_id=hit.id,
                alert_type=info.alert_type,
                owner_agency=info.owner_agency,
                reference=info.reference,
                score=hit.score,
                seen_count=hit.seen_count,
            )
        )
    session.flush()
    return candidates


def check_traveller(
    session: Session, actor: Actor, cache: ScreenerCache, data: TravellerCheck
) -> CheckResult:
    """Screen one traveller against every active, unblocked entry; audited as a consultation."""
    require_screen(session, actor)
    check_id = new_id(actor.agency_code, "check")
    subject = traveller_subject(data, check_id)
    snapshot = cache.get(session)
    matches = snapshot.screener.check(subject, threshold=data.threshold, top=data.top)
    candidates = record_hits(
        session, actor, snapshot, subject, matches, check_id=check_id, flight=data.flight
    )
    record(
        session,
        actor,
        AuditAction.CONSULTATION,
        "screening",
        check_id,
        details={
            "event": "check",
            "watchlist_version": snapshot.version,
            "hits": [c.hit_id for c in candidates],
        },
    )
    return CheckResult(check_id=check_id, hit=bool(candidates), candidates=candidates)


def load_hit(session: Session, actor: Actor, hit_id: str) -> tuple[ScreeningHit, WatchlistEntry]:
    require_screen(session, actor)
    hit = session.get(ScreeningHit, hit_id)
    if hit is None:
        raise NotFoundError(f"no hit {hit_id}", code="hit_not_found")
    entry = session.get(WatchlistEntry, hit.entry_id)
    if entry is None:  # pragma: no cover - a foreign key guarantees it
        raise NotFoundError(f"no entry for hit {hit_id}", code="hit_not_found")
    require_unblocked(actor, entry)
    return hit, entry


def open_hit(session: Session, actor: Actor, hit_id: str, justification: str) -> HitRead:
    """Reveal the listed person and the explanation of a hit; audited with the justification."""
    hit, entry = load_hit(session, actor, hit_id)
    if hit.opened_at is None:
        hit.opened_at = utcnow()
        hit.opened_by = actor.display
    record(
        session,
        actor,
        AuditAction.CONSULTATION,
        "screening_hit",
        hit.id,
        justification=justification,
        details={"event": "opened", "entry": entry.id, "reference": entry.reference},
    )
    return hit_read(session, hit, entry)


def decisions_of(session: Session, hit_id: str) -> list[HitDecision]:
    stmt = select(HitDecision).where(HitDecision.hit_id == hit_id)
    return list(session.execute(stmt.order_by(HitDecision.decided_at, HitDecision.id)).scalars())


def hit_read(session: Session, hit: ScreeningHit, entry: WatchlistEntry) -> HitRead:
    watchlist = session.get(Watchlist, entry.watchlist_id)
    return HitRead(
        id=hit.id,
        check_id=hit.check_id,
        manifest_id=hit.manifest_id,
        status=hit.status,
        score=hit.score,
        alert_type=entry.alert_type,
        owner_agency=entry.owner_agency,
        reference=entry.reference,
        watchlist=watchlist.name if watchlist else "",
        source=entry.source,
        source_id=entry.source_id,
        matched_name=hit.matched_name,
        explanation=hit.explanation,
        traveller=dict(hit.query),
        listed=ListedSubject(
            names=list(entry.names),
            birth_dates=list(entry.birth_dates),
            nationalities=list(entry.nationalities),
            gender=entry.gender,
            documents=list(entry.documents),
        ),
        screened_at=hit.screened_at,
        seen_count=hit.seen_count,
        last_seen_at=hit.last_seen_at or hit.screened_at,
        opened_by=hit.opened_by,
        opened_at=hit.opened_at,
        decisions=[DecisionRead.model_validate(d) for d in decisions_of(session, hit.id)],
    )


def entry_info(session: Session, hit: ScreeningHit) -> EntryInfo:
    entry = session.get(WatchlistEntry, hit.entry_id)
    if entry is None:  # pragma: no cover - a foreign key guarantees it
        raise NotFoundError(f"no entry for hit {hit.id}", code="hit_not_found")
    return EntryInfo(entry.alert_type, entry.owner_agency, entry.reference)


def watchlist_of(session: Session, hit: ScreeningHit) -> str:
    """The name of the list the hit's entry is on."""
    entry = session.get(WatchlistEntry, hit.entry_id)
    watchlist = session.get(Watchlist, entry.watchlist_id) if entry is not None else None
    return watchlist.name if watchlist is not None else ""
