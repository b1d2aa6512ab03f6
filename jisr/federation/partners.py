"""Partner agencies as federation sees them: address, pinned keys and their history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.parties import Agency, Transport
from jisr.audit import AuditAction, record
from jisr.errors import ConflictError, ValidationError
from jisr.federation import errors
from jisr.federation.envelope import SenderKeyLookup
from jisr.federation.keys import (
    fingerprint,
    load_encryption_public,
    load_signing_public,
    raw_public_key,
)
from jisr.federation.models import PartnerKey
from jisr.ids import AGENCY_CODE


@dataclass(frozen=True, slots=True)
class PartnerAddress:
    code: str
    endpoint_url: str | None
    transport: str
    encryption_key: bytes


@dataclass(frozen=True, slots=True)
class PartnerInfo:
    code: str
    name_en: str
    name_fr: str
    name_ar: str
    country: str
    endpoint_url: str | None
    transport: str
    signing_key: str
    encryption_key: str


def add_partner(session: Session, actor: Actor, info: PartnerInfo, *, now: datetime) -> Agency:
    """Pin a partner agency: its address and the public keys compared out of band."""
    if not AGENCY_CODE.match(info.code):
        raise ValidationError(
            f"agency code {info.code!r} must look like FR-DGSI", code="agency_code_invalid"
        )
    if info.transport not in {t.value for t in Transport}:
        raise ValidationError(f"unknown transport {info.transport}", code="transport_invalid")
    load_signing_public(info.signing_key)
    load_encryption_public(info.encryption_key)
    if session.get(Agency, info.code) is not None:
        raise ConflictError(f"agency {info.code} is already known", code="agency_exists")
    agency = Agency(
        code=info.code,
        name_en=info.name_en,
        name_fr=info.name_fr,
        name_ar=info.name_ar,
        country=info.country.upper(),
        is_local=False,
        endpoint_url=info.endpoint_url,
        signing_key=info.signing_key,
        encryption_key=info.encryption_key,
        transport=info.transport,
        created_at=now,
    )
    session.add(agency)
    session.flush()
    _pin(session, info.code, info.signing_key, info.encryption_key, now)
    record(
        session,
        actor,
        AuditAction.CONFIG_CHANGE,
        "agency",
        info.code,
        details={
            "event": "partner_added",
            "signing_fingerprint": fingerprint(info.signing_key),
            "encryption_fingerprint": fingerprint(info.encryption_key),
            "transport": info.transport,
        },
    )
    return agency


def list_partners(session: Session) -> Sequence[Agency]:
    stmt = select(Agency).where(Agency.is_local.is_(False)).order_by(Agency.code)
    return session.execute(stmt).scalars().all()


def partner_address(session: Session, code: str) -> PartnerAddress:
    agency = session.get(Agency, code)
    if agency is None or agency.is_local or not agency.encryption_key:
        raise errors.UnknownSenderError(f"{code} is not a partner with pinned keys")
    return PartnerAddress(
        code, agency.endpoint_url, agency.transport, raw_public_key(agency.encryption_key)
    )


def key_lookup(session: Session, now: datetime) -> SenderKeyLookup:
    """Signing keys accepted from partners: the pinned one, or a retired one in its grace.

    Keys found are remembered for the life of the lookup (one transaction, one batch of
    envelopes or acks): the pinned keys cannot change under it except by a rotation in that
    very transaction, which keeps the previous key acceptable anyway. Refusals are not
    remembered."""
    found: dict[tuple[str, str], Ed25519PublicKey] = {}

    def lookup(code: str, key_fingerprint: str) -> Ed25519PublicKey:
        key = found.get((code, key_fingerprint))
        if key is None:
            key = found[(code, key_fingerprint)] = _lookup(code, key_fingerprint)
        return key

    def _lookup(code: str, key_fingerprint: str) -> Ed25519PublicKey:
        agency = session.get(Agency, code)
        if agency is None or agency.is_local or not agency.signing_key:
            raise errors.UnknownSenderError(f"{code} is not a known partner")
        if fingerprint(agency.signing_key) == key_fingerprint:
            return load_signing_public(agency.signing_key)
        old = session.execute(
            select(PartnerKey.signing_key).where(
                PartnerKey.agency_code == code,
                PartnerKey.signing_fingerprint == key_fingerprint,
                or_(PartnerKey.accept_until.is_(None), PartnerKey.accept_until > now),
            )
        ).scalar()
        if old is None:
            raise errors.UnknownSenderKeyError(f"{code} signed with unknown key {key_fingerprint}")
        return load_signing_public(old)

    return lookup


def apply_rotation(
    session: Session,
    code: str,
    *,
    signing_key: str,
    encryption_key: str,
    now: datetime,
    grace: timedelta,
) -> bool:
    """Pin a partner's new keys, keeping the old ones acceptable for ``grace``; False if known."""
    agency = session.get(Agency, code)
    if agency is None or agency.is_local:
        raise errors.UnknownSenderError(f"{code} is not a known partner")
    if agency.signing_key == signing_key and agency.encryption_key == encryption_key:
        return False
    if agency.signing_key and agency.encryption_key:
        current = _pin(session, code, agency.signing_key, agency.encryption_key, agency.created_at)
        current.retired_at = now
        current.accept_until = now + grace
    agency.signing_key = signing_key
    agency.encryption_key = encryption_key
    _pin(session, code, signing_key, encryption_key, now)
    return True


def _pin(session: Session, code: str, signing: str, encryption: str, now: datetime) -> PartnerKey:
    existing = session.execute(
        select(PartnerKey).where(
            PartnerKey.agency_code == code,
            PartnerKey.signing_fingerprint == fingerprint(signing),
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    row = PartnerKey(
        agency_code=code,
        signing_key=signing,
        encryption_key=encryption,
        signing_fingerprint=fingerprint(signing),
        encryption_fingerprint=fingerprint(encryption),
        added_at=now,
    )
    session.add(row)
    session.flush()
    return row
