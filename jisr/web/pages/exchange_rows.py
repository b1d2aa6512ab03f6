"""Entity rows of the exchange compose and reply forms: people, organisations, identity
documents, phones, bank accounts and vehicles, turned into FollowTheMoney entities.

Fields are named ``<kind>-<i>-<field>``; how many rows each kind shows is a hidden
``<kind>-rows``. Rows are added and removed by submit buttons (``entity_action`` =
``add:<kind>`` or ``remove:<kind>-<i>``), so the form works without script: the page is drawn
again with what was typed. With script, HTMX swaps just the rows. Blank rows are ignored.
Errors come back as ``{field name: key}`` (keys of ``FIELD_ERRORS`` in
``jisr.web.pages.exchange``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from followthemoney.types import registry

from jisr.clock import utcnow
from jisr.errors import ValidationError
from jisr.exchange.entities import normalise_entities
from jisr.ids import new_ulid

ACTION_FIELD = "entity_action"
MAX_ROWS = 20
# Rows a kind shows on a fresh form: one blank row each, folded away until opened.
FIRST_ROWS = 1
HOLDER_KINDS = ("person", "organisation")
DOCUMENT_TYPES = ("passport", "identity")
_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
_MAX_LENGTH = {"name": 200, "number": 40}


@dataclass(frozen=True, slots=True)
class RowField:
    name: str
    # How the value is checked: name, number, date, country, phone, iban, holder or choice.
    check: str
    required: bool = False


@dataclass(frozen=True, slots=True)
class RowKind:
    key: str
    fields: tuple[RowField, ...]

    @property
    def main(self) -> str:
        return next(f.name for f in self.fields if f.required)


KINDS: tuple[RowKind, ...] = (
    RowKind(
        "person",
        (
            RowField("name", "name", True),
            RowField("birth_date", "date"),
            RowField("nationality", "country"),
        ),
    ),
    RowKind("organisation", (RowField("name", "name", True), RowField("country", "country"))),
    RowKind(
        "document",
        (
            RowField("type", "choice"),
            RowField("number", "number", True),
            RowField("country", "country"),
            RowField("holder", "holder"),
        ),
    ),
    RowKind("phone", (RowField("number", "phone", True), RowField("holder", "holder"))),
    RowKind("account", (RowField("iban", "iban", True), RowField("holder", "holder"))),
    RowKind(
        "vehicle",
        (
            RowField("registration", "number", True),
            RowField("country", "country"),
            RowField("holder", "holder"),
        ),
    ),
)
BY_KEY = {kind.key: kind for kind in KINDS}


def field_name(kind: str, index: int, field: str) -> str:
    return f"{kind}-{index}-{field}"


def row_counts(values: Mapping[str, Any]) -> dict[str, int]:
    """How many rows each kind shows: the hidden count posted, else the first rows."""
    counts: dict[str, int] = {}
    for kind in KINDS:
        raw = values.get(f"{kind.key}-rows")
        count = int(raw) if isinstance(raw, str) and raw.isdigit() else FIRST_ROWS
        counts[kind.key] = min(count, MAX_ROWS)
    return counts


def _text(values: Mapping[str, Any], name: str) -> str:
    value = values.get(name)
    return value.strip() if isinstance(value, str) else ""


def _filled(values: Mapping[str, Any], kind: RowKind, index: int) -> bool:
    """A row counts once something is typed or chosen in it (a document's type has a default)."""
    return any(
        _text(values, field_name(kind.key, index, f.name))
        for f in kind.fields
        if f.check != "choice"
    )


# --- adding and removing rows ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowAction:
    kind: str
    # None: add a row; else the row to remove.
    index: int | None


def action_of(values: Mapping[str, Any]) -> RowAction | None:
    raw = values.get(ACTION_FIELD)
    if not isinstance(raw, str):
        return None
    verb, _, target = raw.partition(":")
    if verb == "add" and target in BY_KEY:
        return RowAction(target, None)
    kind, _, index = target.rpartition("-")
    if verb == "remove" and kind in BY_KEY and index.isdigit():
        return RowAction(kind, int(index))
    return None


def apply_action(values: Mapping[str, Any], action: RowAction) -> dict[str, Any]:
    """The form's values with a row added (blank) or removed; later rows move up, and holders
    pointing at a removed person or organisation are cleared."""
    counts = row_counts(values)
    result = {k: v for k, v in values.items() if k != ACTION_FIELD}
    count = counts[action.kind]
    if action.index is None:
        result[f"{action.kind}-rows"] = str(min(count + 1, MAX_ROWS))
        return result
    if action.index >= count:
        return result
    kind = BY_KEY[action.kind]
    for index in range(action.index, count):
        for field in kind.fields:
            later = result.pop(field_name(kind.key, index + 1, field.name), None)
            if later is None:
                result.pop(field_name(kind.key, index, field.name), None)
            else:
                result[field_name(kind.key, index, field.name)] = later
    result[f"{action.kind}-rows"] = str(count - 1)
    if action.kind in HOLDER_KINDS:
        _renumber_holders(result, counts, action.kind, action.index)
    return result


def _renumber_holders(values: dict[str, Any], counts: dict[str, int], kind: str, gone: int) -> None:
    for owned in KINDS:
        if not any(f.check == "holder" for f in owned.fields):
            continue
        for index in range(counts[owned.key]):
            name = field_name(owned.key, index, "holder")
            held, _, number = _text(values, name).rpartition("-")
            if held != kind or not number.isdigit():
                continue
            position = int(number)
            if position == gone:
                values[name] = ""
            elif position > gone:
                values[name] = f"{kind}-{position - 1}"


# --- what the rows hold -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Holder:
    value: str  # "person-0"
    kind: str
    number: int  # as shown, from 1
    name: str


@dataclass(frozen=True, slots=True)
class RowsView:
    """What the rows template needs: counts, the sections to show open, holders to choose."""

    counts: dict[str, int]
    opened: frozenset[str]
    holders: list[Holder]
    # The field to put the keyboard focus on (the first of a row just added), or "".
    focus: str
    max_rows: int = MAX_ROWS


def rows_view(values: Mapping[str, Any], errors: Mapping[str, str], acted: str = "") -> RowsView:
    counts = row_counts(values)
    opened = {acted} if acted else set()
    for kind in KINDS:
        prefix = f"{kind.key}-"
        if any(_filled(values, kind, i) for i in range(counts[kind.key])) or any(
            e.startswith(prefix) for e in errors
        ):
            opened.add(kind.key)
    holders = [
        Holder(f"{kind}-{i}", kind, i + 1, _text(values, field_name(kind, i, "name")))
        for kind in HOLDER_KINDS
        for i in range(counts[kind])
    ]
    focus = ""
    if acted and counts[acted]:
        # After "add", the new (last) row's main field takes the keyboard focus.
        focus = field_name(acted, counts[acted] - 1, BY_KEY[acted].main)
    return RowsView(counts, frozenset(opened), holders, focus)


def _check(field: RowField, raw: str) -> tuple[str | None, str | None]:
    """``(clean value, None)`` or ``(None, error key)``."""
    if any(unicodedata.category(ch) in {"Cc", "Cs"} for ch in raw):
        return None, "row_text_invalid"
    if len(raw) > _MAX_LENGTH.get(field.check, 60):
        return None, "row_too_long"
    if field.check == "date":
        try:
            born = date.fromisoformat(raw)
        except ValueError:
            return None, "date_invalid"
        return (None, "birth_date_future") if born > utcnow().date() else (born.isoformat(), None)
    if field.check == "country":
        country = registry.country.clean(raw)
        return (country, None) if country else (None, "country_invalid")
    if field.check == "phone":
        phone = registry.phone.clean(raw)
        return (phone, None) if phone else (None, "phone_invalid")
    if field.check == "iban":
        iban = clean_iban(raw)
        return (iban, None) if iban else (None, "iban_invalid")
    return raw, None


def clean_iban(raw: str) -> str | None:
    """The IBAN without spaces, upper-cased, if its ISO 13616 check digits hold."""
    iban = "".join(raw.split()).upper()
    if not _IBAN.match(iban):
        return None
    digits = "".join(str(int(ch, 36)) for ch in iban[4:] + iban[:4])
    return iban if int(digits) % 97 == 1 else None


def _entities_of(
    kind: str, values: dict[str, str], own_id: str, holder: str | None
) -> list[dict[str, Any]]:
    """FollowTheMoney entities for one row (a bank account's holder needs an Ownership)."""

    def entity(schema: str, props: Mapping[str, str | None], eid: str = own_id) -> dict[str, Any]:
        return {"id": eid, "schema": schema, "properties": {k: [v] for k, v in props.items() if v}}

    if kind == "person":
        return [
            entity(
                "Person",
                {
                    "name": values.get("name"),
                    "birthDate": values.get("birth_date"),
                    "nationality": values.get("nationality"),
                },
            )
        ]
    if kind == "organisation":
        return [
            entity("Organization", {"name": values.get("name"), "country": values.get("country")})
        ]
    if kind == "document":
        schema = "Passport" if values.get("type", "passport") == "passport" else "Identification"
        props = {"number": values.get("number"), "country": values.get("country"), "holder": holder}
        return [entity(schema, props)]
    if kind == "phone":
        # FollowTheMoney has no Phone schema: an account on the telephone service records one.
        props = {"phone": values.get("number"), "service": "telephone", "owner": holder}
        return [entity("UserAccount", props)]
    if kind == "vehicle":
        props = {
            "registrationNumber": values.get("registration"),
            "country": values.get("country"),
            "owner": holder,
        }
        return [entity("Vehicle", props)]
    account = [entity("BankAccount", {"iban": values.get("iban")})]
    if holder:
        ownership = {"owner": holder, "asset": own_id}
        account.append(entity("Ownership", ownership, f"ownership-{new_ulid().lower()}"))
    return account


def parse_rows(
    values: Mapping[str, Any], owner: str
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Entities for the filled rows, or field errors (``{field name: key}``) for every bad row."""
    counts = row_counts(values)
    filled = [
        (kind, i) for kind in KINDS for i in range(counts[kind.key]) if _filled(values, kind, i)
    ]
    ids = {f"{kind.key}-{i}": f"{kind.key}-{new_ulid().lower()}" for kind, i in filled}
    entities: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    for kind, i in filled:
        clean: dict[str, str] = {}
        row_errors: dict[str, str] = {}
        holder: str | None = None
        for field in kind.fields:
            name = field_name(kind.key, i, field.name)
            raw = _text(values, name)
            if not raw:
                if field.required:
                    row_errors[name] = "row_required"
                continue
            if field.check == "holder":
                holder = ids.get(raw)
                if holder is None or raw.rpartition("-")[0] not in HOLDER_KINDS:
                    row_errors[name] = "holder_invalid"
                continue
            if field.check == "choice":
                if raw not in DOCUMENT_TYPES:
                    row_errors[name] = "row_text_invalid"
                clean[field.name] = raw
                continue
            value, error = _check(field, raw)
            if error:
                row_errors[name] = error
            elif value:
                clean[field.name] = value
        if row_errors:
            errors.update(row_errors)
            continue
        made = _entities_of(kind.key, clean, ids[f"{kind.key}-{i}"], holder)
        try:
            normalise_entities(made, owner)
        except ValidationError:
            # Our checks let through something FollowTheMoney refuses: say so on the row.
            errors[field_name(kind.key, i, kind.main)] = "entity_row_invalid"
            continue
        entities.extend(made)
    return entities, errors
