"""The two value types every part of screening shares: a subject and a match.

A ``Subject`` is either a watchlist entry or a query (a traveller); both carry the same facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class SubjectKind(StrEnum):
    PERSON = "Person"
    ORGANIZATION = "Organization"
    VESSEL = "Vessel"
    AIRCRAFT = "Airplane"
    OTHER = "LegalEntity"


@dataclass(frozen=True, slots=True)
class Subject:
    """A person or organisation as a source states it; ``names[0]`` is the primary name."""

    id: str
    names: tuple[str, ...]
    kind: SubjectKind = SubjectKind.PERSON
    # ISO 8601, possibly partial: "1980", "1980-05", "1980-05-17".
    birth_dates: tuple[str, ...] = ()
    # ISO 3166-1 alpha-2, lower case.
    nationalities: tuple[str, ...] = ()
    # "male", "female" or None when unknown.
    gender: str | None = None
    # Passport / identity document numbers as written.
    documents: tuple[str, ...] = ()
    # Where the subject came from (file name, list name); informational.
    source: str | None = None
    # Fields of the source row that were ignored, and why ("birth date '1974-01-32': day 32 ...").
    # The subject is still screened on everything else.
    warnings: tuple[str, ...] = ()
    # The list states that ``names[0]`` is the person's whole name (a mononym), so a single part
    # agreeing is a full-name agreement.
    mononym: bool = False


@dataclass(frozen=True, slots=True)
class Match:
    """One candidate for a query, with the evidence a person can read."""

    query_id: str
    entity_id: str
    score: float
    # The entry's name (or alias) that matched best.
    name: str
    # One human-readable sentence per piece of evidence, joined with "; ".
    explanation: str
    # Each feature's contribution, by feature name (for tuning and the console).
    features: dict[str, float] = field(default_factory=dict)
    # The query's ignored fields (see ``Subject.warnings``), repeated with each of its matches.
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "query_id": self.query_id,
            "entity_id": self.entity_id,
            "score": round(self.score, 4),
            "name": self.name,
            "explanation": self.explanation,
        }
        if self.warnings:
            out["warnings"] = list(self.warnings)
        return out
