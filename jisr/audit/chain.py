"""The hash of one audit entry: SHA-256 over canonical JSON of its fields and the previous one."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

GENESIS_HASH = "0" * 64


def entry_hash(
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
) -> str:
    canonical = json.dumps(
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
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
