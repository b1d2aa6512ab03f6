"""Queueing, claiming and settling jobs; what a running job may report (``JobRun``)."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from jisr.actors import Actor, ActorKind, Role
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.db import SessionFactory, unit_of_work
from jisr.db.notify import JOBS, notify
from jisr.errors import ConflictError, JisrError, NotFoundError, PermissionDeniedError
from jisr.identity.models import ApiToken, User
from jisr.ids import new_id
from jisr.jobs.models import Job, JobState
from jisr.jobs.staging import RETENTION, stage, staged_input, sweep, unstage

log = structlog.get_logger("jisr.jobs")
LEASE = timedelta(seconds=60)
# Set when a job is queued in this process, so its runner starts at once instead of polling.
wakeup = threading.Event()
# A domain that keeps its own record of a job (a manifest's status) follows the job's state.
StateListener = Callable[[Session, Job], None]
_listeners: dict[str, StateListener] = {}


def follow(kind: str, listener: StateListener) -> None:
    """Tell ``listener`` of every change of state of a job of ``kind`` (queued again, running,
    done, failed, cancelled, or flagged to stop), in the transaction that makes it, so the
    domain's own record of the job never disagrees with the queue."""
    _listeners[kind] = listener


def _changed(session: Session, job: Job) -> None:
    listener = _listeners.get(job.kind)
    if listener is not None:
        listener(session, job)


class LeaseLost(Exception):  # noqa: N818 - a signal to the runner, not an error to report
    """Another worker holds the job now (this one was too slow to renew its lease)."""


