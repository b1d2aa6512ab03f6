"""The witnessing envelope types and their handlers, for the node's registry."""

from __future__ import annotations

from jisr.federation.handlers import Handler
from jisr.witness.handlers import receive_checkpoint
from jisr.witness.publish import receive_reply
from jisr.witness.wire import CHECKPOINT_ENVELOPE, REPLY_ENVELOPE


def handlers() -> dict[str, Handler]:
    return {CHECKPOINT_ENVELOPE: receive_checkpoint, REPLY_ENVELOPE: receive_reply}
