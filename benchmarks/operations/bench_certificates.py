"""Certificate verification per second, beside the bare Ed25519 verification it rests on.

``python -m benchmarks.operations.bench_certificates [--count 5000]``

Signs one Open Badges-shaped credential with a fresh Ed25519 key, then verifies it ``count``
times with ``jisr.training.credentials.verify_credential`` (JCS canonicalisation, two SHA-256,
Ed25519, dates, revocation set of 1,000 ids) and, as the baseline, ``count`` bare Ed25519
verifications of the same signing input. Prints both rates, their ratio and peak RSS.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from benchmarks.screening.perf import rss_mb
from jisr.training import credentials


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=5000)
    args = parser.parse_args()
    key = Ed25519PrivateKey.generate()
    public = key.public_key()
    document = credentials.sign_document(
        {
            "@context": [credentials.VC_CONTEXT, credentials.OB3_CONTEXT],
            "id": "urn:jisr:FR-DGSI:certificate:01JF00000000000000000000AA",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": "urn:jisr:agency:FR-DGSI", "type": ["Profile"], "name": "DGSI"},
            "name": "Counter-terrorism security of major sporting events",
            "validFrom": "2026-11-30T09:00:00Z",
            "validUntil": "2028-11-30T09:00:00Z",
            "credentialSubject": {
                "type": ["AchievementSubject"],
                "name": "Youssef Benali (fictional)",
                "achievement": {"id": "urn:jisr:FR-DGSI:course:X", "type": ["Achievement"]},
            },
        },
        key,
        "urn:jisr:agency:FR-DGSI#0123456789abcdef",
        "2026-11-30T09:00:00Z",
    )
    revoked = frozenset(f"urn:jisr:FR-DGSI:certificate:{n}" for n in range(1000))
    now = datetime(2027, 1, 1, tzinfo=UTC)
    lookup = lambda _issuer, _fp: public  # noqa: E731 - one key for the bench
    started = time.perf_counter()
    for _ in range(args.count):
        assert credentials.verify_credential(document, lookup, revoked=revoked, now=now).valid  # noqa: S101
    full = args.count / (time.perf_counter() - started)
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    options = {k: v for k, v in document["proof"].items() if k != "proofValue"}
    options["@context"] = unsigned["@context"]
    message = credentials._signing_input(unsigned, options)  # noqa: SLF001 - the baseline's bytes
    signature = credentials.b58decode(document["proof"]["proofValue"][1:])
    started = time.perf_counter()
    for _ in range(args.count):
        public.verify(signature, message)
    bare = args.count / (time.perf_counter() - started)
    print(
        f"certificate verification: {full:,.0f}/s "
        "(full: canonicalise, hash, Ed25519, dates, revocation)"
    )
    print(f"baseline bare Ed25519 verify: {bare:,.0f}/s; ratio {full / bare:.2f}")
    print(f"peak RSS: {rss_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
