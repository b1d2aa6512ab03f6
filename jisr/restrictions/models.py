"""The blocks themselves (table ``rights_blocks``, created by the rights branch's migrations)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from jisr.clock import utcnow
from jisr.db.base import Base


class RightsBlock(Base):
    """A record held back from use while a request about it is reviewed."""

    __tablename__ = "rights_blocks"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("rights_requests.id"), index=True)
    record_type: Mapped[str] = mapped_column(String(24))
    record_id: Mapped[str] = mapped_column(String(120), index=True)
    placed_by: Mapped[str] = mapped_column(String(120))
    placed_at: Mapped[datetime] = mapped_column(default=utcnow)
    lifted_by: Mapped[str | None] = mapped_column(String(120))
    lifted_at: Mapped[datetime | None]
