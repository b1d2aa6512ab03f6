"""The viewer's notifications: the page (read / unread), opening one, marking read; the header's
bell (``templates/notifications/_bell.html``, updated live by ``static/notifications.js`` from
the event stream) and the home page's list of what is new."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from jisr.api.deps import SessionDep
from jisr.notifications import service
from jisr.notifications.models import Kind, Notification
from jisr.notifications.texts import values_of
from jisr.web.errors import console_router, redirect
from jisr.web.forms import CsrfForm
from jisr.web.i18n import N_
from jisr.web.registry import Attention, NavItem
from jisr.web.templating import render, safe_next, set_flash
from jisr.web.viewer import Viewer, ViewerDep

router = console_router()
NAV: tuple[NavItem, ...] = ()
PAGE_SIZE = 30

# The same sentences as ``jisr.notifications.texts.TITLES`` (a test keeps them equal).
TITLES: dict[str, str] = {
    Kind.MESSAGE: N_("New message from %(agency)s"),
    Kind.REQUEST: N_("New request from %(agency)s to answer"),
    Kind.REPLY: N_("%(agency)s replied to your message"),
    Kind.REQUEST_DUE: N_("A request's deadline is near"),
    Kind.REQUEST_OVERDUE: N_("A request is overdue"),
    Kind.ALERT_RECEIVED: N_("Alert %(reference)s received from %(agency)s"),
    Kind.ALERT_WITHDRAWN: N_("%(agency)s withdrew one of its alerts"),
    Kind.REVIEW_REQUESTED: N_("Alert %(reference)s awaits your review"),
    Kind.ALERT_REVIEWED: N_("Your alert %(reference)s was reviewed"),
    Kind.HIT: N_("Screening hits to decide: %(count)s"),
    Kind.MANIFEST_SCREENED: N_("Your manifest was screened, hits: %(count)s"),
    Kind.CASE_MEMBER: N_("You were added to case %(case)s"),
    Kind.ENVELOPE_DEAD: N_("A delivery to %(agency)s failed for good"),
    Kind.PARTNER_UNREACHABLE: N_("Partner %(agency)s is unreachable"),
    Kind.SUBJECT_REQUEST: N_("A data-subject request was registered"),
    Kind.INCIDENT: N_("%(agency)s reported an incident"),
}
# Urgent kinds are marked (in words as well as colour).
URGENT = frozenset({Kind.REQUEST_OVERDUE, Kind.HIT, Kind.ENVELOPE_DEAD, Kind.PARTNER_UNREACHABLE})
NotificationId = Annotated[int, Path(ge=1, le=2**62)]


def view_of(row: Notification) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "msgid": TITLES.get(row.kind, row.kind),
        "args": values_of(row.agency, row.params),
        "created_at": row.created_at,
        "read": row.read_at is not None,
        "urgent": row.kind in URGENT,
    }


def recent_unread(session: Session, viewer: Viewer, limit: int = 5) -> list[dict[str, Any]]:
    """The newest unread notifications, for the home page."""
    page = service.list_notifications(session, viewer.actor, unread_only=True, limit=limit)
    return [view_of(row) for row in page.items]


def attention(session: Session, viewer: Viewer) -> list[Attention]:
    count = service.unread_count(session, viewer.actor)
    return [Attention(N_("Unread notifications"), count, "/notifications?unread=1", "info")]


@router.get("/notifications")
def notification_list(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    unread: bool = False,
    before: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> Response:
    page = service.list_notifications(
        session, viewer.actor, unread_only=unread, before=before, limit=PAGE_SIZE
    )
    items = [view_of(row) for row in page.items]
    return render(
        request,
        "notifications/list.html",
        {
            "items": items,
            "unread": page.unread,
            "unread_only": unread,
            "next_cursor": page.next_cursor,
            "newest": max((item["id"] for item in items), default=None),
        },
    )


@router.get("/notifications/{notification_id}/open")
def open_notification(
    request: Request, session: SessionDep, viewer: ViewerDep, notification_id: NotificationId
) -> Response:
    """Mark it read and go to its record (whose own page asks policy again)."""
    row = service.mark_read(session, viewer.actor, notification_id)
    return redirect(request, safe_next(row.href))


@router.post("/notifications/{notification_id}/read")
def read_one(
    request: Request, session: SessionDep, viewer: CsrfForm, notification_id: NotificationId
) -> Response:
    service.mark_read(session, viewer.actor, notification_id)
    response = redirect(request, "/notifications")
    set_flash(response, request, N_("Marked as read."))
    return response


@router.post("/notifications/read")
def read_all(
    request: Request,
    session: SessionDep,
    viewer: CsrfForm,
    up_to: Annotated[str | None, Form(max_length=20)] = None,
) -> Response:
    """Every unread notification up to the newest the page showed (not one that came since)."""
    limit = int(up_to) if up_to and up_to.isdigit() and len(up_to) < 19 else None
    service.mark_all_read(session, viewer.actor, up_to=limit)
    response = redirect(request, "/notifications")
    set_flash(response, request, N_("All notifications marked as read."))
    return response
