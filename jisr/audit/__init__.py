"""Audit: the append-only, hash-chained record of every act on operational data.

The names below are loaded on first use, so that importing ``jisr.audit.module`` (the
composition root does, for ``jisr --help``) does not import SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
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
_MODELS = frozenset({"AuditAction", "AuditEntry"})


def __getattr__(name: str) -> object:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if name in _MODELS:
        from jisr.audit import models as home
    else:
        from jisr.audit import service as home  # type: ignore[no-redef]
    value: object = getattr(home, name)
    globals()[name] = value
    return value
