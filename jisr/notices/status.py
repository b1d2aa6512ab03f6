"""Which status an alert of this node may move to, from which: the one table (like the
agreements' ``_TRANSITIONS``), asked by every service that changes a status.

Services refuse what users may not do with their own codes first (``notice_not_draft``,
``notice_closed``...); the table is the invariant under them, so a path that forgot a check
cannot put an alert in a state it should never reach. A partner's copy is not moved through it:
it takes the status its owner sends.
"""

from __future__ import annotations

from jisr.errors import ConflictError
from jisr.notices.models import Notice, NoticeStatus

_CLOSING = frozenset(
    {NoticeStatus.WITHDRAWN, NoticeStatus.CANCELLED, NoticeStatus.RECALLED, NoticeStatus.EXPIRED}
)
# An alert still being written or reviewed: edits send it back to draft, it may be closed.
_WRITING = frozenset({NoticeStatus.DRAFT, *_CLOSING})

TRANSITIONS: dict[NoticeStatus, frozenset[NoticeStatus]] = {
    # Checks failed (draft again) or passed (review).
    NoticeStatus.DRAFT: _WRITING | {NoticeStatus.IN_REVIEW},
    NoticeStatus.IN_REVIEW: _WRITING | {NoticeStatus.APPROVED, NoticeStatus.REFUSED},
    # A decision retracted goes back to review; approved alerts are published.
    NoticeStatus.APPROVED: _WRITING | {NoticeStatus.IN_REVIEW, NoticeStatus.PUBLISHED},
    NoticeStatus.REFUSED: _WRITING | {NoticeStatus.IN_REVIEW},
    NoticeStatus.PUBLISHED: _CLOSING,
    # Expired alerts may still be withdrawn, cancelled or recalled by their owner.
    NoticeStatus.EXPIRED: _CLOSING - {NoticeStatus.EXPIRED},
    NoticeStatus.WITHDRAWN: frozenset(),
    NoticeStatus.CANCELLED: frozenset(),
    NoticeStatus.RECALLED: frozenset(),
}


def move(notice: Notice, target: NoticeStatus) -> None:
    """Set ``notice``'s status to ``target``, if the table allows it from where it is."""
    if target not in TRANSITIONS[notice.state]:
        raise ConflictError(
            f"an alert cannot go from {notice.status} to {target.value}",
            code="notice_transition_invalid",
        )
    notice.status = target.value
