"""Identifiers namespaced by the owning node: ``AGENCY:kind:ULID``.

Written by hand (a dozen lines) rather than adding a ULID dependency: time-ordered, 128 bits,
Crockford base32, so ids sort by creation and never collide across nodes.
"""

from __future__ import annotations

import re
import secrets
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
AGENCY_CODE = re.compile(r"^[A-Z]{2}-[A-Z0-9]{2,16}$")


def new_ulid() -> str:
    value = (int(time.time() * 1000) << 80) | secrets.randbits(80)
    return "".join(_ALPHABET[(value >> shift) & 31] for shift in range(125, -5, -5))


def new_id(agency_code: str, kind: str) -> str:
    return f"{agency_code}:{kind}:{new_ulid()}"


def owner_of(identifier: str) -> str:
    """The agency code an identifier is namespaced by."""
    return identifier.split(":", 1)[0]
