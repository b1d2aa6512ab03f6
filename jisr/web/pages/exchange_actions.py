"""What officers post in the exchange console: a new message, a reply, entity rows added or
removed, a withdrawal, reminders. Each calls the exchange service the API calls.

The compose and reply forms carry files: they are read only for a signed-in writer, after the
transaction opened by the sign-in check has ended (a long upload must not hold SQLite's write
lock), up to ``attachment_max_bytes`` of files in all plus room for the text. The node's JSON
body limit does not apply to them (``jisr.api.app.STREAMING_PATHS``); the form parser spools
files to temporary files, copied from there to the attachment store a chunk at a time. A text
field is read up to ``MAX_TEXT_PART``, well past the longest text a message may have, so a text
that is too long is given back with the limit rather than lost.

Compose and reply carry an idempotency key (``jisr.web.forms``): sending the same form again
(back, then "Send") leads to the message the first submission sent, never to a second one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from jisr.api.deps import SessionDep, SettingsDep
from jisr.db.idempotency import Replay
from jisr.errors import JisrError, PermissionDeniedError
from jisr.exchange import deadlines, desk, messages
from jisr.exchange.schemas import MAX_ATTACHMENTS, MessageCreate, ReplyCreate
from jisr.exchange.storage import BlobStore
from jisr.settings import JisrSettings
from jisr.web.errors import console_router, redirect
from jisr.web.forms import (
    CsrfForm,
    FieldMessage,
    check_csrf,
    filled_in,
    form_once,
    form_values,
    validate,
)
from jisr.web.i18n import N_, ngettext_lazy
from jisr.web.pages import exchange_forms as forms
from jisr.web.pages import exchange_rows as rows
from jisr.web.pages.exchange import (
    READERS,
    WRITERS,
    MessageId,
    compose_context,
    page,
    show_message,
)
from jisr.web.templating import set_flash
from jisr.web.viewer import Viewer, ViewerDep

router = console_router()
NAV = ()
# Room for a form's text beside its files: a 100 000-character text in Arabic is 200 kB of
# UTF-8, entity rows and multipart headers far less.
TEXT_ROOM = 2 * 1024 * 1024
# Text fields a form may have: the message's own and up to 20 rows of each entity kind.
MAX_FIELDS = 1000
# The most one text field may hold when read (the text's own limit is far lower, and said).
MAX_TEXT_PART = 8 * 1024 * 1024

FIELD_ERRORS = {
    "handling_text_required": N_("Handling code H3 needs the restrictions written here."),
    "scheme_required": N_("Choose the grading scheme these grades belong to."),
    "grade_required": N_("Give both grades, or no grading at all."),
    "grade_not_in_scheme": N_("These grades are not codes of the chosen scheme."),
    "row_required": N_("This field is required."),
    "row_too_long": N_("This is too long."),
    "row_text_invalid": N_("This value is not valid."),
    "date_invalid": N_("Enter a date as YYYY-MM-DD."),
    "country_invalid": N_("Enter a country code such as MA, FR or ES."),
    "birth_date_future": N_("A date of birth cannot be in the future."),
    "phone_invalid": N_("Enter the number in international format, e.g. +212 6 12 34 56 78."),
    "iban_invalid": N_(
        "This is not a valid IBAN: check the country code, the two check digits and the length."
    ),
    "holder_invalid": N_("Choose a person or organisation filled in on this form."),
    "entity_row_invalid": N_("This could not be recorded as typed; check it."),
    "personal_category_required": N_(
        "Information about a person needs the category 'Personal data'."
    ),
    "retention_invalid": N_("Choose a date in the future, within 50 years."),
    "data_category_invalid": N_("Information about a person needs the category 'Personal data'."),
    "recipient_invalid": N_("A message goes to a partner agency, not to your own."),
    # These two take the limit as %(size)s (see templates/exchange/_content_fields.html).
    "attachment_too_large_to_send": N_("Attachments may total at most %(size)s per message."),
    "payload_too_large": N_("Attachments may total at most %(size)s per message."),
    "too_many_attachments": N_("At most 20 files per message."),
    "deadline_invalid": N_("Choose a deadline at least an hour ahead and within a year."),
    "deadline_date_required": N_("Give the date and time of the deadline."),
    "handling_lowering_unjustified": N_(
        "You chose a less restrictive handling code than the message answered: say why here."
    ),
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
    "entity_invalid": N_("A person or object entered could not be recorded."),
    "attachment_not_found": N_("An attachment could not be found; add it again."),
}
UNKNOWN_REFUSAL = N_("The message could not be sent.")
FORM_TOO_LARGE = N_(
    "The files chosen are larger than the node accepts, so the form was not read and nothing "
    "was sent: fill it in again with smaller files."
)
TEXT_TOO_LARGE = N_(
    "A text field is far longer than a message may be, so the form was not read and nothing was "
    "sent. A message's text may have at most %(max)s characters: send a longer document as an "
    "attachment."
)
ALREADY_SENT = N_(
    "This form was already sent: here is the message it sent. Nothing was sent a second time."
)


def _writer(viewer: ViewerDep) -> Viewer:
    if not viewer.has_role(*WRITERS):
        raise PermissionDeniedError("writing to partners needs the liaison or analyst role")
    return viewer


def _writer_post(viewer: CsrfForm) -> Viewer:
    """A form post by a liaison officer or analyst, from one of the console's own pages."""
    return _writer(viewer)


