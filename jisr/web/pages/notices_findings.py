"""The automated checks' findings in the viewer's language.

The checks (``jisr.notices.checks``) store each finding with a stable code and the values it
names; here every code has a message with placeholders, translated in the notices catalogue.
A finding stored before codes existed, or with a code this table does not know, is shown in
the checks' own English words (marked ``lang="en"``). The raw code is always shown beside it
for reviewers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from babel.lists import format_list
from babel.numbers import format_decimal

from jisr.web import i18n
from jisr.web.i18n import N_

FINDINGS = {
    "completeness.ok": N_("identifiers, offence and legal basis given"),
    "completeness.missing": N_("missing: %(items)s"),
    "seriousness.not_applicable": N_("no threshold for this alert type"),
    "seriousness.penalty_missing": N_("the maximum penalty is required for a wanted person"),
    "seriousness.below_threshold": N_(
        "maximum penalty of %(years)s years is below the threshold of %(threshold)s"
    ),
    "seriousness.ok": N_("punishable by up to %(years)s years"),
    "neutrality.ok": N_("no political, military, religious or racial term"),
    "neutrality.flagged": N_("mandatory review: %(reasons)s"),
    "refugee_status.ok": N_("no refugee status flagged"),
    "refugee_status.flagged": N_(
        "mandatory review: the subject is flagged as a refugee or asylum seeker"
    ),
    "duplicates.ok": N_("no live alert on the same subject"),
    "duplicates.found": N_("mandatory review: possible duplicate of %(references)s"),
    # A partner's copy: the owner's node does not name the other alerts.
    "duplicates.withheld": N_("mandatory review: possible duplicate of another alert"),
}
# What ``completeness.missing`` lists.
MISSING_ITEMS = {
    "person_name": N_("the person's name"),
    "identifier": N_("a birth date, nationality or document number"),
    "subject_identifier": N_("a name, registration or document number for the subject"),
    "offence": N_("the offence"),
    "legal_basis": N_("the legal basis"),
    "warrant": N_("the arrest warrant or judicial decision reference"),
}
# The reasons ``neutrality.flagged`` gives; the terms found are quoted as written.
NEUTRALITY_REASONS = {
    "political_context": N_("the issuer flagged a political context"),
    "political": N_("political character (%(terms)s)"),
    "military": N_("military character (%(terms)s)"),
    "religious": N_("religious character (%(terms)s)"),
    "racial": N_("racial character (%(terms)s)"),
}
_LOCALES = {"ar": "ar_MA", "fr": "fr_FR", "en": "en_GB"}


@dataclass(frozen=True, slots=True)
class Finding:
    check: str
    outcome: str
    # The finding's code (the check's name for results stored without one).
    code: str
    text: str
    # None when ``text`` is in the viewer's language, else the language it is in ("en").
    text_lang: str | None = None


def _joined(lang: str, items: Iterable[str]) -> str:
    return format_list(list(items), locale=_LOCALES[lang])


def _text(lang: str, code: str, params: Mapping[str, Any]) -> str | None:
    """The finding in ``lang``, or None when its code or values are not the expected ones."""
    message = FINDINGS.get(code)
    if message is None:
        return None

    def tr(msgid: str) -> str:
        return i18n.gettext(lang, msgid)

    values: dict[str, str] = {}
    if code == "completeness.missing":
        values["items"] = _joined(lang, (tr(MISSING_ITEMS[i]) for i in params["items"]))
    elif code in {"seriousness.below_threshold", "seriousness.ok"}:
        for name in ("years", "threshold"):
            if name in params:
                values[name] = format_decimal(float(params[name]), locale=_LOCALES[lang])
    elif code == "neutrality.flagged":
        reasons = (
            [tr(NEUTRALITY_REASONS["political_context"])] if params["political_context"] else []
        )
        for character, terms in params["terms"].items():
            reasons.append(tr(NEUTRALITY_REASONS[character]) % {"terms": _joined(lang, terms)})
        values["reasons"] = _joined(lang, reasons)
    elif code == "duplicates.found":
        values["references"] = _joined(lang, params["references"])
    return tr(message) % values if values else tr(message)


def describe(lang: str, checks: Iterable[Mapping[str, Any]]) -> list[Finding]:
    """Stored check results as findings to show, in ``lang`` where the code is known."""
    findings = []
    for result in checks:
        code = str(result.get("code") or result.get("check", ""))
        try:
            text = _text(lang, code, result.get("params") or {})
        except (KeyError, TypeError, ValueError):
            text = None  # values of an unexpected shape: the checks' own words are shown
        findings.append(
            Finding(
                check=str(result.get("check", "")),
                outcome=str(result.get("outcome", "")),
                code=code,
                text=text if text is not None else str(result.get("message", "")),
                text_lang=None if text is not None or lang == "en" else "en",
            )
        )
    return findings


def review_reasons(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that make human review mandatory."""
    return [f for f in findings if f.outcome == "review"]
