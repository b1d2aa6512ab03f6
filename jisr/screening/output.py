"""How ``jisr screen`` writes one match, shared by its engines so their output is the same."""

from __future__ import annotations

import json

from jisr.screening.model import Match


def jsonl_line(match: Match) -> str:
    """One JSON object and its newline (``--format jsonl``)."""
    return json.dumps(match.to_json(), ensure_ascii=False) + "\n"
