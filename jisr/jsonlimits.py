"""Parsing JSON from people we do not trust: a depth and a size limit before ``json.loads``.

Python's parser recurses once per nesting level: a line of 200,000 ``[`` exhausts the stack
and surfaces as a ``RecursionError`` (a 500 and a traceback). No document Jisr reads
(FollowTheMoney entities, API bodies, envelopes, STIX/MISP bundles) is legitimately nested
more than a few dozen levels, so the text is first scanned — strings skipped, brackets counted,
by one regular expression, without recursion — and refused with a stable code when it is
deeper than ``max_depth`` or longer than ``max_bytes``. ``RecursionError`` is caught as well,
for a caller that raises ``max_depth`` too far. Written here rather than taken from a library:
the standard parser is kept (no new dependency) and the check is twenty lines.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from jisr.errors import JisrError, ValidationError

DEFAULT_MAX_DEPTH = 64
DEFAULT_MAX_BYTES = 16 * 1024 * 1024
# One FollowTheMoney entity per line: far more than any real entity, far less than memory.
LINE_MAX_BYTES = 4 * 1024 * 1024
# A string with its escapes: removed before counting, so brackets inside strings do not count.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
# Openers to 2, closers to 0: each byte minus one is the step in depth.
_STEPS = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")


class JsonLimitError(JisrError):
    """A JSON document refused before parsing (too deep, too large)."""


class JsonTooDeepError(JsonLimitError, ValidationError):
    code = "json_too_deep"


class JsonTooLargeError(JsonLimitError):
    code = "json_too_large"
    http_status = 413
    title = "JSON document too large"


def check_depth(data: bytes | str, max_depth: int = DEFAULT_MAX_DEPTH) -> None:
    """Raise ``JsonTooDeepError`` when arrays/objects nest deeper than ``max_depth``."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if raw.count(b"[") + raw.count(b"{") <= max_depth:
        return  # cannot be deeper than it has openers: the common case, no scan
    brackets = _STRING.sub(b"", raw).translate(_STEPS, _NOT_BRACKETS)
    if brackets and max(accumulate(step - 1 for step in brackets)) > max_depth:
        raise JsonTooDeepError(f"JSON nested deeper than {max_depth} levels")


def loads(
    data: bytes | str,
    *,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Any:
    """``json.loads`` with limits; malformed JSON still raises ``json.JSONDecodeError``."""
    if len(data) > max_bytes:
        raise JsonTooLargeError(f"JSON document larger than {max_bytes} bytes")
    check_depth(data, max_depth)
    try:
        return json.loads(data)
    except RecursionError:
        raise JsonTooDeepError("JSON nested too deeply to parse") from None
