"""Exchange API: messages and requests, cases, overdue requests, receipts, attachments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from jisr.actors import Actor
from jisr.api.deps import CurrentActor, SessionDep, SettingsDep
from jisr.db import idempotency
from jisr.exchange import (
    access,
    attachments,
    cases,
    deadlines,
    members,
    messages,
    receipts,
    views,
)
from jisr.exchange.case_schemas import ASSIGNEE_FILTER, CaseStatus
from jisr.exchange.models import Direction, Message, MessageKind
from jisr.exchange.schemas import (
    RECORD_ID_PATTERN,
    SHA256_PATTERN,
    AttachmentRead,
    Block,
    CaseMemberAdd,
    CaseRead,
    CaseThread,
    MessageCreate,
    MessageRead,
    MessageSummary,
    ReceiptRead,
    ReminderRead,
    ReplyCreate,
)
from jisr.exchange.storage import AttachmentTooLargeError, BlobStore

router = APIRouter(tags=["exchange"])
MessageId = Annotated[str, Path(pattern=RECORD_ID_PATTERN, max_length=80)]
CaseRef = Annotated[str, Path(pattern=RECORD_ID_PATTERN, max_length=80)]
Sha256 = Annotated[str, Path(pattern=SHA256_PATTERN)]
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in"},
    403: {"description": "Not allowed (the policy's reason is in the problem detail)"},
    404: {"description": "No such record"},
    409: {"description": "Conflicting state"},
    413: {"description": "Too large"},
    422: {"description": "Invalid input"},
}


class Withdrawal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Block = Field(min_length=3, max_length=2000)


IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=idempotency.MAX_KEY_LENGTH,
        description="Send the same key again (e.g. after a timeout) to get the message it "
        "created instead of sending a second one; a key is kept 7 days.",
    ),
]
REPLAYED_HEADER = "Idempotent-Replayed"


def _once(
    session: Session,
    actor: Actor,
    response: Response,
    scope: str,
    key: str | None,
    request: dict[str, Any],
    create: Callable[[], Message],
) -> Message:
    """``create()``, unless ``key`` already created a message: that one is returned."""
    if key is None:
        return create()
    key = idempotency.check_key(key)
    print_ = idempotency.fingerprint(request)
    first = idempotency.recall(session, scope, actor.id, key, print_)
    if first is None:
        message = create()
        first = idempotency.remember(
            session, scope, actor.id, key, result_id=message.id, print_=print_
        )
        if first is None:
            return message
    response.headers[REPLAYED_HEADER] = "true"
    return access.load_message(session, actor, first.result_id)


@router.post("/messages", response_model=MessageRead, status_code=201, responses=_ERRORS)
def send_message(
    body: MessageCreate,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    response: Response,
    idempotency_key: IdempotencyKeyHeader = None,
) -> MessageRead:
    """Send a message or request to a partner under an agreement (queued for delivery).

    With an ``Idempotency-Key`` header, sending the same request again returns the message the
    first one created (header ``Idempotent-Replayed: true``) instead of a second message; the
    same key with a different body is refused (409 ``idempotency_key_reused``)."""
    store = BlobStore.for_data_dir(settings.data_dir)
    message = _once(
        session,
        actor,
        response,
        "api.messages",
        idempotency_key,
        body.model_dump(mode="json"),
        lambda: messages.send_message(session, actor, body, store=store),
    )
    return views.to_read(message)


@router.get("/messages", response_model=list[MessageSummary], responses=_ERRORS)
def list_messages(
    session: SessionDep,
    actor: CurrentActor,
    case: Annotated[str | None, Query(pattern=RECORD_ID_PATTERN, max_length=80)] = None,
    direction: Direction | None = None,
    kind: MessageKind | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[MessageSummary]:
    """Messages you may read, newest first."""
    query = messages.MessageFilter(case, direction, kind, limit, offset)
    return [views.to_summary(m) for m in messages.list_messages(session, actor, query)]


@router.get("/messages/{message_id}", response_model=MessageRead, responses=_ERRORS)
def read_message(message_id: MessageId, session: SessionDep, actor: CurrentActor) -> MessageRead:
    """Read a message; a partner's message is marked read and its owner gets a receipt."""
    return views.to_read(messages.read_message(session, actor, message_id))


@router.post(
    "/messages/{message_id}/reply", response_model=MessageRead, status_code=201, responses=_ERRORS
)
def reply(
    message_id: MessageId,
    body: ReplyCreate,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    response: Response,
    idempotency_key: IdempotencyKeyHeader = None,
) -> MessageRead:
    """Answer in the same case, to the other party; answering a request closes it. The answer
    keeps the handling code of the message answered (or the agreement's, if stricter) unless
    ``handling_lowered_reason`` says why it may be lower. ``Idempotency-Key`` as for sending."""
    store = BlobStore.for_data_dir(settings.data_dir)
    message = _once(
        session,
        actor,
        response,
        "api.reply",
        idempotency_key,
        {"answered": message_id, **body.model_dump(mode="json")},
        lambda: messages.reply(session, actor, message_id, body, store=store),
    )
    return views.to_read(message)


