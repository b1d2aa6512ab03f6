"""What a searcher may see, as one ``WHERE`` over the index: policy applied in the query.

Each resource kind of the index gets policy's set (``policy.visible``: every record, the
agency's own, and each partner's covered by an agreement in force by crime area and data
category), then the rules that set does not express, as ``authorize`` and the domains' readers
decide them:

- casework under H2/H3 (messages, cases, the entities they hold) only for the case's members
  (``exchange_case_members``: ``user:<id>`` or ``role:<role>``), unless the searcher is
  oversight or the node itself (policy rule 5);
- an alert blocked by a data-subject request, and the entities it holds, only for the
  data-protection officer, auditors and administrators (``notices.access.require_readable``);
- hits only for who may screen, of their own agency, and not while the watchlist entry is
  blocked (``watchlists.checks.load_hit``); an imported watchlist entry not while it is blocked
  (``watchlists.service.require_unblocked``);
- an operation's log entry only when its operation is readable as well
  (``operations.log.list_entries`` loads the operation first): its operation's document must be
  one this clause admits.

A result, a count and a snippet all come from rows this clause admits, so what the searcher
may not read is never shown, counted or quoted.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.orm import Session, aliased

from jisr.actors import Actor, ActorKind
from jisr.agreements.policy import (
    NEED_TO_KNOW_CODES,
    OVERSIGHT_ROLES,
    Action,
    Resource,
    ResourceKind,
    Visibility,
    visible,
)
from jisr.agreements.service import check, terms_between
from jisr.clock import utcnow
from jisr.exchange.models import CaseMember
from jisr.restrictions.models import RightsBlock
from jisr.search.documents import Source
from jisr.search.models import SearchDocument as D
from jisr.watchlists.models import WatchlistEntry
from jisr.watchlists.service import BLOCK_READER_ROLES

_CASEWORK = frozenset({ResourceKind.MESSAGE, ResourceKind.CASE, ResourceKind.ENTITY})
_POLICY_KINDS = (
    ResourceKind.MESSAGE,
    ResourceKind.CASE,
    ResourceKind.NOTICE,
    ResourceKind.ENTITY,
    ResourceKind.INDICATOR,
    ResourceKind.OPERATION,
    ResourceKind.TRAINING,
    ResourceKind.WATCHLIST,
)


def _labels(seen: Visibility, doc: type[D] = D) -> ColumnElement[bool]:
    if seen.everything:
        return true()
    clauses: list[ColumnElement[bool]] = []
    if seen.own_agency is not None:
        clauses.append(doc.owner_agency == seen.own_agency)
    for cover in seen.covered:
        clauses.append(
            and_(
                doc.owner_agency == cover.owner_agency,
                or_(doc.crime_area.is_(None), doc.crime_area.in_(sorted(cover.crime_areas))),
                or_(
                    doc.data_category.is_(None),
                    doc.data_category.in_(sorted(cover.data_categories)),
                ),
            )
        )
    return or_(*clauses) if clauses else false()


def _operation_readable(seen: Visibility) -> ColumnElement[bool]:
    """A log entry's operation (its ``block_key``) is readable too; other documents pass."""
    operation = aliased(D, name="operation_document")
    readable_operation = exists(
        select(operation.id).where(
            operation.source == Source.OPERATION.value,
            operation.record_id == D.block_key,
            _labels(seen, operation),
        )
    )
    return or_(D.source != Source.LOG_ENTRY.value, readable_operation)


def _member_of_case(actor: Actor) -> ColumnElement[bool]:
    keys = sorted({f"user:{actor.id}", *(f"role:{role}" for role in actor.roles)})
    member = exists(
        select(CaseMember.case_ref).where(
            CaseMember.case_ref == D.case_ref, CaseMember.member.in_(keys)
        )
    )
    return or_(D.case_ref.is_(None), D.handling_code.not_in(sorted(NEED_TO_KNOW_CODES)), member)


def _not_blocked_alert() -> ColumnElement[bool]:
    # Two levels down from the index row: correlated by name, or it would be read as a table of
    # its own (every alert's entries, so one blocked entry would hide every alert).
    entries = select(WatchlistEntry.id).where(WatchlistEntry.notice_id == D.block_key).correlate(D)
    block = exists(
        select(RightsBlock.id).where(
            RightsBlock.lifted_at.is_(None),
            or_(RightsBlock.record_id == D.block_key, RightsBlock.record_id.in_(entries)),
        )
    )
    return or_(D.block_key.is_(None), ~block)


def _not_blocked_entry() -> ColumnElement[bool]:
    return ~exists(
        select(WatchlistEntry.id).where(
            WatchlistEntry.id == D.block_key, WatchlistEntry.blocked.is_(True)
        )
    )


def readable(
    session: Session, actor: Actor, kinds: Iterable[ResourceKind] | None = None
) -> ColumnElement[bool]:
    """The index rows ``actor`` may read, as a ``WHERE`` clause (one agreements query)."""
    wanted = set(kinds) if kinds is not None else set(_POLICY_KINDS) | {ResourceKind.SCREENING}
    agreements = terms_between(session, actor.agency_code)
    now = utcnow()
    oversight = actor.kind is ActorKind.SYSTEM or bool(actor.roles & OVERSIGHT_ROLES)
    sees_blocked = actor.kind is ActorKind.SYSTEM or bool(actor.roles & BLOCK_READER_ROLES)
    clauses: list[ColumnElement[bool]] = []
    for kind in _POLICY_KINDS:
        if kind not in wanted:
            continue
        seen = visible(actor, kind, agreements=agreements, now=now)
        if not (seen.everything or seen.own_agency or seen.covered):
            continue
        clause = and_(D.resource == kind.value, _labels(seen))
        if kind in _CASEWORK and not oversight:
            clause = and_(clause, _member_of_case(actor))
        if kind in {ResourceKind.NOTICE, ResourceKind.ENTITY} and not sees_blocked:
            clause = and_(clause, _not_blocked_alert())
        if kind is ResourceKind.WATCHLIST and not sees_blocked:
            clause = and_(clause, _not_blocked_entry())
        if kind is ResourceKind.OPERATION:
            clause = and_(clause, _operation_readable(seen))
        clauses.append(clause)
    if ResourceKind.SCREENING in wanted and _screens(session, actor):
        clause = and_(D.resource == ResourceKind.SCREENING.value)
        if actor.kind is not ActorKind.SYSTEM:
            clause = and_(clause, D.owner_agency == actor.agency_code)
        if not sees_blocked:
            clause = and_(clause, _not_blocked_entry())
        clauses.append(clause)
    return or_(*clauses) if clauses else false()


def _screens(session: Session, actor: Actor) -> bool:
    resource = Resource(ResourceKind.SCREENING, actor.agency_code)
    return check(session, actor, Action.SCREEN, resource).allowed
