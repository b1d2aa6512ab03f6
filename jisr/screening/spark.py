"""``jisr screen --engine spark``: the same screener, on Spark's executors.

The driver reads the watchlists and the input with the same readers as the local engine (so a
bad row is rejected, or a bad field ignored, exactly alike), builds the index once and ships
it to the executors, as a broadcast variable (the default) or as a file every executor fetches
(``sc.addFile``); each Python worker loads it once and keeps it for every partition it
screens. The input goes out in waves of partitions (``sc.parallelize``, two waves in flight so
the cores stay busy while the driver reads the next one and writes the last); every partition
runs ``Screener.check`` and formats each match with ``output.jsonl_line``, the local engine's
own code, and ``collect`` brings the lines back in input order.

The index is built in a child process on the driver machine whose ``PYTHONHASHSEED`` is the
Python workers' (``jisr.sparkjobs``: the driver's, else 0): its keys are ``hash()`` values,
which only a process with the same seed computes alike. ``PYTHONHASHSEED=N jisr screen
--engine spark`` therefore writes the same bytes as ``PYTHONHASHSEED=N jisr screen``; with the
seed left random (the default) the engines can differ only where two local runs differ from
each other (a query made of very common name parts only, see ``docs/screening.md``).
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from jisr.errors import JisrError, UnavailableError
from jisr.screening.model import Subject
from jisr.screening.output import jsonl_line

if TYPE_CHECKING:
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    from jisr.screening.screener import Screener


class SparkUnavailableError(UnavailableError):
    """Java or Spark cannot start (no JVM, no pyspark, an unreachable master)."""

    code = "spark_unavailable"


class SparkJobError(JisrError):
    """Spark started but the screening job failed (a worker crashed, an executor was lost)."""

    code = "spark_job_failed"


class Ship(StrEnum):
    """How the index reaches the executors."""

    FILE = "file"
    BROADCAST = "broadcast"


# Queries per partition: about a second of scoring at 1,000 listed entries, several at a
# million, long enough that a task's overhead (tens of milliseconds) does not count.
PARTITION = 1_000
# Partitions per wave, per core of the cluster.
WAVE_PER_CORE = 2


@dataclass(frozen=True, slots=True)
class Loaded:
    """What the driver did before the first query: for the stderr line and the benchmark."""

    entries: int
    build_seconds: float
    ship_seconds: float
    index_bytes: int


class _Pickled:
    """Bytes that unpickle to the object they were pickled from: a broadcast of it arrives in
    the worker as the index itself, without the driver unpickling it first."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __reduce__(self) -> tuple[Callable[[bytes], object], tuple[bytes]]:
        return pickle.loads, (self.data,)


# The index each Python worker loaded, by the name of its run (one at a time).
_loaded: dict[str, Screener] = {}


def _worker_screener(name: str, source: Any) -> Screener:
    """The run's index in this worker: loaded on the first partition, kept for the others."""
    screener = _loaded.get(name)
    if screener is None:
        _loaded.clear()
        if isinstance(source, str):
            from pyspark import SparkFiles

            # Without the collector running over the objects being made (as PySpark loads a
            # broadcast): half the time.
            gc.disable()
            try:
                with open(SparkFiles.get(source), "rb") as file:
                    screener = pickle.load(file)  # noqa: S301 - the driver's own index
            finally:
                gc.enable()
        else:
            screener = source.value
        # The index lives as long as the worker: keep the collector from walking it again.
        gc.freeze()
        _loaded[name] = screener
    return screener


def _screen_partition(
    name: str, source: Any, threshold: float | None, top: int, queries: Iterable[Subject]
) -> Iterator[list[str]]:
    """The output lines of each query of a partition, in order (``[]`` for no candidate)."""
    screener = _worker_screener(name, source)
    for query in queries:
        yield [jsonl_line(m) for m in screener.check(query, threshold=threshold, top=top)]


def _waves(queries: Iterable[Subject], size: int) -> Iterator[list[Subject]]:
    it = iter(queries)
    while wave := list(islice(it, size)):
        yield wave


def _java() -> str:
    """The ``java`` Spark's launcher will run (``$JAVA_HOME/bin/java``, else the PATH's)."""
    home = os.environ.get("JAVA_HOME")
    if home:
        java = Path(home) / "bin" / "java"
        if not os.access(java, os.X_OK):
            raise SparkUnavailableError(f"no Java runtime: {java} (JAVA_HOME) is not executable")
        return str(java)
    found = shutil.which("java")
    if found is None:
        raise SparkUnavailableError("no Java runtime: java is not on the PATH and JAVA_HOME unset")
    return found


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _job_failure(exc: Exception) -> str:
    """The cause of a failed job in one line: a Python worker's error, else Spark's."""
    text = str(exc)
    head = text.split("\n\tat ", 1)[0]
    return _last_line(head)[:300] or type(exc).__name__