class JobCancelled(Exception):  # noqa: N818 - a signal to the runner
    """The job was cancelled while it ran; it stops at its next report."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _snapshot(actor: Actor) -> dict[str, Any]:
    return {
        "kind": actor.kind.value,
        "id": actor.id,
        "agency": actor.agency_code,
        "roles": sorted(actor.roles),
        "label": actor.label,
        "scopes": sorted(actor.scopes) if actor.scopes is not None else None,
        "token": actor.token_id,
    }


def enqueue(
    session: Session,
    actor: Actor,
    kind: str,
    payload: dict[str, Any],
    *,
    data_dir: Path | None = None,
    content: bytes | None = None,
    total: int | None = None,
    note: str = "",
) -> Job:
    """Queue a job in the caller's transaction (it runs once that commits); ``content`` is
    staged in ``data_dir`` first, so a queued job never lacks its input."""
    job = Job(
        id=new_id(actor.agency_code, "job"),
        kind=kind,
        state=JobState.QUEUED.value,
        payload=payload,
        staged=content is not None,
        requested_by=actor.id,
        actor=_snapshot(actor),
        total=total,
        note=note,
        checkpoint={},
        result={},
    )
    if content is not None:
        if data_dir is None:
            raise ValueError("a job with content needs the node's data directory")
        stage(data_dir, job.id, content)
    session.add(job)
    session.flush()
    record(session, actor, AuditAction.COLLECTION, "job", job.id, details={"kind": kind})
    # Runners of this process look at once; those of others when the transaction commits.
    notify(session, JOBS)
    wakeup.set()
    return job


def actor_of(session: Session, job: Job) -> Actor:
    """Who the job acts for, as they are now: a disabled user or a revoked token stops it."""
    snap = job.actor
    kind = ActorKind(snap["kind"])
    scopes = frozenset(snap["scopes"]) if snap.get("scopes") is not None else None
    if kind is not ActorKind.USER:
        return Actor(kind, snap["id"], snap["agency"], frozenset(snap["roles"]), snap["label"])
    user = session.get(User, snap["id"])
    if user is None or user.disabled:
        raise PermissionDeniedError(
            "the user who queued this job is disabled", code="user_disabled"
        )
    if snap.get("token"):
        token = session.get(ApiToken, snap["token"])
        if token is None or token.revoked_at is not None or token.expires_at <= utcnow():
            raise PermissionDeniedError(
                "the API token that queued this job is revoked or expired", code="token_invalid"
            )
    return Actor(
        ActorKind.USER,
        user.id,
        user.agency_code,
        frozenset(user.roles),
        label=user.username,
        scopes=scopes,
        token_id=snap.get("token"),
    )


def claim(
    factory: SessionFactory,
    kinds: Sequence[str],
    owner: str,
    *,
    lease: timedelta = LEASE,
    job_id: str | None = None,
) -> Job | None:
    """The oldest job of ``kinds`` (or the job ``job_id``) that is queued, or running under an
    expired lease (its worker died), now leased to ``owner``; None when there is none.
    Returned detached."""
    while True:
        with unit_of_work(factory) as session:
            now = utcnow()
            stmt = (
                select(Job)
                .where(
                    Job.kind.in_(list(kinds)),
                    or_(
                        Job.state == JobState.QUEUED.value,
                        and_(Job.state == JobState.RUNNING.value, Job.lease_until < now),
                    ),
                )
                .order_by(Job.created_at, Job.id)
                .limit(1)
            )
            if job_id is not None:
                stmt = stmt.where(Job.id == job_id)
            if session.get_bind().dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            job = session.execute(stmt).scalar_one_or_none()
            if job is None:
                return None
            job.attempts += 1
            job.updated_at = now
            if job.attempts > job.max_attempts:
                _settle(job, JobState.FAILED, now)
                job.error_code = "job_abandoned"
                job.error = f"its worker stopped {job.max_attempts} times before it finished"
                _changed(session, job)
                continue
            job.state = JobState.RUNNING.value
            job.lease_owner, job.lease_until = owner, now + lease
            job.started_at = job.started_at or now
            _changed(session, job)
            session.flush()
            session.expunge(job)
            return job


def _settle(job: Job, state: JobState, now: Any) -> None:
    job.state = state.value
    job.lease_owner = job.lease_until = None
    job.finished_at = job.updated_at = now


@dataclass
class JobRun:
    """What a job's code sees: its payload, input and checkpoint, and how to report."""

    factory: SessionFactory
    job: Job
    owner: str
    data_dir: Path
    lease: timedelta = LEASE
    # How long a settled job's staged input is kept (``jisr.jobs.staging.sweep``).
    retention: timedelta = RETENTION

    @property
    def id(self) -> str:
        return self.job.id

    @property
    def payload(self) -> dict[str, Any]:
        return self.job.payload

    @property
    def checkpoint(self) -> dict[str, Any]:
        return dict(self.job.checkpoint or {})

    @property
    def result(self) -> dict[str, Any]:
        return dict(self.job.result or {})

    def input(self) -> bytes:
        return staged_input(self.data_dir, self.job.id)

    def actor(self, session: Session) -> Actor:
        return actor_of(session, self.job)

    def step(
        self,
        session: Session,
        *,
        done: int,
        total: int | None = None,
        note: str | None = None,
        checkpoint: dict[str, Any] | None = None,
        result: dict[str, Any] | None = None,
    ) -> None:
        """Record progress in the caller's transaction, so the work and its checkpoint commit
        together (a resumed run never does a step twice); renews the lease."""
        row = session.get(Job, self.job.id, with_for_update=True, populate_existing=True)
        if row is None or row.lease_owner != self.owner:
            raise LeaseLost(self.job.id)
        if row.state == JobState.CANCELLED.value or row.payload.get("cancel"):
            raise JobCancelled(self.job.id)
        now = utcnow()
        row.done = done
        if total is not None:
            row.total = total
        if note is not None:
            row.note = note[:200]
        if checkpoint is not None:
            row.checkpoint = checkpoint
        if result is not None:
            row.result = result
        row.lease_until, row.updated_at = now + self.lease, now
        self.job.checkpoint = dict(row.checkpoint)
        self.job.result = dict(row.result)

    def progress(self, done: int, total: int | None = None, note: str | None = None) -> None:
        """Record progress in a transaction of its own."""
        with unit_of_work(self.factory) as session:
            self.step(session, done=done, total=total, note=note)


def finish(run: JobRun, result: dict[str, Any] | None = None) -> None:
    with unit_of_work(run.factory) as session:
        row = session.get(Job, run.job.id, with_for_update=True)
        if row is None or row.lease_owner != run.owner:
            raise LeaseLost(run.job.id)
        if result is not None:
            row.result = result
        if row.total is not None:
            row.done = max(row.done, row.total)
        _settle(row, JobState.DONE, utcnow())
        _changed(session, row)
    if run.job.staged:
        unstage(run.data_dir, run.job.id)
    _sweep(run)


