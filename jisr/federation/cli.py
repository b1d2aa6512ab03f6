"""``jisr partner`` and ``jisr outbox``: pin partners, rotate this node's keys, watch the queue."""

from __future__ import annotations

from typing import Annotated

import httpx
import typer

from jisr.agreements.parties import Transport
from jisr.cli.common import (
    DEFAULT_DATA_DIR,
    DataDirOption,
    FormatOption,
    OutputFormat,
    open_node,
    render,
)
from jisr.clock import utcnow
from jisr.errors import ConfigError, ValidationError
from jisr.federation import outbox as outbox_service
from jisr.federation.keys import fingerprint
from jisr.federation.node import FederationSettings
from jisr.federation.partners import PartnerInfo, add_partner, list_partners
from jisr.federation.rotation import rotate_node_keys
from jisr.federation.transports.http import NODE_PATH

partner_app = typer.Typer(
    help="Partner agencies: pin their keys, rotate ours.", no_args_is_help=True
)
outbox_app = typer.Typer(help="The federation outbox.", no_args_is_help=True)


@partner_app.command("add")
def add(
    code: Annotated[str, typer.Option(help="Partner agency code, e.g. FR-DGSI.")],
    name: Annotated[str, typer.Option(help="Partner name (English).")],
    country: Annotated[str, typer.Option(help="ISO 3166 alpha-2 country code.")],
    url: Annotated[str, typer.Option(help="Partner node base URL.")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    transport: Annotated[Transport, typer.Option(help="How to reach it.")] = Transport.HTTP,
    signing_key: Annotated[str | None, typer.Option(help="Ed25519 public key, base64.")] = None,
    encryption_key: Annotated[str | None, typer.Option(help="X25519 public key, base64.")] = None,
    fetch: Annotated[bool, typer.Option(help="Read the keys from the partner's card.")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Pin fetched keys without asking.")] = False,
    name_fr: Annotated[str | None, typer.Option(help="Name in French.")] = None,
    name_ar: Annotated[str | None, typer.Option(help="Name in Arabic.")] = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Pin a partner: give both public keys, or --fetch them and compare fingerprints by phone."""
    if fetch == bool(signing_key or encryption_key):
        raise ValidationError(
            "give --signing-key and --encryption-key, or --fetch", code="partner_keys_missing"
        )
    if fetch:
        signing_key, encryption_key = _fetch(url, code)
        typer.echo(f"{code} signing key fingerprint    {fingerprint(signing_key)}")
        typer.echo(f"{code} encryption key fingerprint {fingerprint(encryption_key)}")
        if not yes and not typer.confirm("Do these match what the partner read to you?"):
            raise typer.Exit(1)
    if not signing_key or not encryption_key:
        raise ValidationError("both public keys are needed", code="partner_keys_missing")
    info = PartnerInfo(
        code=code,
        name_en=name,
        name_fr=name_fr or name,
        name_ar=name_ar or name,
        country=country,
        endpoint_url=url,
        transport=transport.value,
        signing_key=signing_key,
        encryption_key=encryption_key,
    )
    with open_node(data_dir) as node, node.session() as session:
        add_partner(session, node.system, info, now=utcnow())
    render(
        [_row(info.code, info.name_en, country, transport.value, url, signing_key, encryption_key)],
        COLUMNS,
        fmt,
    )


def _fetch(url: str, code: str) -> tuple[str, str]:
    try:
        response = httpx.get(url.rstrip("/") + NODE_PATH, timeout=10, trust_env=False)
        response.raise_for_status()
        card = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ConfigError(
            f"cannot read {url}{NODE_PATH}: {exc}", code="partner_unreachable"
        ) from None
    if card.get("agency_code") != code:
        raise ValidationError(
            f"{url} is {card.get('agency_code')!r}, not {code}", code="partner_mismatch"
        )
    return str(card["signing_key"]), str(card["encryption_key"])


COLUMNS = ("code", "name", "country", "transport", "url", "signing_fp", "encryption_fp")


def _row(
    code: str,
    name: str,
    country: str,
    transport: str,
    url: str | None,
    signing: str | None,
    encryption: str | None,
) -> dict[str, str | None]:
    return {
        "code": code,
        "name": name,
        "country": country,
        "transport": transport,
        "url": url,
        "signing_fp": fingerprint(signing) if signing else None,
        "encryption_fp": fingerprint(encryption) if encryption else None,
    }


@partner_app.command("list")
def list_(
    data_dir: DataDirOption = DEFAULT_DATA_DIR, fmt: FormatOption = OutputFormat.TABLE
) -> None:
    """Partners with their transport, address and key fingerprints."""
    with open_node(data_dir) as node, node.session() as session:
        rows = [
            _row(
                a.code,
                a.name_en,
                a.country,
                a.transport,
                a.endpoint_url,
                a.signing_key,
                a.encryption_key,
            )
            for a in list_partners(session)
        ]
    render(rows, COLUMNS, fmt, title="Partners")


@partner_app.command("rotate-key")
def rotate_key(
    data_dir: DataDirOption = DEFAULT_DATA_DIR, fmt: FormatOption = OutputFormat.TABLE
) -> None:
    """Rotate THIS node's keys; partners learn the new ones from a notice signed with the old."""
    with open_node(data_dir) as node, node.session() as session:
        settings = node.settings.section(FederationSettings)
        secret = node.settings.key_passphrase
        passphrase = secret.get_secret_value().encode() if secret else None
        new, told = rotate_node_keys(
            session, node.system, data_dir, passphrase, now=utcnow(), grace=settings.key_grace
        )
    row = {
        "signing_fp": fingerprint(new.signing_public),
        "encryption_fp": fingerprint(new.encryption_public),
        "grace_days": settings.key_grace_days,
        "partners_notified": told,
    }
    render([row], list(row), fmt, title="New keys")


@outbox_app.command("status")
def status(
    data_dir: DataDirOption = DEFAULT_DATA_DIR, fmt: FormatOption = OutputFormat.TABLE
) -> None:
    """Messages per partner and status."""
    columns = ("partner", "pending", "held", "delivered", "rejected", "dead")
    with open_node(data_dir) as node, node.session() as session:
        counts = outbox_service.outbox_counts(session)
    rows = [
        {"partner": partner, **{c: by_status.get(c, 0) for c in columns[1:]}}
        for partner, by_status in sorted(counts.items())
    ]
    render(rows, columns, fmt, title="Outbox")


@outbox_app.command("requeue-dead")
def requeue_dead(
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    partner: Annotated[str | None, typer.Option(help="Only this partner's messages.")] = None,
) -> None:
    """Give dead messages a fresh set of attempts."""
    with open_node(data_dir) as node, node.session() as session:
        count = outbox_service.requeue_dead(session, node.agency_code, partner)
    typer.echo(f"{count} message(s) requeued")
