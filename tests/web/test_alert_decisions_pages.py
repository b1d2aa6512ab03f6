"""Alert pages: impossible facts refused on their field; a partner's copy says what its owner
decided, as received; the owner sees, in its language, why a partner got nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from jisr.agreements.models import CrimeArea, DataCategory
from jisr.clock import utcnow
from jisr.federation.envelope import EnvelopeHeader
from jisr.federation.handlers import InboundEnvelope
from jisr.ids import new_id
from jisr.notices.federation import handlers
from jisr.web import i18n
from tests.exchange.conftest import LOCAL, PARTNER, REFERENCE, add_agreement, pin_partner
from tests.web.conftest import Console
from tests.web.test_notices_pages import alert_form


def _field_error(html: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="e-{field}">(.*?)</p>', html, re.S)
    assert match, f"no error on {field}"
    return match.group(1)


@pytest.mark.parametrize("lang", ["ar", "fr"])
@pytest.mark.parametrize(
    ("field", "value", "msgid"),
    [
        ("nationality", "ZZ", "This is not the code of a country (ISO 3166, e.g. MA, FR)."),
        ("birth_date", "2030-01-01", "A date of birth cannot be in the future."),
    ],
)
def test_impossible_facts_are_refused_on_their_field(
    console: Console, lang: str, field: str, value: str, msgid: str
) -> None:
    console.sign_in("amal.liaison")
    console.post("/language", {"lang": lang, "next": "/"})
    page = console.post("/alerts/new", alert_form(**{field: value}))
    assert page.status_code == 422
    assert i18n.gettext(lang, msgid) in _field_error(page.text, field)
    assert f'value="{value}"' in page.text  # what was typed is kept


def _receive_partner_alert(console: Console, *, decisions: bool) -> str:
    notice_id = new_id(PARTNER, "notice")
    now = utcnow()
    payload = {
        "id": notice_id,
        "reference": f"{PARTNER}/2026/R-0042",
        "alert_type": "wanted",
        "title": "Organiser of a smuggling route",
        "subject": {"id": f"{PARTNER}.p1", "schema": "Person",
                    "properties": {"name": ["Rachid Test-Fassi"], "birthDate": ["1981-02-03"]}},
        "crime_area": "migrant_smuggling",
        "data_category": "personal",
        "handling_code": "H0",
        "valid_until": (now + timedelta(days=365)).isoformat(),
        "version": 1,
        "published_at": now.isoformat(),
        "created_by": "Claire Martin",
    }  # fmt: skip
    if decisions:
        payload |= {
            "published_by": "Sophie Laurent",
            "checks": [{"check": "completeness", "outcome": "pass", "code": "completeness.ok",
                        "message": "identifiers, offence and legal basis given", "params": {}}],
            "checked_at": (now - timedelta(hours=2)).isoformat(),
            "review": {"decision": "approve", "decided_at": (now - timedelta(hours=1)).isoformat()},
        }  # fmt: skip
    with console.session() as session:
        pin_partner(session, LOCAL, PARTNER)
        agreement = add_agreement(
            session, LOCAL, PARTNER, crime_areas=[CrimeArea.MIGRANT_SMUGGLING],
            categories=[DataCategory.PERSONAL],
        )  # fmt: skip
        header = EnvelopeHeader(
            id=new_id(PARTNER, "envelope"), sender=PARTNER, recipient=LOCAL,
            agreement=REFERENCE, type="notices.publish", created=now.isoformat(),
            expires=(now + timedelta(days=1)).isoformat(), sender_key="00" * 8,
            recipient_key="11" * 8, digest="ab" * 32, crime_area="migrant_smuggling",
            data_category="personal", handling_code="H0",
        )  # fmt: skip
        envelope = InboundEnvelope(header, payload, agreement.id)
        handlers()["notices.publish"](session, envelope)
        session.commit()
    return notice_id


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_a_partner_copy_shows_the_owners_checks_and_decision(console: Console, lang: str) -> None:
    notice_id = _receive_partner_alert(console, decisions=True)
    console.sign_in("amal.liaison")
    console.post("/language", {"lang": lang, "next": "/"})
    page = console.client.get(f"/alerts/{notice_id}")
    assert page.status_code == 200, page.text[:2000]
    text = page.text
    assert i18n.gettext(lang, "The automated checks have not run yet.") not in text
    assert i18n.gettext(lang, "No review decision yet.") not in text
    decided = i18n.gettext(lang, "As decided by %(agency)s's compliance review on %(when)s.")
    assert decided.split("%(agency)s")[0] in text and PARTNER in text
    assert i18n.gettext(lang, "identifiers, offence and legal basis given") in text
    assert f"Sophie Laurent ({PARTNER})" in text  # who published, not "—"


def test_a_copy_from_an_older_node_says_the_decisions_were_not_sent(console: Console) -> None:
    notice_id = _receive_partner_alert(console, decisions=False)
    console.sign_in("amal.liaison")
    console.post("/language", {"lang": "fr", "next": "/"})
    text = console.client.get(f"/alerts/{notice_id}").text
    assert "n’a pas transmis sa décision d’examen" in text
    assert "n’a pas transmis les résultats de ses contrôles" in text


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_owner_reads_why_partners_got_nothing_and_who_published(
    console: Console, lang: str
) -> None:
    from tests.web.test_notices_changes import _publish

    with console.session() as session:
        pin_partner(session, LOCAL, PARTNER)
        add_agreement(
            session, LOCAL, PARTNER, crime_areas=[CrimeArea.TERRORISM],
            categories=[DataCategory.PERSONAL],
        )  # fmt: skip
        session.commit()
    notice_id = _publish(console)
    console.post("/language", {"lang": lang, "next": "/"})
    text = console.client.get(f"/alerts/{notice_id}").text
    assert "Exchange test agreement" in text  # the agreement by its name, not its id
    assert ":agreement:" not in text
    scope = i18n.gettext(lang, "the crime area “%(area)s” is outside the agreement's scope")
    assert scope.split("%(area)s")[0] in text
    assert "is outside its scope" not in text  # no English reason
    history = text.split('id="history-title"')[1].split('id="reviews-title"')[0]
    # written, submitted and published by the author: the publication names who published
    assert history.count("<bdi>amal.liaison</bdi>") == 3, history
