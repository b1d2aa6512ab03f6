"""Readable Latin spellings beside names in other scripts: French- or English-style."""

from __future__ import annotations

import pytest

from jisr.web.names import transliteration
from jisr.web.templating import environment


@pytest.mark.parametrize(
    ("name", "french", "english"),
    [
        # From the table of conventional spellings.
        ("يوسف العمراني", "Youssef El Amrani", "Youssef El Amrani"),
        ("مهدي برادة", "Mehdi Berrada", "Mehdi Berrada"),
        ("شفيق", "Chafik", "Shafiq"),
        ("عبد الرحمن", "Abderrahmane", "Abdulrahman"),
        ("عبدالرحمن", "Abderrahmane", "Abdulrahman"),
        ("محمد ولد عبد العزيز", "Mohamed Ould Abdelaziz", "Mohammed Ould Abdulaziz"),
        ("عبد اللطيف بن يوسف", "Abdellatif Ben Youssef", "Abdullatif bin Youssef"),
        # Tatweel, harakat and Persian letters do not change the reading.
        ("يـــوسُف", "Youssef", "Youssef"),
        ("علی", "Ali", "Ali"),
        # Vocalised fallback: guessed vowels, the reader's consonant convention.
        ("عبد الحي سالك", "Abdelhay Salek", "Abdulhay Salik"),
        ("قاسم", "Kasem", "Qasim"),
        ("سَالِك", "Salik", "Salik"),
        ("غسان التونسي", "Ghasan El Tounasi", "Ghasan Al-Tunasi"),
        # Other scripts.
        ("王小明", "Wang Xiaoming", "Wang Xiaoming"),
        ("Иван Петров", "Ivan Petrov", "Ivan Petrov"),
    ],
)
def test_readable_spelling_for_french_and_english_readers(
    name: str, french: str, english: str
) -> None:
    assert transliteration(name, "fr") == french
    assert transliteration(name, "en") == english
    assert transliteration(name, "ar") == english  # any other language: English-style


@pytest.mark.parametrize("name", ["Jean Dupont", "", "   ", None])
def test_latin_or_empty_names_get_none(name: str | None) -> None:
    assert transliteration(name, "fr") is None


@pytest.mark.parametrize(("lang", "shown"), [("fr", "Chafik"), ("en", "Shafiq")])
def test_the_console_macro_uses_the_viewer_language(lang: str, shown: str) -> None:
    template = environment(lang).from_string(
        '{% from "macros.html" import person_name %}{{ person_name("شفيق") }}'
    )
    html = template.render()
    assert '<bdi dir="auto">شفيق</bdi>' in html
    assert f'<span class="translit" lang="{lang}" dir="ltr">({shown})</span>' in html
