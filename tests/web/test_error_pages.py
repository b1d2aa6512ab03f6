"""Console error pages speak the reader's language: a malformed address or a domain refusal is
explained by its error type or code, never with a library's English validation text."""

from __future__ import annotations

import pytest

from jisr.web import i18n
from jisr.web.forms import error_message
from tests.web.conftest import Console


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_a_malformed_id_in_the_address_is_explained_in_the_readers_language(
    console: Console, lang: str
) -> None:
    console.sign_in("salma.border")
    console.post("/language", {"lang": lang, "next": "/"})
    page = console.client.get("/screening/hits/not-a-hit-id", headers={"accept": "text/html"})
    assert page.status_code == 422
    assert "String should match pattern" not in page.text
    assert "^[A-Z]" not in page.text
    assert i18n.gettext(lang, "This does not have the expected format.") in page.text
    assert '<code dir="ltr">hit_id</code>' in page.text
    assert "validation_failed" in page.text


def test_a_domain_refusal_gets_a_translated_sentence_and_its_english_detail(
    console: Console,
) -> None:
    console.sign_in("salma.border")
    console.post("/language", {"lang": "fr", "next": "/"})
    missing = "MA-DGST:hit:01JZZZZZZZZZZZZZZZZZZZZZZZ"
    page = console.client.get(f"/screening/hits/{missing}")
    assert page.status_code == 404
    assert (
        i18n.gettext(
            "fr", "There is nothing at this address, or it is not shared with your agency."
        )
        in page.text
    )
    assert 'lang="en"' in page.text  # the domain's own words, marked as English


def test_every_pydantic_error_type_gets_a_msgid_never_its_english() -> None:
    assert error_message("string_pattern_mismatch") == "This does not have the expected format."
    assert error_message("some_new_pydantic_type") == "This value is not valid."
    assert error_message(None) == "This value is not valid."
