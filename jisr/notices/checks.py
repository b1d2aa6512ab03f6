"""Automated checks run when an alert is submitted, before any human review.

Each check is a small function returning a ``CheckResult``; its docstring is what officers are
shown. ``fail`` blocks submission until the alert is corrected; ``review`` makes human review
mandatory (even for diffusions) with the reason shown; ``pass`` says nothing is wrong. Results
are stored with the alert.

Besides its English ``message``, each result carries a stable ``code`` (``completeness.missing``)
and the values the message was made of (``params``, JSON): interfaces that speak other languages
(the console) say the same thing from them. Results stored before codes existed have neither.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from jisr.notices.keywords import NEUTRALITY_TERMS
from jisr.notices.models import AlertType, Notice
from jisr.notices.subjects import documents_of, is_a, names_of, values

# INTERPOL's threshold for red notices: an offence punishable by at least two years.
MIN_PENALTY_YEARS = 2.0
# Alert types that must name an offence.
_NEEDS_OFFENCE = frozenset(
    {
        AlertType.WANTED,
        AlertType.LOCATE,
        AlertType.WARNING,
        AlertType.THREAT,
        AlertType.MODUS_OPERANDI,
        AlertType.ASSETS,
        AlertType.UN_SANCTIONS,
        AlertType.DIFFUSION,
    }
)


class Outcome(StrEnum):
    PASS = "pass"  # noqa: S105 - an outcome, not a secret
    REVIEW = "review"
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class CheckResult:
    check: str
    outcome: Outcome
    message: str
    # ``<check>.<finding>``, stable; ``params`` holds the values ``message`` names.
    code: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "outcome": self.outcome.value}


# What ``completeness.missing`` lists, by item code.
MISSING_ITEMS = {
    "person_name": "the person's name",
    "identifier": "a birth date, nationality or document number",
    "subject_identifier": "a name, registration or document number for the subject",
    "offence": "the offence",
    "legal_basis": "the legal basis",
    "warrant": "the arrest warrant or judicial decision reference",
}


# A check sees the alert and the other live alerts of this node (for duplicates).
Check = Callable[[Notice, Sequence[Notice]], CheckResult]


def check_completeness(notice: Notice, others: Sequence[Notice]) -> CheckResult:
    """The subject can be identified (a name plus a birth date, nationality or document for a
    person; a name, registration or number otherwise), the offence is stated where the alert
    type needs one, a legal basis is given, and a `wanted` alert cites its warrant or decision."""
    missing: list[str] = []
    subject = notice.subject
    if is_a(subject, "Person"):
        if not names_of(subject):
            missing.append("person_name")
        if not (
            values(subject, "birthDate", "nationality")
            or documents_of(subject, notice.related)
            or notice.type is AlertType.UNIDENTIFIED_BODY
        ):
            missing.append("identifier")
    elif not (names_of(subject) or documents_of(subject, notice.related)):
        missing.append("subject_identifier")
    if notice.type in _NEEDS_OFFENCE and not (notice.offence or "").strip():
        missing.append("offence")
    if not (notice.legal_basis or "").strip():
        missing.append("legal_basis")
    if notice.type is AlertType.WANTED and not (notice.warrant_reference or "").strip():
        missing.append("warrant")
    if missing:
        return CheckResult(
            "completeness",
            Outcome.FAIL,
            "missing: " + "; ".join(MISSING_ITEMS[item] for item in missing),
            "completeness.missing",
            {"items": missing},
        )
    return CheckResult(
        "completeness",
        Outcome.PASS,
        "identifiers, offence and legal basis given",
        "completeness.ok",
    )


def check_seriousness(notice: Notice, others: Sequence[Notice]) -> CheckResult:
    """A `wanted` alert is for an offence punishable by at least two years' deprivation of
    liberty (``max_penalty_years``)."""
    if notice.type is not AlertType.WANTED:
        return CheckResult(
            "seriousness",
            Outcome.PASS,
            "no threshold for this alert type",
            "seriousness.not_applicable",
        )
    years = notice.max_penalty_years
    if years is None:
        return CheckResult(
            "seriousness",
            Outcome.FAIL,
            "max_penalty_years is required for wanted",
            "seriousness.penalty_missing",
        )
    if years < MIN_PENALTY_YEARS:
        return CheckResult(
            "seriousness",
            Outcome.FAIL,
            f"maximum penalty of {years:g} years is below the threshold of {MIN_PENALTY_YEARS:g}",
            "seriousness.below_threshold",
            {"years": years, "threshold": MIN_PENALTY_YEARS},
        )
    return CheckResult(
        "seriousness",
        Outcome.PASS,
        f"punishable by up to {years:g} years",
        "seriousness.ok",
        {"years": years},
    )


def _fold(text: str) -> str:
    """Case, Latin accents, Arabic diacritics and tatweel folded away."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = (
        ch
        for ch in decomposed
        if not unicodedata.combining(ch) and ch != "\u0640" and not "\u064b" <= ch <= "\u065f"
    )
    return unicodedata.normalize("NFC", "".join(kept)).replace("’", "'")


