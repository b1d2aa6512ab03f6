"""The synthetic-people generator: determinism, realistic conventions, every noise kind."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from benchmarks.screening.synthetic import (
    NOISE_KINDS,
    Person,
    generate_people,
    innocent_travellers,
    iter_people,
    noisy_variant,
    to_subjects,
)

PEOPLE = generate_people(2000, seed=7)


def _first(culture: str, predicate: object = None) -> Person:
    for person in PEOPLE:
        if person.culture == culture and (predicate is None or predicate(person)):  # type: ignore[operator]
            return person
    raise AssertionError(f"no {culture} person")


def test_deterministic_by_seed() -> None:
    assert generate_people(300, seed=7) == PEOPLE[:300]
    assert generate_people(300, seed=8) != PEOPLE[:300]
    assert list(iter_people(50, seed=7)) == PEOPLE[:50]


def test_distribution_and_scripts() -> None:
    cultures = Counter(p.culture for p in PEOPLE)
    assert set(cultures) == {"maghreb", "mashriq", "french", "spanish", "english", "chinese"}
    for person in PEOPLE:
        if person.culture in ("maghreb", "mashriq"):
            assert person.arabic_name and all(
                "\u0600" <= c <= "\u06ff" or c == " " for c in person.arabic_name
            )
            assert len(person.arabic_given) == len(person.given)
        if person.culture == "chinese":
            assert person.chinese_name and person.family_first
            assert person.latin_name.startswith(person.family[0])
        if person.culture == "spanish":
            assert len(person.family) == 2
    assert len({p.id for p in PEOPLE}) == len(PEOPLE)
    # Zipf-like first names: the commonest Maghreb male name is frequent, as in life.
    firsts = Counter(p.given[0] for p in PEOPLE if p.culture == "maghreb" and p.gender == "male")
    assert firsts.most_common(1)[0][0] == "Mohamed"


def test_travellers_share_names_but_not_identities() -> None:
    travellers = innocent_travellers(2000, seed=7)
    assert all(t.id.startswith("T") for t in travellers)
    listed_names = {p.given[0] for p in PEOPLE}
    shared = sum(1 for t in travellers if t.given[0] in listed_names)
    assert shared > len(travellers) * 0.8
    assert {t.passport for t in travellers}.isdisjoint({p.passport for p in PEOPLE})


def test_arabic_script_and_latin_variant() -> None:
    rng = random.Random(1)
    person = _first("maghreb", lambda p: p.given[0] == "Mohamed")
    arabic = noisy_variant(person, rng, "arabic_script")
    assert (
        arabic is not None and arabic.name == person.arabic_name and arabic.name.startswith("محمد")
    )
    assert arabic.variant_of == person.id and arabic.noise == "arabic_script"
    variant = noisy_variant(person, rng, "latin_variant")
    assert variant is not None and variant.name != person.name
    assert noisy_variant(_first("french"), rng, "arabic_script") is None


def test_typo_is_one_edit() -> None:
    from rapidfuzz.distance import Levenshtein

    rng = random.Random(2)
    for person in PEOPLE[:200]:
        typo = noisy_variant(person, rng, "typo")
        assert typo is not None
        assert 1 <= Levenshtein.distance(typo.name, person.name, weights=(1, 1, 1)) <= 2


def test_swap_drop_join_split() -> None:
    rng = random.Random(3)
    person = _first("mashriq", lambda p: len(p.given) > 1)
    swapped = noisy_variant(person, rng, "swap")
    assert swapped is not None and swapped.name.startswith(person.family[0])
    dropped = noisy_variant(person, rng, "drop_middle")
    assert dropped is not None
    assert dropped.name == f"{person.given[0]} {person.family[0]}"
    assert dropped.arabic_name == f"{person.arabic_given[0]} {person.arabic_family[0]}"
    elamrani = _first("maghreb", lambda p: p.family == ("El Amrani",))
    joined = noisy_variant(elamrani, rng, "join_split")
    assert joined is not None and joined.name.endswith("Elamrani")
    spanish = _first("spanish", lambda p: len(p.given) == 1)
    assert noisy_variant(spanish, rng, "drop_middle").family == spanish.family[:1]  # type: ignore[union-attr]


def test_chinese_chars_and_pinyin() -> None:
    rng = random.Random(4)
    person = _first("chinese")
    chars = noisy_variant(person, rng, "chinese_chars")
    assert chars is not None and chars.name == person.chinese_name
    pinyin = noisy_variant(person, rng, "pinyin")
    assert pinyin is not None and person.family[0].lower() in pinyin.name.lower()
    assert noisy_variant(_first("english"), rng, "pinyin") is None


def test_partial_dob_and_unknown_kind() -> None:
    rng = random.Random(5)
    person = PEOPLE[0]
    partial = noisy_variant(person, rng, "partial_dob")
    assert partial is not None
    assert len(partial.birth_date) in (4, 7) and person.birth_date.startswith(partial.birth_date)
    with pytest.raises(ValueError, match="unknown noise kind"):
        noisy_variant(person, rng, "nonsense")


@pytest.mark.parametrize("kind", NOISE_KINDS)
def test_every_kind_applies_to_someone(kind: str) -> None:
    rng = random.Random(6)
    assert any(noisy_variant(p, rng, kind) is not None for p in PEOPLE[:300])


def test_to_subjects() -> None:
    person = _first("maghreb")
    query, entry = next(to_subjects([person])), next(to_subjects([person], all_scripts=True))
    assert query.names == (person.latin_name,)
    assert entry.names == (person.latin_name, person.arabic_name)
    assert query.birth_dates == (person.birth_date,) and query.documents == (person.passport,)
    assert query.nationalities == (person.nationality,) and query.gender == person.gender
