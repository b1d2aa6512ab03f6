"""Notifications API: the signed-in user's list, read marks, and an event stream.

``GET /notifications/stream`` is server-sent events: ``notification`` events (id = the
notification's id, so a reconnecting client resumes with ``Last-Event-ID``), ``count`` events
(the unread count, after each change) and ``end`` when the session or token stops holding.
Heartbeat comments keep proxies from closing an idle stream; each stream ends after
``JISR_NOTIFICATIONS_STREAM_MAX_SECONDS`` and the client reconnects. Database work runs in a
worker thread, never on the event loop; a stream re-reads the database when a commit of this
process wrote notifications, and every ``JISR_NOTIFICATIONS_STREAM_POLL_SECONDS`` otherwise.
Signing in for a stream does not touch the console session's idle clock: an open tab does
not keep an unattended console signed in.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.security.utils import get_authorization_scheme_param
from sse_starlette import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from jisr.actors import Actor
from jisr.api.context import AppContext
from jisr.api.deps import ContextDep, CurrentActor, SessionDep
from jisr.errors import AuthenticationError, JisrError, ValidationError
from jisr.identity import auth
from jisr.notifications import service
from jisr.notifications.schemas import MarkAllRead, MarkedCount, NotificationPage, NotificationRead
from jisr.notifications.settings import NotificationSettings
from jisr.notifications.wakeup import Topic, listening

router = APIRouter(tags=["notifications"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in"},
    403: {"description": "Not a user (or the token lacks the scope)"},
    404: {"description": "No such notification of yours"},
    422: {"description": "Invalid input"},
}
# Reconnection delay EventSource clients are told to use (milliseconds).
RETRY_MS = 2000


@router.get("/notifications", response_model=NotificationPage, responses=_ERRORS)
def list_notifications(
    session: SessionDep,
    actor: CurrentActor,
    unread: bool = False,
    before: Annotated[
        int | None, Query(ge=1, description="next_cursor of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 50,
) -> NotificationPage:
    """Your notifications, newest first; ``unread=true`` for the unread ones only."""
    page = service.list_notifications(
        session, actor, unread_only=unread, before=before, limit=limit
    )
    return NotificationPage(
        items=[NotificationRead.of(row) for row in page.items],
        unread=page.unread,
        next_cursor=page.next_cursor,
    )


@router.post("/notifications/read", response_model=MarkedCount, responses=_ERRORS)
def mark_all_read(body: MarkAllRead, session: SessionDep, actor: CurrentActor) -> MarkedCount:
    """Mark every unread notification read (or those up to ``up_to``)."""
    marked = service.mark_all_read(session, actor, up_to=body.up_to)
    return MarkedCount(marked=marked, unread=service.unread_count(session, actor))


@router.post(
    "/notifications/{notification_id}/read", response_model=NotificationRead, responses=_ERRORS
)
def mark_read(
    notification_id: Annotated[int, Path(ge=1)], session: SessionDep, actor: CurrentActor
) -> NotificationRead:
    return NotificationRead.of(service.mark_read(session, actor, notification_id))


def _credentials(request: Request) -> tuple[str, str]:
    scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
    if scheme.lower() == "bearer" and token:
        return "token", token
    cookie = request.cookies.get(auth.SESSION_COOKIE)
    if cookie:
        return "cookie", cookie
    raise AuthenticationError("sign in or present an API token", code="authentication_required")


def _authenticate(ctx: AppContext, credentials: tuple[str, str]) -> Actor:
    """Who holds these credentials now. Rolled back: the check leaves no trace (a session's
    idle clock, a token's last use), so a stream does not keep a console signed in."""
    kind, secret = credentials
    session = ctx.session_factory()
    try:
        if kind == "token":
            actor = auth.actor_from_token(session, ctx.settings, secret)
        else:
            actor = auth.actor_from_session(session, ctx.settings, secret)
        service.unread_count(session, actor)  # a partner's or a scopeless token fails here
        return actor
    finally:
        session.rollback()
        session.close()


def _resume_point(last_event_id: str | None, after: int | None) -> int | None:
    value = last_event_id if last_event_id is not None else after
    if value is None:
        return None
    text = str(value).strip()
    if not text.isdigit() or len(text) > 18:
        raise ValidationError(
            "Last-Event-ID must be a notification id", code="notification_cursor_invalid"
        )
    return int(text)


def _poll(
    ctx: AppContext, credentials: tuple[str, str], after: int
) -> tuple[list[NotificationRead], int]:
    """Re-check the credentials, then what is new after ``after`` and the unread count."""
    actor = _authenticate(ctx, credentials)
    with ctx.session_factory() as session:
        if session.get_bind().dialect.name == "postgresql":
            # One snapshot for both reads: else a notification committed between them is
            # counted before it is sent (PostgreSQL's READ COMMITTED reads per statement).
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        try:
            rows = service.newer_than(session, actor, after)
            return [NotificationRead.of(r) for r in rows], service.unread_count(session, actor)
        finally:
            session.rollback()


def _start(ctx: AppContext, credentials: tuple[str, str], resume: int | None) -> int:
    actor = _authenticate(ctx, credentials)
    if resume is not None:
        return resume
    with ctx.session_factory() as session:
        try:
            return service.latest_id(session, actor)
        finally:
            session.rollback()


@router.get(
    "/notifications/stream",
    response_class=EventSourceResponse,
    responses={
        **_ERRORS,
        200: {
            "description": "Server-sent events: `notification` (id = notification id), "
            '`count` (`{"unread": n}`) and `end` (`{"code": ...}`)',
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
    },
)
async def stream(
    request: Request,
    ctx: ContextDep,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=40)] = None,
    after: Annotated[
        int | None, Query(ge=0, description="as Last-Event-ID, for clients that cannot set it")
    ] = None,
) -> EventSourceResponse:
    """Your notifications as they are written. Without ``Last-Event-ID`` (or ``after``) the
    stream starts with the unread count and sends what comes next; with it, first what was
    written after that id."""
    settings = ctx.settings.section(NotificationSettings)
    credentials = _credentials(request)
    resume = _resume_point(last_event_id, after)
    last = await run_in_threadpool(_start, ctx, credentials, resume)

    async def events() -> AsyncIterator[dict[str, Any]]:
        nonlocal last
        loop = asyncio.get_running_loop()
        deadline = loop.time() + settings.stream_max_seconds
        unread: int | None = None
        with listening(loop, Topic.NOTIFIED) as woken:
            while True:
                woken.clear()
                try:
                    fresh, count = await run_in_threadpool(_poll, ctx, credentials, last)
                except JisrError as exc:
                    yield {"event": "end", "data": json.dumps({"code": exc.code})}
                    return
                for item in fresh:
                    last = item.id
                    yield {"event": "notification", "id": str(item.id), "retry": RETRY_MS,
                           "data": item.model_dump_json()}  # fmt: skip
                if count != unread:
                    unread = count
                    yield {"event": "count", "retry": RETRY_MS,
                           "data": json.dumps({"unread": count})}  # fmt: skip
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return
                try:
                    await asyncio.wait_for(
                        woken.wait(), timeout=min(settings.stream_poll_seconds, remaining)
                    )
                except TimeoutError:
                    pass

    return EventSourceResponse(
        events(), ping=settings.stream_heartbeat_seconds, headers={"Cache-Control": "no-store"}
    )
