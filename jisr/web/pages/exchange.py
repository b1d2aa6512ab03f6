"""Console pages for exchange: messages and requests, cases and their threads, deadlines.

Every page calls the exchange services the API calls, with the viewer's actor, so policy and
the audit trail see the same thing from the console as from the API. Forms are read in
``exchange_forms``, records laid out in ``exchange_view``. Strings to translate are here and
in the templates (the exchange vocabulary in ``templates/exchange/_labels.html``), so all land
in the area's own catalogue.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from jisr.agreements.models import CrimeArea
from jisr.api.deps import SessionDep, SettingsDep
from jisr.clock import utcnow
from jisr.errors import JisrError, PermissionDeniedError
from jisr.exchange import attachments, cases, desk, messages, receipts
from jisr.exchange.grading import SCHEMES
from jisr.exchange.models import Direction, GradingScheme, MessageKind
from jisr.exchange.schemas import (
    MAX_ATTACHMENTS,
    RECORD_ID_PATTERN,
    SHA256_PATTERN,
    MessageCreate,
    ReplyCreate,
)
from jisr.exchange.storage import AttachmentTooLargeError, BlobStore
from jisr.federation.partners import list_partners
from jisr.web.errors import console_router, redirect
from jisr.web.forms import CsrfForm, validate
from jisr.web.i18n import N_
from jisr.web.pages import exchange_forms as forms
from jisr.web.pages import exchange_view as view
from jisr.web.registry import Attention, NavItem
from jisr.web.templating import render, request_language, set_flash
from jisr.web.viewer import Viewer, viewer_with

router = console_router()
# Who works in exchange from the console: casework roles, and oversight reading.
WRITERS = frozenset({"liaison", "analyst"})
READERS = WRITERS | {"auditor", "dpo"}
NAV = (NavItem(N_("Exchange"), "/exchange", roles=READERS),)
# A console form carries attachments of 2 MB in all, plus room for the text (larger files, which
# travel to partners in chunks too, go through the API or the CLI).
_FORM_MAX_BYTES = 3 * 1024 * 1024

MessageId = Annotated[str, Path(pattern=RECORD_ID_PATTERN, max_length=80)]
CaseRef = Annotated[str, Path(pattern=RECORD_ID_PATTERN, max_length=80)]

FIELD_ERRORS = {
    "handling_text_required": N_("Handling code H3 needs the restrictions written here."),
    "scheme_required": N_("Choose the grading scheme these grades belong to."),
    "grade_required": N_("Give both grades, or no grading at all."),
    "grade_not_in_scheme": N_("These grades are not codes of the chosen scheme."),
    "person_name_required": N_("Give the person's name."),
    "country_invalid": N_("Enter a country code such as MA, FR or ES."),
    "birth_date_future": N_("A date of birth cannot be in the future."),
    "phone_invalid": N_("Enter the number in international format, e.g. +212 6 12 34 56 78."),
    "personal_category_required": N_(
        "Information about a person needs the category 'Personal data'."
    ),
    "retention_invalid": N_("Choose a date in the future, within 50 years."),
    "data_category_invalid": N_("Information about a person needs the category 'Personal data'."),
    "recipient_invalid": N_("A message goes to a partner agency, not to your own."),
    "attachment_too_large_to_send": N_("Attachments may total at most 2 MB per message."),
    "payload_too_large": N_("Attachments may total at most 2 MB per message."),
    "too_many_attachments": N_("At most 20 files per message."),
}
REFUSALS = {
    "no_active_agreement": N_("There is no active agreement with this partner."),
    "outside_agreement_scope": N_(
        "The agreement with this partner does not cover this crime area or data category."
    ),
    "share_refused": N_("The agreement with this partner does not allow sending this."),
    "permission_denied": N_("You are not allowed to send this."),
    "case_not_found": N_("No case with this reference."),
    "message_withdrawn": N_("That message was withdrawn by its sender."),
    "entity_invalid": N_("The person or phone entered could not be recorded."),
    "attachment_not_found": N_("An attachment could not be found; add it again."),
}
UNKNOWN_REFUSAL = N_("The message could not be sent.")
_E = TypeVar("_E", bound=StrEnum)


def _enum(kind: type[_E], value: str | None) -> _E | None:
    try:
        return kind(value) if value else None
    except ValueError:
        return None


def writer(viewer: CsrfForm) -> Viewer:
    """A form post by a liaison officer or analyst, from one of the console's own pages."""
    if not viewer.has_role(*WRITERS):
        raise PermissionDeniedError("writing to partners needs the liaison or analyst role")
    return viewer


