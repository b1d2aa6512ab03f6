"""Draft → checks → review → published → updated → withdrawn, and the policy refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from jisr.audit.models import AuditEntry
from jisr.clock import utcnow
from jisr.errors import ConflictError, PermissionDeniedError, ValidationError
from jisr.notices import drafting, publication, review
from jisr.notices.models import NoticeStatus
from jisr.notices.schemas import NoticeCreate, NoticeUpdate, ReviewCreate
from jisr.notices.watch import screening_subject
from jisr.notices.wire import PUBLISH_ENVELOPE, UPDATE_ENVELOPE, WITHDRAW_ENVELOPE
from tests.exchange.conftest import LOCAL, PARTNER, officer
from tests.notices.conftest import OTHER, World, wanted

APPROVE = ReviewCreate(decision="approve")  # type: ignore[arg-type]


def _approved(world: World, **overrides: object) -> str:
    notice = world.draft(**overrides)
    drafting.submit_notice(world.session, world.author, notice.id)
    assert notice.status == "in_review", notice.checks
    review.review_notice(world.session, world.reviewer, notice.id, APPROVE)
    return notice.id


def _actions(world: World, object_id: str) -> list[tuple[str, str]]:
    stmt = select(AuditEntry).where(AuditEntry.object_id == object_id).order_by(AuditEntry.seq)
    return [(e.action, e.details.get("event", "")) for e in world.session.scalars(stmt)]


def test_wanted_alert_lifecycle(world: World) -> None:
    notice = world.draft()
    assert notice.reference == f"{LOCAL}/{utcnow().year}/R-0001"
    assert notice.id.startswith(f"{LOCAL}:notice:") and notice.subject["id"] == f"{LOCAL}.p1"
    assert notice.status == "draft" and notice.data_category == "personal"
    drafting.submit_notice(world.session, world.author, notice.id)
    assert notice.status == "in_review"
    assert {c["check"]: c["outcome"] for c in notice.checks} == {
        "completeness": "pass",
        "seriousness": "pass",
        "neutrality": "pass",
        "refugee_status": "pass",
        "duplicates": "pass",
    }
    with pytest.raises(ConflictError):
        publication.publish_notice(world.session, world.author, notice.id)
    review.review_notice(world.session, world.reviewer, notice.id, APPROVE)
    assert notice.status == "approved"
    publication.publish_notice(world.session, world.author, notice.id)
    assert notice.status == "published"
    [sent] = world.outbox(PUBLISH_ENVELOPE)
    assert sent.recipient == PARTNER and sent.payload["reference"] == notice.reference
    # Spain's agreement covers cybercrime only: nothing goes there, and the owner is told why.
    assert notice.publication_note and OTHER in notice.publication_note
    assert "outside its scope" in notice.publication_note
    subject = screening_subject(notice)
    assert subject is not None and "يوسف بنكيران" in subject.names
    assert subject.documents == ("ZZ0000001",) and subject.nationalities == ("ma",)

    drafting.update_notice(
        world.session, world.author, notice.id, NoticeUpdate(summary="Seen in Algeciras.")
    )
    assert notice.version == 2 and world.outbox(UPDATE_ENVELOPE)
    publication.close_notice(
        world.session, world.author, notice.id, NoticeStatus.CANCELLED, "Arrested in Tangier"
    )
    assert notice.status == "cancelled" and notice.distributions[0].status == "withdrawn"
    [withdrawal] = world.outbox(WITHDRAW_ENVELOPE)
    assert withdrawal.payload["kind"] == "cancelled"
    events = _actions(world, notice.id)
    assert events[0] == ("collection", "drafted")
    assert ("disclosure", "published") in events and ("alteration", "cancelled") in events
    assert ("alteration", "reviewed") in events


def test_policy_refusals(world: World) -> None:
    with pytest.raises(PermissionDeniedError):
        drafting.create_notice(world.session, world.analyst, NoticeCreate(**wanted()))
    notice = world.draft()
    drafting.submit_notice(world.session, world.author, notice.id)
    # The author does not review their own alert; an analyst never reviews.
    with pytest.raises(PermissionDeniedError, match="author"):
        review.review_notice(world.session, world.author, notice.id, APPROVE)
    with pytest.raises(PermissionDeniedError):
        review.review_notice(world.session, world.analyst, notice.id, APPROVE)
    foreign = officer("liaison", PARTNER)
    with pytest.raises(PermissionDeniedError):
        review.review_notice(world.session, foreign, notice.id, APPROVE)
    with pytest.raises(PermissionDeniedError):
        publication.close_notice(
            world.session, foreign, notice.id, NoticeStatus.WITHDRAWN, "not mine"
        )


def test_out_of_scope_alert_never_leaves(world: World) -> None:
    notice_id = _approved(
        world,
        crime_area="cybercrime",
        offence="Intrusion into a ministry's systems",
        title="Intrusion suspect",
    )
    notice = publication.publish_notice(world.session, world.author, notice_id)
    assert notice.status == "published" and notice.distributions == []
    assert world.outbox(PUBLISH_ENVELOPE) == []
    note = notice.publication_note or ""
    assert f"{PARTNER}: " in note and "crime area cybercrime is outside its scope" in note
    assert f"{OTHER}: " in note and "data category personal is not allowed" in note


def test_diffusion_goes_out_at_once_and_is_recalled(world: World) -> None:
    notice = world.draft(alert_type="diffusion", recipients=[PARTNER], warrant_reference=None)
    drafting.submit_notice(world.session, world.author, notice.id)
    assert notice.status == "published" and world.outbox(PUBLISH_ENVELOPE)
    publication.close_notice(
        world.session, world.author, notice.id, NoticeStatus.RECALLED, "sent too early"
    )
    assert notice.status == "recalled" and world.outbox(WITHDRAW_ENVELOPE)


def test_diffusion_to_an_uncovered_partner_is_refused(world: World) -> None:
    notice = world.draft(alert_type="diffusion", recipients=[OTHER])
    with pytest.raises(PermissionDeniedError, match="outside its scope"):
        drafting.submit_notice(world.session, world.author, notice.id)


def test_validation(world: World) -> None:
    with pytest.raises(ValidationError):
        world.draft(subject={"id": "x", "schema": "Person", "properties": {"birthDate": ["x"]}})
    with pytest.raises(ValidationError):
        world.draft(subject={"id": "x", "schema": "Thing", "properties": {}})
    with pytest.raises(ValidationError):
        world.draft(recipients=[PARTNER])
    with pytest.raises(ValidationError):
        world.draft(valid_until=utcnow() - timedelta(days=1))


def test_extend_and_expire(world: World) -> None:
    notice_id = _approved(world)
    notice = publication.publish_notice(world.session, world.author, notice_id)
    later = notice.valid_until + timedelta(days=30)
    drafting.extend_notice(world.session, world.author, notice.id, later)
    assert notice.valid_until == later
    expired = publication.expire_due(world.session, world.author, later + timedelta(seconds=1))
    assert [n.id for n in expired] == [notice.id] and notice.status == "expired"
    assert world.outbox(WITHDRAW_ENVELOPE)[0].payload["kind"] == "expired"


def test_control_characters_are_refused(world: World) -> None:
    subject = {"id": "p1", "schema": "Person", "properties": {"name": ["Ali\x00 Test"]}}
    with pytest.raises(ValidationError, match="control characters"):
        world.draft(subject=subject)


def test_a_refused_subject_value_names_its_field(world: World) -> None:
    bad_date = {"id": "x", "schema": "Person", "properties": {"birthDate": ["x"]}}
    with pytest.raises(ValidationError) as refused:
        world.draft(subject=bad_date)
    assert refused.value.field == "subject.birthDate"
    bad_name = {"id": "p1", "schema": "Person", "properties": {"name": ["Ali\x00 Test"]}}
    with pytest.raises(ValidationError) as refused:
        world.draft(subject=bad_name)
    assert refused.value.field == "subject.name"
