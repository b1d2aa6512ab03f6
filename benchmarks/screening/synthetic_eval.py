"""Full-name data sets from the synthetic people generator, one per kind of noise.

The watchlist holds listed people under their Latin name only; each query is the same person
written another way (Arabic script, another transliteration, a typo, swapped order...). Queries
carry what a passport gives (date of birth, nationality, gender) but no document number, which
would make matching trivial. With ``names_only`` the queries carry the name alone.
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
    innocent_people = synthetic.innocent_travellers(size, seed)
    rng = random.Random(seed)
    out = []
    for kind in KINDS:
        positives: list[tuple[Subject, str]] = []
        for person in listed_people:
            variant = synthetic.noisy_variant(person, rng, kind)
            if variant is not None:
                positives.append((_query(synthetic.to_subject(variant), names_only), person.id))
        innocents = []
        for person in innocent_people:
            variant = synthetic.noisy_variant(person, rng, kind)
            if variant is not None:
                innocents.append(_query(synthetic.to_subject(variant), names_only))
        if positives and innocents:
            label = f"synthetic {kind}" + (" (name only)" if names_only else "")
            out.append(Dataset(label, listed, positives, innocents))
    return out
