"""Innocent travellers against the real OFAC SDN list: how many would be stopped for nothing.

``python -m benchmarks.screening.ofac_eval [--travellers N]``

None of the synthetic travellers is on the list, so every hit at the default threshold is a
false positive. Shown with the passport facts a border has (date of birth, nationality, gender)
and with the name alone; the commonest kinds of listing hit are counted.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from benchmarks.screening import synthetic
from jisr.screening import DEFAULT_THRESHOLD, Screener, Subject
from jisr.screening.sources import read_subjects

OFAC = Path("/work/shared/data/lists/ofac_sdn_2024-05-03.csv")


def travellers(count: int, names_only: bool) -> list[Subject]:
    out = []
    for subject in synthetic.to_subjects(synthetic.innocent_travellers(count, seed=23)):
        subject = replace(subject, documents=())
        if names_only:
            subject = replace(subject, birth_dates=(), nationalities=(), gender=None)
        out.append(subject)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--travellers", type=int, default=2000)
    args = parser.parse_args(argv)
    listed = {s.id: s for s in read_subjects(OFAC)}
    screener = Screener(listed.values())
    print(f"## OFAC SDN ({len(listed):,} entries), {args.travellers:,} innocent travellers")
    for names_only in (False, True):
        queries = travellers(args.travellers, names_only)
        hit = 0
        kinds: Counter[str] = Counter()
        examples = []
        for query, matches in screener.screen(queries):
            if matches:
                hit += 1
                best = matches[0]
                kinds[listed[best.entity_id].kind.value] += 1
                if len(examples) < 5:
                    examples.append(f"  {query.names[0]} -> {best.name} {best.score:.2f}")
        label = "name only" if names_only else "with date of birth, nationality, gender"
        print(
            f"{label}: {hit} travellers hit at {DEFAULT_THRESHOLD:.2f} "
            f"({hit / len(queries):.2%}); listing kinds {dict(kinds)}"
        )
        print("\n".join(examples))
    return 0


if __name__ == "__main__":
    sys.exit(main())
