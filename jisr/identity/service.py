"""Identity services, one import surface: agencies, users, sign-in, TOTP, API tokens.

The work is split by meaning (``accounts``, ``login``, ``tokens``); callers import from here.
"""

from __future__ import annotations

from jisr.identity.accounts import (
    bootstrap_node,
    create_agency,
    create_user,
    disable_user,
    end_sessions,
    get_user,
    list_agencies,
    list_users,
    local_agency_code,
    reset_mfa,
    set_language,
)
from jisr.identity.login import (
    LoginAttempt,
    LoginResult,
    attempt_login,
    begin_totp_enrolment,
    confirm_totp_enrolment,
    end_login,
    login,
    logout,
)
from jisr.identity.tokens import issue_token, list_tokens, revoke_token

__all__ = [
    "LoginAttempt",
    "LoginResult",
    "attempt_login",
    "begin_totp_enrolment",
    "bootstrap_node",
    "confirm_totp_enrolment",
    "create_agency",
    "create_user",
    "disable_user",
    "end_login",
    "end_sessions",
    "get_user",
    "issue_token",
    "list_agencies",
    "list_tokens",
    "list_users",
    "local_agency_code",
    "login",
    "logout",
    "reset_mfa",
    "revoke_token",
    "set_language",
]