def fail(run: JobRun, error: BaseException, *, retry: bool) -> None:
    """Settle a job whose code raised: queued again if ``retry`` and attempts remain."""
    code = error.code if isinstance(error, JisrError) else "job_crashed"
    message = str(error)[:2000] or type(error).__name__
    with unit_of_work(run.factory) as session:
        row = session.get(Job, run.job.id, with_for_update=True)
        if row is None or row.lease_owner != run.owner:
            return
        row.error_code, row.error = code, message
        if retry and row.attempts < row.max_attempts:
            row.state = JobState.QUEUED.value
            row.lease_owner = row.lease_until = None
            row.updated_at = utcnow()
            _changed(session, row)
            return
        # The input stays staged, so the job can be retried once the cause is fixed (until
        # the retention has passed: ``staging.sweep``).
        _settle(row, JobState.FAILED, utcnow())
        _changed(session, row)
    _sweep(run)


def cancelled(run: JobRun) -> None:
    with unit_of_work(run.factory) as session:
        row = session.get(Job, run.job.id, with_for_update=True)
        if row is not None:
            _settle(row, JobState.CANCELLED, utcnow())
            _changed(session, row)
    if run.job.staged:
        unstage(run.data_dir, run.job.id)
    _sweep(run)


def _sweep(run: JobRun) -> None:
    """After a job is settled: the staged inputs of jobs settled longer than the retention
    ago go. A failed sweep is logged; the job stays settled and the next one sweeps again."""
    try:
        sweep(run.factory, run.data_dir, retention=run.retention)
    except Exception as exc:  # noqa: BLE001 - housekeeping never unsettles a job
        log.warning("staged inputs not swept", error=type(exc).__name__)


# --- what users do with jobs -------------------------------------------------------------


def may_see(actor: Actor, job: Job) -> bool:
    """The one who queued it, or an administrator or auditor of the node's agency."""
    if actor.kind is ActorKind.SYSTEM:
        return True
    if job.requested_by == actor.id:
        return True
    same_agency = job.actor.get("agency") == actor.agency_code
    return same_agency and bool(actor.roles & {Role.ADMIN, Role.AUDITOR})


def get_job(session: Session, actor: Actor, job_id: str) -> Job:
    job = session.get(Job, job_id)
    # Someone else's job is as absent as one that does not exist.
    if job is None or not may_see(actor, job):
        raise NotFoundError(f"no job {job_id}", code="job_not_found")
    return job


def list_jobs(
    session: Session, actor: Actor, *, everyone: bool = False, limit: int = 50
) -> list[Job]:
    stmt = select(Job).order_by(Job.created_at.desc(), Job.id.desc()).limit(limit)
    oversight = actor.kind is ActorKind.SYSTEM or bool(actor.roles & {Role.ADMIN, Role.AUDITOR})
    if not (oversight and (everyone or actor.kind is ActorKind.SYSTEM)):
        stmt = stmt.where(Job.requested_by == actor.id)
    return list(session.execute(stmt).scalars())


def cancel(session: Session, actor: Actor, job_id: str) -> Job:
    """A queued job is cancelled at once; a running one stops at its next progress report."""
    job = get_job(session, actor, job_id)
    if job.finished:
        raise ConflictError(f"job {job_id} has already finished", code="job_finished")
    if job.state == JobState.QUEUED.value:
        _settle(job, JobState.CANCELLED, utcnow())
    else:
        job.payload = {**job.payload, "cancel": True}
    _changed(session, job)
    record(session, actor, AuditAction.ALTERATION, "job", job.id, details={"cancel": True})
    return job


def retry(session: Session, actor: Actor, job_id: str) -> Job:
    """A failed job queued again from its checkpoint (its input must still be staged)."""
    job = get_job(session, actor, job_id)
    requeue(session, job)
    record(session, actor, AuditAction.ALTERATION, "job", job.id, details={"retry": True})
    return job


def requeue(session: Session, job: Job) -> None:
    """Queue a failed job again from its checkpoint (the caller checked who may; its domain's
    own resume goes through here too)."""
    if job.state != JobState.FAILED.value:
        raise ConflictError(
            f"only a failed job can be retried ({job.state})", code="job_not_failed"
        )
    job.state = JobState.QUEUED.value
    job.attempts, job.finished_at, job.updated_at = 0, None, utcnow()
    _changed(session, job)
    notify(session, JOBS)
    wakeup.set()
