"""``jisr screen --engine spark`` writes what the local engine writes, on one Spark session
(``local[2]``) shared by the module; Java missing is one error line."""

from __future__ import annotations

import csv
import os
import random
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from benchmarks.screening import synthetic
from benchmarks.screening.perf import travellers
from jisr.screening.cli import Engine, ScreenSummary, register, run_screen
from jisr.screening.output import jsonl_line
from jisr.screening.screener import Screener
from jisr.screening.sources import read_subjects
from jisr.screening.spark import Ship, SparkScreening
from jisr.sparkjobs import spark_session

pytest.importorskip("pyspark")

LISTED = 300


@pytest.fixture(scope="module")
def spark() -> Iterator[None]:
    with spark_session("jisr-test-screen", "local[2]"):
        yield


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A list of 300 fictional people (Arabic-script forms beside the Latin ones) and 400
    travellers: noisy variants of listed people (other script, typos, pinyin), innocents,
    and rows the readers reject or keep with a field ignored."""
    root = tmp_path_factory.mktemp("spark")
    listed, manifest = root / "list.csv", root / "manifest.csv"
    with listed.open("w", encoding="utf-8", newline="") as file:
        out = csv.writer(file)
        out.writerow(["id", "name", "aliases", "birth_date", "nationality"])
        for s in synthetic.to_subjects(synthetic.iter_people(LISTED, 5), all_scripts=True):
            dates, countries = ";".join(s.birth_dates), ";".join(s.nationalities)
            out.writerow([s.id, s.names[0], ";".join(s.names[1:]), dates, countries])
        out.writerow(["L-bad", "", "", "", ""])  # no name: rejected
    rng = random.Random(5)
    with manifest.open("w", encoding="utf-8", newline="") as file:
        out = csv.writer(file)
        out.writerow(["id", "name", "birth_date", "nationality"])
        for number, s in enumerate(travellers(LISTED, 400, 5)):
            date = s.birth_dates[0] if s.birth_dates else ""
            country = s.nationalities[0] if s.nationalities else ""
            if number % 97 == 13:
                out.writerow([f"T{number}", "", date, country])  # rejected, line kept in stderr
                continue
            if number % 89 == 7:
                date = "1980-02-31"  # ignored with a warning, still screened
            if number % 83 == 3:
                country = rng.choice(["Atlantis", "zz"])
            out.writerow([f"T{number}", s.names[0], date, country])
    return listed, manifest


def _run(
    files: tuple[Path, Path], engine: Engine, **options: object
) -> tuple[str, list[str], ScreenSummary]:
    listed, manifest = files
    written: list[str] = []
    console = Console(stderr=True, record=True, width=400)
    summary = run_screen(
        [str(listed)],
        str(manifest),
        threshold=options.get("threshold"),  # type: ignore[arg-type]
        top=int(options.get("top", 5)),  # type: ignore[call-overload]
        algorithm="jisr-v1",
        console=console,
        write=written.append,
        workers=None if engine is Engine.SPARK else 1,
        engine=engine,
    )
    return "".join(written), console.export_text().splitlines(), summary


def _counts(summary: ScreenSummary) -> tuple[int, ...]:
    s = summary
    return (s.entries, s.screened, s.hits, s.queries_hit, s.rejected, s.warned, s.renamed)


@pytest.mark.usefixtures("spark")
def test_spark_writes_the_bytes_the_local_engine_writes(files: tuple[Path, Path]) -> None:
    local, local_err, local_summary = _run(files, Engine.LOCAL)
    on_spark, spark_err, spark_summary = _run(files, Engine.SPARK)
    assert on_spark == local
    lines = local.splitlines()
    assert len(lines) > 100  # the listed people written another way are found
    assert any(
        "\\u06" not in line and any("\u0600" <= c <= "\u06ff" for c in line) for line in lines
    )
    assert _counts(spark_summary) == _counts(local_summary)
    # One listed row and 4 travellers without a name; a bad date or country on 7 more.
    assert (spark_summary.rejected, spark_summary.screened, spark_summary.warned) == (5, 396, 7)
    assert spark_summary.workers == 2
    # The same rejected rows and ignored fields on stderr, in the same order.
    said = [line for line in local_err if line.startswith(str(files[0].parent))]
    assert said and said == [line for line in spark_err if line.startswith(str(files[0].parent))]
    assert any(line.startswith("screening on Spark (local[2], 2 cores)") for line in spark_err)


@pytest.mark.usefixtures("spark")
def test_threshold_top_and_both_ways_of_shipping_the_index(files: tuple[Path, Path]) -> None:
    entries = list(read_subjects(files[0], lenient_facts=True))
    queries = list(read_subjects(files[1], lenient_facts=True))
    screener = Screener(entries)
    local = "".join(jsonl_line(m) for q in queries for m in screener.check(q, 0.5, 2))
    assert local.count("\n") > 200
    for ship in Ship:
        # Small partitions: several waves, so the order across waves is checked too.
        with SparkScreening(ship=ship, partition=40) as engine:
            loaded = engine.load(entries, "jisr-v1")
            assert loaded.entries == LISTED and loaded.index_bytes > 0
            out = list(engine.screen(queries, 0.5, 2))
        assert [q.id for q, _ in out] == [q.id for q in queries]
        got = "".join("".join(lines) for _, lines in out)
        assert got == local, ship


@pytest.mark.usefixtures("spark")
def test_the_cli_option(files: tuple[Path, Path]) -> None:
    app = typer.Typer()
    register(app)

    @app.callback()
    def root() -> None:
        """Make ``screen`` a sub-command."""

    listed, manifest = files
    runner = CliRunner()
    local = runner.invoke(app, ["screen", "-w", str(listed), "--workers", "1", str(manifest)])
    spark = runner.invoke(app, ["screen", "-w", str(listed), "--engine", "spark", str(manifest)])
    assert spark.exit_code == 0, spark.stderr
    assert spark.stdout == local.stdout
    assert spark.stderr.splitlines()[-1].startswith("screened 396 queries against 300 entries")
    both = runner.invoke(
        app, ["screen", "-w", str(listed), "--engine", "spark", "--workers", "2", str(manifest)]
    )
    assert both.exit_code == 2 and both.stdout == ""
    assert both.stderr.strip().splitlines() == [
        "jisr: error: --workers is for the local engine; Spark uses the cores of its --master "
        "[screen_options_conflict]"
    ]
    master = runner.invoke(
        app, ["screen", "-w", str(listed), "--master", "local[2]", str(manifest)]
    )
    assert master.exit_code == 2
    assert master.stderr.strip() == (
        "jisr: error: --master is for --engine spark [screen_options_conflict]"
    )


def _screen_in_a_process(files: tuple[Path, Path], **env: str) -> subprocess.CompletedProcess[str]:
    listed, manifest = files
    return subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "jisr", "screen", "--engine", "spark", "-w", str(listed)]
        + [str(manifest)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2]), **env},
    )


def test_no_java_is_one_line_and_non_zero(files: tuple[Path, Path], tmp_path: Path) -> None:
    done = _screen_in_a_process(files, JAVA_HOME=str(tmp_path / "no-jdk"))
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.strip().splitlines()[-2:] == [
        f"{files[0]}:302: empty name",
        f"jisr: error: no Java runtime: {tmp_path / 'no-jdk' / 'bin' / 'java'} (JAVA_HOME) "
        "is not executable [spark_unavailable]",
    ]


def test_a_jvm_that_cannot_start_is_one_line(files: tuple[Path, Path], tmp_path: Path) -> None:
    java = tmp_path / "jdk" / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text("#!/bin/sh\necho 'Error: this Java refuses to start' >&2\nexit 1\n")
    java.chmod(java.stat().st_mode | stat.S_IXUSR)
    done = _screen_in_a_process(files, JAVA_HOME=str(tmp_path / "jdk"))
    assert done.returncode == 1
    assert done.stdout == ""
    errors = [line for line in done.stderr.splitlines() if not line.startswith(str(files[0]))]
    assert len(errors) == 1, done.stderr  # beside the list's rejected row
    assert errors[0].startswith(
        "jisr: error: Spark cannot start on local[2]: [JAVA_GATEWAY_EXITED] Java gateway "
        "process exited before sending its port number. ("
    )
    assert errors[0].endswith(") [spark_unavailable]")
