"""Audit: the append-only, hash-chained record of every act on operational data."""

from jisr.audit.models import AuditAction, AuditEntry
from jisr.audit.service import (
    AuditFilter,
    VerifyResult,
    entry_to_json,
    iter_all,
    read_entries,
    record,
    verify_chain,
)

__all__ = [
    "AuditAction",
    "AuditEntry",
    "AuditFilter",
    "VerifyResult",
    "entry_to_json",
    "iter_all",
    "read_entries",
    "record",
    "verify_chain",
]
