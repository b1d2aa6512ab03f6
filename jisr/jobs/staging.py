"""A job's input file, staged in the data directory before the job is queued.

Written to a temporary name, flushed to disk and renamed, so a staged file is whole or absent;
it is removed when its job finishes. The database row says a job has one (``Job.staged``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from jisr.errors import NotFoundError

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def _path(data_dir: Path, job_id: str) -> Path:
    return data_dir / "jobs" / f"{_UNSAFE.sub('_', job_id)}.in"


def stage(data_dir: Path, job_id: str, content: bytes) -> None:
    path = _path(data_dir, job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    with partial.open("wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)


def staged_input(data_dir: Path, job_id: str) -> bytes:
    path = _path(data_dir, job_id)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(
            f"the input of job {job_id} is no longer in the data directory",
            code="job_input_missing",
        ) from None


def unstage(data_dir: Path, job_id: str) -> None:
    _path(data_dir, job_id).unlink(missing_ok=True)
