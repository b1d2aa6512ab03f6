"""Case pages in the console: the list with its filters and count, the case page with its
timeline, and each management form (hold, close with an outcome, reopen, assign, due date,
labels, links, members), as an officer would use them; a partner's case shows its owner's
status and offers no status change."""

from __future__ import annotations

import re

from sqlalchemy import select

from jisr.exchange.models import Case, CaseEvent, Message
from tests.web.conftest import Console
from tests.web.test_exchange_pages import compose_form, partner, receive

__all__ = ["partner"]


def _compose(console: Console, subject: str = "Smuggling network, Tangier route") -> str:
    response = console.post("/exchange/compose", compose_form(subject=subject))
    assert response.status_code == 200, response.text[:2000]
    with console.session() as session:
        return str(
            session.execute(select(Message.case_ref).where(Message.subject == subject)).scalar_one()
        )


def _case(console: Console, ref: str) -> Case:
    with console.session() as session:
        case = session.get(Case, ref)
        assert case is not None
        session.expunge(case)
        return case


def test_an_officer_manages_a_case_from_its_page(partner: Console) -> None:
    partner.sign_in("amal.liaison")
    ref = _compose(partner)
    url = f"/exchange/cases/{ref}"
    page = partner.client.get(url).text
    assert "Timeline" in page and "Case opened" in page and "Put on hold" in page
    assert "Smuggling network, Tangier route" in page  # the message, in the timeline

    # Closing without an outcome is refused beside the field, and what was typed is kept.
    refused = partner.post(f"{url}/status", {"action": "close", "note": "Arrested in Tangier"})
    assert refused.status_code == 422 and "Choose the outcome." in refused.text
    assert "Arrested in Tangier" in refused.text
    assert _case(partner, ref).status == "open"

    held = partner.post(f"{url}/status", {"action": "hold", "reason": "Waiting for Paris"})
    assert held.status_code == 200 and "The case is on hold" in held.text
    assert "Case put on hold" in held.text and "Waiting for Paris" in held.text
    closed = partner.post(
        f"{url}/status",
        {"action": "close", "outcome": "arrest", "note": "The organiser was arrested in Tangier."},
    )
    assert "Arrest or person located" in closed.text
    assert _case(partner, ref).status == "closed"
    # A closed case offers reopening only, and refuses other changes with a clear message.
    assert "Reopen the case" in closed.text and "Working on this case" not in closed.text
    late = partner.post(f"{url}/labels", {"add": "late"})
    assert late.status_code == 422 and "The case is closed: reopen it first." in late.text
    partner.post(f"{url}/status", {"action": "reopen", "reason": "A new lead"})
    assert _case(partner, ref).status == "open"

    with partner.session() as session:
        liaison = session.execute(
            select(Case.created_by).where(Case.ref == ref)
        ).scalar_one()  # fmt: skip
    assert liaison
    page = partner.client.get(url).text
    [amal] = re.findall(r'<option value="(user:[^"]+)">Amal</option>', page)[:1]
    assigned = partner.post(f"{url}/assign", {"assignee": amal})
    assert "The case&#39;s assignee is changed." in assigned.text
    assert _case(partner, ref).assignee == amal
    partner.post(f"{url}/due", {"due_date": "2031-01-15"})
    assert _case(partner, ref).due_at is not None
    partner.post(f"{url}/labels", {"add": "Tangier route, طنجة"})
    assert _case(partner, ref).labels == ["tangier route", "طنجة"]
    partner.post(f"{url}/labels", {"remove": "طنجة"})
    assert _case(partner, ref).labels == ["tangier route"]
    bad = partner.post(f"{url}/links", {"kind": "alert", "target": "not an id"})
    assert bad.status_code == 422 and "This is not the reference" in bad.text
    other = _compose(partner, "Second route, Nador")
    linked = partner.post(f"{url}/links", {"kind": "case", "target": other})
    assert "Second route, Nador" in linked.text  # the linked case, by its title
    alert = "MA-DGST:notice:01JALERT0000000000000000AB"
    partner.post(f"{url}/links", {"kind": "alert", "target": alert})
    page = partner.client.get(url).text
    assert "Not held here or not visible to you" in page
    partner.post(f"{url}/links", {"kind": "alert", "target": alert, "remove": "1"})
    partner.post(f"{url}/members", {"member": "role:border_officer"})
    assert "role:border_officer" in _case(partner, ref).member_keys
    partner.post(f"{url}/members", {"member": "role:border_officer", "remove": "1"})
    assert "role:border_officer" not in _case(partner, ref).member_keys
    with partner.session() as session:
        events = session.execute(
            select(CaseEvent.event).where(CaseEvent.case_ref == ref).order_by(CaseEvent.id)
        ).scalars().all()  # fmt: skip
    assert events == [
        "opened", "held", "closed", "reopened", "assigned", "due_set", "labelled", "labelled",
        "linked", "linked", "unlinked", "member_added", "member_removed",
    ]  # fmt: skip

    listing = partner.client.get("/exchange/cases", params={"status": "open", "assignee": "me"})
    assert "1 case" in listing.text and "Smuggling network, Tangier route" in listing.text
    assert "Second route, Nador" not in listing.text
    labelled = partner.client.get("/exchange/cases", params={"label": "Tangier Route"})
    assert "Smuggling network" in labelled.text and "Second route" not in labelled.text


def test_a_partners_case_shows_the_owners_status_and_no_status_form(partner: Console) -> None:
    receive(partner)
    partner.sign_in("amal.liaison")
    with partner.session() as session:
        ref = session.execute(select(Message.case_ref)).scalar_one()
    page = partner.client.get(f"/exchange/cases/{ref}").text
    assert "set by the case's owner, FR-DGSI" in page
    assert 'action="/exchange/cases/' + ref + '/status"' not in page
    assert "Working on this case" in page  # its own notes, though
    refused = partner.post(f"/exchange/cases/{ref}/status", {"action": "hold", "reason": "ours?"})
    assert refused.status_code == 403


def test_an_auditor_reads_the_case_and_its_timeline_but_gets_no_form(partner: Console) -> None:
    partner.sign_in("amal.liaison")
    ref = _compose(partner)
    partner.client.post("/sign-out", data={"csrf_token": partner.csrf})
    partner.sign_in("hind.auditor")
    page = partner.client.get(f"/exchange/cases/{ref}").text
    assert "Timeline" in page and "Case opened" in page
    assert '<form method="post" action="/exchange/cases/' not in page
    assert partner.post(f"/exchange/cases/{ref}/labels", {"add": "x"}).status_code == 403


def test_the_case_page_in_arabic_and_french_and_its_print_stylesheet(partner: Console) -> None:
    partner.sign_in("amal.liaison")
    ref = _compose(partner)
    partner.post(f"/exchange/cases/{ref}/status", {"action": "hold", "reason": "Waiting"})
    partner.post("/language", {"lang": "ar", "next": "/"})
    page = partner.client.get(f"/exchange/cases/{ref}").text
    assert '<html lang="ar" dir="rtl">' in page and "التسلسل الزمني" in page
    assert "عُلّق الملف" in page and "Timeline" not in page
    assert re.search(r'href="/static/print.css\?v=[0-9a-f]+"', page)
    partner.post("/language", {"lang": "fr", "next": "/"})
    listing = partner.client.get("/exchange/cases").text
    assert "Dossier en attente" in listing and "1 dossier" in listing
    css = partner.client.get("/static/print.css")
    assert css.status_code == 200 and "@media print" in css.text
