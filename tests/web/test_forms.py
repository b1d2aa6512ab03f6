"""Field errors of console forms: blank required fields are "required", types are explained."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from jisr.web.forms import blank_to_none, validate


class _Form(BaseModel):
    name: str = Field(min_length=2)
    born: date | None = None
    count: int = 1


def test_blank_required_field_is_reported_as_required() -> None:
    model, errors = validate(_Form, blank_to_none({"name": "  ", "count": "x"}))
    assert model is None
    assert errors == {"name": "This field is required.", "count": "Enter a whole number."}


def test_valid_form_and_short_or_malformed_values() -> None:
    model, errors = validate(_Form, blank_to_none({"name": "Amal", "born": ""}))
    assert errors == {} and model is not None and model.born is None
    _model, errors = validate(_Form, {"name": "A", "born": "12/03/1984"})
    assert errors == {"name": "This is too short.", "born": "Enter a date as YYYY-MM-DD."}
