"""How exchange records are laid out on console pages: entities as readable rows, time left
before a deadline, country names, receipt states. No strings to translate live here (labels are
msgids in ``jisr.web.pages.exchange``); dates and durations come from Babel's locale data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from babel import Locale
from babel.dates import format_timedelta
from babel.units import format_unit
from followthemoney import model
from followthemoney.exc import InvalidData

from jisr.exchange.models import Message, Receipt, ReceiptKind

# Locales for durations: Moroccan Arabic formats with Latin digits, as on the rest of the console.
_BABEL_LOCALE = {"ar": "ar_MA", "fr": "fr_FR", "en": "en_GB"}
# Properties shown first, in this order; the rest follow in the schema's order.
_FIRST = (
    "name",
    "birthDate",
    "nationality",
    "passportNumber",
    "number",
    "iban",
    "registrationNumber",
    "phone",
    "country",
    "holder",
    "owner",
    "asset",
)


@dataclass(frozen=True, slots=True)
class EntityRow:
    prop: str
    # FollowTheMoney's English label, shown when the console has no translated one.
    label: str
    values: list[str]
    # "name" (shown with a transliteration), "country", "date" or "text"; references to other
    # entities of the message are shown by their caption (a name, a number), as "text".
    kind: str


@dataclass(frozen=True, slots=True)
class EntityView:
    id: str
    schema: str
    schema_label: str
    rows: list[EntityRow]


def entity_view(entity: dict[str, Any], captions: dict[str, str] | None = None) -> EntityView:
    schema = model.get(str(entity.get("schema")))
    properties: dict[str, list[str]] = entity.get("properties") or {}
    order = [p for p in _FIRST if p in properties] + [p for p in properties if p not in _FIRST]
    rows = []
    for name in order:
        prop = schema.get(name) if schema is not None else None
        kind = prop.type.name if prop is not None else "text"
        values = [str(v) for v in properties[name]]
        if kind == "entity":
            values = [(captions or {}).get(v, v) for v in values]
        rows.append(
            EntityRow(
                prop=name,
                label=prop.label if prop is not None else name,
                values=values,
                kind=kind if kind in {"name", "country", "date"} else "text",
            )
        )
    return EntityView(
        id=str(entity.get("id", "")),
        schema=schema.name if schema is not None else str(entity.get("schema")),
        schema_label=schema.label if schema is not None else str(entity.get("schema")),
        rows=rows,
    )


def _caption(entity: dict[str, Any]) -> str | None:
    try:
        proxy = model.get_proxy(entity, cleaned=True)
    except (InvalidData, TypeError, ValueError):
        return None
    caption = proxy.caption
    return caption if caption and caption != proxy.schema.label else None


def entity_views(entities: Sequence[dict[str, Any]]) -> list[EntityView]:
    captions = {str(e.get("id")): caption for e in entities if (caption := _caption(e)) is not None}
    return [entity_view(e, captions) for e in entities]


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


_SIZE_UNITS = (
    (1024**3, "digital-gigabyte"),
    (1024**2, "digital-megabyte"),
    (1024, "digital-kilobyte"),
)


def file_size(size: int, lang: str) -> str:
    """ "512 MB" / "512 Mo" / "512 م.ب" (binary multiples, as the limits are set)."""
    for factor, unit in _SIZE_UNITS:
        if size >= factor:
            amount = round(size / factor, 1)
            value = int(amount) if amount.is_integer() else amount
            return str(
                format_unit(value, unit, length="short", locale=_BABEL_LOCALE.get(lang, "en_GB"))
            )
    return str(
        format_unit(size, "digital-byte", length="short", locale=_BABEL_LOCALE.get(lang, "en_GB"))
    )


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


def duration(delta: timedelta, lang: str) -> str:
    """ "3 days" / "2 heures" / "8 ساعات": a length of time in the viewer's language, rounded
    to its largest unit (the sign is dropped: the page says "left" or "overdue by")."""
    return str(format_timedelta(abs(delta), threshold=1.5, locale=_BABEL_LOCALE.get(lang, "en_GB")))


def receipt_states(receipts: Sequence[Receipt]) -> dict[str, datetime]:
    """``{"delivered": at, "read": at, "answered": at}`` for the kinds received so far."""
    states: dict[str, datetime] = {}
    for receipt in receipts:
        if receipt.kind in {k.value for k in ReceiptKind}:
            states.setdefault(receipt.kind, receipt.at)
    return states


def unread(message: Message) -> bool:
    return message.direction == "inbound" and message.read_at is None