ReaderDep = Annotated[Viewer, Depends(viewer_with(*READERS))]
WriterDep = Annotated[Viewer, Depends(writer)]


async def read_form(request: Request) -> FormData:
    """The posted form, read before the database is touched (uploads can take a while)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > _FORM_MAX_BYTES:
        raise AttachmentTooLargeError(f"the form exceeds {_FORM_MAX_BYTES} bytes")
    return await request.form(max_files=MAX_ATTACHMENTS + 1, max_fields=200)


FormDep = Annotated[FormData, Depends(read_form)]


def _grade_codes(scheme: GradingScheme | None, axis: int) -> list[str]:
    """Codes of one axis (0: reliability, 1: credibility): the scheme's, or all before one is
    chosen (the choice is then checked against the scheme when the form is sent)."""
    if scheme is None:
        return list("ABCDEFX" if axis == 0 else "123456")
    return sorted(SCHEMES[scheme][axis])


def _page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    lang = request_language(request)
    now = utcnow()
    names = {"ar": "name_ar", "fr": "name_fr"}
    helpers = {
        "grade_codes": _grade_codes,
        "case_choices": lambda rows: [(c.ref, f"{c.title[:80]} ({c.ref})") for c in rows],
        "partner_choices": lambda rows: [
            (a.code, f"{a.code} — {getattr(a, names.get(lang, 'name_en'))}") for a in rows
        ],
        "grade_scheme": _enum(GradingScheme, context.get("values", {}).get("grading_scheme")),
        "now": now,
        "time_left": lambda deadline: view.time_left(deadline, now, lang),
        "country": lambda code: view.country_name(code, lang),
        "entity_views": view.entity_views,
        "as_date": view.as_date,
        "receipt_states": view.receipt_states,
        "is_unread": view.unread,
        "files_dropped": False,
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
    rows = messages.list_messages(session, viewer.actor, query)
    case_rows = cases.list_cases(session, viewer.actor, limit=200)
    filters = {"direction": direction, "case": case, "crime_area": crime_area, "kind": kind}
    return _page(
        request,
        "exchange/messages.html",
        {"messages": rows, "cases": case_rows, "filters": filters, "offset": query.offset},
    )


@router.get("/exchange/messages/{message_id}")
def message_page(
    request: Request, message_id: MessageId, session: SessionDep, viewer: ReaderDep
) -> Response:
    return _message_page(request, session, viewer, message_id, {}, {})


def _message_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    message_id: str,
    values: dict[str, Any],
    errors: dict[str, str],
) -> Response:
    message = messages.read_message(session, viewer.actor, message_id)
    issued = receipts.list_receipts(session, viewer.actor, message_id)
    context = {
        "message": message,
        "receipts": issued,
        "values": values,
        "errors": _messages_of(errors),
        "can_write": viewer.has_role(*WRITERS) and message.withdrawn_at is None,
    }
    return _page(request, "exchange/message.html", context, 422 if errors else 200)


@router.post("/exchange/messages/{message_id}/reply")
def reply(
    request: Request,
    message_id: MessageId,
    form: FormDep,
    session: SessionDep,
    settings: SettingsDep,
    viewer: WriterDep,
) -> Response:
    values = forms.typed_values(form)
    fields, errors = forms.parse_reply(form)
    data: ReplyCreate | None = None
    if fields is not None:
        data, errors = validate(ReplyCreate, forms.content_payload(fields))
    if fields is None or data is None:
        return _message_page(request, session, viewer, message_id, values, errors)
    store = BlobStore.for_data_dir(settings.data_dir)
    try:
        files = forms.store_uploads(
            session, viewer.actor, store, forms.uploads(form), settings.attachment_max_bytes
        )
        data.attachments = files
        answer = messages.reply(session, viewer.actor, message_id, data, store=store)
    except JisrError as exc:
        session.rollback()
        return _message_page(request, session, viewer, message_id, values, _refusal(exc))
    response = redirect(request, f"/exchange/cases/{answer.case_ref}#m-{answer.id}")
    set_flash(response, request, N_("Your answer is queued for delivery."))
    return response


@router.get("/exchange/cases")
def case_list(
    request: Request, session: SessionDep, viewer: ReaderDep, offset: int = 0
) -> Response:
    offset = max(0, min(offset, 1_000_000))
    rows = cases.list_cases(session, viewer.actor, limit=50, offset=offset)
    totals = cases.counts(session, [c.ref for c in rows])
    return _page(
        request, "exchange/cases.html", {"cases": rows, "totals": totals, "offset": offset}
    )


@router.get("/exchange/cases/{ref}")
def case_page(request: Request, ref: CaseRef, session: SessionDep, viewer: ReaderDep) -> Response:
    case, thread = cases.case_thread(session, viewer.actor, ref)
    partners = sorted({m.owner_agency for m in thread} | {m.recipient_agency for m in thread})
    context = {
        "case": case,
        "thread": thread,
        "receipts": desk.receipts_by_message(session, thread),
        "partner": next((p for p in partners if p != viewer.actor.agency_code), ""),
        "can_write": viewer.has_role(*WRITERS),
    }
    return _page(request, "exchange/case.html", context)


@router.get("/exchange/requests")
def request_list(
    request: Request, session: SessionDep, viewer: ReaderDep, side: str = ""
) -> Response:
    rows = desk.open_requests(session, viewer.actor)
    chosen = _enum(Direction, {"received": "inbound", "sent": "outbound"}.get(side))
    if chosen is not None:
        rows = [m for m in rows if m.direction == chosen.value]
    return _page(request, "exchange/requests.html", {"requests": rows, "side": side})


def _compose_context(session: Session, viewer: Viewer, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "values": values,
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
    context = _compose_context(session, viewer, values)
    return _page(request, "exchange/compose.html", {**context, "errors": {}})


@router.post("/exchange/compose")
def compose(
    request: Request,
    form: FormDep,
    session: SessionDep,
    settings: SettingsDep,
    viewer: WriterDep,
) -> Response:
    values = forms.typed_values(form)
    fields, errors = forms.parse_compose(form)
    sent = None
    if fields is not None:
        store = BlobStore.for_data_dir(settings.data_dir)
        try:
            agreement = desk.agreement_for(
                session, viewer.actor, fields.to, fields.crime_area, fields.data_category
            )
            data, errors = validate(MessageCreate, forms.compose_payload(fields, agreement.id))
            if data is not None:
                data.attachments = forms.store_uploads(
                    session, viewer.actor, store, forms.uploads(form), settings.attachment_max_bytes
                )
                sent = messages.send_message(session, viewer.actor, data, store=store)
        except JisrError as exc:
            session.rollback()
            errors = _refusal(exc)
    if sent is None:
        context = _compose_context(session, viewer, values)
        context["errors"] = _messages_of(errors)
        context["files_dropped"] = bool(forms.uploads(form))
        return _page(request, "exchange/compose.html", context, 422)
    response = redirect(request, f"/exchange/cases/{sent.case_ref}#m-{sent.id}")
    set_flash(response, request, N_("Your message is queued for delivery."))
    return response


def _messages_of(errors: dict[str, str]) -> dict[str, str]:
    return {field: FIELD_ERRORS.get(key, key) for field, key in errors.items()}


def _refusal(exc: JisrError) -> dict[str, str]:
    field = forms.CODE_FIELDS.get(exc.code)
    if field is not None:
        return {field: exc.code}
    return {"form": REFUSALS.get(exc.code, UNKNOWN_REFUSAL)}


@router.get("/exchange/grades")
def grade_fields(request: Request, viewer: ReaderDep, grading_scheme: str = "") -> Response:
    """The reliability and credibility choices of one scheme (swapped in by HTMX)."""
    context = {"values": {"grading_scheme": grading_scheme}, "errors": {}}
    return _page(request, "exchange/_grades.html", context)


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
