"""``jisr screen``: screen a passenger list (or any subjects) against watchlist files.

Mounted by the root CLI with ``register(app)``. Matches go to stdout as JSON lines; progress,
rejected rows (``file:line: reason``) and a summary go to stderr, so stdout stays machine-clean.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from itertools import chain, islice
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from jisr.errors import JisrError, ValidationError
from jisr.screening.model import Subject
from jisr.screening.output import jsonl_line
from jisr.screening.sources import Rejection, SourceError, SourceResult, read_subjects


class OutputFormat(StrEnum):
    JSONL = "jsonl"


@dataclass
class ScreenSummary:
    watchlists: int = 0
    entries: int = 0
    screened: int = 0
    hits: int = 0
    queries_hit: int = 0
    rejected: int = 0
    # Rows read with a field ignored (a malformed date, an unknown country...), still screened.
    warned: int = 0
    renamed: int = 0
    workers: int = 1
    started: float = field(default_factory=time.monotonic)

    def line(self) -> str:
        seconds = time.monotonic() - self.started
        return (
            f"screened {self.screened:,} queries against {self.entries:,} entries "
            f"from {self.watchlists} watchlist(s): {self.hits:,} hits for "
            f"{self.queries_hit:,} queries; {self.rejected:,} rejected rows; "
            f"{self.warned:,} rows with ignored fields; {self.workers} worker(s); {seconds:.1f} s"
        )


def _progress(console: Console) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not console.is_terminal,
    )


def _say(console: Console, text: str) -> None:
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def _open_all(
    watchlists: list[str], query_file: str, on_reject: Callable[[Rejection], None]
) -> tuple[list[SourceResult], SourceResult]:
    """Open and recognise every file first, so a bad one fails before any output."""
    if query_file == "-" and "-" in watchlists:
        raise SourceError("stdin can be the input or a watchlist, not both")
    # Both leniently: a listed person or a traveller with a malformed date is kept, with a
    # warning, rather than dropped.
    lists = [read_subjects(path, on_reject=on_reject, lenient_facts=True) for path in watchlists]
    return lists, read_subjects(query_file, on_reject=on_reject, lenient_facts=True)


def _entries(lists: list[SourceResult], summary: ScreenSummary, console: Console) -> list[Subject]:
    """Every watchlist entry; an id already used by an earlier watchlist is prefixed by its file."""
    entries: list[Subject] = []
    seen: set[str] = set()
    for result in lists:
        renamed = 0
        for subject in result:
            _warn(console, summary, subject)
            if subject.id in seen:
                subject = replace(subject, id=f"{Path(result.file).name}:{subject.id}")
                renamed += 1
            seen.add(subject.id)
            entries.append(subject)
        if renamed:
            _say(
                console,
                f"{result.file}: {renamed} ids already used by an earlier watchlist are "
                f"reported as '{Path(result.file).name}:<id>'",
            )
        summary.renamed += renamed
    if not entries:
        raise SourceError("the watchlists contain no usable entry", code="watchlist_empty")
    return entries


def _warn(console: Console, summary: ScreenSummary, subject: Subject) -> None:
    """One stderr line per ignored field: ``file: id: warning``."""
    if subject.warnings:
        summary.warned += 1
        for warning in subject.warnings:
            _say(console, f"{subject.source}: {subject.id}: {warning}")


def _write(line: str) -> None:
    sys.stdout.write(line)


class Engine(StrEnum):
    LOCAL = "local"
    SPARK = "spark"


def run_screen(
    watchlists: list[str],
    query_file: str,
    *,
    threshold: float | None,
    top: int,
    algorithm: str,
    console: Console,
    write: Callable[[str], None] = _write,
    workers: int | None = 1,
    engine: Engine = Engine.LOCAL,
    master: str | None = None,
) -> ScreenSummary:
    """Read the watchlists, build the index, screen every query and write matches as JSONL.

    ``engine`` spark screens on a Spark session (``master``, default ``local[2]``) with the
    same screener; the output is the same (``jisr.screening.spark``)."""
    if engine is Engine.SPARK and workers is not None and workers != 1:
        raise ValidationError(
            "--workers is for the local engine; Spark uses the cores of its --master",
            code="screen_options_conflict",
        )
    if engine is Engine.LOCAL and master is not None:
        raise ValidationError("--master is for --engine spark", code="screen_options_conflict")
    summary = ScreenSummary(watchlists=len(watchlists))

    def reject(rejection: Rejection) -> None:
        summary.rejected += 1
        _say(console, str(rejection))

    lists, queries = _open_all(watchlists, query_file, reject)
    with _progress(console) as progress:
        reading = progress.add_task("reading watchlists", total=None)
        entries = _entries(lists, summary, console)
        summary.entries = len(entries)
        progress.update(reading, total=len(entries), completed=len(entries))
        cpus, load = os.cpu_count() or 1, _load()
        # The list's size decides whether a build on several processes pays (Screener).
        builders = workers if workers is not None else (1 if load >= cpus else cpus)
        with contextlib.ExitStack() as stack:
            if engine is Engine.SPARK:
                results = _on_spark(
                    stack,
                    entries,
                    iter(queries),
                    summary,
                    progress,
                    console,
                    builders,
                    algorithm=algorithm,
                    threshold=threshold,
                    top=top,
                    master=master,
                )
            else:
                results = _in_process(
                    entries,
                    iter(queries),
                    summary,
                    progress,
                    console,
                    builders,
                    algorithm=algorithm,
                    threshold=threshold,
                    top=top,
                    workers=workers,
                    cpus_and_load=(cpus, load),
                )
            del entries
            screening = progress.add_task("screening", total=None)
            for query, lines in results:
                _warn(console, summary, query)
                summary.screened += 1
                if lines:
                    summary.queries_hit += 1
                    summary.hits += len(lines)
                for line in lines:
                    write(line)
                progress.advance(screening)
    return summary


Results = Iterator[tuple[Subject, list[str]]]


def _in_process(
    entries: list[Subject],
    queries: Iterator[Subject],
    summary: ScreenSummary,
    progress: Progress,
    console: Console,
    builders: int,
    *,
    algorithm: str,
    threshold: float | None,
    top: int,
    workers: int | None,
    cpus_and_load: tuple[int, float],
) -> Results:
    """The local engine: the index in this process, queries on its forked workers."""
    from jisr.screening import Screener

    indexing = progress.add_task("building index", total=len(entries))
    screener = Screener(
        entries,
        algorithm=algorithm,
        progress=lambda done: progress.update(indexing, completed=done),
        workers=builders,
    )
    if screener.build_workers > 1:
        _say(
            console,
            f"index built with {screener.build_workers} processes: "
            f"{len(entries):,} entries, at least {Screener.parallel_build_from:,}",
        )
    progress.update(indexing, completed=len(entries))
    pending, rest = _peek(queries, PARALLEL_FROM)
    summary.workers, why = choose_workers(workers, len(pending), *cpus_and_load)
    _say(console, f"screening with {summary.workers} worker process(es): {why}")
    matches = screener.screen(
        chain(pending, rest), threshold=threshold, top=top, workers=summary.workers
    )
    return ((query, [jsonl_line(m) for m in found]) for query, found in matches)


def _on_spark(
    stack: contextlib.ExitStack,
    entries: list[Subject],
    queries: Iterator[Subject],
    summary: ScreenSummary,
    progress: Progress,
    console: Console,
    builders: int,
    *,
    algorithm: str,
    threshold: float | None,
    top: int,
    master: str | None,
) -> Results:
    """The Spark engine: the same screener on the executors (``jisr.screening.spark``)."""
    from jisr.screening.spark import SparkScreening

    starting = progress.add_task("starting Spark", total=None)
    spark = stack.enter_context(SparkScreening(master))
    progress.update(starting, total=1, completed=1)
    indexing = progress.add_task("building and shipping the index", total=None)
    loaded = spark.load(entries, algorithm, builders)
    progress.update(indexing, total=1, completed=1)
    summary.workers = spark.cores
    _say(
        console,
        f"screening on Spark ({spark.context.master}, {spark.cores} cores): index of "
        f"{loaded.entries:,} entries built in {loaded.build_seconds:.1f} s, "
        f"{loaded.index_bytes / 2**20:,.1f} MiB shipped as a {spark.ship} in "
        f"{loaded.ship_seconds:.1f} s",
    )
    return spark.screen(queries, threshold, top)


# Fewer queries than this are screened in this process: forking and feeding a pool costs more
# than it saves (about 1 ms per query on one core at 1,000 listed entries).
PARALLEL_FROM = 1_000


def _load() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:  # pragma: no cover - not on every platform
        return 0.0


def _peek(queries: Iterator[Subject], size: int) -> tuple[list[Subject], Iterator[Subject]]:
    return list(islice(queries, size)), queries


def choose_workers(asked: int | None, seen: int, cpus: int, load: float = 0.0) -> tuple[int, str]:
    """How many processes screen, and why (said on stderr): ``asked`` when given; otherwise
    every CPU for a batch of at least ``PARALLEL_FROM`` queries, one for a smaller one, and
    one when other work already keeps every CPU busy (``load``: the load average)."""
    if asked is not None:
        return asked, "as asked (--workers)"
    if cpus < 2:
        return 1, "one CPU"
    if load >= cpus:
        return 1, (
            f"the CPUs are busy (load average {load:.1f} on {cpus}): "
            "a second process would only compete with the first"
        )
    if seen < PARALLEL_FROM:
        return 1, f"fewer than {PARALLEL_FROM:,} queries, a pool would cost more than it saves"
    return cpus, f"at least {PARALLEL_FROM:,} queries, one process per CPU ({cpus})"


def _silence_stdout() -> None:
    """After ``| head`` closed the pipe: stop writing without a traceback at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def screen(
    input_file: Annotated[
        str,
        typer.Argument(
            metavar="INPUT", help="Subjects to screen (CSV, FtM JSONL, UN XML); - = stdin."
        ),
    ],
    watchlist: Annotated[
        list[str],
        typer.Option(
            "--watchlist", "-w", help="A watchlist file (CSV, FtM JSONL, UN XML, OFAC sdn.csv)."
        ),
    ],
    threshold: Annotated[
        float | None,
        typer.Option(min=0.0, max=1.0, help="Minimum score (default: the algorithm's own)."),
    ] = None,
    top: Annotated[int, typer.Option(min=1, help="At most this many candidates per query.")] = 5,
    algorithm: Annotated[str, typer.Option(help="Scoring algorithm.")] = "jisr-v1",
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Processes screening in parallel (default: one per CPU for 1,000+ queries).",
        ),
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.JSONL,
    engine: Annotated[
        Engine,
        typer.Option(help="local (this machine's processes) or spark (a Spark cluster)."),
    ] = Engine.LOCAL,
    master: Annotated[
        str | None,
        typer.Option(
            help="Spark master URL for --engine spark (local[N], spark://host:7077, yarn, "
            "k8s://...; default local[2])."
        ),
    ] = None,
) -> None:
    """Screen INPUT against watchlists: one JSON line per candidate on stdout."""
    console = Console(stderr=True)
    try:
        summary = run_screen(
            watchlist,
            input_file,
            threshold=threshold,
            top=top,
            algorithm=algorithm,
            console=console,
            workers=workers,
            engine=engine,
            master=master,
        )
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        return
    except JisrError as exc:
        _say(console, f"jisr: error: {exc.detail} [{exc.code}]")
        raise typer.Exit(2 if exc.http_status < 500 else 1) from None
    _say(console, summary.line())


def register(app: typer.Typer) -> None:
    """Add the ``screen`` command to ``app`` (the root CLI mounts it as ``jisr screen``)."""
    app.command("screen")(screen)
