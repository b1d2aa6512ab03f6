"""The console's catalogues and templates: complete translations, safe markup."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from jisr.web import i18n, messages
from jisr.web.names import transliteration
from jisr.web.templating import TEMPLATES_DIR, environment

_PLACEHOLDER = re.compile(r"%\(\w+\)s")


def test_every_console_string_is_translated_in_arabic_and_french() -> None:
    assert messages.missing() == []


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_translations_keep_their_placeholders(lang: str) -> None:
    for path in (i18n.LOCALES_DIR / lang / "LC_MESSAGES").glob("*.po"):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=lang)
        for message in catalog:
            if not message.id or not message.string:
                continue
            if message.pluralizable:
                # A form for one (or two, in Arabic) may say the number in words; the last
                # form, for any number, keeps every placeholder.
                wanted = set(_PLACEHOLDER.findall(str(message.id[1])))
                forms = [set(_PLACEHOLDER.findall(form)) for form in message.string]
                assert all(form <= wanted for form in forms), f"{path.name}: {message.id!r}"
                assert forms[-1] == wanted, f"{path.name}: {message.id!r}"
                continue
            assert sorted(_PLACEHOLDER.findall(str(message.id))) == sorted(
                _PLACEHOLDER.findall(str(message.string))
            ), f"{path.name}: {message.id!r}"


def test_translations_load_and_differ_by_language() -> None:
    assert i18n.gettext("fr", "Sign in") == "Se connecter"
    assert i18n.gettext("ar", "Sign in") == "تسجيل الدخول"
    assert i18n.gettext("en", "Sign in") == "Sign in"


@pytest.mark.parametrize(
    ("lang", "count", "expected"),
    [
        ("en", 1, "1 row could not be read"),
        ("en", 3, "3 rows could not be read"),
        ("fr", 1, "1 ligne n’a pas pu être lue"),
        ("fr", 2, "2 lignes n’ont pas pu être lues"),
        ("ar", 1, "تعذرت قراءة سطر واحد"),
        ("ar", 2, "تعذرت قراءة سطرين"),
        ("ar", 5, "تعذرت قراءة 5 أسطر"),
        ("ar", 11, "تعذرت قراءة 11 سطراً"),
        ("ar", 100, "تعذرت قراءة 100 سطر"),
    ],
)
def test_plural_forms_follow_each_language(lang: str, count: int, expected: str) -> None:
    template = environment(lang).from_string(
        '{{ ngettext("%(num)s row could not be read", "%(num)s rows could not be read", n) }}'
    )
    assert template.render(n=count) == expected


def test_plural_messages_are_extracted_with_both_forms() -> None:
    found = messages.extract()["screening"]
    assert ("%(num)s row could not be read", "%(num)s rows could not be read") in found


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        ("de-DE,ar;q=0.5,en;q=0.4", "ar"),
        ("en;q=0.2, fr;q=0.9", "fr"),
        ("de, it", None),
        ("", None),
        ("fr;q=abc, ar", "ar"),
    ],
)
def test_accept_language_picks_the_best_supported(header: str, expected: str | None) -> None:
    assert i18n.from_accept_language(header) == expected


def _templates() -> list[Path]:
    return sorted(TEMPLATES_DIR.rglob("*.html"))


@pytest.mark.parametrize("template", _templates(), ids=lambda p: str(p.relative_to(TEMPLATES_DIR)))
def test_templates_have_no_inline_script_style_or_unescaped_output(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)", text), "inline <script>"
    assert not re.search(r"\sstyle=", text), "inline style attribute"
    assert not re.search(r"<style", text), "inline <style>"
    assert not re.search(r"\son[a-z]+=", text), "inline event handler"
    assert "|safe" not in text.replace(" ", ""), "|safe disables escaping"


@pytest.mark.parametrize(
    ("name", "latin"),
    [
        ("عبد الحي سالك", "Abdulhay Salik"),
        ("王小明", "Wang Xiaoming"),
        ("Иван Петров", "Ivan Petrov"),
        ("Jean Dupont", None),
        ("", None),
    ],
)
def test_names_get_a_latin_transliteration_unless_already_latin(
    name: str, latin: str | None
) -> None:
    assert transliteration(name) == latin
