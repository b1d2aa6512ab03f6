"""The one FollowTheMoney normaliser: exchange messages and notice subjects refuse alike."""

from __future__ import annotations

import pytest

from jisr.errors import ValidationError
from jisr.exchange.entities import normalise_entities
from jisr.notices import subjects

NUL_NAME = {"id": "p1", "schema": "Person", "properties": {"name": ["Ali\x00 Test"]}}


def test_both_paths_refuse_a_nul_the_same_way() -> None:
    with pytest.raises(ValidationError) as message:
        normalise_entities([NUL_NAME], "MA-DGST")
    with pytest.raises(ValidationError) as notice:
        subjects.normalise(NUL_NAME, [], "MA-DGST")
    assert message.value.code == notice.value.code == "entity_invalid"
    assert message.value.field == "entities[0].name"
    assert notice.value.field == "subject.name"
    assert "contain control characters" in message.value.detail
    assert message.value.detail.split(": ", 1)[1] == notice.value.detail.split(": ", 1)[1]


def test_a_refused_value_names_its_entity() -> None:
    passport = {"id": "d1", "schema": "Passport", "properties": {"holder": ["p1"]}}
    bad = {"id": "p1", "schema": "Person", "properties": {"birthDate": ["not a date"]}}
    with pytest.raises(ValidationError) as refused:
        normalise_entities([passport, bad], "MA-DGST")
    assert refused.value.field == "entities[1].birthDate"
    with pytest.raises(ValidationError) as refused:
        subjects.normalise({"id": "p2", "schema": "Person"}, [passport, bad], "MA-DGST")
    assert refused.value.field == "related[1].birthDate"


def test_free_text_keeps_its_line_breaks() -> None:
    note = {"id": "p1", "schema": "Person", "properties": {"notes": ["line one\nline two"]}}
    [clean] = normalise_entities([note], "MA-DGST")
    assert clean["id"] == "MA-DGST.p1"
    assert clean["properties"]["notes"] == ["line one\nline two"]
