"""``jisr worker``: the node's background process."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from jisr.cli.common import DEFAULT_DATA_DIR, DataDirOption


def worker(
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    deliveries: Annotated[
        bool, typer.Option(help="Run the delivery worker (off: periodic passes only).")
    ] = True,
) -> None:
    """Run deliveries, NATS consumers and periodic passes (alert expiry, reminders) as their
    own process, beside `jisr serve --workers N`; several may run for one node."""
    from jisr.logs import configure_logging
    from jisr.runtime.worker import run_worker
    from jisr.settings import load_settings

    settings = load_settings(data_dir)
    configure_logging(settings.log_level, settings.log_json)
    asyncio.run(run_worker(settings, deliveries=deliveries))
