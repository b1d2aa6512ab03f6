"""Changing alerts through the console: editing a draft (errors in French keep what was typed),
extending a published alert, retracting a review decision, and the automated findings in the
viewer's language; each control only for those policy lets use it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from jisr.clock import utcnow
from jisr.identity.auth import actor_for
from jisr.identity.models import Role, User
from jisr.notices import drafting, review
from jisr.notices.models import Notice, NoticeReview
from jisr.notices.schemas import NoticeCreate, ReviewCreate
from tests.web.conftest import Console
from tests.web.test_notices_pages import REVIEWER, add_user, create_alert, notice_row


def _edit_form(console: Console, notice_id: str) -> dict[str, str]:
    """The edit form as the page fills it in (what a browser would send back unchanged)."""
    page = console.client.get(f"/alerts/{notice_id}/edit")
    assert page.status_code == 200, page.text[:2000]
    form = page.text.split(f'action="/alerts/{notice_id}/edit"', 1)[1].split("</form>", 1)[0]
    values = dict(
        re.findall(r'<input id="f-[^"]+" name="([^"]+)" type="[^"]+" value="([^"]*)"', form)
    )
    for name, text in re.findall(
        r'name="([^"]+)" rows="\d+" dir="auto"[^>]*>([^<]*)</textarea>', form
    ):
        values[name] = text
    for name, body in re.findall(
        r'<select id="f-[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', form, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        values[name] = chosen.group(1) if chosen else ""
    for name in re.findall(r'name="([^"]+)" value="on" id="f-[^"]+" checked', form):
        values[name] = "on"
    return {k: v.replace("&#39;", "'").replace("&amp;", "&") for k, v in values.items()}


def _publish(console: Console) -> str:
    """An alert written by the liaison officer (signed in), approved by a second one (through
    the service: one sign-in per user and test), then published through the console."""
    add_user(console, REVIEWER, [Role.LIAISON])
    console.sign_in("amal.liaison")
    notice_id, _page = create_alert(console)
    with console.session() as session:
        reviewer = session.execute(select(User).where(User.username == REVIEWER)).scalar_one()
        review.review_notice(
            session, actor_for(reviewer), notice_id, ReviewCreate(decision="approve")
        )
        session.commit()
    assert console.post(f"/alerts/{notice_id}/publish").status_code == 200
    assert notice_row(console, notice_id).status == "published"
    return notice_id


def test_the_author_edits_a_draft_and_submits_it(console: Console) -> None:
    console.sign_in("amal.liaison")
    notice_id, page = create_alert(console, warrant_reference="", max_penalty_years="1")
    assert notice_row(console, notice_id).status == "draft"
    assert f'href="/alerts/{notice_id}/edit"' in page.text
    # A draft's validity is changed in the edit form, not extended.
    assert f"/alerts/{notice_id}/extend" not in page.text
    form = _edit_form(console, notice_id)
    assert form["title"] == "Organiser of a migrant-smuggling route"
    assert form["name"] == "Youssef Benkirane-Test" and "王小明" in form["other_names"]
    assert form["document_number"] == "ZZ0000001" and form["nationality"] == "MA"
    assert form["max_penalty_years"] == "1" and form["warrant_reference"] == ""

    form.update(warrant_reference="Arrest warrant 2026/118", max_penalty_years="10", then="submit")
    saved = console.post(f"/alerts/{notice_id}/edit", form)
    assert saved.status_code == 200 and saved.url.path == f"/alerts/{notice_id}"
    assert "passed the automated checks and waits for review" in saved.text
    notice = notice_row(console, notice_id)
    assert notice.status == "in_review"
    assert notice.warrant_reference == "Arrest warrant 2026/118" and notice.max_penalty_years == 10
    # The subject went through the form untouched: every spelling and the passport stay.
    assert notice.subject["properties"]["name"] == [
        "Youssef Benkirane-Test",
        "يوسف بنكيران",
        "王小明",
    ]
    assert notice.subject["properties"]["passportNumber"] == ["ZZ0000001"]
    [edit] = [e for e in console.audit("alteration", "notice") if e.details["event"] == "updated"]
    assert edit.object_id == notice_id and edit.actor == "amal.liaison"
    assert edit.details["fields"] == ["max_penalty_years", "warrant_reference"]


def test_saving_as_draft_and_saving_nothing(console: Console) -> None:
    console.sign_in("amal.liaison")
    notice_id, _page = create_alert(console)
    assert notice_row(console, notice_id).status == "in_review"
    form = _edit_form(console, notice_id)
    unchanged = console.post(f"/alerts/{notice_id}/edit", {**form, "then": "save"})
    assert unchanged.status_code == 200 and "Nothing was changed." in unchanged.text
    assert notice_row(console, notice_id).status == "in_review"
    form.update(other_names="يوسف بنكيران", birth_date="1984-03-13", then="save")
    saved = console.post(f"/alerts/{notice_id}/edit", form)
    assert "saved as a draft" in saved.text
    notice = notice_row(console, notice_id)
    assert notice.status == "draft" and notice.checks == []
    props = notice.subject["properties"]
    assert props["name"] == ["Youssef Benkirane-Test", "يوسف بنكيران"]
    assert props["birthDate"] == ["1984-03-13"]


def test_edit_errors_in_french_keep_what_was_typed(console: Console) -> None:
    console.sign_in("amal.liaison")
    notice_id, _page = create_alert(console, warrant_reference="")
    console.post("/language", {"lang": "fr", "next": "/"})
    form = _edit_form(console, notice_id)
    form.update(title="Passeur recherché", nationality="Maroc", name="", then="submit")
    response = console.post(f"/alerts/{notice_id}/edit", form)
    assert response.status_code == 422
    assert 'lang="fr"' in response.text and "Modifier l’alerte" in response.text
    assert "Le format n'est pas celui attendu." in response.text
    assert 'value="Passeur recherché"' in response.text and 'value="Maroc"' in response.text
    assert 'aria-invalid="true" aria-describedby="e-nationality"' in response.text
    # The name left empty: required while the form shows the person.
    fixed = {**form, "nationality": "MA"}
    missing = console.post(f"/alerts/{notice_id}/edit", fixed)
    assert missing.status_code == 422 and 'aria-describedby="e-name"' in missing.text
    assert "Ce champ est obligatoire." in missing.text
    notice = notice_row(console, notice_id)
    assert notice.title == "Organiser of a migrant-smuggling route"
    # A date the service refuses is shown beside the field, in French too.
    past = console.post(
        f"/alerts/{notice_id}/edit", {**fixed, "name": "Youssef", "valid_until": "2001-01-01"}
    )
    assert past.status_code == 422 and 'aria-describedby="e-valid_until"' in past.text
    assert "Choisissez une date" in past.text
    assert notice_row(console, notice_id).valid_until.year != 2001


def test_an_edit_keeps_what_the_form_cannot_show(console: Console) -> None:
    with console.session() as session:
        user = session.execute(select(User).where(User.username == "amal.liaison")).scalar_one()
        subject = {
            "id": "p1",
            "schema": "Person",
            "properties": {
                "name": ["Omar Fictif-Test"],
                "birthDate": ["1970", "1971"],
                "alias": ["Abu Test"],
            },
        }
        notice = drafting.create_notice(
            session,
            actor_for(user),
            NoticeCreate.model_validate(
                {"alert_type": "locate", "title": "Written through the API",
                 "subject": subject, "crime_area": "organised_crime"}
            ),
        )  # fmt: skip
        notice_id, before = notice.id, dict(notice.subject)
        session.commit()
    console.sign_in("amal.liaison")
    page = console.client.get(f"/alerts/{notice_id}/edit")
    assert "<fieldset disabled" in page.text and "written through the API" in page.text
    form = _edit_form(console, notice_id)
    form.update(title="Written through the API, edited in the console", then="save")
    assert console.post(f"/alerts/{notice_id}/edit", form).status_code == 200
    notice = notice_row(console, notice_id)
    assert notice.title == "Written through the API, edited in the console"
    assert notice.subject == before


def test_the_owner_extends_a_published_alert(console: Console) -> None:
    notice_id = _publish(console)
    before = notice_row(console, notice_id).valid_until
    page = console.client.get(f"/alerts/{notice_id}")
    assert f'action="/alerts/{notice_id}/extend"' in page.text
    earlier = (before - timedelta(days=30)).date().isoformat()
    refused = console.post(f"/alerts/{notice_id}/extend", {"valid_until": earlier})
    assert refused.status_code == 422
    assert "Choose a date after the current expiry" in refused.text
    assert f'value="{earlier}"' in refused.text
    later = (before + timedelta(days=365)).date()
    extended = console.post(f"/alerts/{notice_id}/extend", {"valid_until": later.isoformat()})
    assert extended.status_code == 200 and "validity is extended" in extended.text
    notice = notice_row(console, notice_id)
    assert notice.valid_until.date() == later and notice.version == 2
    [entry] = [e for e in console.audit("alteration", "notice") if e.details["event"] == "extended"]
    assert entry.object_id == notice_id and entry.details["to"].startswith(later.isoformat())


def test_a_published_alert_edit_that_needs_review_is_refused(console: Console) -> None:
    notice_id = _publish(console)
    page = console.client.get(f"/alerts/{notice_id}/edit")
    assert "Save and send to partners" in page.text
    form = _edit_form(console, notice_id)
    form.update(title="Opposition leader wanted for smuggling", then="save")
    refused = console.post(f"/alerts/{notice_id}/edit", form)
    assert refused.status_code == 422 and "would need a new compliance review" in refused.text
    assert 'value="Opposition leader wanted for smuggling"' in refused.text
    assert notice_row(console, notice_id).title == "Organiser of a migrant-smuggling route"
    form.update(summary="Seen in Tangier port in March.")
    sent = console.post(f"/alerts/{notice_id}/edit", {**form, "title": "Smuggling organiser"})
    assert sent.status_code == 200 and "receive the new version" in sent.text
    notice = notice_row(console, notice_id)
    assert notice.status == "published" and notice.version == 2
    assert notice.summary == "Seen in Tangier port in March."


def test_a_reviewer_retracts_a_decision(console: Console) -> None:
    add_user(console, REVIEWER, [Role.LIAISON])
    console.sign_in("amal.liaison")
    notice_id, _page = create_alert(console)
    console.sign_in(REVIEWER)
    refused = console.post(
        f"/alerts/{notice_id}/review",
        {"decision": "refuse", "grounds": ["no_legal_basis"], "comment": "No treaty"},
    )
    assert refused.status_code == 200
    with console.session() as session:
        decision = session.execute(select(NoticeReview)).scalar_one()
    action = f'action="/alerts/{notice_id}/reviews/{decision.id}/retract"'
    assert action in refused.text
    empty = console.post(f"/alerts/{notice_id}/reviews/{decision.id}/retract", {})
    assert empty.status_code == 422 and 'aria-describedby="e-retract_reason"' in empty.text
    assert notice_row(console, notice_id).status == "refused"
    retracted = console.post(
        f"/alerts/{notice_id}/reviews/{decision.id}/retract",
        {"retract_reason": "Wrong alert: the treaty applies"},
    )
    assert retracted.status_code == 200 and "waits for review again" in retracted.text
    assert action not in retracted.text and "(retracted)" in retracted.text
    assert notice_row(console, notice_id).status == "in_review"
    with console.session() as session:
        assert session.get(NoticeReview, decision.id).deleted_at is not None  # type: ignore[union-attr]
    [entry] = [
        e for e in console.audit("alteration", "notice") if e.details["event"] == "review_retracted"
    ]
    assert entry.justification == "Wrong alert: the treaty applies"
    assert entry.details["review"] == decision.id


def test_controls_only_for_those_allowed(console: Console) -> None:
    notice_id = _publish(console)
    mine = console.client.get(f"/alerts/{notice_id}").text
    assert f'href="/alerts/{notice_id}/edit"' in mine and f"/alerts/{notice_id}/extend" in mine
    console.sign_in("hind.auditor")
    page = console.client.get(f"/alerts/{notice_id}")
    assert page.status_code == 200
    for control in ("/edit", "/extend", "/retract", "What you can do"):
        assert control not in page.text, control
    assert console.client.get(f"/alerts/{notice_id}/edit").status_code == 403
    denied = console.post(f"/alerts/{notice_id}/extend", {"valid_until": "2040-01-01"})
    assert denied.status_code == 403
    assert notice_row(console, notice_id).valid_until.year != 2040
    # A closed alert is not edited or extended any more, even by its owner's liaison desk.
    console.sign_in(REVIEWER)
    console.post(f"/alerts/{notice_id}/close", {"action": "withdraw", "reason": "Warrant lifted"})
    assert notice_row(console, notice_id).status == "withdrawn"
    closed = console.client.get(f"/alerts/{notice_id}")
    assert f"/alerts/{notice_id}/edit" not in closed.text and "/extend" not in closed.text
    assert console.client.get(f"/alerts/{notice_id}/edit").status_code == 409


def test_findings_are_shown_in_arabic_with_their_codes(console: Console) -> None:
    console.sign_in("amal.liaison")
    console.post("/language", {"lang": "ar", "next": "/"})
    notice_id, page = create_alert(console, warrant_reference="", max_penalty_years="1")
    checks = page.text.split('id="checks-title"', 1)[1].split("</section>", 1)[0]
    assert "مرجع مذكرة التوقيف أو القرار القضائي" in checks
    assert "completeness.missing" in checks and "seriousness.below_threshold" in checks
    assert "the arrest warrant" not in checks and 'lang="en"' not in checks
    # Flagged for review: the queue says why in Arabic.
    add_user(console, REVIEWER, [Role.LIAISON])
    flagged, _ = create_alert(console, political_context="on", title="Smuggling organiser")
    console.sign_in(REVIEWER)
    console.post("/language", {"lang": "ar", "next": "/"})
    queue = console.client.get("/review/alerts").text
    assert "أشار المُصدر إلى سياق سياسي" in queue and "neutrality.flagged" in queue
    assert "the issuer flagged" not in queue


def test_findings_stored_without_codes_are_shown_in_english(console: Console) -> None:
    console.sign_in("amal.liaison")
    notice_id, _page = create_alert(console)
    old = [{"check": "completeness", "outcome": "pass", "message": "all there (old words)"}]
    with console.session() as session:
        session.execute(update(Notice).where(Notice.id == notice_id).values(checks=old))
        session.commit()
    console.post("/language", {"lang": "fr", "next": "/"})
    page = console.client.get(f"/alerts/{notice_id}").text
    assert '<span lang="en">all there (old words)</span>' in page


def test_an_expired_draft_is_given_a_new_date_through_the_edit(console: Console) -> None:
    console.sign_in("amal.liaison")
    notice_id, _page = create_alert(console, warrant_reference="")
    gone = datetime(2020, 1, 1, tzinfo=UTC)
    with console.session() as session:
        session.execute(update(Notice).where(Notice.id == notice_id).values(valid_until=gone))
        session.commit()
    form = _edit_form(console, notice_id)
    form.update(warrant_reference="Warrant 7", then="submit")
    expired = console.post(f"/alerts/{notice_id}/edit", form)
    assert expired.status_code == 422 and "validity has ended" in expired.text
    next_year = (utcnow() + timedelta(days=365)).date().isoformat()
    resubmitted = console.post(f"/alerts/{notice_id}/edit", {**form, "valid_until": next_year})
    assert resubmitted.status_code == 200, resubmitted.text[:2000]
    assert notice_row(console, notice_id).status == "in_review"
