"""The demo scenario across three real nodes (``jisr serve`` processes, loopback HTTP):

Rabat opens "Africa Cup of Nations, Rabat" with Paris and Madrid liaison officers; screens a
500-person accreditation list (two planted hits go to review, broken rows are listed); an
incident logged in Rabat reaches Paris and Madrid; an entry from an agency outside an operation
is refused and audited; Paris gives a course to Rabat officers, whose certificates Madrid's
node verifies, and a revoked one then fails everywhere.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from jisr.audit.models import AuditEntry
from jisr.clock import utcnow
from jisr.federation.models import OutboxMessage
from jisr.federation.service import enqueue
from jisr.operations.fixtures import accreditation_csv, watchlist_csv
from jisr.operations.sharing import ENTRY_ENVELOPE
from jisr.watchlists.imports import import_list
from tests.conftest import DatabaseFactory
from tests.operations.nodes import Officer, eventually, make_trio, served

VENUES = [
    {"name": "Stade Prince Moulay Abdellah", "city": "Rabat", "lat": 33.9596, "lon": -6.8893},
    {"name": "Stade Moulay Hassan", "city": "Rabat", "lat": 33.9830, "lon": -6.8520},
]


def event_body() -> dict[str, Any]:
    start = utcnow() + timedelta(days=10)
    return {
        "title": "Africa Cup of Nations, Rabat",
        "crime_area": "terrorism",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(days=28)).isoformat(),
        "objectives": ["Secure the venues", "Screen every accredited person"],
        "venues": VENUES,
        "participants": [
            {
                "agency": "FR-DGSI",
                "agreement": "MA-FR/2026/01",
                "role": "contingent",
                "contingent_size": 12,
                "liaison_officers": [
                    {"name": "Claire Martin (fictional)", "phone": "+33100000001"}
                ],
            },
            {
                "agency": "ES-CGI",
                "agreement": "MA-ES/2026/01",
                "role": "contingent",
                "contingent_size": 8,
                "liaison_officers": [{"name": "Lucía García (fictional)"}],
            },
        ],
    }


def test_africa_cup_across_three_nodes(tmp_path: Path, databases: DatabaseFactory) -> None:
    trio = make_trio(tmp_path, databases.new_url)
    watchlist = tmp_path / "wanted.csv"
    watchlist.write_text(watchlist_csv(extra=300), encoding="utf-8")
    with trio.rabat.session() as session:
        import_list(session, trio.rabat.system, "wanted", watchlist, alert_type="wanted")
    with served(trio.rabat, trio.paris, trio.madrid):
        rabat = Officer(trio.rabat, "nadia.coord")
        paris = Officer(trio.paris, "marc.coord")
        madrid = Officer(trio.madrid, "elena.coord")

        event = rabat.post("/events", json=event_body())
        assert event["kind"] == "event" and event["owner_agency"] == "MA-DGST"
        for partner in (paris, madrid):
            copy = eventually(lambda p=partner: p.get("/events"), what="the event at a partner")
            assert copy[0]["id"] == event["id"]
            assert [v["name"] for v in copy[0]["venues"]] == [v["name"] for v in VENUES]
            officers = {p["agency_code"]: p["liaison_officers"] for p in copy[0]["participants"]}
            assert officers["FR-DGSI"][0]["name"].startswith("Claire Martin")

        # Accreditation: 500 fictional people + 3 broken rows; two planted hits go to review.
        content = accreditation_csv(500, broken=3).encode()
        item = rabat.post(
            f"/events/{event['id']}/accreditations",
            expect=202,
            params={"category": "staff", "filename": "staff.csv"},
            content=content,
            headers={"Content-Type": "text/csv"},
        )

        def screened() -> Any:
            rows = rabat.get(f"/events/{event['id']}/accreditations")
            return rows[0] if rows[0]["status"] in {"done", "failed"} else None

        result = eventually(screened, timeout=120, what="the accreditation screening")
        assert (result["status"], result["screened"], result["rejected"]) == ("done", 500, 3)
        assert result["hits"] == 2 and len(result["hit_ids"]) == 2
        assert [r["reason"] for r in result["rejections"]] == [
            "empty name",
            "expected 5 fields, found 3",
            "duplicate id 'acc-000000' (first on line 2)",
        ]
        assert item["id"] == result["id"]
        planted: set[str] = set()
        for hit_id in result["hit_ids"]:
            hit = rabat.post(
                f"/screening/hits/{hit_id}/open",
                expect=200,
                json={"justification": "accreditation review"},
            )
            assert hit["status"] == "open" and hit["manifest_id"] == result["manifest_job_id"]
            planted.add(hit["traveller"]["id"])
        assert planted == {"acc-000166", "acc-000333"}

        # An incident logged in Rabat reaches Paris and Madrid.
        occurred = (utcnow() - timedelta(minutes=3)).isoformat()
        sent = rabat.post(
            f"/events/{event['id']}/incidents",
            json={
                "title": "Unattended bag at gate 4",
                "severity": "high",
                "venue": VENUES[0]["name"],
                "occurred_at": occurred,
            },
        )
        assert sorted(sent["sent_to"]) == ["ES-CGI", "FR-DGSI"] and sent["not_sent"] == {}
        for partner in (paris, madrid):
            got = eventually(
                lambda p=partner: p.get(f"/events/{event['id']}/incidents"), what="the incident"
            )
            assert got[0]["id"] == sent["entry"]["id"]
            assert got[0]["owner_agency"] == "MA-DGST" and got[0]["severity"] == "high"
            assert got[0]["occurred_at"] < got[0]["recorded_at"] <= got[0]["received_at"]

        # Paris writes a threat assessment: Rabat and Madrid (FR-ES agreement) both get it.
        threat = paris.post(
            f"/events/{event['id']}/threats",
            json={"title": "Threat to fan zones", "severity": "substantial", "handling_code": "H1"},
        )
        assert sorted(threat["sent_to"]) == ["ES-CGI", "MA-DGST"]
        log = eventually(
            lambda: [
                e
                for e in madrid.get(f"/events/{event['id']}/log")
                if e["kind"] == "threat_assessment"
            ],
            what="Paris's threat assessment at Madrid",
        )
        assert (log[0]["owner_agency"], log[0]["handling_code"]) == ("FR-DGSI", "H1")

        # An operation Madrid takes no part in: Madrid's entry for it is refused and audited.
        private = rabat.post(
            "/operations",
            json={
                **event_body(),
                "title": "Operation Atlas",
                "participants": event_body()["participants"][:1],
            },
        )
        with trio.madrid.session() as session:
            row = enqueue(
                session,
                trio.madrid.system,
                recipient="MA-DGST",
                agreement_id="MA-ES/2026/01",
                envelope_type=ENTRY_ENVELOPE,
                payload={
                    "id": "ES-CGI:entry:01JF0000000000000000000001",
                    "operation_id": private["id"],
                    "kind": "incident",
                    "severity": "low",
                    "title": "Injected",
                    "body": "",
                    "venue": None,
                    "owner_agency": "ES-CGI",
                    "handling_code": "H0",
                    "author": "x",
                    "occurred_at": utcnow().isoformat(),
                    "recorded_at": utcnow().isoformat(),
                },
                case_ref=private["id"],
                data_category="operational",
                crime_area="terrorism",
                handling_code="H0",
            )
            envelope_id = row.id

        def refused() -> Any:
            with trio.madrid.session() as session:
                outbox = session.get(OutboxMessage, envelope_id)
                return outbox if outbox is not None and outbox.status == "rejected" else None

        eventually(refused, what="Rabat's refusal")
        with trio.rabat.session() as session:
            audited = (
                session.execute(
                    select(AuditEntry).where(
                        AuditEntry.object_type == "envelope", AuditEntry.actor_agency == "ES-CGI"
                    )
                )
                .scalars()
                .all()
            )
            assert any(e.details.get("code") == "not_a_participant" for e in audited)
        assert rabat.get(f"/operations/{private['id']}/log") == []

        # Training: Paris offers seats to Rabat; Rabat nominates; Paris certifies; Madrid verifies.
        course = paris.post(
            "/courses",
            json={
                "title": "Major-event counter-terrorism",
                "subject": "Venue security and crowd screening",
                "starts_at": (utcnow() - timedelta(days=3)).isoformat(),
                "ends_at": (utcnow() - timedelta(days=1)).isoformat(),
                "seats": {"MA-DGST": 2},
                "certificate_validity_days": 730,
            },
        )
        eventually(lambda: rabat.get("/courses"), what="the course at Rabat")
        for name in ("Youssef Benali (fictional)", "Salma Tazi (fictional)"):
            rabat.post(f"/courses/{course['id']}/enrolments", json={"person_name": name})
        full = rabat.client.post(
            f"/courses/{course['id']}/enrolments", json={"person_name": "Third (fictional)"}
        )
        assert full.status_code == 409 and full.json()["code"] == "no_seat"
        enrolments = eventually(
            lambda: (
                (rows := paris.get(f"/courses/{course['id']}/enrolments"))
                and len(rows) == 2
                and rows
            ),
            what="the nominations at Paris",
        )
        for enrolment in enrolments:
            paris.post(
                f"/enrolments/{enrolment['id']}/attendance", expect=200, json={"attended": True}
            )
            paris.post(f"/enrolments/{enrolment['id']}/evaluation", expect=200, json={"score": 5})
        issued = paris.post(f"/courses/{course['id']}/certificates")
        assert len(issued) == 2
        held = eventually(
            lambda: (
                (rows := rabat.get(f"/courses/{course['id']}/certificates"))
                and len(rows) == 2
                and rows
            ),
            what="the certificates at Rabat",
        )
        document = held[0]["document"]
        verdict = madrid.post("/courses/certificates/verify", expect=200, json=document)
        assert verdict["valid"] and verdict["issuer"] == "FR-DGSI", verdict

        tampered = {**document, "name": document["name"] + "!"}
        bad = madrid.post("/courses/certificates/verify", expect=200, json=tampered)
        assert (bad["valid"], bad["code"]) == (False, "bad_signature")

        paris.post(
            f"/certificates/{held[0]['id']}/revoke", expect=200, json={"reason": "issued in error"}
        )
        eventually(
            lambda: (
                not rabat.post("/courses/certificates/verify", expect=200, json=document)["valid"]
            ),
            what="the revocation list at Rabat (pushed)",
        )
        madrid.post("/courses/revocations/FR-DGSI/refresh", expect=200)
        revoked = madrid.post("/courses/certificates/verify", expect=200, json=document)
        assert (revoked["valid"], revoked["code"]) == (False, "revoked")
        report = paris.get("/courses/report", year=utcnow().year)
        assert report["partners"][0] == {
            "agency_code": "MA-DGST",
            "courses": 1,
            "nominated": 2,
            "attended": 2,
            "certificates": 2,
            "revoked": 1,
            "mean_evaluation": 5.0,
        }
