"""The error-code registry lists every code raised in ``jisr`` and every code translated."""

from __future__ import annotations

from pathlib import Path

import jisr
from jisr.api import problems
from jisr.error_codes import ERROR_CODES
from jisr.web.pages import auth, exchange_actions, exchange_forms, notices
from tests.error_codes_scan import codes_in

ROOT = Path(jisr.__file__).resolve().parent


def test_every_code_raised_is_registered() -> None:
    raised = codes_in(ROOT)
    missing = {code: sorted(files) for code, files in raised.items() if code not in ERROR_CODES}
    assert not missing, f"add to jisr/error_codes.py: {missing}"


def test_the_console_translates_registered_codes_only() -> None:
    translated = {
        *auth.SIGN_IN_ERRORS,
        *exchange_actions.REFUSALS,
        *exchange_forms.CODE_FIELDS,
        *notices.DOMAIN_ERRORS,
    }
    assert translated - ERROR_CODES == set()


def test_the_http_fallbacks_are_registered() -> None:
    assert set(problems._HTTP_CODES.values()) - ERROR_CODES == set()
