"""The watchlist hook: screening-relevant alerts become watchlist entries, and leave them.

``jisr.watchlists`` provides ``upsert_notice_entry`` and ``remove_notice_entry`` (the agreed
interface): published or received alerts of a screening-relevant type are screened against.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from jisr.notices.models import AlertType, Notice
from jisr.notices.subjects import is_a, to_subject
from jisr.restrictions.service import notice_blocked
from jisr.screening.model import Subject
from jisr.watchlists.service import remove_notice_entry, set_blocked, upsert_notice_entry

# Alert types whose subject border and screening officers must be told about.
SCREENING_TYPES = frozenset(
    {
        AlertType.WANTED,
        AlertType.LOCATE,
        AlertType.MISSING,
        AlertType.WARNING,
        AlertType.THREAT,
        AlertType.UN_SANCTIONS,
        AlertType.DIFFUSION,
    }
)


def screening_subject(notice: Notice) -> Subject | None:
    """The subject to screen against, when the alert type and subject call for it."""
    if notice.type not in SCREENING_TYPES:
        return None
    if notice.type is AlertType.DIFFUSION and not is_a(notice.subject, "Person"):
        return None
    return to_subject(notice.id, notice.subject, notice.related, notice.reference)


def watch(session: Session, notice: Notice) -> bool:
    """Put (or refresh) the alert's subject on the watchlists; True when an entry was written."""
    subject = screening_subject(notice)
    if subject is None:
        return False
    upsert_notice_entry(
        session,
        notice_id=notice.id,
        reference=notice.reference,
        alert_type=notice.alert_type,
        owner_agency=notice.owner_agency,
        subject=subject,
        crime_area=notice.crime_area,
    )
    if notice_blocked(session, notice.id):  # a new entry of a blocked alert starts blocked
        set_blocked(session, notice.id, True)
    return True


def unwatch(session: Session, notice_id: str) -> bool:
    """Take the alert off the watchlists; True when an entry was removed."""
    return remove_notice_entry(session, notice_id)
