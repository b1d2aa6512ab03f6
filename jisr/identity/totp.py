"""TOTP (RFC 6238) second factor: seeds, enrolment URIs, verification with replay protection.

Seeds are stored encrypted (Fernet) under a key derived from ``JISR_SECRET_KEY`` with HKDF, so a
copy of the database alone does not yield anyone's second factor.
"""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp

from jisr.sealing import seal, unseal

ISSUER = "Jisr"
STEP_SECONDS = 30
DIGITS = 6
# Codes of the previous and next step are accepted too (clock drift, slow typing).
WINDOW = 1
_HKDF_INFO = b"jisr/identity/totp-seed/v1"


def new_seed() -> str:
    """A fresh 160-bit base32 seed."""
    return pyotp.random_base32()


def provisioning_uri(seed: str, username: str, agency_code: str) -> str:
    """The ``otpauth://`` URI authenticator apps read from a QR code."""
    return pyotp.TOTP(seed).provisioning_uri(
        name=f"{username}@{agency_code}", issuer_name=f"{ISSUER} {agency_code}"
    )


def encrypt_seed(secret: str, seed: str) -> str:
    return seal(secret, _HKDF_INFO, seed)


def decrypt_seed(secret: str, stored: str) -> str:
    return unseal(secret, _HKDF_INFO, stored, code="totp_seed_unreadable", what="a TOTP seed")


def time_step(at: datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def matching_step(seed: str, code: str, *, at: datetime, last_step: int | None) -> int | None:
    """The time-step ``code`` belongs to (within the window), or None.

    A step at or before ``last_step`` is refused: each code works once, and once a code is used
    no older one does either.
    """
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(seed, digits=DIGITS, interval=STEP_SECONDS)
    now_step = time_step(at)
    for step in range(now_step - WINDOW, now_step + WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None
