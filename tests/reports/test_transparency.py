"""The transparency report, made from real acts (alerts refused by the review, data-subject
requests received and decided), and every figure recounted here from the exported audit trail
with code of this test's own: the filter and the entry numbers each figure names must give the
same count."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from jisr.audit import entry_to_json, iter_all
from jisr.clock import utcnow
from jisr.errors import PermissionDeniedError
from jisr.notices import drafting, review
from jisr.notices.schemas import ReviewCreate
from jisr.reports.periods import current_quarter
from jisr.reports.transparency import Figure, transparency_report
from jisr.rights import service as rights
from jisr.rights.schemas import DecisionCreate, RequestCreate
from jisr.rights.settings import RightsSettings
from tests.exchange.conftest import officer
from tests.notices.conftest import World, world  # noqa: F401 - the fixture

SETTINGS = RightsSettings(access_days=30, correction_days=30, deletion_days=30)


def _refuse(world: World, grounds: list[str]) -> None:  # noqa: F811
    notice = world.draft()
    drafting.submit_notice(world.session, world.author, notice.id)
    decision = ReviewCreate(decision="refuse", grounds=grounds, comment="seen")  # type: ignore[arg-type]
    review.review_notice(world.session, world.reviewer, notice.id, decision)


def _request(world: World, kind: str, received: date) -> str:  # noqa: F811
    data = RequestCreate(
        kind=kind,  # type: ignore[arg-type]
        subject_name="Samir Testperson (fictional)",
        requester="Counsel (fictional)",
        received_on=received,
    )
    return rights.create_request(world.session, officer("dpo"), data, SETTINGS).id


def _seed(world: World) -> None:  # noqa: F811
    _refuse(world, ["political", "insufficient_identifiers"])
    _refuse(world, ["political"])
    approved = world.draft()
    drafting.submit_notice(world.session, world.author, approved.id)
    review.review_notice(
        world.session, world.reviewer, approved.id, ReviewCreate(decision="approve")
    )  # type: ignore[arg-type]
    today = utcnow().date()
    in_time = _request(world, "access", today - timedelta(days=3))
    late = _request(world, "deletion", today - timedelta(days=45))
    _request(world, "correction", today - timedelta(days=40))  # open, past due
    _request(world, "access", today)  # open, within time
    dpo = officer("dpo")
    rights.decide(
        world.session, dpo, in_time, DecisionCreate(outcome="granted", grounds="Copy sent")
    )  # type: ignore[arg-type]
    rights.decide(
        world.session, dpo, late, DecisionCreate(outcome="refused", grounds="Art. 23 ground")
    )  # type: ignore[arg-type]
    # A second decision on the same request supersedes; the clock was judged on the first.
    rights.decide(world.session, dpo, late, DecisionCreate(outcome="granted", grounds="On appeal"))  # type: ignore[arg-type]
    world.session.flush()


def _export(world: World) -> list[dict[str, Any]]:  # noqa: F811
    return [entry_to_json(e) for e in iter_all(world.session, officer("auditor"))]


def _recount(entries: list[dict[str, Any]], figure: Figure) -> list[int]:
    """The figure's filter applied to an export, as an oversight body would."""
    query = figure.query
    first, last = query["seq"]
    found = []
    for e in entries:
        if not first <= e["seq"] <= last:
            continue
        if e["action"] != query["action"] or e["object_type"] != query["object_type"]:
            continue
        wanted = {
            k.removeprefix("details."): v for k, v in query.items() if k.startswith("details.")
        }
        details = e["details"]
        if not all(
            set(value) <= set(details.get(key) or [])
            if isinstance(value, list)
            else details.get(key) == value
            for key, value in wanted.items()
        ):
            continue
        found.append(e["seq"])
    return found


def test_figures_recount_from_the_exported_audit_trail(world: World) -> None:  # noqa: F811
    _seed(world)
    period = current_quarter()
    report = transparency_report(world.session, officer("auditor"), period)
    values = {f.key: f.value for f in report.figures()}
    assert values["alerts.refused"] == 2
    assert values["alerts.refused.political"] == 2
    assert values["alerts.refused.insufficient_identifiers"] == 1
    assert values["alerts.approved"] == 1
    assert values["requests.received.access"] == 2
    assert values["requests.received.deletion"] == 1
    assert values["requests.received.correction"] == 1
    assert values["requests.decided.granted"] == 2 and values["requests.decided.refused"] == 1
    assert values["requests.decided_in_time"] == 1 and values["requests.decided_late"] == 1
    assert values["requests.open_overdue"] == 1 and values["requests.open_in_time"] == 1

    exported = _export(world)
    head_seq, head_hash = report.chain_head
    assert exported[head_seq - 1]["hash"] == head_hash
    inside = [
        e["seq"]
        for e in exported
        if period.start <= datetime.fromisoformat(e["at"]) < period.end and e["seq"] <= head_seq
    ]
    assert (report.range.first_seq, report.range.last_seq) == (min(inside), max(inside))
    by_seq = {e["seq"]: e for e in exported}
    for figure in report.figures():
        if figure.key.startswith(("alerts.", "requests.received.", "requests.decided.")):
            assert _recount(exported, figure) == list(figure.seqs), figure.key
        assert len(figure.seqs) == figure.value, figure.key
    # The clock figures, recomputed from the export's own "received" entries and their due dates.
    due = {
        e["object_id"]: datetime.fromisoformat(e["details"]["due"])
        for e in exported
        if e["object_type"] == "rights_request" and e["details"].get("event") == "received"
    }
    first_decided: dict[str, dict[str, Any]] = {}
    for e in exported:
        if e["object_type"] == "rights_request" and e["details"].get("event") == "decided":
            first_decided.setdefault(e["object_id"], e)
    late = sorted(
        e["seq"]
        for e in first_decided.values()
        if datetime.fromisoformat(e["at"]) > due[e["object_id"]]
    )
    in_time = sorted(
        e["seq"]
        for e in first_decided.values()
        if datetime.fromisoformat(e["at"]) <= due[e["object_id"]]
    )
    assert list(report.decided_late.seqs) == late and list(report.decided_in_time.seqs) == in_time
    now = utcnow()
    overdue = sorted(
        next(
            s
            for s, e in by_seq.items()
            if e["object_id"] == rid and e["details"].get("event") == "received"
        )
        for rid, limit in due.items()
        if rid not in first_decided and limit < now
    )
    assert list(report.open_overdue.seqs) == overdue


def test_reading_it_is_audited_and_limited_to_audit_readers(world: World) -> None:  # noqa: F811
    _seed(world)
    with pytest.raises(PermissionDeniedError):
        transparency_report(world.session, officer("liaison"), current_quarter())
    report = transparency_report(world.session, officer("dpo"), current_quarter())
    exported = _export(world)
    consultations = [e for e in exported if e["object_type"] == "transparency_report"]
    assert len(consultations) == 1 and consultations[0]["action"] == "consultation"
    assert consultations[0]["details"]["seq"] == [report.range.first_seq, report.range.last_seq]


def test_an_empty_period_has_no_range(world: World) -> None:  # noqa: F811
    from jisr.reports.periods import calendar_quarter

    report = transparency_report(world.session, officer("auditor"), calendar_quarter(2020, 1))
    assert (report.range.first_seq, report.range.last_seq) == (0, 0)
    assert all(f.value == 0 for f in report.figures())
