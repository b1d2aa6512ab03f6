"""Evaluation grades, always tagged with the scheme they belong to.

A grade means nothing without its scheme: "B2" is "usually reliable, probably true" under the
NATO Admiralty code, and "B" is "mostly reliable" but "2" is "known personally to the source but
not to the officer" under Europol's 4x4. Each scheme lists its letters and digits here.
"""

from __future__ import annotations

from jisr.errors import ValidationError
from jisr.exchange.models import GradingScheme

# scheme -> (source reliability codes, information credibility codes)
SCHEMES: dict[GradingScheme, tuple[frozenset[str], frozenset[str]]] = {
    GradingScheme.ADMIRALTY: (frozenset("ABCDEF"), frozenset("123456")),
    GradingScheme.EUROPOL_4X4: (frozenset("ABCX"), frozenset("1234")),
}


def check_grade(scheme: GradingScheme, reliability: str, credibility: str) -> None:
    """Raise ValidationError unless both codes belong to ``scheme``."""
    reliabilities, credibilities = SCHEMES[scheme]
    if reliability not in reliabilities:
        allowed = "/".join(sorted(reliabilities))
        raise ValidationError(
            f"source reliability {reliability!r} is not a {scheme.value} code ({allowed})",
            code="grading_invalid",
        )
    if credibility not in credibilities:
        allowed = "/".join(sorted(credibilities))
        raise ValidationError(
            f"information credibility {credibility!r} is not a {scheme.value} code ({allowed})",
            code="grading_invalid",
        )
