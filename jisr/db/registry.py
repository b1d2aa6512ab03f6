"""Where the domains' migrations live, for Alembic.

Each domain that owns tables keeps its own Alembic branch in ``jisr/<domain>/migrations``
(branch label = domain name) and declares it in its module (``DomainModule.migrations``); a
domain whose tables reference another's declares ``depends_on`` in its first revision. The
kernel cannot import the composition root, so it finds the branches on disk; a test checks that
they are exactly the ones the modules of ``jisr.node`` declare.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def migration_dirs() -> list[Path]:
    return sorted(path for path in PACKAGE_ROOT.glob("*/migrations") if path.is_dir())
