"""Verifying an export with no database: what an oversight body runs on its own machine.

From the JSON lines of ``jisr audit export`` alone: the chain is recomputed, every leaf and the
root at each checkpoint's size are recomputed, and each checkpoint's signature is checked
with the public key the body obtained from the node (out of band, like a partner pins it).
Nothing the operator stored is trusted: only the entries' fields, the checkpoints and the key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from jisr.audit.chain import GENESIS_HASH, entry_canonical
from jisr.audit.merkle import EMPTY_ROOT, CompactRange, leaf_hash
from jisr.audit.notes import CheckpointError, verify_checkpoint

MAX_LINE_BYTES = 1024 * 1024


@dataclass
class ExportReport:
    entries: int = 0
    head_hash: str = GENESIS_HASH
    checkpoints: list[tuple[str, int]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_export(
    lines: Iterable[bytes],
    checkpoints: Sequence[tuple[str, str]],
    key: Ed25519PublicKey,
    *,
    key_name: str | None = None,
) -> ExportReport:
    """Check an export against signed checkpoints ((label, note) pairs) and the log's key."""
    report = ExportReport()
    wanted: list[tuple[str, int, bytes]] = []
    for label, note in checkpoints:
        origin = key_name or _origin(note)
        try:
            checkpoint = verify_checkpoint(note, origin, [key]).checkpoint
        except CheckpointError as exc:
            report.problems.append(f"{label}: {exc.detail}")
            continue
        wanted.append((label, checkpoint.size, checkpoint.root))
    sizes = {size for _label, size, _root in wanted}
    roots = {0: EMPTY_ROOT}
    compact = CompactRange()
    prev = GENESIS_HASH
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        problem = _check_line(line, compact.size + 1, prev)
        if isinstance(problem, str):
            report.problems.append(f"line {number}: {problem}")
            break
        data, prev = problem
        compact.append(leaf_hash(data))
        if compact.size in sizes:
            roots[compact.size] = compact.root()
    report.entries, report.head_hash = compact.size, prev
    for label, size, root in wanted:
        if size not in roots:
            report.problems.append(
                f"{label} covers {size} entries; the export has {compact.size} valid ones"
            )
        elif roots[size] != root:
            report.problems.append(
                f"{label}: the export's first {size} entries do not have its root "
                "(entries changed, removed or inserted)"
            )
        else:
            report.checkpoints.append((label, size))
    return report


def _origin(note: str) -> str:
    return note.split("\n", 1)[0]


def _check_line(line: bytes, seq: int, prev: str) -> tuple[bytes, str] | str:
    """(canonical bytes, hash) of a valid line, else what is wrong with it."""
    if len(line) > MAX_LINE_BYTES:
        return "line too long"
    try:
        entry: Any = json.loads(line)
    except (ValueError, RecursionError):
        return "not a JSON object"
    if not isinstance(entry, dict):
        return "not a JSON object"
    try:
        data = entry_canonical(
            seq=int(entry["seq"]),
            entry_id=str(entry["entry_id"]),
            at=datetime.fromisoformat(str(entry["at"])),
            action=str(entry["action"]),
            actor=str(entry["actor"]),
            actor_agency=str(entry["actor_agency"]),
            object_type=str(entry["object_type"]),
            object_id=None if entry["object_id"] is None else str(entry["object_id"]),
            justification=str(entry["justification"]),
            recipients=list(entry["recipients"]),
            details=dict(entry["details"]),
            prev_hash=str(entry["prev_hash"]),
        )
        claimed = str(entry["hash"])
    except (KeyError, TypeError, ValueError, RecursionError):
        return "not an audit entry"
    if entry["seq"] != seq:
        return f"entry {entry['seq']} where entry {seq} was expected (removed or moved)"
    if entry["prev_hash"] != prev:
        return f"entry {seq} does not follow the previous entry"
    if hashlib.sha256(data).hexdigest() != claimed:
        return f"entry {seq}: content does not match its hash"
    return data, claimed
