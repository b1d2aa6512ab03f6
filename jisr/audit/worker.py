"""Start-up hook for ``jisr serve``: checkpoints on schedule, witnessed by partners.

Every ``JISR_AUDIT_WITNESS_POLL_SECONDS`` the node signs a checkpoint when one is due (the log
grew by ``JISR_AUDIT_CHECKPOINT_EVERY_ENTRIES``, or grew at all and the last checkpoint is
``JISR_AUDIT_CHECKPOINT_INTERVAL_SECONDS`` old) and sends the newest one to every partner under
an active agreement for co-signing. ``jisr audit checkpoint`` signs one on demand.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from jisr.audit.publish import AuditSettings, witness_pass
from jisr.federation.keyring import KeyStore
from jisr.schedule import every

if TYPE_CHECKING:
    from jisr.api.context import AppContext


@asynccontextmanager
async def lifespan_hook(ctx: AppContext) -> AsyncIterator[None]:
    settings = AuditSettings()
    passphrase = ctx.settings.key_passphrase
    keys = KeyStore(
        ctx.settings.data_dir, passphrase.get_secret_value().encode() if passphrase else None
    )

    def witness() -> None:
        witness_pass(ctx.session_factory, ctx.agency_code, keys.get().current.signing, settings)

    async with every(settings.witness_poll_seconds, "audit-witness", witness):
        yield
