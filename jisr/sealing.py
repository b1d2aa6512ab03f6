"""Secrets kept at rest, sealed under ``JISR_SECRET_KEY``: TOTP seeds, feed credentials.

Each purpose has its own key, derived from the node's secret with HKDF (``info`` names the
purpose), and values are sealed with Fernet (AES-128-CBC + HMAC-SHA256, with a timestamp), so
a copy of the database alone yields none of them and a value sealed for one purpose does not
open for another.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from jisr.errors import ConfigError


def _fernet(secret: str, purpose: bytes) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str, purpose: bytes, value: str) -> str:
    """``value`` sealed for ``purpose`` (ASCII, safe to store)."""
    return _fernet(secret, purpose).encrypt(value.encode("utf-8")).decode("ascii")


def unseal(secret: str, purpose: bytes, stored: str, *, code: str, what: str) -> str:
    """The value ``seal`` stored; a changed ``JISR_SECRET_KEY`` is a ``ConfigError(code)``."""
    try:
        return _fernet(secret, purpose).decrypt(stored.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError):
        raise ConfigError(
            f"{what} cannot be decrypted: JISR_SECRET_KEY changed since it was stored", code=code
        ) from None
