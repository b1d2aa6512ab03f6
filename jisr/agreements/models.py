"""Agreements between agencies: what may flow, between whom, about what, until when."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jisr.clock import utcnow
from jisr.db.base import Base


class CrimeArea(StrEnum):
    TERRORISM = "terrorism"
    ORGANISED_CRIME = "organised_crime"
    MIGRANT_SMUGGLING = "migrant_smuggling"
    HUMAN_TRAFFICKING = "human_trafficking"
    DRUG_TRAFFICKING = "drug_trafficking"
    FINANCIAL_CRIME = "financial_crime"
    CYBERCRIME = "cybercrime"
    BORDER_SECURITY = "border_security"
    MAJOR_EVENTS = "major_events"
    TRAINING = "training"


class DataCategory(StrEnum):
    PERSONAL = "personal"
    BIOMETRIC_REFERENCE = "biometric_reference"
    CYBER_INDICATOR = "cyber_indicator"
    OPERATIONAL = "operational"
    TRAINING = "training"


class AgreementStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    EXPIRED = "expired"


class HandlingCode(StrEnum):
    """Handling codes in the Europol style: restrictions that travel with every record."""

    H0 = "H0"  # law-enforcement use only
    H1 = "H1"  # not to be used as evidence without the owner's permission
    H2 = "H2"  # no onward dissemination without the owner's permission
    H3 = "H3"  # restrictions stated in text


class Agreement(Base):
    __tablename__ = "agreements"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    reference: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default=AgreementStatus.DRAFT.value)
    crime_areas: Mapped[list[str]]
    data_categories: Mapped[list[str]]
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime | None]
    default_handling: Mapped[str] = mapped_column(String(4), default=HandlingCode.H0.value)
    legal_basis: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    parties: Mapped[list[AgreementParty]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def party_codes(self) -> list[str]:
        return sorted(p.agency_code for p in self.parties)


class AgreementParty(Base):
    __tablename__ = "agreement_parties"

    agreement_id: Mapped[str] = mapped_column(ForeignKey("agreements.id"), primary_key=True)
    agency_code: Mapped[str] = mapped_column(ForeignKey("agencies.code"), primary_key=True)

    agreement: Mapped[Agreement] = relationship(back_populates="parties")