@contextlib.contextmanager
def _stderr_to(path: Path) -> Iterator[None]:
    """Send fd 2 to ``path`` while the JVM starts: it and its Python workers keep writing
    there (Spark's start-up warnings, worker tracebacks), not between our stderr lines."""
    sys.stderr.flush()
    saved = os.dup(2)
    with path.open("ab") as log:
        os.dup2(log.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class SparkScreening:
    """A Spark session for one ``jisr screen``: ``load`` the entries, then ``screen``.

    Used as a context manager: entering starts (or joins) the session and raises
    ``SparkUnavailableError`` when Java or Spark cannot start; leaving stops a session it
    started and removes its files."""

    def __init__(
        self,
        master: str | None = None,
        *,
        # Measured (benchmarks/screening/spark_bench.py): the broadcast costs the driver 0.1-0.4 s
        # and 20 MiB more, but its workers screened 1.2-1.8x faster than from the file in 5 of
        # 6 pairs of runs, either order, for reasons not yet understood.
        ship: Ship = Ship.BROADCAST,
        partition: int = PARTITION,
    ) -> None:
        self.master = master
        self.ship = ship
        self.partition = partition
        self._stack = contextlib.ExitStack()
        self._tmp = Path()
        self._name = ""
        self._source: Any = None

    def __enter__(self) -> SparkScreening:
        from jisr.sparkjobs import hash_seed, spark_session

        self._tmp = Path(tempfile.mkdtemp(prefix="jisr-spark-"))
        self._stack.callback(shutil.rmtree, self._tmp, ignore_errors=True)
        try:
            try:
                from pyspark.sql import SparkSession
            except ImportError as exc:
                raise SparkUnavailableError(f"pyspark is not installed ({exc})") from None
            if SparkSession.getActiveSession() is None:
                _java()
            log = self._tmp / "spark.log"
            try:
                with _stderr_to(log):
                    self.spark: SparkSession = self._stack.enter_context(
                        spark_session("jisr-screen", self.master)
                    )
            except JisrError:
                raise
            except Exception as exc:  # noqa: BLE001 - whatever stops the JVM or the master
                cause = _last_line(log.read_text(errors="replace")) if log.exists() else ""
                raise SparkUnavailableError(
                    f"Spark cannot start on {self.master or 'local[2]'}: "
                    f"{_last_line(str(exc)) or type(exc).__name__}"
                    + (f" ({cause})" if cause else "")
                ) from None
            seed = hash_seed(self.spark)
            if seed is None:
                raise SparkUnavailableError(
                    "the active Spark session does not fix its workers' PYTHONHASHSEED"
                )
            self.seed = seed
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stack.close()

    @property
    def context(self) -> SparkContext:
        return self.spark.sparkContext

    @property
    def cores(self) -> int:
        return int(self.context.defaultParallelism)

    def load(self, entries: list[Subject], algorithm: str, build_workers: int = 1) -> Loaded:
        """Build the index over ``entries`` (in a child with the executors' hash seed) and
        ship it to the executors."""
        from jisr.sparkjobs import python_for_workers

        started = time.monotonic()
        entries_path, index_path = self._tmp / "entries.pickle", self._tmp / "index.pickle"
        with entries_path.open("wb") as file:
            pickle.dump(entries, file, protocol=pickle.HIGHEST_PROTOCOL)
        python_for_workers()
        command = [sys.executable, "-m", "jisr.screening.spark", str(entries_path)]
        command += [str(index_path), algorithm, str(build_workers)]
        done = subprocess.run(  # noqa: S603 - this interpreter, our own module
            command,
            env={**os.environ, "PYTHONHASHSEED": self.seed},
            capture_output=True,
            text=True,
            check=False,
        )
        entries_path.unlink()
        if done.returncode != 0:
            raise SparkJobError(f"building the index failed: {_last_line(done.stderr)}")
        built = time.monotonic()
        size = index_path.stat().st_size
        self._name = f"jisr-index-{uuid.uuid4().hex}.pickle"
        if self.ship is Ship.FILE:
            shipped = index_path.rename(self._tmp / self._name)
            self.context.addFile(str(shipped))
            self._source = self._name
        else:
            data = index_path.read_bytes()
            index_path.unlink()
            self._source = self.context.broadcast(_Pickled(data))
            del data
        return Loaded(len(entries), built - started, time.monotonic() - built, size)

    def screen(
        self, queries: Iterable[Subject], threshold: float | None, top: int
    ) -> Iterator[tuple[Subject, list[str]]]:
        """Each query and its output lines, in input order."""
        if not self._name:
            raise RuntimeError("load() the entries before screening")
        context = self.context
        work = partial(_screen_partition, self._name, self._source, threshold, top)
        slices = WAVE_PER_CORE * self.cores

        def run(wave: list[Subject]) -> list[list[str]]:
            parts = min(slices, -(-len(wave) // self.partition))
            lines: list[list[str]] = context.parallelize(wave, parts).mapPartitions(work).collect()
            return lines

        waves = _waves(queries, slices * self.partition)
        inflight: deque[tuple[list[Subject], Future[list[list[str]]]]] = deque()
        with ThreadPoolExecutor(2, thread_name_prefix="jisr-spark") as pool:
            try:
                for wave in waves:
                    inflight.append((wave, pool.submit(run, wave)))
                    if len(inflight) == 2:
                        yield from self._results(*inflight.popleft())
                while inflight:
                    yield from self._results(*inflight.popleft())
            finally:
                if inflight:
                    context.cancelAllJobs()
                    for _, future in inflight:
                        future.cancel()

    @staticmethod
    def _results(
        wave: list[Subject], future: Future[list[list[str]]]
    ) -> Iterator[tuple[Subject, list[str]]]:
        try:
            lines = future.result()
        except Exception as exc:  # noqa: BLE001 - Py4J's errors carry the worker's
            raise SparkJobError(f"the Spark job failed: {_job_failure(exc)}") from None
        yield from zip(wave, lines, strict=True)


def _build(entries_path: str, index_path: str, algorithm: str, workers: str) -> None:
    """The child process: the index over the pickled entries, pickled to ``index_path``."""
    from jisr.screening.screener import Screener

    with open(entries_path, "rb") as file:
        entries = pickle.load(file)  # noqa: S301 - written by our parent a moment ago
    screener = Screener(entries, algorithm=algorithm, workers=int(workers))
    with open(index_path, "wb") as file:
        pickle.dump(screener, file, protocol=pickle.HIGHEST_PROTOCOL)


if __name__ == "__main__":
    _build(*sys.argv[1:5])
