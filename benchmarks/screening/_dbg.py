import sys
from dataclasses import replace

from benchmarks.screening import real_data, variants
from benchmarks.screening.real_eval import EAST_ASIAN, _rule_pairs
from jisr.screening import Screener
from jisr.screening.sources import read_subjects

everyone = [replace(s, names=s.names[:1]) for s in read_subjects(real_data.OFAC)]
by = {s.id: s for s in everyone}
sc = Screener(everyone)
which = sys.argv[1]
if which == "ar":
    pairs = real_data.ofac_arabic_script("tune")
elif which == "alias":
    pairs = real_data.ofac_alias_pairs("tune")
elif which == "cons":
    pairs = _rule_pairs(real_data.listing("tune"), variants.consonant_variant, 11)
elif which == "wg":
    east = [
        s
        for s in everyone
        if set(s.nationalities) & EAST_ASIAN and real_data.part_of(s.id) == "tune"
    ]
    pairs = _rule_pairs(east, variants.wade_giles, 30)
elif which == "fp":
    for q in real_data.innocents("tune", 1000):
        m = sc.check(q)
        if m:
            print(
                q.names[0],
                q.birth_dates,
                "->",
                m[0].name,
                by[m[0].entity_id].birth_dates,
                round(m[0].score, 2),
                m[0].explanation,
            )
    sys.exit()
n = 0
for q, lid in pairs:
    m = sc.check(q, threshold=0.0, top=5)
    mine = [x for x in m if x.entity_id == lid]
    if not mine or mine[0].score < 0.8:
        n += 1
        if n > 40:
            continue
        print(
            repr(q.names[0]),
            q.birth_dates,
            "=>",
            by[lid].names[0],
            by[lid].birth_dates,
            "|",
            (round(mine[0].score, 2), mine[0].explanation)
            if mine
            else "NOT IN TOP5: " + (m[0].name if m else "-"),
        )
print(n, len(pairs))