def _reader_post(viewer: CsrfForm) -> Viewer:
    if not viewer.has_role(*READERS):
        raise PermissionDeniedError("this page needs one of the roles: " + ", ".join(READERS))
    return viewer


WriterDep = Annotated[Viewer, Depends(_writer)]
WriterPostDep = Annotated[Viewer, Depends(_writer_post)]
ReaderPostDep = Annotated[Viewer, Depends(_reader_post)]


def form_limit(settings: JisrSettings) -> int:
    return settings.attachment_max_bytes + TEXT_ROOM


@dataclass(frozen=True, slots=True)
class UploadForm:
    """A posted compose or reply form, or why it was not read (``refused``: the form-level
    errors to show)."""

    form: FormData | None
    refused: dict[str, str]


async def read_upload_form(
    request: Request, session: SessionDep, settings: SettingsDep, viewer: WriterDep
) -> UploadForm:
    """The posted form, CSRF-checked; refused when it declares more than the node accepts (its
    body is then not read at all) or a text field is beyond any message's length."""
    declared = request.headers.get("content-length", "")
    if not declared.isdigit() or int(declared) > form_limit(settings):
        return UploadForm(None, _TOO_LARGE)
    await run_in_threadpool(session.commit)
    try:
        form = await request.form(
            max_files=MAX_ATTACHMENTS + 1, max_fields=MAX_FIELDS, max_part_size=MAX_TEXT_PART
        )
    except HTTPException as exc:
        if exc.status_code != 400 or "maximum size" not in str(exc.detail):
            raise
        return UploadForm(None, {"form": FieldMessage(TEXT_TOO_LARGE, max=forms.BODY_MAX)})
    await check_csrf(request, viewer)
    return UploadForm(form, {})


UploadFormDep = Annotated[UploadForm, Depends(read_upload_form)]


async def _text_form(request: Request) -> FormData:
    """A form without files (the node's JSON body limit applies to it)."""
    return await request.form(max_files=0, max_fields=MAX_FIELDS)


TextFormDep = Annotated[FormData, Depends(_text_form)]


def _messages_of(errors: dict[str, str]) -> dict[str, str]:
    return {field: FIELD_ERRORS.get(key, key) for field, key in errors.items()}


def _replayed(request: Request, first: Replay) -> Response:
    response = redirect(request, first.location or "/exchange")
    set_flash(response, request, ALREADY_SENT)
    return response


def _refusal(exc: JisrError) -> dict[str, str]:
    field = forms.CODE_FIELDS.get(exc.code)
    if field is not None:
        return {field: exc.code}
    return {"form": REFUSALS.get(exc.code, UNKNOWN_REFUSAL)}


_TOO_LARGE = {"form": FORM_TOO_LARGE, "attachments": FIELD_ERRORS["payload_too_large"]}


def _compose_again(
    request: Request,
    session: Session,
    viewer: Viewer,
    form: FormData,
    values: dict[str, Any],
    errors: dict[str, str],
    acted: str = "",
) -> Response:
    context = compose_context(session, viewer, values)
    context.update(
        errors=_messages_of(errors), acted=acted, files_dropped=bool(forms.uploads(form))
    )
    return page(request, "exchange/compose.html", context, 422 if errors else 200)