# An Arabic word starts after a non-Arabic character, possibly with an attached conjunction or
# preposition and the article (و ف ب ل ك, ال).
_ARABIC_START = "(?<![\u0600-\u06ff])(?:[\u0648\u0641\u0628\u0644\u0643])?(?:\u0627\u0644)?"


def _is_arabic(term: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in term)


def _patterns() -> dict[str, re.Pattern[str]]:
    patterns = {}
    for character, languages in NEUTRALITY_TERMS.items():
        parts = []
        for terms in languages.values():
            for term in terms:
                folded = re.escape(_fold(term.rstrip("*")))
                if _is_arabic(term):
                    parts.append(_ARABIC_START + folded + "[\u0600-\u06ff]*")
                else:
                    parts.append(rf"\b{folded}" + (r"\w*" if term.endswith("*") else r"\b"))
        patterns[character] = re.compile("|".join(parts))
    return patterns


_PATTERNS = _patterns()


def neutrality_findings(text: str) -> dict[str, list[str]]:
    """Character (political, military, religious, racial) -> the terms found in ``text``."""
    folded = _fold(text)
    found: dict[str, list[str]] = {}
    for character, pattern in _PATTERNS.items():
        hits = sorted({m.group(0) for m in pattern.finditer(folded)})
        if hits:
            found[character] = hits
    return found


def check_neutrality(notice: Notice, others: Sequence[Notice]) -> CheckResult:
    """Screens the title, offence and summary for a political, military, religious or racial
    character (terms in Arabic, French and English) and honours the explicit
    `political_context` flag; either sends the alert to mandatory review with the reason."""
    text = " ".join(filter(None, [notice.title, notice.offence, notice.summary]))
    findings = neutrality_findings(text)
    reasons = [f"{kind} character ({', '.join(terms)})" for kind, terms in findings.items()]
    if notice.political_context:
        reasons.insert(0, "the issuer flagged a political context")
    if reasons:
        return CheckResult(
            "neutrality",
            Outcome.REVIEW,
            "mandatory review: " + "; ".join(reasons),
            "neutrality.flagged",
            {"political_context": notice.political_context, "terms": findings},
        )
    return CheckResult(
        "neutrality",
        Outcome.PASS,
        "no political, military, religious or racial term",
        "neutrality.ok",
    )


def check_refugee_status(notice: Notice, others: Sequence[Notice]) -> CheckResult:
    """A subject known to hold refugee or asylum-seeker status needs mandatory review (the
    alert may come from the country the person fled)."""
    if notice.refugee_status:
        return CheckResult(
            "refugee_status",
            Outcome.REVIEW,
            "mandatory review: the subject is flagged as a refugee or asylum seeker",
            "refugee_status.flagged",
        )
    return CheckResult(
        "refugee_status", Outcome.PASS, "no refugee status flagged", "refugee_status.ok"
    )


def _key_names(entity: dict[str, Any]) -> set[str]:
    return {" ".join(sorted(_fold(n).split())) for n in names_of(entity)}


def check_duplicates(notice: Notice, others: Sequence[Notice]) -> CheckResult:
    """Looks for a live alert (ours or a partner's) on the same subject: same name and birth
    date, or a same document number. A duplicate is sent to review, never merged."""
    names = _key_names(notice.subject)
    births = set(values(notice.subject, "birthDate"))
    documents = {d.upper() for d in documents_of(notice.subject, notice.related)}
    same: list[str] = []
    for other in others:
        if other.id == notice.id:
            continue
        other_docs = {d.upper() for d in documents_of(other.subject, other.related)}
        by_name = bool(names & _key_names(other.subject)) and bool(
            births & set(values(other.subject, "birthDate"))
        )
        if by_name or documents & other_docs:
            same.append(other.reference)
    if same:
        return CheckResult(
            "duplicates",
            Outcome.REVIEW,
            "mandatory review: possible duplicate of " + ", ".join(sorted(same)),
            "duplicates.found",
            {"references": sorted(same)},
        )
    return CheckResult(
        "duplicates", Outcome.PASS, "no live alert on the same subject", "duplicates.ok"
    )


CHECKS: dict[str, Check] = {
    "completeness": check_completeness,
    "seriousness": check_seriousness,
    "neutrality": check_neutrality,
    "refugee_status": check_refugee_status,
    "duplicates": check_duplicates,
}


def run_checks(notice: Notice, others: Sequence[Notice]) -> list[CheckResult]:
    return [check(notice, others) for check in CHECKS.values()]


def describe_checks() -> dict[str, str]:
    """Check name -> its documentation, as shown to officers."""
    return {name: " ".join((check.__doc__ or "").split()) for name, check in CHECKS.items()}
