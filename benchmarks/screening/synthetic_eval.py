"""Full-name data sets from the synthetic people generator, one per kind of noise.

The watchlist holds listed people under their Latin name only; each query is the same person
written another way (Arabic script, another transliteration, a typo, swapped order...). Queries
carry what a passport gives (date of birth, nationality, gender) but no document number, which
would make matching trivial. With ``names_only`` the queries carry the name alone.

Innocent travellers are drawn from the same Zipf distributions, so some carry exactly the full
name of a listed person. They are always different people: a namesake never shares the listed
person's date of birth (it is moved by a few years when it would). Their queries are marked as
``namesakes``: with the name alone no matcher could tell them from the listed person.
"""

from __future__ import annotations

import random
from dataclasses import replace

from benchmarks.screening import synthetic
from benchmarks.screening.datasets import Dataset
from jisr.screening import Subject

KINDS = ("arabic_script", "latin_variant", "typo", "swap", "drop_middle", "join_split",
         "chinese_chars", "pinyin", "partial_dob")  # fmt: skip


def _query(subject: Subject, names_only: bool) -> Subject:
    if names_only:
        return replace(subject, birth_dates=(), nationalities=(), gender=None, documents=())
    return replace(subject, documents=())


def datasets(size: int, seed: int = 11, names_only: bool = False) -> list[Dataset]:
    listed_people = synthetic.generate_people(size, seed)
    listed = list(synthetic.to_subjects(listed_people))
    innocent_people = _distinct(synthetic.innocent_travellers(size, seed), listed_people)
    listed_names = {_full_name(p) for p in listed_people}
    rng = random.Random(seed)
    out = []
    for kind in KINDS:
        positives: list[tuple[Subject, str]] = []
        for person in listed_people:
            variant = synthetic.noisy_variant(person, rng, kind)
            if variant is not None:
                positives.append((_query(synthetic.to_subject(variant), names_only), person.id))
        innocents = []
        namesakes: set[str] = set()
        for person in innocent_people:
            variant = synthetic.noisy_variant(person, rng, kind)
            if variant is not None:
                innocents.append(_query(synthetic.to_subject(variant), names_only))
                if _full_name(person) in listed_names:
                    namesakes.add(variant.id)
        if positives and innocents:
            label = f"synthetic {kind}" + (" (name only)" if names_only else "")
            out.append(Dataset(label, listed, positives, innocents, namesakes=namesakes))
    return out


def _full_name(person: synthetic.Person) -> str:
    return synthetic.fold(person.latin_name).lower()


def _distinct(
    innocents: list[synthetic.Person], listed: list[synthetic.Person]
) -> list[synthetic.Person]:
    """Innocent travellers, none with the full name and birth date of a listed person."""
    born = {(_full_name(p), p.birth_date) for p in listed}
    out = []
    for person in innocents:
        while (_full_name(person), person.birth_date) in born:
            year = int(person.birth_date[:4]) - 3
            person = replace(person, birth_date=f"{year}{person.birth_date[4:]}")
        out.append(person)
    return out
