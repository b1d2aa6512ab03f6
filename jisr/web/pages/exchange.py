"""Console pages for exchange: messages and requests, cases and their threads, deadlines.

Every page calls the exchange services the API calls, with the viewer's actor, so policy and
the audit trail see the same thing from the console as from the API. This module draws the
pages; what officers post (compose, reply, withdraw, reminders) is in ``exchange_actions``,
forms are read in ``exchange_forms`` and ``exchange_rows``, records laid out in
``exchange_view``. Strings to translate are in these modules and the templates (the exchange
vocabulary in ``templates/exchange/_labels.html``), so all land in the area's own catalogue.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session

from jisr.actors import Role
from jisr.agreements.models import CrimeArea, HandlingCode
from jisr.agreements.policy import Action
from jisr.agreements.service import get_agreement
from jisr.api.deps import SessionDep, SettingsDep
from jisr.clock import utcnow
from jisr.errors import PermissionDeniedError
from jisr.exchange import access, attachments, cases, desk, messages, receipts
from jisr.exchange.grading import SCHEMES
from jisr.exchange.models import Direction, GradingScheme, MessageKind
from jisr.exchange.schemas import RECORD_ID_PATTERN, SHA256_PATTERN
from jisr.exchange.storage import BlobStore
from jisr.federation.partners import list_partners
from jisr.settings import JisrSettings
from jisr.web.errors import console_router
from jisr.web.forms import form_key_for
from jisr.web.i18n import N_
from jisr.web.pages import exchange_forms as forms_limits
from jisr.web.pages import exchange_rows as rows
from jisr.web.pages import exchange_view as view
from jisr.web.registry import Attention, NavItem
from jisr.web.templating import render, request_language
from jisr.web.viewer import Viewer, viewer_with

router = console_router()
# Who works in exchange from the console: casework roles, and oversight reading.
WRITERS = frozenset({Role.LIAISON, Role.ANALYST})
READERS = WRITERS | {Role.AUDITOR, Role.DPO}
NAV = (NavItem(N_("Exchange"), "/exchange", roles=READERS),)

MessageId = Annotated[str, Path(pattern=RECORD_ID_PATTERN, max_length=80)]
CaseRef = Annotated[str, Path(pattern=RECORD_ID_PATTERN, max_length=80)]
_E = TypeVar("_E", bound=StrEnum)


def _enum(kind: type[_E], value: str | None) -> _E | None:
    try:
        return kind(value) if value else None
    except ValueError:
        return None


ReaderDep = Annotated[Viewer, Depends(viewer_with(*READERS))]


def _grade_codes(scheme: GradingScheme | None, axis: int) -> list[str]:
    """Codes of one axis (0: reliability, 1: credibility): the scheme's, or all before one is
    chosen (the choice is then checked against the scheme when the form is sent)."""
    if scheme is None:
        return list("ABCDEFX" if axis == 0 else "123456")
    return sorted(SCHEMES[scheme][axis])


def page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    """Render an exchange page with the helpers its templates use."""
    lang = request_language(request)
    now = utcnow()
    settings: JisrSettings = request.app.state.ctx.settings
    values = context.get("values", {})
    names = {"ar": "name_ar", "fr": "name_fr"}
    helpers = {
        "grade_codes": _grade_codes,
        "case_choices": lambda items: [(c.ref, f"{c.title[:80]} ({c.ref})") for c in items],
        "partner_choices": lambda items: [
            (a.code, f"{a.code} — {getattr(a, names.get(lang, 'name_en'))}") for a in items
        ],
        "grade_scheme": _enum(GradingScheme, values.get("grading_scheme")),
        "now": now,
        "time_left": lambda deadline: view.time_left(deadline, now, lang),
        "clock": lambda deadline: view.duration(deadline - now, lang),
        "body_max": forms_limits.BODY_MAX,
        "country": lambda code: view.country_name(code, lang),
        "entity_views": view.entity_views,
        "as_date": view.as_date,
        "receipt_states": view.receipt_states,
        "is_unread": view.unread,
        "files_dropped": False,
        "rows": rows.rows_view(values, context.get("errors", {}), context.get("acted", "")),
        "max_bytes": settings.attachment_max_bytes,
        "max_size": view.file_size(settings.attachment_max_bytes, lang),
    }
    return render(request, template, {**helpers, **context}, status_code=status)


def attention(session: Session, viewer: Viewer) -> list[Attention]:
    if not viewer.has_role(*READERS):
        return []
    counts = desk.attention_counts(session, viewer.actor)
    return [
        Attention(N_("Overdue requests"), counts.overdue, "/exchange/requests", "danger"),
        Attention(
            N_("Requests awaiting our answer"),
            counts.awaiting_answer,
            "/exchange/requests?side=received",
            "warning",
        ),
        Attention(N_("Unread messages"), counts.unread, "/exchange?direction=inbound", "info"),
    ]


@router.get("/exchange")
def message_list(
    request: Request,
    session: SessionDep,
    viewer: ReaderDep,
    direction: str = "",
    case: str = "",
    crime_area: str = "",
    kind: str = "",
    offset: int = 0,
) -> Response:
    query = messages.MessageFilter(
        case_ref=case if case and len(case) <= 80 else None,
        direction=_enum(Direction, direction),
        kind=_enum(MessageKind, kind),
        limit=50,
        offset=max(0, min(offset, 1_000_000)),
        crime_area=crime_area if _enum(CrimeArea, crime_area) else None,
    )
    found = messages.list_messages(session, viewer.actor, query)
    case_rows = cases.list_cases(session, viewer.actor, limit=200)
    filters = {"direction": direction, "case": case, "crime_area": crime_area, "kind": kind}
    return page(
        request,
        "exchange/messages.html",
        {"messages": found, "cases": case_rows, "filters": filters, "offset": query.offset},
    )


@router.get("/exchange/messages/{message_id}")
def message_page(
    request: Request, message_id: MessageId, session: SessionDep, viewer: ReaderDep
) -> Response:
    return show_message(request, session, viewer, message_id, {}, {})


def show_message(
    request: Request,
    session: Session,
    viewer: Viewer,
    message_id: str,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int | None = None,
    *,
    acted: str = "",
    withdrawing: bool = False,
) -> Response:
    """The message page; ``errors`` (msgids) are those of the reply form posted on it, or of
    the withdrawal form when ``withdrawing``."""
    message = messages.read_message(session, viewer.actor, message_id)
    issued = receipts.list_receipts(session, viewer.actor, message_id)
    withdrawable = (
        message.direction == Direction.OUTBOUND.value
        and message.withdrawn_at is None
        and access.may(session, viewer.actor, Action.WITHDRAW, message)
    )
    kept = messages.reply_handling(message, get_agreement(session, message.agreement_id))
    context = {
        "message": message,
        "receipts": issued,
        "form_key": form_key_for(viewer, "exchange.reply", message.id),
        "reply_handling": kept.value,
        "reply_handling_text": message.handling_text if kept is HandlingCode.H3 else "",
        "values": values,
        "errors": {} if withdrawing else errors,
        "withdraw_errors": errors if withdrawing else {},
        "acted": acted,
        "can_write": viewer.has_role(*WRITERS) and message.withdrawn_at is None,
        "can_withdraw": withdrawable,
    }
    return page(request, "exchange/message.html", context, status or (422 if errors else 200))


@router.get("/exchange/requests")
def request_list(
    request: Request, session: SessionDep, viewer: ReaderDep, side: str = ""
) -> Response:
    found = desk.open_requests(session, viewer.actor)
    chosen = _enum(Direction, {"received": "inbound", "sent": "outbound"}.get(side))
    if chosen is not None:
        found = [m for m in found if m.direction == chosen.value]
    context = {"requests": found, "side": side, "can_remind": viewer.has_role(*WRITERS)}
    return page(request, "exchange/requests.html", context)


def compose_context(session: Session, viewer: Viewer, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "values": values,
        "form_key": form_key_for(viewer, "exchange.compose"),
        "partners": [a for a in list_partners(session) if a.code != viewer.actor.agency_code],
        "cases": cases.list_cases(session, viewer.actor, limit=200),
    }


@router.get("/exchange/compose")
def compose_page(
    request: Request,
    session: SessionDep,
    viewer: ReaderDep,
    case: str = "",
    to: str = "",
    crime_area: str = "",
) -> Response:
    if not viewer.has_role(*WRITERS):
        raise PermissionDeniedError("writing to partners needs the liaison or analyst role")
    values = {"case_ref": case, "to": to, "crime_area": crime_area}
    context = compose_context(session, viewer, values)
    return page(request, "exchange/compose.html", {**context, "errors": {}})


@router.get("/exchange/grades")
def grade_fields(request: Request, viewer: ReaderDep, grading_scheme: str = "") -> Response:
    """The reliability and credibility choices of one scheme (swapped in by HTMX)."""
    context = {"values": {"grading_scheme": grading_scheme}, "errors": {}}
    return page(request, "exchange/_grades.html", context)


@router.get("/exchange/attachments/{sha256}")
def download(
    sha256: Annotated[str, Path(pattern=SHA256_PATTERN)],
    session: SessionDep,
    settings: SettingsDep,
    viewer: ReaderDep,
) -> FileResponse:
    """The file as a download, never shown inline (same headers as the API's)."""
    store = BlobStore.for_data_dir(settings.data_dir)
    found = attachments.open_download(session, viewer.actor, store, sha256)
    return FileResponse(
        store.path_for(found.sha256),
        media_type="application/octet-stream",
        filename=found.filename,
        content_disposition_type="attachment",
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "no-store",
        },
    )
