"""Seeding a partnership for reports and console tests: partner, agreement, traffic rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from jisr.agreements.models import Agreement
from jisr.clock import utcnow
from jisr.exchange.models import Case, Direction, Message, MessageKind
from jisr.federation.models import OutboxMessage
from jisr.ids import new_id
from jisr.notices.models import Notice, NoticeDistribution, Origin
from jisr.watchlists.models import HitNotification, ScreeningHit, Watchlist, WatchlistEntry
from tests.exchange.conftest import LOCAL, PARTNER, REFERENCE, add_agreement, pin_partner

__all__ = ["LOCAL", "PARTNER", "REFERENCE", "Traffic", "add_agreement", "pin_partner"]


class Traffic:
    """Rows as exchange, notices and watchlists leave them, with chosen times."""

    def __init__(self, session: Session, agreement: Agreement, partner: str = PARTNER) -> None:
        self.session = session
        self.agreement = agreement
        self.partner = partner
        self.case = Case(
            ref=new_id(LOCAL, "case"),
            title="Seeded case",
            owner_agency=LOCAL,
            agreement_id=agreement.id,
            crime_area="terrorism",
            handling_code="H0",
            legal_basis="art. 4",
            retention_until=utcnow() + timedelta(days=3650),
            created_by="seed",
        )
        session.add(self.case)
        session.flush()

    def message(
        self,
        *,
        outbound: bool,
        kind: MessageKind = MessageKind.MESSAGE,
        created_at: datetime,
        received_at: datetime | None = None,
        answered_at: datetime | None = None,
        deadline_at: datetime | None = None,
    ) -> Message:
        owner = LOCAL if outbound else self.partner
        row = Message(
            id=new_id(owner, "msg"),
            direction=(Direction.OUTBOUND if outbound else Direction.INBOUND).value,
            kind=kind.value,
            owner_agency=owner,
            recipient_agency=self.partner if outbound else LOCAL,
            agreement_id=self.agreement.id,
            case_ref=self.case.ref,
            subject="seeded",
            body="seeded",
            crime_area="terrorism",
            data_category="operational",
            priority="routine",
            deadline_at=deadline_at,
            answered_at=answered_at,
            handling_code="H0",
            legal_basis="art. 4",
            purpose="test",
            retention_until=utcnow() + timedelta(days=3650),
            entities=[],
            created_by="seed",
            created_at=created_at,
            received_at=received_at if not outbound else None,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def notice(self, *, ours: bool, at: datetime) -> Notice:
        owner = LOCAL if ours else self.partner
        notice = Notice(
            id=new_id(owner, "notice"),
            reference=f"{owner}/2026/R-{new_id(owner, 'n')[-6:]}",
            alert_type="wanted",
            status="published",
            origin=(Origin.LOCAL if ours else Origin.PARTNER).value,
            owner_agency=owner,
            title="Seeded alert",
            subject={"id": f"{owner}.p1", "schema": "Person", "properties": {"name": ["X Y"]}},
            crime_area="terrorism",
            data_category="personal",
            handling_code="H0",
            valid_until=at + timedelta(days=365),
            created_by="seed",
            created_by_id="seed",
            created_at=at,
            received_at=None if ours else at,
            agreement_id=None if ours else self.agreement.id,
        )
        self.session.add(notice)
        self.session.flush()
        if ours:
            self.session.add(
                NoticeDistribution(
                    notice_id=notice.id,
                    agency=self.partner,
                    agreement_id=self.agreement.id,
                    status="sent",
                    sent_at=at,
                )
            )
            self.session.flush()
        return notice

    def our_hit_on_their_alert(self, at: datetime) -> ScreeningHit:
        watchlist = self.session.get(Watchlist, "seed-list")
        if watchlist is None:
            watchlist = Watchlist(
                id="seed-list", name="seed", kind="notices", owner_agency=LOCAL, created_by="seed"
            )
            self.session.add(watchlist)
            self.session.flush()
        entry = WatchlistEntry(
            id=new_id(LOCAL, "entry"),
            watchlist_id=watchlist.id,
            version=1,
            source="notice",
            source_id=new_id(self.partner, "src"),
            reference="ref",
            alert_type="wanted",
            owner_agency=self.partner,
            kind="person",
            names=["X Y"],
            birth_dates=[],
            nationalities=[],
            documents=[],
        )
        self.session.add(entry)
        self.session.flush()
        hit = ScreeningHit(
            id=new_id(LOCAL, "hit"),
            check_id=new_id(LOCAL, "check"),
            entry_id=entry.id,
            query={"name": "X Y"},
            score=0.95,
            matched_name="X Y",
            explanation="seeded",
            screened_by="seed",
            screened_at=at,
        )
        self.session.add(hit)
        self.session.flush()
        return hit

    def their_hit_on_our_alert(self, at: datetime) -> HitNotification:
        row = HitNotification(
            id=new_id(LOCAL, "hitnotice"),
            envelope_id=new_id(self.partner, "env"),
            sender_agency=self.partner,
            notice_id=new_id(LOCAL, "notice"),
            reference="ref",
            verdict="confirmed",
            hit_at=at,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def outbox(
        self,
        status: str,
        *,
        attempts: int = 0,
        error: str | None = None,
        created_at: datetime | None = None,
        delivered_at: datetime | None = None,
    ) -> OutboxMessage:
        payload: dict[str, Any] = {}
        row = OutboxMessage(
            id=new_id(LOCAL, "env"),
            recipient=self.partner,
            agreement_id=self.agreement.id,
            agreement_reference=self.agreement.reference,
            envelope_type="exchange.message",
            payload=payload,
            resource_kind="message",
            status=status,
            attempts=attempts,
            last_error=error,
            enqueued_by="seed",
            created_at=created_at or utcnow(),
            delivered_at=delivered_at,
        )
        self.session.add(row)
        self.session.flush()
        return row
