"""Decisions that supersede the previous one: none is edited or deleted, the newest counts.

Rights decisions and screening-hit decisions keep every judgement ever made; a new one marks
the current ones ``superseded_by`` itself, so the history reads in order and only one decision
is current at a time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session


class Superseding(Protocol):
    """A decision row: its id and the id of the decision that superseded it, if any."""

    id: str
    superseded_by: str | None


D = TypeVar("D", bound=Superseding)


def current(decisions: Iterable[D]) -> list[D]:
    """The decisions no later one supersedes."""
    return [d for d in decisions if d.superseded_by is None]


def supersede(session: Session, earlier: Iterable[D], decision: D) -> list[D]:
    """Add ``decision`` and mark the current ones of ``earlier`` superseded by it; return those
    it superseded (the caller flushes, in its own unit of work)."""
    previous = current(earlier)
    session.add(decision)
    for old in previous:
        old.superseded_by = decision.id
    return previous
