"""Passwords and TOTP as pure functions (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from jisr.errors import ConfigError
from jisr.identity import passwords, totp

AT = datetime(2026, 11, 23, 12, 0, 10, tzinfo=UTC)
SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
STEP = totp.time_step(AT)


def _code(offset_steps: int) -> str:
    return pyotp.TOTP(SEED).at(AT + timedelta(seconds=30 * offset_steps))


def test_password_hash_roundtrip() -> None:
    hashed = passwords.hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$") and "correct" not in hashed
    assert passwords.verify_password(hashed, "correct horse battery")
    assert not passwords.verify_password(hashed, "correct horse batterY")
    assert not passwords.verify_password("not a hash", "correct horse battery")
    assert not passwords.needs_rehash(hashed)
    assert passwords.needs_rehash("$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo")


def test_generated_passwords() -> None:
    generated = {passwords.generate_password() for _ in range(50)}
    assert len(generated) == 50
    assert all(len(p) == passwords.GENERATED_LENGTH and p.isalnum() for p in generated)
    assert not any(ch in p for p in generated for ch in "lIO01")


@pytest.mark.parametrize(
    ("offset", "last_step", "expected"),
    [
        (0, None, STEP),
        (-1, None, STEP - 1),
        (1, None, STEP + 1),
        (-2, None, None),
        (2, None, None),
        (0, STEP, None),  # replayed
        (-1, STEP, None),  # older than the last code used
        (1, STEP, STEP + 1),
    ],
    ids=["now", "previous", "next", "too-old", "too-new", "replay", "older", "after-last"],
)
def test_window_and_replay(offset: int, last_step: int | None, expected: int | None) -> None:
    assert totp.matching_step(SEED, _code(offset), at=AT, last_step=last_step) == expected


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12a456", "١٢٣٤٥٦"])
def test_malformed_codes(code: str) -> None:
    assert totp.matching_step(SEED, code, at=AT, last_step=None) is None


def test_seed_encryption() -> None:
    stored = totp.encrypt_seed("k" * 40, SEED)
    assert SEED not in stored
    assert totp.encrypt_seed("k" * 40, SEED) != stored  # fresh nonce each time
    assert totp.decrypt_seed("k" * 40, stored) == SEED
    with pytest.raises(ConfigError) as excinfo:
        totp.decrypt_seed("z" * 40, stored)
    assert excinfo.value.code == "totp_seed_unreadable"


def test_provisioning_uri() -> None:
    uri = totp.provisioning_uri(SEED, "amal.benali", "MA-DGST")
    parsed = pyotp.parse_uri(uri)
    assert isinstance(parsed, pyotp.TOTP) and parsed.secret == SEED
    assert "amal.benali%40MA-DGST" in uri and "issuer=Jisr%20MA-DGST" in uri
