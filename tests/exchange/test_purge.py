"""Retention: past-retention records are erased (and the erasure audited), files swept after."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from jisr.actors import system_actor
from jisr.audit.models import AuditEntry
from jisr.clock import utcnow
from jisr.errors import PermissionDeniedError
from jisr.exchange import attachments, messages, purge
from jisr.exchange.models import Attachment, Case, Message
from jisr.exchange.schemas import AttachmentRef, MessageCreate
from tests.exchange.conftest import LOCAL, World, message_fields


def test_purge_erases_expired_messages_empty_cases_and_orphan_files(world: World) -> None:
    blob = world.store.write_bytes(b"route map, fictional\n")
    attachments.register_upload(world.session, world.liaison, blob)
    ref = AttachmentRef(sha256=blob.sha256, filename="route.txt")
    data = MessageCreate(**message_fields(attachments=[ref.model_dump()]))
    old = messages.send_message(world.session, world.liaison, data, store=world.store)
    kept = messages.send_message(
        world.session, world.liaison, MessageCreate(**message_fields()), store=world.store
    )
    now = utcnow()
    old.retention_until = now - timedelta(days=1)
    case = world.session.get(Case, old.case_ref)
    assert case is not None
    case.retention_until = now - timedelta(days=1)
    attachment = world.session.get(Attachment, blob.sha256)
    assert attachment is not None
    attachment.created_at = now - timedelta(days=2)
    world.session.flush()

    with pytest.raises(PermissionDeniedError):
        purge.purge_expired(world.session, world.liaison)
    result = purge.purge_expired(world.session, system_actor(LOCAL), now=now)
    assert result.messages == [old.id] and result.cases == [old.case_ref]
    assert result.blobs == [blob.sha256]
    assert world.session.get(Message, old.id) is None
    assert world.session.get(Message, kept.id) is not None
    erased = world.session.execute(
        select(AuditEntry.object_id).where(AuditEntry.action == "erasure")
    ).scalars()
    assert set(erased) == {old.id, old.case_ref, blob.sha256}
    assert world.store.exists(blob.sha256)
    assert purge.remove_files(world.session, world.store, result.blobs) == 1
    assert not world.store.exists(blob.sha256)
