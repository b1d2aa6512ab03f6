"""One msgid, one translation per language: the console merges every area's catalogue, so a word
translated two ways would show one area's sense on another area's page."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from jisr.web import i18n, messages
from tests.web.conftest import Console


def test_no_msgid_is_translated_two_ways_in_one_language() -> None:
    assert messages.collisions() == []


@pytest.mark.parametrize(
    ("lang", "context", "msgid", "expected"),
    [
        ("ar", None, "Subject", "الموضوع"),  # a message's subject (compose, lists)
        ("ar", "person", "Subject", "الشخص المعني"),  # the person an alert is about
        ("fr", None, "Subject", "Objet"),
        ("fr", "person", "Subject", "Personne visée"),
        ("ar", None, "Open", "فتح"),  # the verb (a link, a button)
        ("ar", "status", "Open", "مفتوح"),  # a request still open
        ("fr", None, "Open", "Ouvrir"),
        ("fr", "status", "Open", "En cours"),
        ("fr", "alert", "Expired", "Expirée"),  # une alerte
        ("fr", None, "Expired", "Expiré"),  # un accord, un indicateur
        ("fr", "operation", "Active", "Active"),
        ("fr", None, "Active", "Actif"),
        ("ar", "audit action", "Collection", "جمع"),
        ("ar", None, "Collection", "المجموعة"),  # a TAXII collection
    ],
)
def test_each_sense_reads_right(lang: str, context: str | None, msgid: str, expected: str) -> None:
    found = (
        i18n.gettext(lang, msgid)
        if context is None
        else i18n.gettext(lang, i18n.pgettext_lazy(context, msgid))
    )
    assert found == expected


def test_screening_never_reads_as_the_audit_word() -> None:
    # التدقيق is the console's word for audit ("سجل التدقيق"); screening is الفحص الأمني.
    audit_word = re.compile("دق")
    path = i18n.LOCALES_DIR / "ar" / "LC_MESSAGES" / "screening.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="ar")
    about_screening = [
        m for m in catalog if m.id and re.search("screen|check", str(m.id), re.IGNORECASE)
    ]
    assert about_screening
    for message in about_screening:
        assert not audit_word.search(str(message.string)), message.id
    assert i18n.gettext("ar", "Screening") == "الفحص الأمني"


def test_contexts_are_extracted_and_checked() -> None:
    found = messages.entries()
    assert ("Open", "status") in found["exchange"]
    assert ("Subject", "person") in found["notices"]
    assert ("Collection", "audit action") in found["audit"]


@pytest.mark.parametrize(
    ("lang", "subject", "other_sense"),
    [("ar", "الموضوع", "الشخص المعني"), ("fr", "Objet", "Personne visée")],
)
def test_compose_form_subject_reads_as_a_message_subject(
    console: Console, lang: str, subject: str, other_sense: str
) -> None:
    console.sign_in("amal.liaison")
    console.post("/language", {"lang": lang, "next": "/"})
    page = console.client.get("/exchange/compose")
    assert page.status_code == 200
    label = re.search(r'<label for="f-subject"[^>]*>(.*?)</label>', page.text, re.S)
    assert label, page.text[:500]
    assert subject in label.group(1)
    assert other_sense not in page.text
