"""``jisr training``: courses, nominations, attendance, certificates, offline verification."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError as PydanticValidationError

from jisr.cli.common import (
    DEFAULT_DATA_DIR,
    DataDirOption,
    FormatOption,
    OutputFormat,
    open_node,
    render,
)
from jisr.clock import utcnow
from jisr.errors import JisrError, ValidationError
from jisr.federation.keys import load_signing_public
from jisr.training import certificates, credentials, reports, service
from jisr.training.schemas import CourseCreate, EnrolmentCreate
from jisr.training.signing import key_lookup, node_signer, single_key

training_app = typer.Typer(
    help="Joint training: courses, certificates, verification.", no_args_is_help=True
)


class VerificationFailedError(JisrError):
    http_status = 422
    title = "Certificate does not verify"


def _load(path: Path) -> dict[str, Any]:
    """A JSON object from ``path`` (``-``: stdin); from a printed certificate (PDF), the signed
    credential it carries."""
    raw = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    if raw.startswith(b"%PDF"):
        document = credentials.credential_in_pdf(raw)
        if document is None:
            raise VerificationFailedError(
                f"{path}: a PDF that carries no Jisr certificate", code="malformed"
            )
        return document
    try:
        value = json.loads(raw.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise VerificationFailedError(f"{path}: not JSON ({exc})", code="malformed") from None
    if not isinstance(value, dict):
        raise VerificationFailedError(f"{path}: not a JSON object", code="malformed")
    return value


@training_app.command("course")
def create_course(
    file: Annotated[Path, typer.Argument(help="JSON of the course ('-': stdin).")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Offer a course (title, subject, dates, seats per partner, sessions)."""
    try:
        data = CourseCreate.model_validate(_load(file))
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        raise ValidationError(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None
    with open_node(data_dir) as node, node.session() as session:
        typer.echo(service.create_course(session, node.system, data).id)


@training_app.command("list")
def list_courses(
    data_dir: DataDirOption = DEFAULT_DATA_DIR, fmt: FormatOption = OutputFormat.TABLE
) -> None:
    """Courses given here and partners' courses offered to this agency."""
    with open_node(data_dir) as node, node.session() as session:
        rows = [
            service.course_read(session, c).model_dump(mode="json")
            for c in service.list_courses(session, node.system)
        ]
    render(
        rows, ("id", "title", "provider_agency", "starts_at", "seats", "enrolled"), fmt, "Courses"
    )


@training_app.command("nominate")
def nominate(
    course_id: str,
    name: Annotated[str, typer.Option(help="The officer's name.")],
    rank: Annotated[str, typer.Option(help="Rank or function.")] = "",
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Nominate one of this agency's officers to a course."""
    with open_node(data_dir) as node, node.session() as session:
        enrolment = service.nominate(
            session, node.system, course_id, EnrolmentCreate(person_name=name, person_rank=rank)
        )
        typer.echo(enrolment.id)


@training_app.command("attend")
def attend(
    enrolment_id: str,
    absent: Annotated[bool, typer.Option(help="Mark absent instead.")] = False,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Record attendance (provider only)."""
    with open_node(data_dir) as node, node.session() as session:
        typer.echo(service.record_attendance(session, node.system, enrolment_id, not absent).status)


@training_app.command("issue")
def issue(
    course_id: str,
    out: Annotated[
        Path | None, typer.Option(help="Write each certificate as ID.json here.")
    ] = None,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Issue signed certificates to the officers present."""
    with open_node(data_dir) as node, node.session() as session:
        signer = node_signer(node.settings, node.agency_code)
        issued = certificates.issue_certificates(session, node.system, course_id, signer)
        for certificate in issued:
            typer.echo(certificate.id)
            if out is not None:
                out.mkdir(parents=True, exist_ok=True)
                target = out / f"{certificate.id.replace(':', '_')}.json"
                target.write_text(json.dumps(certificate.document, ensure_ascii=False, indent=2))


@training_app.command("revoke")
def revoke(
    certificate_id: str,
    reason: Annotated[str, typer.Option(help="Why.")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Revoke a certificate; the signed revocation list goes to partners."""
    with open_node(data_dir) as node, node.session() as session:
        signer = node_signer(node.settings, node.agency_code)
        certificates.revoke_certificate(session, node.system, certificate_id, reason, signer)
        typer.echo("revoked")


@training_app.command("revocations")
def revocations(data_dir: DataDirOption = DEFAULT_DATA_DIR) -> None:
    """This node's signed revocation list as JSON (to hand to verifiers offline)."""
    with open_node(data_dir) as node, node.session() as session:
        listing = certificates.revocation_list(
            session, node_signer(node.settings, node.agency_code)
        )
    typer.echo(json.dumps(listing, ensure_ascii=False, indent=2))


@training_app.command("verify")
def verify(
    file: Annotated[
        Path, typer.Argument(help="The certificate (JSON, or its printed PDF; '-': stdin).")
    ],
    key: Annotated[str | None, typer.Option(help="Issuer's Ed25519 public key (base64).")] = None,
    revocations: Annotated[
        Path | None, typer.Option(help="Issuer's signed revocation list.")
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Verify with this node's pinned keys.")
    ] = None,
) -> None:
    """Verify a certificate offline: with --key (and --revocations), or with a node's pinned
    keys and stored revocation lists (--data-dir). Exit 0 when valid."""
    document = _load(file)
    if key is not None:
        lookup = single_key(key)
        public = load_signing_public(key)
        listing = _load(revocations) if revocations else None
        if listing is not None and credentials.check_proof(listing, public) is not None:
            raise VerificationFailedError(
                "the revocation list's signature does not verify", code="revocations_invalid"
            )
        revoked = credentials.revoked_ids(listing, public)
        result = credentials.verify_credential(document, lookup, revoked=revoked, now=utcnow())
    elif data_dir is not None:
        with open_node(data_dir) as node, node.session() as session:
            signer = node_signer(node.settings, node.agency_code)
            result = certificates.verify(
                session, node.system, document, key_lookup(session, signer)
            )
    else:
        raise ValidationError("give the issuer's key (--key) or a node (--data-dir)", code="usage")
    if not result.valid:
        raise VerificationFailedError(
            f"certificate does not verify: {result.reason}", code=result.code
        )
    typer.echo(f"valid: {result.credential_id} {result.reason}")


@training_app.command("report")
def report(
    year: Annotated[int, typer.Option(help="Calendar year.")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """The annual training report per partner."""
    with open_node(data_dir) as node, node.session() as session:
        result = reports.annual_report(session, node.system, year)
    rows = [r.model_dump() for r in result.partners]
    columns = (
        "agency_code",
        "courses",
        "nominated",
        "attended",
        "certificates",
        "revoked",
        "mean_evaluation",
    )
    render(rows, columns, fmt, f"Training {year}")
