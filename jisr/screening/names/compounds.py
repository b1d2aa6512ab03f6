"""Compound name parts opened at their particle: ``abdulrahim`` is ``abd`` + ``rahim``.

Both scripts bind a particle to the word after it (``arabic.arabic_tokens``,
``latin.latin_tokens``), so ``Abd al-Rahim`` and ``عبد الرحيم`` are one token. That binding
fails when the particle is not beside its word: parts reordered (``RAHIM Mufti Abdul`` for
``Mufti Abdul RAHIM``, ``LADEN Hamza BIN``), a particle glued to the wrong neighbour (``ABDU
Hikmat`` read as ``abduhikmat``), or a compound written with its particle only (``Sayyar Abd``
for ``Sayyar Abdallah``, as some lists and transliteration tables truncate it). The alignment
and the index can then also read a compound as its particle and its rest; matches made that
way count a little less than whole parts.

The particles are those of Arabic naming (``abd`` servant of, ``abu`` father of, ``ibn`` /
``bin`` / ``ben`` son of, ``bint`` daughter of, Maghrebi ``ould``), in the Latin spellings
``latin.latin_tokens`` binds and the romanisations ``arabic.romanize_arabic`` gives.
"""

from __future__ import annotations

from functools import lru_cache

from jisr.screening.names.phonetic import finish_skeleton, latin_skeleton, primary_skeleton

# (spelling at the start of a token, the particle it is, its skeletons with the article's L
# first). Longest spellings first.
_ABD_ARTICLE = ("BDL", "BD")
_PREFIXES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("abdoul", "abd", _ABD_ARTICLE),
    ("abdel", "abd", _ABD_ARTICLE),
    ("abdul", "abd", _ABD_ARTICLE),
    ("abdal", "abd", _ABD_ARTICLE),
    ("abdil", "abd", _ABD_ARTICLE),
    ("abdol", "abd", _ABD_ARTICLE),
    ("abdou", "abd", ("BD",)),
    ("abdu", "abd", ("BD",)),
    ("abdi", "abd", ("BD",)),
    ("abd", "abd", ("BD",)),
    ("abou", "abu", ("B",)),
    ("abu", "abu", ("B",)),
    ("ibnu", "ibn", ("BN",)),
    ("ibn", "ibn", ("BN",)),
    ("bint", "bint", ("BNT",)),
    ("bent", "bint", ("BNT",)),
    ("bin", "ibn", ("BN",)),
    ("ben", "ibn", ("BN",)),
    ("ouled", "ould", ("LD",)),
    ("ould", "ould", ("LD", "wLD")),
    ("weld", "ould", ("LD",)),
)
# A particle standing alone: its canonical form (``abdul`` and ``abd`` are one particle).
_STANDALONE = {spelling: particle for spelling, particle, _ in _PREFIXES}
PARTICLE_SKELETONS = {"abd": "BD", "abu": "B", "ibn": "BN", "bint": "BNT", "ould": "LD"}


def standalone_particle(token: str) -> str | None:
    """The particle a whole token is (``abdul`` -> ``abd``), or None."""
    return _STANDALONE.get(token)


@lru_cache(maxsize=131_072)
def split_compound(token: str, skeleton: str, romanised: bool) -> tuple[str, str, str] | None:
    """``(particle, rest, rest skeleton)`` of a compound part, or None.

    ``romanised``: the token is a romanisation of Arabic script, and the rest's skeleton is
    read off the compound's own skeleton, so that it keeps its ambiguous letters
    (``skeleton_variants``); a consonant the skeleton merged into the particle (``ابوبكر``:
    ``BKR``) or into the article (``عبداللطيف``: ``BDTF``) is put back."""
    for spelling, particle, options in _PREFIXES:
        rest = token[len(spelling) :]
        if not token.startswith(spelling) or len(rest) < 2:
            continue
        spelled = latin_skeleton(rest)
        if spelled == "V":
            continue
        if not romanised:
            return particle, rest, spelled
        first = primary_skeleton(spelled)[0]
        for option in options:
            tail = skeleton[len(option) :]
            if not skeleton.startswith(option) or not tail:
                continue
            if first == option[-1] or (first == "L" and tail[0] != "L"):
                tail = first + tail
            return particle, rest, finish_skeleton(tail)
        return particle, rest, spelled
    return None


# The article glued to a Latin part (``Elamrani``, ``Alhashimi``): the part without it.
_GLUED_ARTICLES = ("al", "el", "ul")


@lru_cache(maxsize=131_072)
def opened_part(token: str, skeleton: str, romanised: bool) -> tuple[str, str] | None:
    """A part without its particle or glued article, and its skeleton (``abdulrahim``:
    ``rahim``, ``RHM``; ``elamrani``: ``amrani``, ``MRN``), for finding a listing that writes
    them apart; or None."""
    split = split_compound(token, skeleton, romanised)
    if split is not None:
        return split[1], split[2]
    if (
        not romanised
        and token.startswith(_GLUED_ARTICLES)
        and len(token) >= 5
        and skeleton.startswith("L")
        and len(skeleton) >= 3
    ):
        return token[2:], skeleton[1:]
    return None
