"""Wire types for managing a case: status and its transitions, outcome, assignee, due date,
labels, links; and what a case's history looks like (inputs forbid unknown fields)."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from jisr.exchange.schemas import RECORD_ID_PATTERN, Block
from jisr.timeinput import UtcDatetime

MEMBER_PATTERN = r"^(user:[A-Z]{2}-[A-Z0-9]{2,16}:user:[0-9A-Z]{26}|role:[a-z_]{2,32})$"
OFFICER_PATTERN = r"^user:[A-Z]{2}-[A-Z0-9]{2,16}:user:[0-9A-Z]{26}$"
ASSIGNEE_FILTER = r"^(none|user:[A-Z]{2}-[A-Z0-9]{2,16}:user:[0-9A-Z]{26})$"
MAX_LABELS = 20


class CaseStatus(StrEnum):
    OPEN = "open"
    ON_HOLD = "on_hold"
    CLOSED = "closed"


class CaseOutcome(StrEnum):
    """Why a case was closed (the fixed list; a note says the rest)."""

    ANSWERED = "answered"  # the information asked for was provided, nothing more to do
    ARREST = "arrest"  # an arrest or a location of the person sought
    JUDICIAL_REFERRAL = "judicial_referral"  # handed to a prosecutor or a judge
    REFERRED = "referred"  # passed to another channel or agency
    MERGED = "merged"  # continued in another case (link it)
    NO_FURTHER_ACTION = "no_further_action"
    UNFOUNDED = "unfounded"  # the suspicion or the lead proved wrong


class LinkKind(StrEnum):
    ALERT = "alert"
    HIT = "hit"
    OPERATION = "operation"
    CASE = "case"


# The kind segment of the id each kind of link names (``MA-DGST:notice:01J...``).
LINK_ID_KINDS: dict[LinkKind, frozenset[str]] = {
    LinkKind.ALERT: frozenset({"notice"}),
    LinkKind.HIT: frozenset({"hit"}),
    LinkKind.OPERATION: frozenset({"operation", "event"}),
    LinkKind.CASE: frozenset({"case"}),
}


def _label(value: str) -> str:
    """A label in any script, compared lower-case: ``Tangier route`` = ``tangier route``."""
    cleaned = " ".join(unicodedata.normalize("NFC", value).split()).casefold()
    if not cleaned or len(cleaned) > 40:
        raise ValueError("a label has 1 to 40 characters")
    if any(unicodedata.category(ch)[0] in {"C", "P", "S"} and ch not in "-_./" for ch in cleaned):
        raise ValueError("a label has letters, digits, spaces and - _ . / only")
    return cleaned


Label = Annotated[str, AfterValidator(_label)]


class CaseAssign(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignee: str | None = Field(
        pattern=OFFICER_PATTERN,
        description="user:<id> of an active officer of this agency; null to unassign.",
    )


class CaseClose(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: CaseOutcome
    note: Block = Field(
        min_length=3, max_length=2000, description="What came of it; sent to the case's partners."
    )


class CaseReason(BaseModel):
    """Putting a case on hold or reopening it: why (kept in this node's history and audit)."""

    model_config = ConfigDict(extra="forbid")

    reason: Block = Field(min_length=3, max_length=2000)


class CaseDue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    due_at: UtcDatetime | None = Field(description="This agency's own due date; null to clear.")


class CaseLabels(BaseModel):
    model_config = ConfigDict(extra="forbid")

    add: list[Label] = Field(default_factory=list, max_length=MAX_LABELS)
    remove: list[Label] = Field(default_factory=list, max_length=MAX_LABELS)


class CaseLinkAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: LinkKind
    target: str = Field(pattern=RECORD_ID_PATTERN, max_length=80)


class CaseLinkRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: LinkKind
    target_id: str
    added_by: str
    added_at: datetime


class CaseEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    event: str
    actor: str
    agency: str
    details: dict[str, Any]
    at: datetime
