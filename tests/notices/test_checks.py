"""Each automated check, the review records and the refusal statistics."""

from __future__ import annotations

import pytest

from jisr.errors import ConflictError, ValidationError
from jisr.notices import drafting, review
from jisr.notices.checks import describe_checks, neutrality_findings
from jisr.notices.schemas import ReviewCreate
from tests.notices.conftest import World


def _outcomes(world: World, **overrides: object) -> dict[str, str]:
    notice = world.draft(**overrides)
    drafting.submit_notice(world.session, world.author, notice.id)
    return {c["check"]: c["outcome"] for c in notice.checks}


def test_completeness(world: World) -> None:
    outcomes = _outcomes(world, warrant_reference=None, legal_basis=None)
    assert outcomes["completeness"] == "fail"
    bare = {"id": "p9", "schema": "Person", "properties": {"name": ["Omar Fictif-Test"]}}
    notice = world.draft(subject=bare)
    drafting.submit_notice(world.session, world.author, notice.id)
    assert notice.status == "draft"
    assert "birth date, nationality or document" in notice.checks[0]["message"]


def test_seriousness_threshold(world: World) -> None:
    assert _outcomes(world, max_penalty_years=1)["seriousness"] == "fail"
    assert _outcomes(world, max_penalty_years=None)["seriousness"] == "fail"
    locate = _outcomes(world, alert_type="locate", max_penalty_years=None, warrant_reference=None)
    assert locate["seriousness"] == "pass"


@pytest.mark.parametrize(
    ("text", "character"),
    [
        ("Organised a demonstration against the government", "political"),
        ("Opposant politique recherché", "political"),
        ("معارض سياسي", "political"),
        ("Désertion de l'armée", "military"),
        ("Blasphemy", "religious"),
        ("الردة", "religious"),
        ("Incitement to ethnic violence", "racial"),
    ],
)
def test_neutrality_terms(text: str, character: str) -> None:
    assert character in neutrality_findings(text)


@pytest.mark.parametrize(
    "text", ["Armed robbery of a couple", "معلومات واردة", "Drug trafficking, tribunal de Paris"]
)
def test_neutrality_leaves_ordinary_crime_alone(text: str) -> None:
    assert neutrality_findings(text) == {}


def test_neutrality_flag_and_refugee_flag_force_review(world: World) -> None:
    assert _outcomes(world, political_context=True)["neutrality"] == "review"
    assert _outcomes(world, refugee_status=True)["refugee_status"] == "review"
    diffusion = world.draft(alert_type="diffusion", recipients=["FR-DGSI"], refugee_status=True)
    drafting.submit_notice(world.session, world.author, diffusion.id)
    assert diffusion.status == "in_review"


def test_duplicates(world: World) -> None:
    first = world.draft()
    drafting.submit_notice(world.session, world.author, first.id)
    second = world.draft(
        subject={"id": "q", "schema": "Person", "properties": {
            "name": ["Someone Else-Test"], "passportNumber": ["zz0000001"]}},
    )  # fmt: skip
    drafting.submit_notice(world.session, world.author, second.id)
    [dup] = [c for c in second.checks if c["check"] == "duplicates"]
    assert dup["outcome"] == "review" and first.reference in dup["message"]


def test_review_records_and_stats(world: World) -> None:
    notice = world.draft(political_context=True)
    drafting.submit_notice(world.session, world.author, notice.id)
    with pytest.raises(ValidationError, match="grounds"):
        review.review_notice(
            world.session, world.reviewer, notice.id, ReviewCreate(decision="refuse")
        )
    with pytest.raises(ValidationError, match="justification"):
        review.review_notice(
            world.session, world.reviewer, notice.id, ReviewCreate(decision="approve")
        )
    refusal = review.review_notice(
        world.session,
        world.reviewer,
        notice.id,
        ReviewCreate(decision="refuse", grounds=["political"], comment="Art. 3"),
    )
    assert notice.status == "refused" and refusal.reviewer == "reviewer"
    with pytest.raises(ConflictError):
        review.review_notice(
            world.session, world.reviewer, notice.id, ReviewCreate(decision="refuse")
        )
    review.retract_review(world.session, world.reviewer, notice.id, refusal.id, "wrong alert")
    assert notice.status == "in_review" and refusal.deleted_at is not None
    review.review_notice(
        world.session,
        world.reviewer,
        notice.id,
        ReviewCreate(decision="refuse", grounds=["political", "insufficient_identifiers"]),
    )
    rows = review.list_reviews(world.session, world.author, notice.id)
    assert len(rows) == 2 and rows[0].deleted_at is not None  # kept, never overwritten
    stats = review.review_stats(world.session, world.author)
    assert stats.refused == 1 and stats.approved == 0
    assert stats.refusals_by_ground == {"insufficient_identifiers": 1, "political": 1}
    assert review.review_queue(world.session, world.reviewer) == []


def test_checks_are_documented() -> None:
    docs = describe_checks()
    assert set(docs) == {
        "completeness",
        "seriousness",
        "neutrality",
        "refugee_status",
        "duplicates",
    }
    assert all(docs.values())
