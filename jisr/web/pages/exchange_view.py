"""How exchange records are laid out on console pages: entities as readable rows, time left
before a deadline, country names, receipt states. No strings to translate live here (labels are
msgids in ``jisr.web.pages.exchange``); dates and durations come from Babel's locale data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from babel import Locale
from babel.dates import format_timedelta
from followthemoney import model

from jisr.exchange.models import Message, Receipt, ReceiptKind

# Locales for durations: Moroccan Arabic formats with Latin digits, as on the rest of the console.
_BABEL_LOCALE = {"ar": "ar_MA", "fr": "fr_FR", "en": "en_GB"}
# Properties shown first, in this order; the rest follow in the schema's order.
_FIRST = ("name", "birthDate", "nationality", "passportNumber", "number", "phone", "country")


@dataclass(frozen=True, slots=True)
class EntityRow:
    prop: str
    # FollowTheMoney's English label, shown when the console has no translated one.
    label: str
    values: list[str]
    # "name" (shown with a transliteration), "country", "date" or "text".
    kind: str


@dataclass(frozen=True, slots=True)
class EntityView:
    id: str
    schema: str
    schema_label: str
    rows: list[EntityRow]


def entity_view(entity: dict[str, Any]) -> EntityView:
    schema = model.get(str(entity.get("schema")))
    properties: dict[str, list[str]] = entity.get("properties") or {}
    order = [p for p in _FIRST if p in properties] + [p for p in properties if p not in _FIRST]
    rows = []
    for name in order:
        prop = schema.get(name) if schema is not None else None
        kind = prop.type.name if prop is not None else "text"
        rows.append(
            EntityRow(
                prop=name,
                label=prop.label if prop is not None else name,
                values=[str(v) for v in properties[name]],
                kind=kind if kind in {"name", "country", "date"} else "text",
            )
        )
    return EntityView(
        id=str(entity.get("id", "")),
        schema=schema.name if schema is not None else str(entity.get("schema")),
        schema_label=schema.label if schema is not None else str(entity.get("schema")),
        rows=rows,
    )


def entity_views(entities: Sequence[dict[str, Any]]) -> list[EntityView]:
    return [entity_view(e) for e in entities]


def as_date(value: str) -> date | None:
    """A full ISO date as a date (to format it), None for partial ones such as ``1988-04``."""
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def country_name(code: str, lang: str) -> str:
    """``ma`` → "Morocco" / "Maroc" / "المغرب"; unknown codes as given, upper-cased."""
    names = Locale.parse(_BABEL_LOCALE.get(lang, "en_GB")).territories
    return str(names.get(code.upper(), code.upper()))


def time_left(deadline: datetime | None, now: datetime, lang: str) -> str:
    """ "in 3 days" / "2 hours ago" in the viewer's language ("" without a deadline)."""
    if deadline is None:
        return ""
    return str(
        format_timedelta(
            deadline - now,
            threshold=1.5,
            add_direction=True,
            locale=_BABEL_LOCALE.get(lang, "en_GB"),
        )
    )


def receipt_states(receipts: Sequence[Receipt]) -> dict[str, datetime]:
    """``{"delivered": at, "read": at, "answered": at}`` for the kinds received so far."""
    states: dict[str, datetime] = {}
    for receipt in receipts:
        if receipt.kind in {k.value for k in ReceiptKind}:
            states.setdefault(receipt.kind, receipt.at)
    return states


def unread(message: Message) -> bool:
    return message.direction == "inbound" and message.read_at is None
