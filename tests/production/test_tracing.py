"""Traces across a federated exchange: the W3C trace context rides in the signed header."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from nacl.public import PrivateKey

from jisr.clock import utcnow
from jisr.federation.envelope import SealRequest, open_envelope, seal
from tests.federation.nodes import FedNode

SCRIPT = Path(__file__).with_name("trace_exchange.py")
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def _sealed(request: SealRequest) -> tuple[bytes, Ed25519PrivateKey, PrivateKey]:
    signing, recipient = Ed25519PrivateKey.generate(), PrivateKey.generate()
    raw = seal(
        request,
        {"secret": "payload"},
        signing_key=signing,
        signing_fingerprint="f" * 16,
        recipient_key=bytes(recipient.public_key),
        now=utcnow(),
    )
    return raw, signing, recipient


def _request(**trace: str) -> SealRequest:
    return SealRequest(
        id="MA-DGST:envelope:1",
        sender="MA-DGST",
        recipient="FR-DGSI",
        agreement="A",
        type="t",
        **trace,
    )


def test_untraced_header_is_unchanged() -> None:
    raw, _signing, _recipient = _sealed(_request())
    header = json.loads(raw)["header"]
    # A node that predates tracing refuses unknown header fields: none is added when off.
    assert "traceparent" not in header and "tracestate" not in header


def test_trace_context_is_signed_in_the_header_never_in_the_payload() -> None:
    raw, signing, recipient = _sealed(_request(traceparent=TRACEPARENT, tracestate="jisr=1"))
    document = json.loads(raw)
    assert document["header"]["traceparent"] == TRACEPARENT
    opened = open_envelope(
        raw,
        local_agency="FR-DGSI",
        sender_keys=lambda _agency, _key: signing.public_key(),
        decryption_keys={document["header"]["recipient_key"]: recipient},
        now=utcnow(),
    )
    assert opened.header.traceparent == TRACEPARENT and opened.header.tracestate == "jisr=1"
    assert "traceparent" not in json.dumps(opened.payload)
    # The context is covered by the signature: changing it breaks the envelope.
    document["header"]["traceparent"] = TRACEPARENT.replace("01", "00")
    tampered = json.dumps(document).encode()
    try:
        open_envelope(
            tampered,
            local_agency="FR-DGSI",
            sender_keys=lambda _agency, _key: signing.public_key(),
            decryption_keys={document["header"]["recipient_key"]: recipient},
            now=utcnow(),
        )
    except Exception as exc:  # noqa: BLE001 - any EnvelopeError will do; checked below
        assert getattr(exc, "code", "") == "signature_invalid"
    else:
        raise AssertionError("a changed trace context was accepted")


def test_one_trace_spans_both_nodes(pair: tuple[FedNode, FedNode]) -> None:
    a, b = pair
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(a.data_dir), str(b.data_dir), str(b.port), "3"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    spans = json.loads(result.stdout.strip().splitlines()[-1])
    by_name: dict[str, list[dict[str, object]]] = {}
    for span in spans:
        by_name.setdefault(str(span["name"]), []).append(span)
    seals = {s["attributes"]["jisr.envelope.id"]: s for s in by_name["federation.seal"]}  # type: ignore[index]
    handles = by_name["federation.handle"]
    assert len(seals) == 3 and len(handles) == 3
    delivers = {s["span_id"]: s for s in by_name["federation.deliver"]}
    for handle in handles:
        attributes = handle["attributes"]
        assert isinstance(attributes, dict)
        sealed = seals[attributes["jisr.envelope.id"]]
        # The receiver's span continues the sender's: same trace, parent = the seal span,
        # reached through the envelope header (a remote parent), not through this process.
        assert handle["trace_id"] == sealed["trace_id"]
        assert handle["parent"] == sealed["span_id"] and handle["remote_parent"] is True
        assert attributes["jisr.node"] == b.code and attributes["jisr.partner"] == a.code
        assert sealed["parent"] in delivers
    receives = by_name["federation.receive"]
    assert receives and all(
        r["trace_id"] in {s["trace_id"] for s in seals.values()} for r in receives
    )
