"""Deterministic, fictional accreditation lists and watchlists for the demo, the tests and the
benchmark. Names are drawn from small pools of common given and family names (Moroccan,
French, Spanish, West African), so no row describes a real person; a seeded generator makes
the same list every time. ``PLANTED`` are two fictional wanted people put on the watchlist and,
written differently, on the accreditation list: the hits the demo expects."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass

GIVEN = (
    "Youssef", "Amine", "Salma", "Khadija", "Omar", "Imane", "Hicham", "Nadia", "Mehdi", "Zineb",
    "Camille", "Lucas", "Chloé", "Hugo", "Manon", "Théo", "Léa", "Nathan", "Inès", "Louis",
    "Lucía", "Mateo", "Sofía", "Hugo", "Martina", "Pablo", "Valeria", "Diego", "Carmen", "Álvaro",
    "Moussa", "Awa", "Ibrahima", "Fatou", "Mamadou", "Aïssatou", "Cheikh", "Mariama", "Ousmane",
)  # fmt: skip
FAMILY = (
    "Bennani", "Alaoui", "Tazi", "Chraibi", "Berrada", "El Amrani", "Fassi", "Idrissi", "Kettani",
    "Lahlou", "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
    "Leroy", "Moreau", "García", "Fernández", "González", "Rodríguez", "López", "Martínez",
    "Sánchez", "Pérez", "Gómez", "Diallo", "Traoré", "Ndiaye", "Diop", "Camara", "Keïta", "Sow",
)  # fmt: skip
COUNTRIES = ("MA", "FR", "ES", "SN", "CI", "EG", "NG", "CM", "DZ", "TN")


@dataclass(frozen=True)
class Planted:
    watchlist_name: str
    birth_date: str
    nationality: str
    # How the person is written on the accreditation list.
    accreditation_name: str


PLANTED = (
    Planted("Tarik Ouazzani Belhaj", "1979-05-14", "MA", "طارق الوزاني بلحاج"),
    Planted("Jean-Baptiste Kervella", "1985-09-02", "FR", "Jean Baptiste KERVELLA"),
)


def watchlist_csv(extra: int = 0, seed: int = 7) -> str:
    """The planted wanted persons, then ``extra`` fictional entries (for the benchmark)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "name", "birth_date", "nationality"])
    for n, person in enumerate(PLANTED, start=1):
        writer.writerow(
            [f"wanted-{n}", person.watchlist_name, person.birth_date, person.nationality]
        )
    rng = random.Random(seed)  # noqa: S311 - fictional data, not secrets
    for n in range(extra):
        writer.writerow(_person(rng, f"w{n}", offset=1))
    return out.getvalue()


def _person(rng: random.Random, row_id: str, offset: int = 0) -> list[str]:
    given = GIVEN[rng.randrange(len(GIVEN))]
    family = FAMILY[(rng.randrange(len(FAMILY)) + offset) % len(FAMILY)]
    second = FAMILY[rng.randrange(len(FAMILY))] if rng.random() < 0.3 else ""
    born = f"{rng.randint(1950, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    name = " ".join(p for p in (given, family, second) if p)
    return [row_id, name, born, COUNTRIES[rng.randrange(len(COUNTRIES))]]


def accreditation_csv(count: int = 500, seed: int = 2025, broken: int = 0) -> str:
    """``count`` fictional applicants (the two planted people among them, at fixed places),
    plus ``broken`` unreadable rows (no name, wrong field count, an id already used)."""
    rng = random.Random(seed)  # noqa: S311 - fictional data, not secrets
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "name", "birth_date", "nationality", "category"])
    places = {count // 3: PLANTED[0], (2 * count) // 3: PLANTED[1]}
    categories = ("staff", "volunteer", "journalist", "delegation")
    for n in range(count):
        planted = places.get(n)
        if planted is not None:
            row = [
                f"acc-{n:06d}",
                planted.accreditation_name,
                planted.birth_date,
                planted.nationality,
            ]
        else:
            row = _person(rng, f"acc-{n:06d}")
        writer.writerow([*row, categories[n % 4]])
    text = out.getvalue()
    bad = (
        "acc-broken-1,,1990-01-01,MA,staff\n",
        "acc-broken-2,Only Three,Fields\n",
        "acc-000000,Same Id Again,1990-01-01,FR,volunteer\n",
    )
    return text + "".join(
        bad[n % len(bad)].replace("broken-", f"broken{n}-") for n in range(broken)
    )
