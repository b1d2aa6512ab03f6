"""``jisr serve --workers N``: several API processes (uvicorn workers) sharing PostgreSQL.

The API processes answer requests only: deliveries and periodic passes belong to ``jisr
worker`` (run one or more beside them), and event metrics are summed across the processes
through ``PROMETHEUS_MULTIPROC_DIR``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from fastapi import FastAPI

from jisr.errors import ConfigError
from jisr.observability.exposition import MULTIPROC_ENV
from jisr.settings import JisrSettings, load_settings

# Settings every API process gets under ``--workers``: what ``jisr worker`` does instead.
API_PROCESS_ENV = {
    "JISR_FEDERATION_WORKER_ENABLED": "false",
    "JISR_NOTICES_EXPIRY_INTERVAL_SECONDS": "0",
    "JISR_EXCHANGE_REMINDER_INTERVAL_SECONDS": "0",
    # Notification passes and background jobs run in `jisr worker` (each pass in one process).
    "JISR_NOTIFICATIONS_POLL_SECONDS": "0",
    "JISR_NOTIFICATIONS_SCAN_SECONDS": "0",
    "JISR_JOBS_RUNNER_ENABLED": "false",
}
METRICS_DIR = "metrics"


def serve_workers(settings: JisrSettings, workers: int) -> None:
    """Run ``workers`` API processes on ``settings.host:port``; PostgreSQL only."""
    import uvicorn

    if settings.effective_database_url.startswith("sqlite"):
        raise ConfigError(
            "several API processes need PostgreSQL (JISR_DATABASE_URL); SQLite serves one",
            code="workers_need_postgresql",
        )
    os.environ.update(API_PROCESS_ENV)
    os.environ["JISR_DATA_DIR"] = str(settings.data_dir.resolve())
    metrics_dir = settings.data_dir / METRICS_DIR
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(mode=0o700)
    os.environ[MULTIPROC_ENV] = str(metrics_dir.resolve())
    uvicorn.run(
        "jisr.runtime.serve:create_api_process",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_config=None,
        access_log=False,
        proxy_headers=False,
    )


def create_api_process() -> FastAPI:
    """The app of one API process (uvicorn imports this in each worker)."""
    from jisr.logs import configure_logging
    from jisr.node import create_app

    settings = load_settings(Path(os.environ["JISR_DATA_DIR"]))
    configure_logging(settings.log_level, settings.log_json)
    return create_app(settings)
