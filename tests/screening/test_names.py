"""Name analysis: normalisation, particles and skeletons agree across scripts."""

import pytest

from jisr.screening.names import Script, analyze_name, detect_script
from jisr.screening.names.arabic import normalize_arabic
from jisr.screening.names.phonetic import skeleton_variants


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("Salek", Script.LATIN),
        ("سالك", Script.ARABIC),
        ("张伟", Script.HAN),
        ("Путин", Script.OTHER),
    ],
)
def test_detect_script(text: str, script: Script) -> None:
    assert detect_script(text) is script


def test_arabic_normalisation_folds_hamza_diacritics_and_tatweel() -> None:
    assert normalize_arabic("أَحْمَـــد") == "احمد"
    assert normalize_arabic("مصطفى") == "مصطفي"


@pytest.mark.parametrize(
    ("arabic", "latin"),
    [
        ("عبد الحي", "Abdelhay"),
        ("عبد الحي", "Abd al-Hay"),
        ("عبدالرحمن", "Abderrahmane"),
        ("عبد الرحمن", "Abdurrahman"),
        ("عبد اللطيف", "Abdellatif"),
        ("محمد", "Mohamed"),
        ("محمد", "Muhammad"),
        ("شفيق", "Chafik"),
        ("شفيق", "Shafiq"),
        ("يوسف", "Youssef"),
        ("يوسف", "Yusuf"),
        ("أبو بكر", "Boubaker"),
        ("بن علي", "Benali"),
        ("بن علي", "Bin Ali"),
        ("الفاسي", "El-Fassi"),
        ("جمال", "Djamel"),
    ],
)
def test_same_skeleton_in_both_scripts(arabic: str, latin: str) -> None:
    readings = [skeleton_variants(s) for s in analyze_name(arabic).skeletons]
    latin_skeletons = analyze_name(latin).skeletons
    assert len(readings) == len(latin_skeletons)
    for latin_skeleton, arabic_readings in zip(latin_skeletons, readings, strict=True):
        assert set(skeleton_variants(latin_skeleton)) & set(arabic_readings)


@pytest.mark.parametrize(("a", "b"), [("محمد", "سالك"), ("Karim", "Kamal"), ("Youssef", "Yasser")])
def test_different_names_have_different_skeletons(a: str, b: str) -> None:
    assert analyze_name(a).skeletons != analyze_name(b).skeletons


def test_chinese_name_is_surname_then_joined_given_name() -> None:
    assert analyze_name("张小明").tokens == ("zhang", "xiaoming")
    assert analyze_name("欧阳明").tokens == ("ouyang", "ming")


def test_cyrillic_goes_through_icu() -> None:
    assert analyze_name("Ольга Иванова").tokens == ("olga", "ivanova")


def test_organisation_legal_forms_removed() -> None:
    assert analyze_name("Atlas Trading SARL", person=False).tokens == ("atlas", "trading")
    assert len(analyze_name("شركة الأطلس", person=False).tokens) == 1


def test_pack_round_trip() -> None:
    from jisr.screening.names import unpack

    form = analyze_name("عبد الحي سالك")
    assert unpack(form.pack(), form.text) == form
