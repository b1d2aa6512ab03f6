"""Field errors of console forms: blank required fields are "required", types are explained."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import BaseModel, Field
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from jisr.errors import ConflictError
from jisr.web.forms import blank_to_none, refusal, validate


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


def test_a_refusal_is_one_field_error_and_nothing_of_it_stays_written() -> None:
    messages = {"no_seat": "No free seat.", "task_done": "Done already."}
    with Session(create_engine("sqlite://")) as session:
        session.execute(text("create table t (x int)"))
        session.commit()
        session.execute(text("insert into t values (1)"))
        found = refusal(session, ConflictError("x", code="no_seat"), messages, {"no_seat": "name"})
        assert found == {"name": "No free seat."}
        assert session.execute(text("select count(*) from t")).scalar() == 0
        other = refusal(session, ConflictError("x", code="task_done"), messages, {})
        assert other == {"form": "Done already."}
        unknown = ConflictError("x", code="operation_not_found")
        with pytest.raises(ConflictError):
            refusal(session, unknown, messages, {})
