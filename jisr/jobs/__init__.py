"""Background jobs: long work (a large upload, a batch) queued, run by a worker, resumable.

A job is a row (``models.Job``): its kind, what it needs (a JSON payload and, for uploads, a
staged input file), who asked for it, and where it stands (queued, running, done, failed,
cancelled) with its progress. Workers claim jobs under a lease (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, the writer lock on SQLite), renew it as they report progress, and leave a
checkpoint; a job whose worker died is claimed again when its lease runs out and resumes from
its checkpoint. See ``docs/jobs.md``.
"""
