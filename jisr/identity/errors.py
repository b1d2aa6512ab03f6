"""Identity failures, each with a stable ``code`` (clients and tests rely on them)."""

from __future__ import annotations

from jisr.errors import AuthenticationError, ConflictError, PermissionDeniedError


class InvalidCredentialsError(AuthenticationError):
    """Unknown user, wrong password or disabled account: deliberately indistinguishable."""

    code = "invalid_credentials"


class MfaRequiredError(AuthenticationError):
    code = "mfa_required"


class MfaInvalidError(AuthenticationError):
    code = "mfa_invalid"


class AccountLockedError(AuthenticationError):
    code = "account_locked"


class MfaEnrolmentRequiredError(PermissionDeniedError):
    """A password-only session may enrol TOTP and nothing else."""

    code = "mfa_enrolment_required"


class CsrfError(PermissionDeniedError):
    code = "csrf_failed"


class UserExistsError(ConflictError):
    code = "user_exists"


class AgencyExistsError(ConflictError):
    code = "agency_exists"