@router.post("/messages/{message_id}/withdraw", response_model=MessageSummary, responses=_ERRORS)
def withdraw(
    message_id: MessageId, body: Withdrawal, session: SessionDep, actor: CurrentActor
) -> MessageSummary:
    """Withdraw a message this node sent: the partner's copy is deleted."""
    return views.to_summary(messages.withdraw(session, actor, message_id, body.reason))


@router.get("/messages/{message_id}/receipts", response_model=list[ReceiptRead], responses=_ERRORS)
def list_receipts(
    message_id: MessageId, session: SessionDep, actor: CurrentActor
) -> list[ReceiptRead]:
    found = receipts.list_receipts(session, actor, message_id)
    return [ReceiptRead.model_validate(r) for r in found]


@router.get("/cases", response_model=list[CaseRead], responses=_ERRORS)
def list_cases(
    session: SessionDep,
    actor: CurrentActor,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    status: CaseStatus | None = None,
    assignee: Annotated[str | None, Query(pattern=ASSIGNEE_FILTER, max_length=120)] = None,
    label: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
) -> list[CaseRead]:
    """Cases you may read, newest first (filtered by permission, then paged); ``assignee``
    is ``user:<id>`` or ``none``."""
    query = cases.CaseFilter(
        status.value if status else None, assignee, label and label.casefold(), limit, offset
    )
    rows = cases.list_cases(session, actor, query=query)
    totals = cases.counts(session, [c.ref for c in rows])
    return [views.to_case(c, *totals.get(c.ref, (0, 0))) for c in rows]


@router.get("/cases/{ref}", response_model=CaseThread, responses=_ERRORS)
def case_thread(ref: CaseRef, session: SessionDep, actor: CurrentActor) -> CaseThread:
    """A case and its thread, oldest first (summaries; read each message for its content)."""
    case, thread = cases.case_thread(session, actor, ref)
    totals = cases.counts(session, [case.ref]).get(case.ref, (0, 0))
    return CaseThread(
        case=views.to_case(case, *totals), messages=[views.to_summary(m) for m in thread]
    )


@router.post("/cases/{ref}/members", response_model=CaseRead, responses=_ERRORS)
def add_case_member(
    ref: CaseRef, body: CaseMemberAdd, session: SessionDep, actor: CurrentActor
) -> CaseRead:
    """Add an officer (``user:<id>``) or a unit (``role:<role>``) to the case's members (by a
    member; audited as a disclosure to them)."""
    case = members.add_member(session, actor, ref, body.member)
    return views.to_case(case, *cases.counts(session, [case.ref]).get(case.ref, (0, 0)))


@router.get("/requests/overdue", response_model=list[MessageSummary], responses=_ERRORS)
def overdue(session: SessionDep, actor: CurrentActor) -> list[MessageSummary]:
    """Unanswered requests past their deadline: those owed by us and those owed to us."""
    return [views.to_summary(m) for m in deadlines.list_overdue(session, actor)]


@router.post("/requests/reminders", response_model=list[ReminderRead], responses=_ERRORS)
def reminders(
    session: SessionDep,
    actor: CurrentActor,
    within_hours: Annotated[int, Query(ge=1, le=24 * 30)] = 24,
) -> list[ReminderRead]:
    """Requests newly approaching or past their deadline (each reported once per state)."""
    due = deadlines.collect_reminders(session, actor, within=timedelta(hours=within_hours))
    return [ReminderRead(message=views.to_summary(m), state=state) for m, state in due]


@router.post(
    "/attachments",
    response_model=AttachmentRead,
    status_code=201,
    responses=_ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def upload_attachment(
    request: Request, session: SessionDep, actor: CurrentActor, settings: SettingsDep
) -> AttachmentRead:
    """Upload a file as the raw request body (streamed to disk); returns its SHA-256, which
    messages then name in ``attachments``. The same bytes are stored once."""
    limit = settings.attachment_max_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise AttachmentTooLargeError(f"attachment exceeds {limit} bytes")
    await run_in_threadpool(attachments.check_upload, session, actor)
    # End the transaction opened by authentication before the (possibly long) upload: on
    # SQLite it holds the database's write lock, which would stall every other writer.
    await run_in_threadpool(session.commit)
    writer = BlobStore.for_data_dir(settings.data_dir).writer(limit)
    try:
        async for chunk in request.stream():
            if chunk:
                writer.write(chunk)
        blob = await run_in_threadpool(writer.finish)
    except BaseException:
        writer.abort()
        raise
    row = await run_in_threadpool(attachments.register_upload, session, actor, blob)
    return AttachmentRead(
        sha256=row.sha256, size=row.size, mime_type=row.mime_type, created_at=row.created_at
    )


@router.get(
    "/attachments/{sha256}",
    response_class=FileResponse,
    responses={
        **_ERRORS,
        200: {
            "description": "The file, always as a download",
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        },
    },
)
def download_attachment(
    sha256: Sha256, session: SessionDep, actor: CurrentActor, settings: SettingsDep
) -> FileResponse:
    """Download an attachment; never rendered inline (served as a download, nosniff)."""
    store = BlobStore.for_data_dir(settings.data_dir)
    found = attachments.open_download(session, actor, store, sha256)
    return FileResponse(
        store.path_for(found.sha256),
        media_type="application/octet-stream",
        filename=found.filename,
        content_disposition_type="attachment",
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "X-Jisr-Content-Type": found.mime_type,
            "Cache-Control": "no-store",
        },
    )
