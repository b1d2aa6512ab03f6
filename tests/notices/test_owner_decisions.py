"""What cannot be true of a person is refused; a partner's copy carries what its owner decided
(checks, review, who published), and the owner learns why a partner got nothing, as codes."""

from __future__ import annotations

from typing import Any

import pytest

from jisr.errors import ValidationError
from jisr.ids import new_id
from jisr.notices import drafting, publication, queries, review
from jisr.notices.federation import handlers
from jisr.notices.models import Notice
from jisr.notices.schemas import ReviewCreate
from jisr.notices.wire import PUBLISH_ENVELOPE, WireNotice
from tests.exchange.conftest import PARTNER
from tests.notices.conftest import OTHER, World
from tests.notices.test_handlers import _envelope

APPROVE = ReviewCreate(decision="approve")  # type: ignore[arg-type]


def _person(**properties: list[str]) -> dict[str, Any]:
    return {"id": "p1", "schema": "Person", "properties": {"name": ["Test Person"], **properties}}


@pytest.mark.parametrize(
    ("properties", "code", "field"),
    [
        ({"birthDate": ["2030-01-01"]}, "birth_date_in_future", "subject.birthDate"),
        ({"birthDate": ["2099"]}, "birth_date_in_future", "subject.birthDate"),
        ({"nationality": ["ZZ"]}, "nationality_invalid", "subject.nationality"),
        ({"nationality": ["eu"]}, "nationality_invalid", "subject.nationality"),
        ({"citizenship": ["zz"]}, "nationality_invalid", "subject.citizenship"),
    ],
)
def test_what_cannot_be_true_of_a_person_is_refused_with_its_field(
    world: World, properties: dict[str, list[str]], code: str, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        world.draft(subject=_person(**properties))
    assert (refused.value.code, refused.value.field) == (code, field)


def test_a_related_person_is_checked_too(world: World) -> None:
    related = [{"id": "p2", "schema": "Person", "properties": {"birthDate": ["2031-05"]}}]
    with pytest.raises(ValidationError) as refused:
        world.draft(related=related)
    assert refused.value.field == "related[0].birthDate"


def test_past_dates_and_real_countries_pass(world: World) -> None:
    notice = world.draft(
        subject=_person(birthDate=["1984"], nationality=["ma", "suhh"], citizenship=["fr"])
    )
    assert notice.subject["properties"]["nationality"] == ["ma", "suhh"]


def _published(world: World) -> Notice:
    notice = world.draft()
    drafting.submit_notice(world.session, world.author, notice.id)
    review.review_notice(world.session, world.reviewer, notice.id, APPROVE)
    return publication.publish_notice(world.session, world.author, notice.id)


def test_the_published_alert_carries_the_owners_checks_review_and_publisher(
    world: World,
) -> None:
    notice = _published(world)
    assert notice.published_by == world.author.display
    history = queries.status_history(
        notice, review.list_reviews(world.session, world.author, notice.id)
    )
    assert history[-1].status == "published" and history[-1].by == world.author.display
    [sent] = world.outbox(PUBLISH_ENVELOPE)
    wire = WireNotice.model_validate(sent.payload)
    assert wire.published_by == world.author.display
    assert wire.review is not None and wire.review.decision == "approve"
    assert wire.checks and {c.check for c in wire.checks} >= {"completeness", "duplicates"}
    assert wire.checked_at == notice.checked_at
    assert "reviewer" not in str(sent.payload)  # who decided stays with the owner


def test_a_partner_copy_shows_what_its_owner_decided(world: World) -> None:
    payload = _partner_payload_with_decisions(world)
    handlers()["notices.publish"](world.session, _envelope(world, "notices.publish", payload))
    copy = world.session.get(Notice, payload["id"])
    assert copy is not None
    assert copy.checked_at is not None and copy.checks[0]["code"]
    decision = queries.owner_decision(copy)
    assert decision is not None and decision.decision == "approve"
    assert copy.published_by == "Claire Martin"
    steps = [(e.status, e.by) for e in queries.status_history(copy, [])]
    assert steps == [("approved", PARTNER), ("published", f"Claire Martin ({PARTNER})")]


def test_a_copy_from_an_older_node_without_decisions_is_still_accepted(world: World) -> None:
    payload = _partner_payload_with_decisions(world)
    for newer in ("published_by", "checks", "checked_at", "review"):
        payload.pop(newer)
    handlers()["notices.publish"](world.session, _envelope(world, "notices.publish", payload))
    copy = world.session.get(Notice, payload["id"])
    assert copy is not None and copy.checks == [] and copy.checked_at is None
    assert queries.owner_decision(copy) is None and copy.published_by is None


def test_duplicates_are_not_named_to_partners(world: World) -> None:
    first = _published(world)
    second = world.draft(title="Same person again")
    drafting.submit_notice(world.session, world.author, second.id)
    assert any(c["code"] == "duplicates.found" for c in second.checks)
    review.review_notice(world.session, world.reviewer, second.id, ReviewCreate(
        decision="approve", comment="Second warrant, distinct offence."))  # type: ignore[arg-type]  # fmt: skip
    publication.publish_notice(world.session, world.author, second.id)
    payload = world.outbox(PUBLISH_ENVELOPE)[-1].payload
    assert first.reference not in str(payload["checks"])
    assert "duplicates.withheld" in str(payload["checks"])


def test_why_a_partner_got_nothing_is_kept_as_codes_with_the_agreement_name(
    world: World,
) -> None:
    notice = _published(world)
    refusals = notice.publication_refusals or []
    [other] = [r for r in refusals if r["agency"] == OTHER]
    assert other["code"] == "crime_area_out_of_scope" and other["value"] == "migrant_smuggling"
    assert other["agreement_title"] and other["agreement_id"]
    assert all(r["code"] in publication.REFUSAL_CODES for r in refusals)


def _partner_payload_with_decisions(world: World) -> dict[str, Any]:
    notice = _published(world)
    payload = dict(world.outbox(PUBLISH_ENVELOPE)[-1].payload)
    world.session.delete(notice)
    world.session.flush()
    payload.update(
        id=new_id(PARTNER, "notice"),
        reference=f"{PARTNER}/2026/R-0042",
        version=1,
        published_by="Claire Martin",
    )
    payload["subject"] = {**payload["subject"], "id": f"{PARTNER}.p1"}
    return payload
