"""Reading the exchange console's compose and reply forms into the API's own input types.

Errors come back as ``{field: key}``: a msgid from ``jisr.web.forms.validate`` or one of the
keys of ``FIELD_ERRORS`` in ``jisr.web.pages.exchange`` (which holds every translatable string of
the area, so they all land in its catalogue). Uploaded files are copied to the attachment store
chunk by chunk, never held whole in memory.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from jisr.actors import Actor
from jisr.agreements.models import CrimeArea, DataCategory, HandlingCode
from jisr.clock import utcnow
from jisr.errors import JisrError, ValidationError
from jisr.exchange import attachments
from jisr.exchange.deadlines import MAX_RETENTION_DAYS
from jisr.exchange.entities import describes_people
from jisr.exchange.grading import check_grade
from jisr.exchange.models import DeadlineClass, GradingScheme, MessageKind, Priority
from jisr.exchange.schemas import (
    AGENCY_CODE_PATTERN,
    MAX_ATTACHMENTS,
    RECORD_ID_PATTERN,
    AttachmentRef,
    Block,
    Line,
)
from jisr.exchange.storage import CHUNK_BYTES, AttachmentTooLargeError, BlobStore
from jisr.web.forms import filled_in, form_values, validate
from jisr.web.pages import exchange_rows as rows

# Domain refusals of a message being written, by error code: the field they concern.
CODE_FIELDS = {
    "retention_invalid": "retention_until",
    "handling_text_required": "handling_text",
    "data_category_invalid": "data_category",
    "grading_invalid": "source_reliability",
    "recipient_invalid": "to",
    "attachment_too_large_to_send": "attachments",
    "payload_too_large": "attachments",
    "too_many_attachments": "attachments",
    "deadline_invalid": "deadline_at",
    "handling_lowering_unjustified": "handling_lowered_reason",
}
# The longest text of a message, as the API takes it (``MessageContent.body``).
BODY_MAX = 100_000


class ContentFields(BaseModel):
    """What the compose and reply forms share."""

    model_config = ConfigDict(extra="ignore")

    kind: MessageKind = MessageKind.MESSAGE
    body: Block = Field(min_length=1, max_length=BODY_MAX)
    priority: Priority = Priority.ROUTINE
    deadline: DeadlineClass | None = None
    # A ``datetime-local`` input: a date and time without zone, read as UTC.
    deadline_at: datetime | None = None
    handling_code: HandlingCode | None = None
    handling_text: Block | None = Field(default=None, max_length=2000)
    grading_scheme: GradingScheme | None = None
    source_reliability: str | None = Field(default=None, max_length=1)
    information_credibility: str | None = Field(default=None, max_length=1)


class ComposeFields(ContentFields):
    to: str = Field(pattern=AGENCY_CODE_PATTERN)
    case_ref: str | None = Field(default=None, pattern=RECORD_ID_PATTERN, max_length=80)
    subject: Line = Field(min_length=1, max_length=300)
    crime_area: CrimeArea
    data_category: DataCategory = DataCategory.OPERATIONAL
    legal_basis: Block | None = Field(default=None, min_length=3, max_length=4000)
    purpose: Block = Field(min_length=3, max_length=2000)
    retention_until: date | None = None


class ReplyFields(ContentFields):
    data_category: DataCategory | None = None
    handling_lowered_reason: Block | None = Field(default=None, min_length=3, max_length=2000)


class WithdrawFields(BaseModel):
    """Withdrawing a message: the reason goes to the partner and into the audit trail."""

    model_config = ConfigDict(extra="ignore")

    reason: Block = Field(min_length=3, max_length=2000)


def _given(form: FormData) -> dict[str, Any]:
    """Fields with something typed in: a blank required field is then "missing" (reported as
    required), a blank optional one takes its default."""
    return filled_in(form_values(form))


def typed_values(form: FormData) -> dict[str, Any]:
    """The text fields as typed, to show the form again."""
    return {k: v for k, v in form_values(form).items() if isinstance(v, str)}


def _content_errors(fields: ContentFields) -> dict[str, str]:
    errors: dict[str, str] = {}
    if (
        fields.kind is MessageKind.REQUEST
        and fields.deadline is DeadlineClass.DATE
        and fields.deadline_at is None
    ):
        errors["deadline_at"] = "deadline_date_required"
    if fields.handling_code is HandlingCode.H3 and not (fields.handling_text or "").strip():
        errors["handling_text"] = "handling_text_required"
    graded = fields.source_reliability or fields.information_credibility
    if fields.grading_scheme is None:
        if graded:
            errors["grading_scheme"] = "scheme_required"
        return errors
    if not fields.source_reliability:
        errors["source_reliability"] = "grade_required"
    if not fields.information_credibility:
        errors["information_credibility"] = "grade_required"
    if fields.source_reliability and fields.information_credibility:
        try:
            check_grade(
                fields.grading_scheme, fields.source_reliability, fields.information_credibility
            )
        except JisrError:
            errors["source_reliability"] = "grade_not_in_scheme"
    return errors


def _category_errors(
    entities: list[dict[str, Any]], category: DataCategory | None
) -> dict[str, str]:
    if describes_people(entities) and category is not DataCategory.PERSONAL:
        return {"data_category": "personal_category_required"}
    return {}


def _retention_at(value: date | None) -> datetime | None:
    return None if value is None else datetime.combine(value, time(0, 0), tzinfo=UTC)


def _retention_errors(value: date | None) -> dict[str, str]:
    at = _retention_at(value)
    now = utcnow()
    if at is not None and not now < at <= now + timedelta(days=MAX_RETENTION_DAYS):
        return {"retention_until": "retention_invalid"}
    return {}


_F = TypeVar("_F", bound="ContentFields")


@dataclass(frozen=True, slots=True)
class Parsed(Generic[_F]):
    """A form read: its fields and entities when valid, else the errors of every field."""

    fields: _F | None
    entities: list[dict[str, Any]]
    errors: dict[str, str]


def parse_compose(form: FormData, owner: str) -> Parsed[ComposeFields]:
    values = _given(form)
    fields, errors = validate(ComposeFields, values)
    entities, row_errors = rows.parse_rows(values, owner)
    if fields is None:
        return Parsed(None, [], {**row_errors, **errors})
    errors = {
        **row_errors,
        **_content_errors(fields),
        **_category_errors(entities, fields.data_category),
        **_retention_errors(fields.retention_until),
    }
    return Parsed(None if errors else fields, entities, errors)


def parse_reply(form: FormData, owner: str) -> Parsed[ReplyFields]:
    """A reply; its data category defaults to the message answered (which the domain checks
    against the entities, as it knows that message)."""
    values = _given(form)
    fields, errors = validate(ReplyFields, values)
    entities, row_errors = rows.parse_rows(values, owner)
    if fields is None:
        return Parsed(None, [], {**row_errors, **errors})
    errors = {**row_errors, **_content_errors(fields)}
    if fields.data_category is not None:
        errors.update(_category_errors(entities, fields.data_category))
    return Parsed(None if errors else fields, entities, errors)


def content_payload(fields: ContentFields, entities: list[dict[str, Any]]) -> dict[str, Any]:
    """The fields of ``MessageContent`` (shared by MessageCreate and ReplyCreate)."""
    grading = None
    if fields.grading_scheme is not None:
        grading = {
            "scheme": fields.grading_scheme,
            "source_reliability": fields.source_reliability,
            "information_credibility": fields.information_credibility,
        }
    request = fields.kind is MessageKind.REQUEST
    at = fields.deadline_at
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    chosen = fields.deadline
    if request and at is not None and chosen is None:
        chosen = DeadlineClass.DATE
    if chosen is not DeadlineClass.DATE:
        at = None
    return {
        "kind": fields.kind,
        "body": fields.body,
        "priority": fields.priority,
        "deadline": chosen if request else None,
        "deadline_at": at if request else None,
        "handling_code": fields.handling_code,
        "handling_text": fields.handling_text if fields.handling_code is HandlingCode.H3 else None,
        "grading": grading,
        "entities": entities,
    }


def reply_payload(fields: ReplyFields, entities: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        **content_payload(fields, entities),
        "data_category": fields.data_category,
        "handling_lowered_reason": fields.handling_lowered_reason,
    }


def compose_payload(
    fields: ComposeFields, entities: list[dict[str, Any]], agreement_id: str
) -> dict[str, Any]:
    return {
        **content_payload(fields, entities),
        "to": fields.to,
        "agreement": agreement_id,
        "subject": fields.subject,
        "crime_area": fields.crime_area,
        "data_category": fields.data_category,
        "legal_basis": fields.legal_basis,
        "purpose": fields.purpose,
        "case_ref": fields.case_ref,
        "retention_until": _retention_at(fields.retention_until),
    }


def uploads(form: FormData) -> list[UploadFile]:
    """Files chosen in the form (browsers send an empty part when none is)."""
    return [f for f in form.getlist("attachments") if isinstance(f, UploadFile) and f.filename]


def _filename(raw: str) -> str:
    base = raw.replace("\\", "/").rsplit("/", 1)[-1]
    clean = "".join(ch for ch in base if unicodedata.category(ch) not in {"Cc", "Cs"}).strip()
    return clean[-255:] or "attachment"


def store_uploads(
    session: Session, actor: Actor, store: BlobStore, files: list[UploadFile], max_bytes: int
) -> list[AttachmentRef]:
    """Copy each upload (spooled to a temporary file by the form parser) into the attachment
    store a chunk at a time, and register it (policy first). ``max_bytes`` is for all files."""
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError(f"at most {MAX_ATTACHMENTS} attachments", code="too_many_attachments")
    if sum(upload.size or 0 for upload in files) > max_bytes:
        raise AttachmentTooLargeError(f"attachments exceed {max_bytes} bytes in all")
    refs: list[AttachmentRef] = []
    budget = max_bytes
    for upload in files:
        attachments.check_upload(session, actor)
        writer = store.writer(budget)
        try:
            upload.file.seek(0)
            while chunk := upload.file.read(CHUNK_BYTES):
                writer.write(chunk)
            blob = writer.finish()
        except BaseException:
            writer.abort()
            raise
        budget -= blob.size
        row = attachments.register_upload(session, actor, blob)
        refs.append(AttachmentRef(sha256=row.sha256, filename=_filename(upload.filename or "")))
    return refs
