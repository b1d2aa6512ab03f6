"""Search benchmark: latency of ``jisr.search.service.search`` over N indexed records, against
bare engine queries on the same table in the same run.

``python -m benchmarks.search.bench_search [--size N] [--backend sqlite|postgresql] [--queries Q]
[--pg-server URL]``

On PostgreSQL the benchmark creates a database of its own on the server ``--pg-server`` names
(default ``JISR_BENCH_PG_URL``, else ``JISR_TEST_PG_URL``, else 127.0.0.1:5432 as postgres),
migrates it, and drops it at the end.

The index is filled with N synthetic documents (fictional names in Latin script, with Arabic
spellings only in the queries; Moroccan and French phones; passport numbers; words from a small
vocabulary, so some words match a third of the index): 70 % messages of the local agency and two
partners (one covered by an agreement, one not), 20 % people, 5 % alerts, 5 % cyber objects;
10 % under H2/H3 in cases with members. Documents are written as the indexer writes them
(``Document.row()``: folding, screening name keys, E.164 phones) in bulk.

Queries, as an analyst of the local agency (so policy's clause, case membership and blocks are
in every query): names typed in Arabic script, phones in national format, rare words, common
words, a prefix. Each is timed end to end through ``search`` (policy, counts, ranking, page,
snippets, the audit entry flushed, then rolled back). Baselines, same queries, same table:
the bare engine match (FTS5 ``MATCH`` / ``tsv @@ to_tsquery``, newest 20, no policy), and for a
few queries a ``LIKE`` scan of the titles and texts. Memory: peak RSS, and the database's size.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, insert, make_url, text

from jisr.actors import Actor, ActorKind
from jisr.agreements.models import Agreement, AgreementParty
from jisr.agreements.parties import Agency
from jisr.agreements.policy import ResourceKind
from jisr.clock import utcnow
from jisr.db import make_engine, make_session_factory
from jisr.db.migrate import upgrade
from jisr.exchange.models import Case, CaseMember
from jisr.node import install_listeners
from jisr.search import service
from jisr.search.documents import Document, Kind, Source
from jisr.search.engine import fts5_expression, parse, tsquery_expression
from jisr.search.indexer import SKIP
from jisr.search.models import SearchDocument

PG_SERVER = os.environ.get(
    "JISR_BENCH_PG_URL",
    os.environ.get("JISR_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
)
LOCAL, COVERED, OTHER = "MA-DGST", "FR-DGSI", "ES-CGI"
# Fictional given names and family names, with the Arabic spellings queries use.
FIRST = {
    "Youssef": "يوسف",
    "Karim": "كريم",
    "Hamid": "حميد",
    "Rachid": "رشيد",
    "Omar": "عمر",
    "Nadia": "نادية",
    "Salma": "سلمى",
    "Fatima": "فاطمة",
    "Amal": "أمل",
    "Mehdi": "مهدي",
    "Khalid": "خالد",
    "Said": "سعيد",
    "Hassan": "حسن",
    "Samir": "سمير",
    "Latifa": "لطيفة",
}
LAST = {
    "El Amrani": "العمراني",
    "Benali": "بنعلي",
    "Tazi": "التازي",
    "Alaoui": "العلوي",
    "Idrissi": "الإدريسي",
    "Bennani": "بناني",
    "Berrada": "برادة",
    "Chraibi": "الشرايبي",
    "El Fassi": "الفاسي",
    "Ait Lahcen": "آيت لحسن",
    "Zerouali": "الزروالي",
    "Sefrioui": "الصفريوي",
    "Lahlou": "لحلو",
    "Bouzid": "بوزيد",
    "Kettani": "الكتاني",
    "Mansouri": "المنصوري",
}
COMMON = ["smuggling", "route", "network", "boat", "crossing", "ferry", "port", "van"]
PLACES = ["Tangier", "Tarifa", "Algeciras", "Ceuta", "Marseille", "Nador", "Almeria", "Sete"]
CASEWORK = (ResourceKind.MESSAGE, ResourceKind.ENTITY)
SYLLABLES = ["ka", "ri", "mo", "la", "ben", "sou", "ta", "zi", "nou", "ra", "fi", "do", "ham"]


@cache
def _surname(n: int) -> str:
    rng = random.Random(n)
    return "".join(rng.choice(SYLLABLES) for _ in range(3)).title()


def _name(rng: random.Random) -> str:
    first = rng.choice(list(FIRST))
    last = rng.choice(list(LAST)) if rng.random() < 0.3 else _surname(rng.randrange(20_000))
    return f"{first} {last}"


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.7:
        return f"+212 6{rng.randrange(10**8):08d}"
    return f"+33 6{rng.randrange(10**8):08d}"


@cache
def _row_of_name(name: str) -> str:
    from jisr.search.text import names_terms

    return names_terms([name])


def documents(size: int, cases: list[str], seed: int = 7) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    now = utcnow()
    for n in range(size):
        roll = rng.random()
        owner = LOCAL if rng.random() < 0.7 else (COVERED if rng.random() < 0.67 else OTHER)
        restricted = rng.random() < 0.1
        name = _name(rng)
        phone = _phone(rng)
        place = rng.choice(PLACES)
        words = " ".join(rng.choice(COMMON) for _ in range(4))
        body = (
            f"Lead {n}: {name} seen near {place}; {words}. Contact {phone}, passport "
            f"ZX{rng.randrange(10**7):07d}. Reference dossier R{n:07d}."
        )
        kind, resource = Kind.MESSAGE, ResourceKind.MESSAGE
        if roll >= 0.9:
            kind, resource = (
                (Kind.ALERT, ResourceKind.NOTICE)
                if roll < 0.95
                else (Kind.CYBER, ResourceKind.INDICATOR)
            )
        elif roll >= 0.7:
            kind, resource = Kind.PERSON, ResourceKind.ENTITY
        doc = Document(
            source=Source.MESSAGE,
            record_id=f"{owner}:msg:{n:012d}",
            kind=kind,
            resource=resource,
            owner_agency=owner,
            crime_area="cybercrime" if kind is Kind.CYBER else "migrant_smuggling",
            data_category="cyber_indicator" if kind is Kind.CYBER else "personal",
            handling_code=rng.choice(["H2", "H3"]) if restricted else "H0",
            case_ref=rng.choice(cases)
            if resource in (ResourceKind.MESSAGE, ResourceKind.ENTITY)
            else None,
            title=name if kind is Kind.PERSON else f"{place} {rng.choice(COMMON)} lead {n}",
            text=body,
            link=f"/exchange/messages/{owner}:msg:{n:012d}",
            record_at=now - timedelta(minutes=size - n),
            identifiers=[],
        )
        row = doc.row()
        row["name_keys"] = _row_of_name(name)
        yield {**row, "indexed_at": now}


def prepare(engine: Engine, size: int, batch: int = 5000) -> float:
    upgrade(engine)
    now = utcnow()
    with engine.begin() as connection:
        for code, country in ((LOCAL, "MA"), (COVERED, "FR"), (OTHER, "ES")):
            connection.execute(
                insert(Agency),
                [
                    {
                        "code": code,
                        "name_en": code,
                        "name_fr": code,
                        "name_ar": code,
                        "country": country,
                        "is_local": code == LOCAL,
                        "transport": "http",
                        "created_at": now,
                    }
                ],
            )
        connection.execute(
            insert(Agreement),
            [
                {
                    "id": "MA-DGST:agreement:1",
                    "reference": "MA-FR/1",
                    "title": "t",
                    "status": "active",
                    "crime_areas": ["migrant_smuggling", "cybercrime"],
                    "data_categories": ["personal", "cyber_indicator"],
                    "valid_from": now - timedelta(days=1),
                    "valid_until": None,
                    "default_handling": "H0",
                    "legal_basis": "x",
                    "created_by": "b",
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )
        connection.execute(
            insert(AgreementParty),
            [{"agreement_id": "MA-DGST:agreement:1", "agency_code": c} for c in (LOCAL, COVERED)],
        )
        cases = [f"{LOCAL}:case:{n:06d}" for n in range(2000)]
        connection.execute(
            insert(Case),
            [
                {
                    "ref": ref,
                    "title": "c",
                    "owner_agency": LOCAL,
                    "agreement_id": "MA-DGST:agreement:1",
                    "crime_area": "migrant_smuggling",
                    "handling_code": "H2",
                    "legal_basis": "x",
                    "retention_until": now + timedelta(days=9),
                    "created_by": "b",
                    "created_at": now,
                }
                for ref in cases
            ],
        )
        # The analyst is a member of one case in ten.
        connection.execute(
            insert(CaseMember),
            [
                {
                    "case_ref": ref,
                    "member": "user:analyst" if n % 10 == 0 else "user:other",
                    "added_by": "b",
                    "added_at": now,
                }
                for n, ref in enumerate(cases)
            ],
        )
    started = time.perf_counter()
    rows: list[dict[str, Any]] = []
    done = 0
    for row in documents(size, cases):
        rows.append(row)
        if len(rows) == batch:
            with engine.begin() as connection:
                connection.execute(insert(SearchDocument), rows)
            done += len(rows)
            rows = []
            if done % 100_000 == 0:
                print(f"  {done} documents, {time.perf_counter() - started:.0f} s", flush=True)
    if rows:
        with engine.begin() as connection:
            connection.execute(insert(SearchDocument), rows)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE search_documents"))
    return time.perf_counter() - started


def queries(count: int, seed: int = 11) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    found: list[tuple[str, str]] = []
    for n in range(count):
        cls = ("arabic_name", "phone", "rare_word", "common_word", "prefix")[n % 5]
        if cls == "arabic_name":
            q = f"{FIRST[rng.choice(list(FIRST))]} {LAST[rng.choice(list(LAST))]}"
        elif cls == "phone":
            q = "06 " + " ".join(f"{rng.randrange(100):02d}" for _ in range(4))
        elif cls == "rare_word":
            q = f"R{rng.randrange(10**6):07d}"
        elif cls == "common_word":
            q = f"{rng.choice(COMMON)} {rng.choice(PLACES)}"
        else:
            q = rng.choice(PLACES)[:4].lower()
        found.append((cls, q))
    return found


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    pick = lambda p: ordered[min(len(ordered) - 1, int(p * len(ordered)))]  # noqa: E731
    return {
        "p50_ms": round(pick(0.5) * 1000, 2),
        "p95_ms": round(pick(0.95) * 1000, 2),
        "p99_ms": round(pick(0.99) * 1000, 2),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
    }


def measure(engine: Engine, workload: list[tuple[str, str]]) -> dict[str, Any]:
    factory = make_session_factory(engine)
    analyst = Actor(ActorKind.USER, "analyst", LOCAL, frozenset({"analyst"}), label="analyst")
    dialect = engine.dialect.name
    ours: dict[str, list[float]] = {}
    bare: dict[str, list[float]] = {}
    totals: list[int] = []
    for cls, q in workload:
        with factory() as session:
            session.info[SKIP] = True
            started = time.perf_counter()
            page = service.search(session, analyst, q)
            session.flush()  # the audit entry is chained and written, as in a request
            ours.setdefault(cls, []).append(time.perf_counter() - started)
            totals.append(page.total)
            session.rollback()
            parsed = parse(q, "MA")
            if dialect == "postgresql":
                stmt = text(
                    "SELECT id FROM search_documents WHERE tsv @@ to_tsquery('simple', :q)"
                    " ORDER BY id DESC LIMIT 20"
                ).bindparams(q=tsquery_expression(parsed))
            else:
                stmt = text(
                    "SELECT rowid FROM search_fts WHERE search_fts MATCH :q"
                    " ORDER BY rowid DESC LIMIT 20"
                ).bindparams(q=fts5_expression(parsed))
            started = time.perf_counter()
            session.execute(stmt).all()
            bare.setdefault(cls, []).append(time.perf_counter() - started)
    like: list[float] = []
    with engine.connect() as connection:
        for _cls, q in workload[:3]:
            pattern = f"%{q.split()[0]}%"
            stmt = text(
                "SELECT id FROM search_documents WHERE title LIKE :p OR text LIKE :p"
                " ORDER BY id DESC LIMIT 20"
            ).bindparams(p=pattern)
            started = time.perf_counter()
            connection.execute(stmt).all()
            like.append(time.perf_counter() - started)
    every = [v for values in ours.values() for v in values]
    return {
        "search": _percentiles(every),
        "search_by_class": {c: _percentiles(v) for c, v in ours.items()},
        "bare_match": _percentiles([v for values in bare.values() for v in values]),
        "bare_by_class": {c: _percentiles(v) for c, v in bare.items()},
        "like_scan_ms": [round(v * 1000, 1) for v in like],
        "mean_results": round(statistics.fmean(totals), 1),
    }


def run(backend: str, size: int, count: int, pg_server: str = PG_SERVER) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="jisr-bench-search-") as tmp:
        if backend == "postgresql":
            name = f"jisr_bench_search_{os.getpid()}"
            server_url = make_url(pg_server)
            server = create_engine(server_url, isolation_level="AUTOCOMMIT")
            with server.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            url = server_url.set(database=name).render_as_string(hide_password=False)
        else:
            path = Path(tmp) / "bench.db"
            url = f"sqlite:///{path}"
        engine = make_engine(url)
        try:
            load_seconds = prepare(engine, size)
            if backend == "postgresql":
                with engine.connect() as connection:
                    db_bytes = connection.execute(
                        text("SELECT pg_database_size(current_database())")
                    ).scalar_one()
            else:
                db_bytes = sum(p.stat().st_size for p in Path(tmp).glob("bench.db*"))
            measure(engine, queries(25, seed=3))  # warm the caches
            figures = measure(engine, queries(count))
        finally:
            engine.dispose()
            if backend == "postgresql":
                with server.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                server.dispose()
    return {
        "backend": backend,
        "documents": size,
        "queries": count,
        "load_seconds": round(load_seconds, 1),
        "load_docs_per_s": round(size / load_seconds),
        "database_mb": round(db_bytes / 2**20, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "loadavg": os.getloadavg(),
        **figures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--quick", action="store_true", help="10,000 documents, 100 queries")
    parser.add_argument(
        "--pg-server",
        default=PG_SERVER,
        help="PostgreSQL server URL (SQLAlchemy form) to create the benchmark's database on",
    )
    args = parser.parse_args()
    size, count = (10_000, 100) if args.quick else (args.size, args.queries)
    install_listeners()  # audit chaining, as a node does
    print(f"load before: {os.getloadavg()}", flush=True)
    result = run(args.backend, size, count, args.pg_server)
    print(json.dumps(result, indent=2))
    target = result["search"]["p95_ms"]
    print(
        f"search p95 {target} ms (target 100 ms) vs bare match p95 "
        f"{result['bare_match']['p95_ms']} ms at {size} documents ({args.backend})"
    )


if __name__ == "__main__":
    main()
