"""The hash of one audit entry: SHA-256 over canonical JSON of its fields and the previous one.

The same canonical bytes are the entry's leaf in the Merkle tree (``jisr.audit.merkle``):
``leaf = SHA-256(0x00 || canonical)``, so an export that carries the fields is enough to
recompute both the chain and the tree.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

GENESIS_HASH = "0" * 64


def entry_canonical(
    *,
    seq: int,
    entry_id: str,
    at: datetime,
    action: str,
    actor: str,
    actor_agency: str,
    object_type: str,
    object_id: str | None,
    justification: str,
    recipients: list[str],
    details: dict[str, Any],
    prev_hash: str,
) -> bytes:
    """The bytes an entry's hash and leaf are computed from."""
    return json.dumps(
        {
            "seq": seq,
            "entry_id": entry_id,
            "at": at.isoformat(timespec="microseconds"),
            "action": action,
            "actor": actor,
            "actor_agency": actor_agency,
            "object_type": object_type,
            "object_id": object_id,
            "justification": justification,
            "recipients": recipients,
            "details": details,
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")


def entry_hash(**fields: Any) -> str:
    """The chain hash of an entry (hex), from the fields ``entry_canonical`` takes."""
    return hashlib.sha256(entry_canonical(**fields)).hexdigest()
