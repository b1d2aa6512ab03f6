"""Importing lists: versions, every rejected row reported, strict imports store nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from jisr.actors import system_actor
from jisr.watchlists.cache import ScreenerCache
from jisr.watchlists.cli import watchlist_app
from jisr.watchlists.imports import ImportRejectedError, import_list
from jisr.watchlists.models import WatchlistEntry, WatchlistVersion
from tests.exchange.conftest import LOCAL
from tests.nodes import make_node
from tests.watchlists.conftest import World

GOOD = "id,name,birth_date,nationality\nw1,Karim Benslimane,1975-06-01,MA\nw2,Lina Haddad,1991,LB\n"
BROKEN = GOOD + "w3,,1980,FR\nw4,Omar Tazi,1980-02-31,MA\nw5,Nadia Ferhat,1988,Atlantis\n"


def _count(world: World, **where: object) -> int:
    stmt = select(func.count()).select_from(WatchlistEntry).filter_by(**where)
    return int(world.session.execute(stmt).scalar_one())


def test_versions_and_rejections(world: World, tmp_path: Path) -> None:
    path = tmp_path / "local.csv"
    path.write_text(GOOD, encoding="utf-8")
    actor = system_actor(LOCAL)
    first = import_list(world.session, actor, "local", path)
    assert (first.version, first.entries, first.rejections) == (1, 2, [])
    path.write_text(BROKEN, encoding="utf-8")
    second = import_list(world.session, actor, "local", path)
    assert (second.version, second.entries) == (2, 2)
    assert [r.line for r in second.rejections] == [4, 5, 6]
    assert _count(world, active=True) == 2 and _count(world, active=False) == 2
    entry = world.session.execute(
        select(WatchlistEntry).where(
            WatchlistEntry.active.is_(True), WatchlistEntry.source_id == "w1"
        )
    ).scalar_one()
    assert (entry.source, entry.version, entry.birth_dates) == ("local.csv", 2, ["1975-06-01"])
    versions = world.session.execute(select(WatchlistVersion.rejected)).scalars().all()
    assert sorted(versions) == [0, 3]
    snapshot = ScreenerCache().get(world.session)
    assert len(snapshot) == 2


def test_strict_import_reports_all_and_stores_nothing(world: World, tmp_path: Path) -> None:
    path = tmp_path / "local.csv"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(ImportRejectedError) as error:
        import_list(world.session, system_actor(LOCAL), "local", path, strict=True)
    assert len(error.value.extra["rejections"]) == 3
    assert _count(world) == 0


def test_import_refused_to_border_officer(world: World, tmp_path: Path) -> None:
    path = tmp_path / "local.csv"
    path.write_text(GOOD, encoding="utf-8")
    with pytest.raises(Exception, match="watchlist"):
        import_list(world.session, world.border, "local", path)


def test_cli_import_check_manifest(tmp_path: Path, db_url: str) -> None:
    node = make_node(tmp_path / "node", db_url)
    path = tmp_path / "list.csv"
    path.write_text(BROKEN, encoding="utf-8")
    runner = CliRunner()
    data = ["--data-dir", str(node.data_dir)]
    result = runner.invoke(watchlist_app, ["import", *data, "--name", "local", str(path)])
    assert result.exit_code == 0, result.output
    assert "version 1: 2 entries, 3 rejected" in result.output
    result = runner.invoke(
        watchlist_app, ["check", *data, "--name", "Karim Benslimane", "--format", "json"]
    )
    assert result.exit_code == 0 and "local/w1" in result.output
    manifest = tmp_path / "m.csv"
    manifest.write_text("id,name\np1,Karim Benslimane\np2,\n", encoding="utf-8")
    result = runner.invoke(watchlist_app, ["manifest", *data, str(manifest), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "local/w1" in result.output and "1 rejected" in result.output
