"""Drill: the data directory's disk full — clear errors, nothing lost, automatic recovery.

``sudo python -m benchmarks.drills.disk_full [--size-mb 24] [--count 100]``

Rabat's whole data directory, SQLite database included, lives on a small tmpfs mounted for the
drill (root is needed to mount; the drill says so and stops otherwise). Paris (on ordinary
disk) sends notes to Rabat while the tmpfs is filled to the last byte, and Rabat queues notes
for Paris. While the disk is full: Rabat refuses Paris's envelopes with a retryable error (Paris
keeps them, status "unreachable since ..."), Rabat cannot queue new acts (the writer gets a
"database or disk is full" error, its transaction rolled back). Then the filler is deleted: both
backlogs drain by themselves, each note is received once, and Rabat's audit chain verifies.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from sqlalchemy.exc import OperationalError

from benchmarks.drills.common import DrillServer, emit, exactly_once, sender_status
from jisr.audit.service import verify_chain
from tests.federation.nodes import link, make_node, wait_for


def _fill(directory: Path) -> Path:
    """Write zeros until the filesystem refuses (ENOSPC), in big then small writes."""
    filler = directory / "filler.bin"
    for size, mode in ((64 * 1024, "wb"), (512, "ab")):
        try:
            with filler.open(mode, buffering=0) as handle:
                while True:
                    handle.write(b"\0" * size)
        except OSError:
            pass
    return filler


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=24)
    parser.add_argument("--count", type=int, default=100)
    args = parser.parse_args()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        emit("result", drill="disk_full", ok=False, reason="needs root to mount a tmpfs")
        raise SystemExit(2)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        mount_point = base / "small-disk"
        mount_point.mkdir()
        subprocess.run(
            [
                "mount",
                "-t",
                "tmpfs",
                "-o",
                f"size={args.size_mb}m,mode=0700",
                "tmpfs",
                str(mount_point),
            ],
            check=True,
        )
        try:
            rabat = make_node(
                mount_point, f"sqlite:///{mount_point / 'MA-DGST' / 'jisr.db'}", "MA-DGST", "MA"
            )
            paris = make_node(base, f"sqlite:///{base / 'paris.db'}", "FR-DGSI", "FR")
            link(rabat, paris)
            # Logs go to ordinary disk, as they would to journald in production.
            servers = []
            for node in (rabat, paris):
                server = DrillServer(node)
                server.log = base / f"{node.code}.log"
                servers.append(server.start())
            try:
                filler = _fill(mount_point)
                free = shutil.disk_usage(mount_point).free
                emit("disk_full", free_bytes=free, filler_bytes=filler.stat().st_size)
                paris.send_notes(rabat.code, args.count)
                refused = 0
                for n in range(args.count):
                    try:
                        rabat.send_notes(paris.code, 1, start=n)
                    except OperationalError as exc:
                        refused += 1
                        last = str(exc.orig)
                queued_while_full = args.count - refused
                emit(
                    "acts_while_full",
                    refused=refused,
                    queued=queued_while_full,
                    error=last if refused else None,
                )
                time.sleep(10)
                during = sender_status(paris, rabat.code)
                emit("paris_sees", **during)
                filler.unlink()
                freed = time.monotonic()
                emit("space_freed", free_bytes=shutil.disk_usage(mount_point).free)
                wait_for(
                    lambda: paris.outbox().get("delivered", 0) == args.count,
                    timeout=300,
                    what="Paris's backlog",
                )
                wait_for(
                    lambda: rabat.outbox().get("delivered", 0) == queued_while_full,
                    timeout=300,
                    what="Rabat's backlog",
                )
                recovery = time.monotonic() - freed
            finally:
                for server in servers:
                    server.stop()
            at_rabat = exactly_once(rabat, args.count)
            at_paris = exactly_once(paris, queued_while_full)
            with rabat.session() as session:
                intact = verify_chain(session).intact
            ok = bool(
                at_rabat["exactly_once"]
                and at_paris["exactly_once"]
                and intact
                and not during["reachable"]
            )
            emit(
                "result",
                drill="disk_full",
                ok=ok,
                tmpfs_mb=args.size_mb,
                recovery_seconds=round(recovery, 2),
                refused_acts_while_full=refused,
                paris_status_while_full=during,
                received_at_rabat=at_rabat,
                received_at_paris=at_paris,
                rabat_audit_intact=intact,
            )
            rabat.engine.dispose()
            paris.engine.dispose()
        finally:
            subprocess.run(["umount", "-l", str(mount_point)], check=False)
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
