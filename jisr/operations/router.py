"""Operations and events API: /operations, /events (an event is an operation of kind event),
their log, tasks, links, hand-over, closing and report, accreditation screening, venue map,
CSV exports, live incidents (server-sent events) and the per-user calendar feed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from sse_starlette import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from jisr.api.deps import ContextDep, CurrentActor, SessionDep
from jisr.db import unit_of_work
from jisr.errors import ValidationError
from jisr.operations import accreditation, calendar, exports, log, service, venues
from jisr.operations.accreditation import AccreditationCategory
from jisr.operations.models import EntryKind, LogEntry, OperationKind
from jisr.operations.schemas import (
    AccreditationRead,
    CloseCreate,
    EntryCreate,
    EntryRead,
    EntrySent,
    GradedEntryCreate,
    HandoverCreate,
    LinkCreate,
    OperationCreate,
    OperationRead,
    ParticipantCreate,
    TaskCreate,
    TaskRead,
)

router = APIRouter(tags=["operations"])
RECORD_ID = r"^[A-Z]{2}-[A-Z0-9]{2,16}:[a-z_]+:[0-9A-Z]{1,40}$"
OpId = Annotated[str, Path(pattern=RECORD_ID, max_length=80)]
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in"},
    403: {"description": "Not allowed (the policy's reason is in the problem detail)"},
    404: {"description": "No such record"},
    409: {"description": "Conflicting state"},
    422: {"description": "Invalid input"},
}
SSE_POLL_SECONDS = 1.0
# A stream ends after this long; EventSource clients reconnect by themselves (with Last-Event-ID),
# so an abandoned stream never polls the database for ever.
SSE_MAX_SECONDS = 300.0


class CalendarTokenRead(BaseModel):
    token: str
    url: str


def _graded(body: GradedEntryCreate, kind: EntryKind) -> EntryCreate:
    try:
        return body.as_entry(kind)
    except PydanticValidationError as exc:
        raise ValidationError(
            f"severity: {exc.errors()[0]['msg']}", code="severity_invalid"
        ) from None


def _sent(entry: Any, sent: list[str], refused: dict[str, str]) -> EntrySent:
    return EntrySent(entry=EntryRead.model_validate(entry), sent_to=sent, not_sent=refused)


@router.post("/operations", response_model=OperationRead, status_code=201, responses=_ERRORS)
def create_operation(
    body: OperationCreate, session: SessionDep, actor: CurrentActor
) -> OperationRead:
    """Open a joint operation (or an event) and send it to its participants."""
    return service.to_read(session, service.create_operation(session, actor, body))


@router.get("/operations", response_model=list[OperationRead], responses=_ERRORS)
def list_operations(session: SessionDep, actor: CurrentActor) -> list[OperationRead]:
    return [service.to_read(session, o) for o in service.list_operations(session, actor)]


@router.post("/events", response_model=OperationRead, status_code=201, responses=_ERRORS)
def create_event(body: OperationCreate, session: SessionDep, actor: CurrentActor) -> OperationRead:
    """Open a major event (venues, contingents, liaison officers) and send it to partners."""
    data = body.model_copy(update={"kind": OperationKind.EVENT})
    return service.to_read(session, service.create_operation(session, actor, data))


@router.get("/events", response_model=list[OperationRead], responses=_ERRORS)
def list_events(session: SessionDep, actor: CurrentActor) -> list[OperationRead]:
    events = service.list_operations(session, actor, OperationKind.EVENT)
    return [service.to_read(session, o) for o in events]


@router.get("/operations/{op_id}", response_model=OperationRead, responses=_ERRORS)
@router.get("/events/{op_id}", response_model=OperationRead, responses=_ERRORS)
def read_operation(op_id: OpId, session: SessionDep, actor: CurrentActor) -> OperationRead:
    return service.read_operation(session, actor, op_id)


@router.post("/operations/{op_id}/participants", response_model=OperationRead, responses=_ERRORS)
@router.post("/events/{op_id}/participants", response_model=OperationRead, responses=_ERRORS)
def add_participant(
    op_id: OpId, body: ParticipantCreate, session: SessionDep, actor: CurrentActor
) -> OperationRead:
    """Add a participating agency (a contingent, with its liaison officers)."""
    return service.to_read(session, service.add_participant(session, actor, op_id, body))


@router.post(
    "/operations/{op_id}/tasks", response_model=TaskRead, status_code=201, responses=_ERRORS
)
def add_task(op_id: OpId, body: TaskCreate, session: SessionDep, actor: CurrentActor) -> TaskRead:
    return TaskRead.model_validate(service.add_task(session, actor, op_id, body))


@router.post("/operations/{op_id}/tasks/{task_id}/done", response_model=TaskRead, responses=_ERRORS)
def complete_task(
    op_id: OpId,
    task_id: Annotated[str, Path(pattern=RECORD_ID)],
    session: SessionDep,
    actor: CurrentActor,
) -> TaskRead:
    return TaskRead.model_validate(service.complete_task(session, actor, op_id, task_id))


@router.post(
    "/operations/{op_id}/links", response_model=OperationRead, status_code=201, responses=_ERRORS
)
def link(op_id: OpId, body: LinkCreate, session: SessionDep, actor: CurrentActor) -> OperationRead:
    """Link a case, alert or hit held here (policy decides whether you may read it)."""
    service.link_record(session, actor, op_id, body)
    return service.read_operation(session, actor, op_id)


@router.post(
    "/operations/{op_id}/log", response_model=EntrySent, status_code=201, responses=_ERRORS
)
@router.post("/events/{op_id}/log", response_model=EntrySent, status_code=201, responses=_ERRORS)
def add_entry(
    op_id: OpId, body: EntryCreate, session: SessionDep, actor: CurrentActor
) -> EntrySent:
    """Write to the shared log (note, incident, threat assessment); sent to the participants."""
    return _sent(*log.add_entry(session, actor, op_id, body))


@router.post(
    "/events/{op_id}/incidents", response_model=EntrySent, status_code=201, responses=_ERRORS
)
def add_incident(
    op_id: OpId, body: GradedEntryCreate, session: SessionDep, actor: CurrentActor
) -> EntrySent:
    """Log an incident with its severity; it goes live to every participating node."""
    return _sent(*log.add_entry(session, actor, op_id, _graded(body, EntryKind.INCIDENT)))


@router.post(
    "/events/{op_id}/threats", response_model=EntrySent, status_code=201, responses=_ERRORS
)
def add_threat(
    op_id: OpId, body: GradedEntryCreate, session: SessionDep, actor: CurrentActor
) -> EntrySent:
    """Record a graded threat assessment (low .. critical) with its handling code."""
    entry = _graded(body, EntryKind.THREAT_ASSESSMENT)
    return _sent(*log.add_entry(session, actor, op_id, entry))


@router.get("/operations/{op_id}/log", response_model=list[EntryRead], responses=_ERRORS)
@router.get("/events/{op_id}/log", response_model=list[EntryRead], responses=_ERRORS)
def read_log(
    op_id: OpId,
    session: SessionDep,
    actor: CurrentActor,
    kind: EntryKind | None = None,
    after: datetime | None = None,
) -> list[EntryRead]:
    found = log.list_entries(session, actor, op_id, kind=kind, after=after)
    return [EntryRead.model_validate(e) for e in found]


@router.get("/events/{op_id}/incidents", response_model=list[EntryRead], responses=_ERRORS)
def read_incidents(op_id: OpId, session: SessionDep, actor: CurrentActor) -> list[EntryRead]:
    entries = log.list_entries(session, actor, op_id, kind=EntryKind.INCIDENT)
    return [EntryRead.model_validate(e) for e in entries]


@router.get(
    "/events/{op_id}/incidents/stream",
    response_class=EventSourceResponse,
    responses={
        **_ERRORS,
        200: {
            "description": "Server-sent events, one `entry` event per new log entry",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
    },
)
def stream_incidents(
    op_id: OpId,
    session: SessionDep,
    ctx: ContextDep,
    actor: CurrentActor,
    last_event_id: Annotated[str | None, Header(max_length=120)] = None,
) -> EventSourceResponse:
    """Server-sent events: each new log entry of the event as it is recorded or received. A
    client that reconnects with ``Last-Event-ID`` gets what arrived since that entry."""
    # A plain function (run in a worker thread), in the request's transaction, which ends
    # before the stream starts: the stream holds no transaction (nor SQLite's writer lock),
    # each poll opens its own. What the log holds now is not sent (the client has read it, or
    # reads it with GET .../log); the opening is audited, the polls are not.
    seen = _already_sent(log.list_entries(session, actor, op_id), last_event_id)

    def poll() -> list[EntryRead]:
        with unit_of_work(ctx.session_factory) as fresh:
            found = log.list_entries(fresh, actor, op_id, audited=False)
            return [EntryRead.model_validate(e) for e in found if e.id not in seen]

    async def events() -> AsyncIterator[dict[str, str]]:
        deadline = asyncio.get_running_loop().time() + SSE_MAX_SECONDS
        while asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(SSE_POLL_SECONDS)
            for entry in await run_in_threadpool(poll):
                seen.add(entry.id)
                yield {"event": "entry", "id": entry.id, "data": entry.model_dump_json()}

    return EventSourceResponse(events())


def _already_sent(entries: list[LogEntry], last_event_id: str | None) -> set[str]:
    """Ids of the entries a client need not be sent: all of them on a first connection; on a
    reconnection, those that arrived here (recorded, or received from a partner) no later than
    the last one it got (every entry, if that one is unknown)."""

    def arrived(entry: LogEntry) -> datetime:
        return entry.received_at or entry.recorded_at

    last = next((e for e in entries if e.id == last_event_id), None)
    if last is None:
        return {e.id for e in entries}
    return {e.id for e in entries if arrived(e) <= arrived(last)}


@router.post("/operations/{op_id}/handover", response_model=OperationRead, responses=_ERRORS)
def hand_over(
    op_id: OpId, body: HandoverCreate, session: SessionDep, actor: CurrentActor
) -> OperationRead:
    """Hand the lead to a participant agency; its node opens an operation continuing this one."""
    return service.to_read(session, service.hand_over(session, actor, op_id, body.to, body.reason))


@router.post("/operations/{op_id}/close", response_model=OperationRead, responses=_ERRORS)
@router.post("/events/{op_id}/close", response_model=OperationRead, responses=_ERRORS)
def close(
    op_id: OpId, body: CloseCreate, session: SessionDep, actor: CurrentActor
) -> OperationRead:
    return service.to_read(session, service.close_operation(session, actor, op_id, body.summary))


@router.get("/operations/{op_id}/report", responses=_ERRORS)
@router.get("/events/{op_id}/report", responses=_ERRORS)
def report(op_id: OpId, session: SessionDep, actor: CurrentActor) -> dict[str, Any]:
    """The end-of-operation report (counts, tasks, incidents by severity, timeline)."""
    return service.report_of(session, actor, op_id)


@router.get("/operations/{op_id}/log.csv", responses=_ERRORS, response_class=Response)
@router.get("/events/{op_id}/log.csv", responses=_ERRORS, response_class=Response)
def log_csv(
    op_id: OpId, session: SessionDep, actor: CurrentActor, kind: EntryKind | None = None
) -> Response:
    body = exports.log_csv(session, actor, op_id, kind.value if kind else None)
    return Response(body, media_type="text/csv; charset=utf-8")


@router.get("/operations/{op_id}/tasks.csv", responses=_ERRORS, response_class=Response)
def tasks_csv(op_id: OpId, session: SessionDep, actor: CurrentActor) -> Response:
    return Response(exports.tasks_csv(session, actor, op_id), media_type="text/csv; charset=utf-8")


@router.get("/events/{op_id}/participants.csv", responses=_ERRORS, response_class=Response)
def participants_csv(op_id: OpId, session: SessionDep, actor: CurrentActor) -> Response:
    body = exports.participants_csv(session, actor, op_id)
    return Response(body, media_type="text/csv; charset=utf-8")


@router.get("/events/{op_id}/venues.svg", responses=_ERRORS, response_class=Response)
def venues_map(op_id: OpId, session: SessionDep, actor: CurrentActor) -> Response:
    """The venues drawn from their coordinates (offline: no tile server)."""
    operation = service.read_operation(session, actor, op_id)
    svg = venues.venues_svg([v.model_dump() for v in operation.venues], operation.title)
    return Response(svg, media_type="image/svg+xml")


@router.post(
    "/events/{op_id}/accreditations",
    response_model=AccreditationRead,
    status_code=202,
    responses=_ERRORS,
    openapi_extra={
        "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}
    },
)
async def upload_accreditation(
    op_id: OpId,
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    ctx: ContextDep,
    category: AccreditationCategory,
    filename: Annotated[str, Query(max_length=255)] = "accreditation.csv",
    threshold: Annotated[float | None, Query(ge=0.5, le=1.0)] = None,
) -> AccreditationRead:
    """Screen an accreditation list (CSV: id, name, birth_date, nationality, ...) against this
    node's watchlists; every hit goes to the screening hits queue for review."""
    if not request.headers.get("content-type", "").startswith("text/csv"):
        raise ValidationError("send the list as text/csv", code="accreditation_content_type")
    content = await request.body()

    def create() -> AccreditationRead:
        item = accreditation.create_accreditation(
            session, actor, op_id, category, ctx.settings.data_dir, filename, content, threshold
        )
        session.commit()  # a runner claims the screening job once it is committed
        return accreditation.accreditation_read(session, actor, item)

    return await run_in_threadpool(create)


@router.get(
    "/events/{op_id}/accreditations", response_model=list[AccreditationRead], responses=_ERRORS
)
def list_accreditations(
    op_id: OpId, session: SessionDep, actor: CurrentActor
) -> list[AccreditationRead]:
    items = accreditation.list_accreditations(session, actor, op_id)
    return [accreditation.accreditation_read(session, actor, a) for a in items]


@router.post(
    "/calendar/tokens", response_model=CalendarTokenRead, status_code=201, responses=_ERRORS
)
def calendar_token(request: Request, session: SessionDep, actor: CurrentActor) -> CalendarTokenRead:
    """A secret address of your iCalendar feed (events, deadlines, training sessions)."""
    token = calendar.create_token(session, actor)
    return CalendarTokenRead(token=token, url=str(request.url_for("calendar_feed", token=token)))


@router.get(
    "/calendar/{token}.ics", name="calendar_feed", responses=_ERRORS, response_class=Response
)
def calendar_feed(
    token: Annotated[str, Path(min_length=20, max_length=100)], session: SessionDep
) -> Response:
    return Response(calendar.build_feed(session, token), media_type="text/calendar; charset=utf-8")
