"""The reports API on a served node: JSON by default, a signed PDF with ``Accept:
application/pdf`` (Arabic, French, English; text extractable, the signature verifies, one
changed byte fails), the overview, the transparency report, errors as problem+json."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from jisr.clock import utcnow
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.errors import ValidationError
from jisr.exchange.models import MessageKind
from jisr.federation.keys import load_node_keys
from jisr.reports.periods import current_quarter
from jisr.reports.signing import TrustedKeys, single_key, verify_document
from tests.operations.conftest import PARTNER, Api, api  # noqa: F401 - the fixture
from tests.reports.seed import Traffic

PDF = {"Accept": "application/pdf"}


@pytest.fixture()
def seeded(api: Api, db_url: str) -> Iterator[Api]:  # noqa: F811
    engine = make_engine(db_url)
    recent = utcnow() - timedelta(hours=30)
    with unit_of_work(make_session_factory(engine)) as session:
        from jisr.agreements.models import Agreement

        agreement = session.query(Agreement).one()
        traffic = Traffic(session, agreement)
        for _ in range(3):
            traffic.message(outbound=True, created_at=recent)
        traffic.message(
            outbound=True,
            kind=MessageKind.REQUEST,
            created_at=recent,
            answered_at=recent + timedelta(hours=2),
            deadline_at=recent + timedelta(hours=8),
        )
        traffic.notice(ours=False, at=recent)
    engine.dispose()
    yield api


def _text(pdf: bytes, tmp_path: Path) -> str | None:
    """The PDF's text by poppler's pdftotext, when installed (None otherwise)."""
    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    done = subprocess.run([tool, str(path), "-"], capture_output=True, check=True, timeout=60)  # noqa: S603
    return done.stdout.decode("utf-8")


def _trusted(served: Api) -> TrustedKeys:
    return single_key(load_node_keys(served.node.data_dir, None).signing.public_key())


def test_json_by_default(seeded: Api) -> None:
    quarter = current_quarter().label
    response = seeded.get(f"/reports/partners/{PARTNER}?period={quarter}", who="analyst")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["period"]["label"] == quarter and body["partner"] == PARTNER
    assert body["messages"] == {"ours": 3, "theirs": 0}
    assert body["deadlines"]["theirs"]["on_time"] == 1
    assert body["deadlines"]["theirs"]["on_time_share"] == 1.0
    assert body["alerts"]["received"] == 1
    assert [p["period"]["label"] for p in body["trend"]] == [
        p.label for p in current_quarter().history(4)
    ]
    overview = seeded.get(f"/reports/partners?period={quarter}", who="auditor")
    assert overview.status_code == 200
    assert [r["partner"] for r in overview.json()["rows"]] == [PARTNER]


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("ar", ["التقييم الدوري للشراكة", "تبادل المعلومات"]),
        ("fr", ["Évaluation périodique du partenariat", "Échange d’informations"]),
        ("en", ["Periodic assessment of the partnership", "Information exchange"]),
    ],
)
def test_signed_pdf_in_each_language(
    seeded: Api, tmp_path: Path, lang: str, words: list[str]
) -> None:
    quarter = current_quarter().label
    response = seeded.client.get(
        f"/api/v1/reports/partners/{PARTNER}",
        params={"period": quarter, "lang": lang},
        headers={**PDF, "Authorization": f"Bearer {seeded.tokens['analyst']}"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf
    verified = verify_document(pdf, _trusted(seeded))
    assert verified.report == {
        "kind": "partner",
        "partner": PARTNER,
        "period": quarter,
        "lang": lang,
    }
    assert response.headers["jisr-signature-key"] == verified.key_fingerprint
    text = _text(pdf, tmp_path)
    if text is not None:
        flat = " ".join(text.split())
        for word in words:
            assert word in flat, (word, flat[:500])
        assert quarter in flat
    # One byte changed anywhere in the document: the signature no longer holds.
    for at in (len(pdf) // 3, 200):
        changed = pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1 :]
        with pytest.raises(ValidationError) as raised:
            verify_document(changed, _trusted(seeded))
        assert raised.value.code == "report_signature_invalid"


def test_language_from_accept_language(seeded: Api) -> None:
    response = seeded.client.get(
        f"/api/v1/reports/partners/{PARTNER}",
        headers={
            **PDF,
            "Accept-Language": "fr-FR,fr;q=0.9",
            "Authorization": f"Bearer {seeded.tokens['coord']}",
        },
    )
    assert response.status_code == 200
    assert verify_document(response.content, _trusted(seeded)).report["lang"] == "fr"


def test_reading_is_audited_and_errors_are_problems(seeded: Api, db_url: str) -> None:
    assert seeded.get(f"/reports/partners/{PARTNER}?period=2026-Q9").json()["code"] == (
        "period_invalid"
    )
    missing = seeded.get("/reports/partners/DE-BKA")
    assert missing.status_code == 404 and missing.json()["code"] == "partner_not_found"
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert seeded.get("/reports/transparency?period=2026", who="analyst").status_code == 403
    transparency = seeded.get("/reports/transparency?period=2026", who="auditor")
    assert transparency.status_code == 200
    figures = {f["key"]: f for f in transparency.json()["figures"]}
    assert figures["requests.open_overdue"]["query"]["object_type"] == "rights_request"
    seeded.client.get(
        f"/api/v1/reports/partners/{PARTNER}",
        headers={**PDF, "Authorization": f"Bearer {seeded.tokens['analyst']}"},
    )
    from sqlalchemy import select

    from jisr.audit import AuditEntry

    engine = make_engine(db_url)
    with unit_of_work(make_session_factory(engine)) as session:
        rows = session.execute(
            select(AuditEntry.object_type, AuditEntry.details).where(
                AuditEntry.action == "consultation",
                AuditEntry.object_type.in_(["partner_report", "transparency_report"]),
            )
        ).all()
    engine.dispose()
    kinds = [kind for kind, _details in rows]
    assert kinds == ["transparency_report", "partner_report"]
    assert rows[1][1] == {"days": 90, "format": "pdf", "lang": "en"}
