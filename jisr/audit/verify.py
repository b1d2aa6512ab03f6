"""Verifying the whole log: chain, tree, checkpoints, co-signatures, checkpoints held outside.

Each check recomputes from the entries themselves, never trusting a stored hash: the chain
(``verify_chain``), every leaf and complete subtree of the stored tree, the root at each size a
checkpoint names, the signature of each checkpoint (the node's keys), each partner's
co-signature (its pinned keys), and the dates of entries appended after a checkpoint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.audit.checkpoints import origin_of, witness_name
from jisr.audit.merkle import EMPTY_ROOT, CompactRange, node_hash
from jisr.audit.models import (
    AlertKind,
    AuditCheckpoint,
    AuditCosignature,
    AuditHead,
    AuditTreeNode,
    WitnessAlert,
)
from jisr.audit.notes import CheckpointError, parse_note, verify_checkpoint, verify_cosignature
from jisr.audit.service import verify_chain
from jisr.audit.tree import HEAD_ID, compact_of, hashes_of, iter_entries

_NODES = AuditTreeNode.__table__
_PAGE = 4000


class ProblemKind(StrEnum):
    CHAIN = "chain"  # an entry edited, removed or moved without recomputing the chain
    TRUNCATED = "truncated"  # entries removed from the end
    TREE = "tree"  # the stored tree disagrees with the entries
    REWRITTEN = "rewritten"  # entries a checkpoint covers were changed (chain recomputed)
    FORGED = "forged"  # an entry appended after a checkpoint, dated before it
    SIGNATURE = "signature"  # a checkpoint not signed by this node's key
    COSIGNATURE = "cosignature"  # a witness's co-signature does not verify any more
    FORK = "fork"  # a checkpoint held outside disagrees with the log
    WITNESS = "witness"  # a partner refused one of our checkpoints


@dataclass(frozen=True)
class Problem:
    kind: ProblemKind
    message: str
    seq: int | None = None


@dataclass
class LogReport:
    entries: int = 0
    head_hash: str = ""
    root_hash: str = ""
    checkpoints: int = 0
    cosignatures: int = 0
    external: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


WitnessKeys = Callable[[str], list[Ed25519PublicKey]]


def verify_log(
    session: Session,
    *,
    agency: str,
    node_keys: list[Ed25519PublicKey],
    witness_keys: WitnessKeys,
    external: Sequence[tuple[str, str]] = (),
) -> LogReport:
    """Check everything; ``external`` is (label, signed note) of checkpoints held outside."""
    report = LogReport()
    chain = verify_chain(session)
    report.head_hash = chain.head_hash
    if not chain.intact:
        kind = ProblemKind.TRUNCATED if "removed" in (chain.problem or "") else ProblemKind.CHAIN
        report.problems.append(
            Problem(kind, f"entry {chain.first_bad_seq}: {chain.problem}", chain.first_bad_seq)
        )
    origin = origin_of(agency)
    stored = list(
        session.execute(
            select(AuditCheckpoint).order_by(AuditCheckpoint.tree_size, AuditCheckpoint.id)
        ).scalars()
    )
    outside = _parse_external(external, origin, node_keys, report)
    sizes = {row.tree_size for row in stored} | {size for _label, size, _root in outside}
    roots, count = _stream(session, stored, sizes, report)
    report.entries = count
    report.root_hash = roots.get(count, EMPTY_ROOT).hex()
    _check_tree(session, count, roots.get(count, EMPTY_ROOT), report)
    _check_checkpoints(session, stored, roots, count, origin, node_keys, witness_keys, report)
    for label, size, root in outside:
        report.external += 1
        if size > count:
            report.problems.append(
                Problem(
                    ProblemKind.TRUNCATED,
                    f"{label} covers {size} entries but the log has {count}: entries were removed",
                )
            )
        elif roots[size] != root:
            report.problems.append(
                Problem(
                    ProblemKind.FORK,
                    f"fork: {label} says the log of {size} entries had root {root.hex()[:16]}, "
                    f"the log has {roots[size].hex()[:16]} (history rewritten or a split view)",
                )
            )
    for alert in session.execute(
        select(WitnessAlert).where(
            WitnessAlert.kind == AlertKind.REFUSED_BY_WITNESS.value,
            WitnessAlert.acknowledged_at.is_(None),
        )
    ).scalars():
        report.problems.append(Problem(ProblemKind.WITNESS, f"{alert.agency}: {alert.detail}"))
    return report


def _parse_external(
    external: Sequence[tuple[str, str]],
    origin: str,
    node_keys: list[Ed25519PublicKey],
    report: LogReport,
) -> list[tuple[str, int, bytes]]:
    parsed = []
    for label, note in external:
        try:
            checkpoint = verify_checkpoint(note, origin, node_keys).checkpoint
        except CheckpointError as exc:
            report.problems.append(Problem(ProblemKind.SIGNATURE, f"{label}: {exc.detail}"))
            continue
        parsed.append((label, checkpoint.size, checkpoint.root))
    return parsed


def _stream(
    session: Session, stored: list[AuditCheckpoint], sizes: set[int], report: LogReport
) -> tuple[dict[int, bytes], int]:
    """Recompute every leaf from its entry: the roots at ``sizes``, the stored leaves, and the
    dates of entries that follow a checkpoint."""
    compact = CompactRange()
    roots = {0: EMPTY_ROOT}
    leaves = _stored_level(session, 0)
    after = 0
    newest: tuple[datetime, AuditCheckpoint] | None = None
    bad_leaf: int | None = None
    forged = False
    for entry in iter_entries(session):
        while after < len(stored) and stored[after].tree_size < entry.seq:
            row = stored[after]
            if newest is None or row.created_at > newest[0]:
                newest = (row.created_at, row)
            after += 1
        if newest is not None and entry.at < newest[0] and not forged:
            forged = True
            report.problems.append(
                Problem(
                    ProblemKind.FORGED,
                    f"entry {entry.seq} is dated {entry.at.isoformat()} but comes after the "
                    f"checkpoint of {newest[1].tree_size} entries signed at "
                    f"{newest[0].isoformat()}: appended later and backdated",
                    entry.seq,
                )
            )
        _hash, leaf = hashes_of(entry)
        compact.append(leaf)
        if bad_leaf is None and next(leaves, None) != (compact.size - 1, leaf):
            bad_leaf = entry.seq
        if compact.size in sizes:
            roots[compact.size] = compact.root()
    count = compact.size
    roots[count] = compact.root()
    if bad_leaf is not None:
        report.problems.append(
            Problem(
                ProblemKind.TREE,
                f"the tree's leaf for entry {bad_leaf} is wrong or missing",
                bad_leaf,
            )
        )
    elif next(leaves, None) is not None:
        report.problems.append(
            Problem(
                ProblemKind.TREE,
                f"the tree has leaves beyond entry {count}: entries were removed from the end",
                count + 1,
            )
        )
    return roots, count


def _stored_level(session: Session, level: int) -> Iterator[tuple[int, bytes]]:
    last = -1
    while True:
        rows = session.execute(
            select(_NODES.c.idx, _NODES.c.hash)
            .where(_NODES.c.level == level, _NODES.c.idx > last)
            .order_by(_NODES.c.idx)
            .limit(_PAGE)
        ).all()
        if not rows:
            return
        for index, value in rows:
            yield int(index), bytes(value)
        last = int(rows[-1][0])


def _check_tree(session: Session, count: int, root: bytes, report: LogReport) -> None:
    head = session.get(AuditHead, HEAD_ID)
    if head is None:
        return
    if head.seq == count and compact_of(head).root() != root:
        report.problems.append(
            Problem(ProblemKind.TREE, "the tree head kept on the node does not match the entries")
        )
    level = 1
    while count >> level:
        if not _level_matches(session, level, count >> level):
            report.problems.append(
                Problem(ProblemKind.TREE, f"the tree's subtrees of level {level} are wrong")
            )
            return
        level += 1


def _level_matches(session: Session, level: int, expected: int) -> bool:
    """Every stored subtree of ``level`` is the hash of its two stored children, and there are
    exactly ``expected`` of them."""
    children = _stored_level(session, level - 1)
    seen = 0
    for index, value in _stored_level(session, level):
        left, right = next(children, None), next(children, None)
        if left is None or right is None or index != seen or left[0] != 2 * index:
            return False
        if value != node_hash(left[1], right[1]):
            return False
        seen += 1
    return seen == expected


def _check_checkpoints(
    session: Session,
    stored: list[AuditCheckpoint],
    roots: dict[int, bytes],
    count: int,
    origin: str,
    node_keys: list[Ed25519PublicKey],
    witness_keys: WitnessKeys,
    report: LogReport,
) -> None:
    by_id = {row.id: row for row in stored}
    for row in stored:
        report.checkpoints += 1
        label = f"checkpoint #{row.id} ({row.tree_size} entries, {row.created_at.isoformat()})"
        try:
            signed = verify_checkpoint(row.note, origin, node_keys).checkpoint
        except CheckpointError as exc:
            report.problems.append(Problem(ProblemKind.SIGNATURE, f"{label}: {exc.detail}"))
            continue
        if signed.size != row.tree_size or signed.root.hex() != row.root_hash:
            report.problems.append(
                Problem(ProblemKind.SIGNATURE, f"{label}: its row differs from its signed note")
            )
        if signed.size > count:
            report.problems.append(
                Problem(
                    ProblemKind.TRUNCATED,
                    f"{label} covers {signed.size} entries but the log has {count}: "
                    "entries were removed",
                )
            )
        elif roots[signed.size] != signed.root:
            report.problems.append(
                Problem(
                    ProblemKind.REWRITTEN,
                    f"{label}: the first {signed.size} entries no longer match it "
                    "(history rewritten and the chain recomputed)",
                )
            )
    for cosignature in session.execute(select(AuditCosignature)).scalars():
        report.cosignatures += 1
        row = by_id[cosignature.checkpoint_id]
        try:
            checkpoint = parse_note(row.note).checkpoint
            verify_cosignature(
                checkpoint,
                cosignature.line,
                witness_name(cosignature.witness),
                witness_keys(cosignature.witness),
            )
        except CheckpointError as exc:
            report.problems.append(
                Problem(
                    ProblemKind.COSIGNATURE,
                    f"{cosignature.witness}'s co-signature of checkpoint #{row.id} "
                    f"({row.tree_size} entries) does not verify: {exc.detail}",
                )
            )
