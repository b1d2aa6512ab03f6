"""The notice status transition table."""

from __future__ import annotations

import pytest

from jisr.errors import ConflictError
from jisr.notices.models import Notice, NoticeStatus
from jisr.notices.status import TRANSITIONS, move


def test_every_status_has_its_row() -> None:
    assert set(TRANSITIONS) == set(NoticeStatus)


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        (NoticeStatus.DRAFT, NoticeStatus.IN_REVIEW, True),
        (NoticeStatus.IN_REVIEW, NoticeStatus.APPROVED, True),
        (NoticeStatus.APPROVED, NoticeStatus.PUBLISHED, True),
        (NoticeStatus.PUBLISHED, NoticeStatus.WITHDRAWN, True),
        (NoticeStatus.EXPIRED, NoticeStatus.CANCELLED, True),
        (NoticeStatus.DRAFT, NoticeStatus.PUBLISHED, False),
        (NoticeStatus.REFUSED, NoticeStatus.APPROVED, False),
        (NoticeStatus.PUBLISHED, NoticeStatus.DRAFT, False),
        (NoticeStatus.WITHDRAWN, NoticeStatus.PUBLISHED, False),
        (NoticeStatus.CANCELLED, NoticeStatus.WITHDRAWN, False),
    ],
)
def test_moves(start: NoticeStatus, target: NoticeStatus, allowed: bool) -> None:
    notice = Notice(status=start.value)
    if allowed:
        move(notice, target)
        assert notice.state is target
    else:
        with pytest.raises(ConflictError) as refused:
            move(notice, target)
        assert refused.value.code == "notice_transition_invalid"
        assert notice.state is start
