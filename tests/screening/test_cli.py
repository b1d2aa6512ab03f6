"""``jisr screen`` through ``register(app)`` on a fresh Typer app: the JSONL contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from jisr.screening.cli import register

FIXTURES = Path(__file__).parent / "fixtures"
UN = FIXTURES / "un_consolidated_fictional.xml"
FTM = FIXTURES / "ftm_fictional.jsonl"


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def root() -> None:
        """Make ``screen`` a sub-command even when it is the only one."""

    return app


@pytest.fixture
def travellers(tmp_path: Path) -> Path:
    path = tmp_path / "manifest.csv"
    path.write_text(
        "id,name,birth_date,nationality\n"
        "t1,Abdellatif Ben Youssef El Khaldouni,1975-03-14,ma\n"
        "t2,Youssef El Amrani,1979-11-02,ma\n"
        "t3,Hélène Dupont,1990-01-01,fr\n"
        "t4,,1990-01-01,ma\n",
        encoding="utf-8",
    )
    return path


def _lines(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_jsonl_contract_with_several_watchlists(app: typer.Typer, travellers: Path) -> None:
    result = CliRunner().invoke(
        app, ["screen", "--watchlist", str(UN), "--watchlist", str(FTM), str(travellers)]
    )
    assert result.exit_code == 0, result.stderr
    rows = _lines(result.stdout)
    assert {(r["query_id"], r["entity_id"]) for r in rows} >= {("t1", "QDi.901"), ("t2", "ftm-p1")}
    assert "t3" not in {r["query_id"] for r in rows}  # no candidate: nothing printed
    for row in rows:
        assert set(row) == {"query_id", "entity_id", "score", "name", "explanation"}
        assert isinstance(row["score"], float) and 0 <= row["score"] <= 1
        assert isinstance(row["explanation"], str) and row["explanation"]
    # Rejected rows of every file, one line each, then the summary.
    stderr = result.stderr.splitlines()
    assert f"{travellers}:5: empty name" in stderr
    warning = "birth date '1977-02-30': day 30 does not exist in that month, ignored"
    assert f"{UN}: KPi.903: {warning}" in stderr
    assert "; 6 rejected rows; 2 rows with ignored fields;" in stderr[-1]  # 1 + 1 UN + 4 FtM
    assert stderr[-1].startswith("screened 3 queries against 10 entries from 2 watchlist(s)")


def test_stdin_input(app: typer.Typer) -> None:
    manifest = "id,name\nq1,Khadija Ben Salem\nq2,Nobody Imaginary\n"
    result = CliRunner().invoke(app, ["screen", "-w", str(UN), "-"], input=manifest)
    assert result.exit_code == 0, result.stderr
    rows = _lines(result.stdout)
    assert [r["query_id"] for r in rows] == ["q1"]
    assert rows[0]["entity_id"] == "QDi.902"


def test_threshold_and_top(app: typer.Typer, travellers: Path) -> None:
    runner = CliRunner()
    base = ["screen", "-w", str(UN), "-w", str(FTM), "-w", str(travellers)]

    def run(*options: str) -> list[dict[str, object]]:
        result = runner.invoke(app, [*base, *options, str(travellers)])
        assert result.exit_code == 0, result.stderr
        return _lines(result.stdout)

    default, loose = run(), run("--threshold", "0")
    assert len(loose) >= len(default) >= 3
    queries = [r["query_id"] for r in loose]
    assert max(queries.count(q) for q in queries) > 1  # the manifest is also a watchlist
    top1 = run("--threshold", "0", "--top", "1")
    assert sorted(r["query_id"] for r in top1) == sorted(set(queries))
    assert all(r["score"] == 1.0 for r in run("--threshold", "1"))
    assert runner.invoke(app, [*base, "--threshold", "1.5", str(travellers)]).exit_code != 0


def test_unknown_format_is_one_line_and_non_zero(app: typer.Typer, tmp_path: Path) -> None:
    odd = tmp_path / "notes.txt"
    odd.write_text("hello\nworld\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["screen", "-w", str(odd), str(odd)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"jisr: error: {odd}: unknown format (expected CSV with an id/name header, FollowTheMoney "
        "JSON lines, UN consolidated-list XML or OFAC sdn.csv) [source_format_unknown]"
    ]


def test_missing_file(app: typer.Typer, travellers: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["screen", "-w", str(tmp_path / "gone.xml"), str(travellers)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"jisr: error: {tmp_path / 'gone.xml'}: no such file [source_not_found]"
    )


def test_watchlist_is_required_and_format_checked(app: typer.Typer, travellers: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["screen", str(travellers)]).exit_code != 0
    ok = runner.invoke(app, ["screen", "-w", str(UN), "--format", "jsonl", str(travellers)])
    assert ok.exit_code == 0
    assert (
        runner.invoke(app, ["screen", "-w", str(UN), "--format", "xml", str(travellers)]).exit_code
        != 0
    )


def test_colliding_ids_across_watchlists_are_prefixed(app: typer.Typer, travellers: Path) -> None:
    result = CliRunner().invoke(
        app, ["screen", "-w", str(travellers), "-w", str(travellers), str(travellers)]
    )
    assert result.exit_code == 0, result.stderr
    entity_ids = {r["entity_id"] for r in _lines(result.stdout) if r["query_id"] == "t1"}
    assert entity_ids == {"t1", "manifest.csv:t1"}
    assert f"{travellers}: 3 ids already used by an earlier watchlist" in result.stderr


def test_messy_dates_never_drop_a_traveller_and_say_what_was_ignored(
    app: typer.Typer, tmp_path: Path
) -> None:
    listed = tmp_path / "list.csv"
    listed.write_text(
        "id,name,birth_date\nL1,Youssef El Amrani,1969-07-16\nL2,Hannibal,1971\n",
        encoding="utf-8",
    )
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "id,name,birth_date,nationality\n"
        "t1,يوسف العمراني,16/07/1969,MA\n"  # day first: parsed, no warning
        "t2,Youssef El-Amrani,1969-7-16,Atlantis\n"  # unknown country: ignored
        "t3,Youssef Elamrani,1969-07-32,MA\n"  # impossible day: month kept
        "t4,Youssef El Amrani,1968-13-30,MA\n"  # impossible month and day: year kept
        "t5,Youssef El Amrani,1970-07-16,MA\n"  # a year off: weaker, still a candidate
        "t6,Hannibal,1971-02-03,\n"  # a mononym with the same year: a candidate
        "t7,Hannibal,,\n",  # the mononym alone: below the threshold
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["screen", "--watchlist", str(listed), str(manifest)])
    assert result.exit_code == 0, result.stderr
    rows = {r["query_id"]: r for r in _lines(result.stdout)}
    assert set(rows) == {"t1", "t2", "t3", "t4", "t5", "t6"}
    assert "warnings" not in rows["t1"] and "warnings" not in rows["t5"]
    assert rows["t2"]["warnings"] == ["nationality 'Atlantis' is not a known country: ignored"]
    assert rows["t3"]["warnings"] == [
        "birth date '1969-07-32': day 32 does not exist in that month, ignored"
    ]
    assert rows["t4"]["warnings"] == ["birth date '1968-13-30': month 13 and day 30 ignored"]
    assert "month 13 and day 30 ignored" in str(rows["t4"]["explanation"])
    assert float(rows["t5"]["score"]) < float(rows["t1"]["score"])  # type: ignore[arg-type]
    assert "same birth year" in str(rows["t6"]["explanation"])
    stderr = result.stderr.splitlines()
    assert (
        f"{manifest}: t3: birth date '1969-07-32': day 32 does not exist in that month, "
        "ignored" in stderr
    )
    assert "3 rows with ignored fields" in stderr[-1] and "; 0 rejected rows;" in stderr[-1]
    assert any("worker process(es)" in line for line in stderr)


def test_worker_choice_says_why() -> None:
    from jisr.screening.cli import PARALLEL_FROM, choose_workers

    assert choose_workers(3, 10, 2) == (3, "as asked (--workers)")
    assert choose_workers(None, PARALLEL_FROM, 2)[0] == 2
    assert choose_workers(None, PARALLEL_FROM - 1, 2)[0] == 1
    workers, why = choose_workers(None, PARALLEL_FROM, 2, load=9.5)
    assert workers == 1
    assert "busy" in why and "9.5" in why
