"""What witnessing puts in envelopes.

``audit.checkpoint`` (origin -> partner): the signed checkpoint and the consistency proof from
the size the origin believes the partner holds. ``audit.cosignature`` (partner -> origin): the
witness's answer: its co-signature, a request for a proof from the size it really holds, or a
refusal (the checkpoint is not an extension of the one it holds).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from jisr.audit.notes import MAX_NOTE_BYTES

CHECKPOINT_ENVELOPE = "audit.checkpoint"
REPLY_ENVELOPE = "audit.cosignature"
# A consistency proof has at most about 2 * log2(size) hashes.
MAX_PROOF_HASHES = 130


class WireCheckpoint(BaseModel):
    checkpoint: str = Field(min_length=1, max_length=MAX_NOTE_BYTES)
    proof_from: int = Field(ge=0, le=2**62)
    proof: list[str] = Field(default_factory=list, max_length=MAX_PROOF_HASHES)


class ReplyStatus(StrEnum):
    COSIGNED = "cosigned"
    NEED_PROOF = "need_proof"
    REFUSED = "refused"


class WireReply(BaseModel):
    status: ReplyStatus
    tree_size: int = Field(ge=0, le=2**62)
    root_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    cosignature: str | None = Field(default=None, max_length=400)
    held_size: int | None = Field(default=None, ge=0, le=2**62)
    held_root: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    code: str | None = Field(default=None, max_length=40)
    detail: str | None = Field(default=None, max_length=500)