@router.post("/exchange/compose")
def compose(
    request: Request,
    upload: UploadFormDep,
    session: SessionDep,
    settings: SettingsDep,
    viewer: WriterDep,
) -> Response:
    if upload.form is None:
        context = {**compose_context(session, viewer, {}), "errors": upload.refused}
        return page(request, "exchange/compose.html", context, 413)
    form = upload.form
    values = forms.typed_values(form)
    action = rows.action_of(values)
    if action is not None:
        values = rows.apply_action(values, action)
        return _compose_again(request, session, viewer, form, values, {}, action.kind)
    once = form_once("exchange.compose", form)
    first = once.first_result(session, viewer)
    if first is not None:
        return _replayed(request, first)
    parsed = forms.parse_compose(form, viewer.actor.agency_code)
    errors = parsed.errors
    sent = None
    if parsed.fields is not None:
        store = BlobStore.for_data_dir(settings.data_dir)
        fields = parsed.fields
        try:
            agreement = desk.agreement_for(
                session, viewer.actor, fields.to, fields.crime_area, fields.data_category
            )
            payload = forms.compose_payload(fields, parsed.entities, agreement.id)
            data, errors = validate(MessageCreate, payload)
            if data is not None:
                data.attachments = forms.store_uploads(
                    session, viewer.actor, store, forms.uploads(form), settings.attachment_max_bytes
                )
                sent = messages.send_message(session, viewer.actor, data, store=store)
        except JisrError as exc:
            session.rollback()
            errors = _refusal(exc)
    if sent is None:
        return _compose_again(request, session, viewer, form, values, errors)
    location = f"/exchange/cases/{sent.case_ref}#m-{sent.id}"
    twin = once.remember_result(session, viewer, sent.id, location)
    if twin is not None:
        return _replayed(request, twin)
    response = redirect(request, location)
    set_flash(response, request, N_("Your message is queued for delivery."))
    return response


@router.post("/exchange/messages/{message_id}/reply")
def reply(
    request: Request,
    message_id: MessageId,
    upload: UploadFormDep,
    session: SessionDep,
    settings: SettingsDep,
    viewer: WriterDep,
) -> Response:
    if upload.form is None:
        return show_message(request, session, viewer, message_id, {}, upload.refused, 413)
    form = upload.form
    values = forms.typed_values(form)
    action = rows.action_of(values)
    if action is not None:
        values = rows.apply_action(values, action)
        return show_message(request, session, viewer, message_id, values, {}, acted=action.kind)
    once = form_once("exchange.reply", form)
    first = once.first_result(session, viewer)
    if first is not None:
        return _replayed(request, first)
    parsed = forms.parse_reply(form, viewer.actor.agency_code)
    errors = parsed.errors
    data: ReplyCreate | None = None
    if parsed.fields is not None:
        data, errors = validate(ReplyCreate, forms.reply_payload(parsed.fields, parsed.entities))
    if data is None:
        return show_message(request, session, viewer, message_id, values, _messages_of(errors))
    store = BlobStore.for_data_dir(settings.data_dir)
    try:
        data.attachments = forms.store_uploads(
            session, viewer.actor, store, forms.uploads(form), settings.attachment_max_bytes
        )
        answer = messages.reply(session, viewer.actor, message_id, data, store=store)
    except JisrError as exc:
        session.rollback()
        return show_message(
            request, session, viewer, message_id, values, _messages_of(_refusal(exc))
        )
    location = f"/exchange/cases/{answer.case_ref}#m-{answer.id}"
    twin = once.remember_result(session, viewer, answer.id, location)
    if twin is not None:
        return _replayed(request, twin)
    response = redirect(request, location)
    set_flash(response, request, N_("Your answer is queued for delivery."))
    return response


@router.post("/exchange/entity-rows")
def entity_rows(request: Request, viewer: WriterPostDep, form: TextFormDep) -> Response:
    """The entity rows with one added or removed (HTMX swaps them in; no file is sent)."""
    values = forms.typed_values(form)
    action = rows.action_of(values)
    if action is not None:
        values = rows.apply_action(values, action)
    acted = action.kind if action is not None else ""
    context = {"values": values, "errors": {}, "acted": acted}
    return page(request, "exchange/_entities.html", context)


@router.post("/exchange/messages/{message_id}/withdraw")
def withdraw(
    request: Request,
    message_id: MessageId,
    session: SessionDep,
    viewer: ReaderPostDep,
    form: TextFormDep,
) -> Response:
    fields, errors = validate(forms.WithdrawFields, filled_in(form_values(form)))
    if fields is None:
        values = {"reason": str(form.get("reason") or "")}
        return show_message(request, session, viewer, message_id, values, errors, withdrawing=True)
    # Policy decides in the service, as for the API: a refusal is the console's error page.
    messages.withdraw(session, viewer.actor, message_id, fields.reason)
    response = redirect(request, f"/exchange/messages/{message_id}")
    set_flash(
        response, request, N_("The message is withdrawn; the partner's copy will be deleted.")
    )
    return response


@router.post("/exchange/requests/reminders")
def remind(request: Request, session: SessionDep, viewer: WriterPostDep) -> Response:
    """Requests newly past or near their deadline are marked reminded (as the API does)."""
    due = deadlines.collect_reminders(session, viewer.actor)
    response = redirect(request, "/exchange/requests")
    if due:
        message = ngettext_lazy(
            "%(num)s new reminder: the request is marked in the list.",
            "%(num)s new reminders: the requests are marked in the list.",
            len(due),
        )
        set_flash(response, request, message)
    else:
        set_flash(
            response, request, N_("No new reminder: every open request was reminded already.")
        )
    return response
