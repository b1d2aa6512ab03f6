"""Reading the exchange console's compose and reply forms into the API's own input types.

Errors come back as ``{field: key}``: a msgid from ``jisr.web.forms.validate`` or one of the
keys of ``FIELD_ERRORS`` in ``jisr.web.pages.exchange`` (which holds every translatable string of
the area, so they all land in its catalogue). Uploaded files are copied to the attachment store
chunk by chunk, never held whole in memory.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from followthemoney.types import registry
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from jisr.actors import Actor
from jisr.agreements.models import CrimeArea, DataCategory, HandlingCode
from jisr.clock import utcnow
from jisr.errors import JisrError, ValidationError
from jisr.exchange import attachments
from jisr.exchange.deadlines import MAX_RETENTION_DAYS
from jisr.exchange.grading import check_grade
from jisr.exchange.models import GradingScheme, MessageKind, Priority
from jisr.exchange.schemas import (
    AGENCY_CODE_PATTERN,
    MAX_ATTACHMENTS,
    RECORD_ID_PATTERN,
    AttachmentRef,
    Block,
    Line,
)
from jisr.exchange.storage import CHUNK_BYTES, BlobStore
from jisr.ids import new_ulid
from jisr.web.forms import filled_in, form_values, validate

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
}


class ContentFields(BaseModel):
    """What the compose and reply forms share."""

    model_config = ConfigDict(extra="ignore")

    kind: MessageKind = MessageKind.MESSAGE
    body: Block = Field(min_length=1, max_length=100_000)
    priority: Priority = Priority.ROUTINE
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
    person_name: Line | None = Field(default=None, max_length=200)
    person_birth_date: date | None = None
    person_nationality: str | None = Field(default=None, max_length=40)
    person_passport: Line | None = Field(default=None, max_length=40)
    phone_number: Line | None = Field(default=None, max_length=40)


def _given(form: FormData) -> dict[str, Any]:
    """Fields with something typed in: a blank required field is then "missing" (reported as
    required), a blank optional one takes its default."""
    return filled_in(form_values(form))


def typed_values(form: FormData) -> dict[str, Any]:
    """The text fields as typed, to show the form again."""
    return {k: v for k, v in form_values(form).items() if isinstance(v, str)}


def _content_errors(fields: ContentFields) -> dict[str, str]:
    errors: dict[str, str] = {}
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


def _person_errors(fields: ComposeFields) -> dict[str, str]:
    errors: dict[str, str] = {}
    described = (fields.person_birth_date, fields.person_nationality, fields.person_passport)
    if any(v is not None for v in described) and not fields.person_name:
        errors["person_name"] = "person_name_required"
    if fields.person_birth_date and fields.person_birth_date > utcnow().date():
        errors["person_birth_date"] = "birth_date_future"
    if fields.person_name and fields.data_category is not DataCategory.PERSONAL:
        errors["data_category"] = "personal_category_required"
    return errors


def _retention_at(value: date | None) -> datetime | None:
    return None if value is None else datetime.combine(value, time(0, 0), tzinfo=UTC)


def _retention_errors(value: date | None) -> dict[str, str]:
    at = _retention_at(value)
    now = utcnow()
    if at is not None and not now < at <= now + timedelta(days=MAX_RETENTION_DAYS):
        return {"retention_until": "retention_invalid"}
    return {}


def _text_errors(values: dict[str, Any]) -> dict[str, str]:
    """Checks that need only the text typed, so they show even beside other fields' errors."""
    errors: dict[str, str] = {}
    nationality, phone = values.get("person_nationality"), values.get("phone_number")
    if isinstance(nationality, str) and registry.country.clean(nationality) is None:
        errors["person_nationality"] = "country_invalid"
    if isinstance(phone, str) and registry.phone.clean(phone) is None:
        errors["phone_number"] = "phone_invalid"
    return errors


def parse_compose(form: FormData) -> tuple[ComposeFields | None, dict[str, str]]:
    values = _given(form)
    fields, errors = validate(ComposeFields, values)
    if fields is None:
        return None, {**_text_errors(values), **errors}
    errors = {
        **_text_errors(values),
        **_content_errors(fields),
        **_person_errors(fields),
        **_retention_errors(fields.retention_until),
    }
    return (fields, {}) if not errors else (None, errors)


def parse_reply(form: FormData) -> tuple[ContentFields | None, dict[str, str]]:
    fields, errors = validate(ContentFields, _given(form))
    if fields is None:
        return None, errors
    errors = _content_errors(fields)
    return (fields, {}) if not errors else (None, errors)


def entities_of(fields: ComposeFields) -> list[dict[str, Any]]:
    """FollowTheMoney entities for the person and phone typed in the form."""
    phone = registry.phone.clean(fields.phone_number) if fields.phone_number else None
    if fields.person_name:
        properties: dict[str, list[str]] = {"name": [fields.person_name]}
        if fields.person_birth_date:
            properties["birthDate"] = [fields.person_birth_date.isoformat()]
        if fields.person_nationality:
            properties["nationality"] = [str(registry.country.clean(fields.person_nationality))]
        if fields.person_passport:
            properties["passportNumber"] = [fields.person_passport]
        if phone:
            properties["phone"] = [phone]
        return [{"id": f"person-{new_ulid()}", "schema": "Person", "properties": properties}]
    if phone:
        # A number nobody is named for: FollowTheMoney has no Phone schema; an account on
        # the telephone service is how it records one.
        return [
            {
                "id": f"phone-{new_ulid()}",
                "schema": "UserAccount",
                "properties": {"phone": [phone], "service": ["telephone"]},
            }
        ]
    return []


def content_payload(fields: ContentFields) -> dict[str, Any]:
    """The fields of ``MessageContent`` (shared by MessageCreate and ReplyCreate)."""
    grading = None
    if fields.grading_scheme is not None:
        grading = {
            "scheme": fields.grading_scheme,
            "source_reliability": fields.source_reliability,
            "information_credibility": fields.information_credibility,
        }
    return {
        "kind": fields.kind,
        "body": fields.body,
        "priority": fields.priority,
        "handling_code": fields.handling_code,
        "handling_text": fields.handling_text if fields.handling_code is HandlingCode.H3 else None,
        "grading": grading,
    }


def compose_payload(fields: ComposeFields, agreement_id: str) -> dict[str, Any]:
    return {
        **content_payload(fields),
        "to": fields.to,
        "agreement": agreement_id,
        "subject": fields.subject,
        "crime_area": fields.crime_area,
        "data_category": fields.data_category,
        "legal_basis": fields.legal_basis,
        "purpose": fields.purpose,
        "case_ref": fields.case_ref,
        "retention_until": _retention_at(fields.retention_until),
        "entities": entities_of(fields),
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
    """Copy each upload into the attachment store and register it (policy first)."""
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError(f"at most {MAX_ATTACHMENTS} attachments", code="too_many_attachments")
    refs: list[AttachmentRef] = []
    for upload in files:
        attachments.check_upload(session, actor)
        writer = store.writer(max_bytes)
        try:
            while chunk := upload.file.read(CHUNK_BYTES):
                writer.write(chunk)
            blob = writer.finish()
        except BaseException:
            writer.abort()
            raise
        row = attachments.register_upload(session, actor, blob)
        refs.append(AttachmentRef(sha256=row.sha256, filename=_filename(upload.filename or "")))
    return refs
