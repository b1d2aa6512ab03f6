"""Candidate index: variants share keys, unrelated names do not, common blocks are capped."""

from jisr.screening.index import blocking_keys, build_index
from jisr.screening.names import analyze_name


def test_variants_share_blocking_keys() -> None:
    a = blocking_keys(analyze_name("عبد الحي سالك"))
    b = blocking_keys(analyze_name("Salek Abdel-Hay"))
    assert a & b


def test_typo_still_shares_a_key() -> None:
    assert blocking_keys(analyze_name("Mohamed Salek")) & blocking_keys(
        analyze_name("Mohamed Salel")
    )


def test_unrelated_names_share_no_key() -> None:
    assert not blocking_keys(analyze_name("Karim Tazi")) & blocking_keys(analyze_name("Wang Fang"))


def test_candidates_finds_the_row_and_not_the_others() -> None:
    names = ["Karim Tazi", "Wang Fang", "Abdelhay Salek", "Pierre Martin"]
    index = build_index((i, analyze_name(n)) for i, n in enumerate(names))
    rows = index.candidates([analyze_name("عبد الحي سالك")]).tolist()
    assert rows[0] == 2
    assert 1 not in rows


def test_common_block_is_skipped_but_pairs_still_find_the_person() -> None:
    names = [f"Mohamed {chr(97 + i % 26)}{chr(97 + i // 26 % 26)}zzq" for i in range(300)]
    names.append("Mohamed Salek")
    index = build_index(((i, analyze_name(n)) for i, n in enumerate(names)), block_cap=50)
    rows = index.candidates([analyze_name("محمد سالك")]).tolist()
    assert rows[0] == len(names) - 1
    assert len(rows) < 50
