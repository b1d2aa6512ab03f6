"""Wire types for agencies, users, sign-in and API tokens. Hashes and seeds never leave."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from jisr.agreements.policy import Action
from jisr.identity.models import Role, Transport
from jisr.ids import AGENCY_CODE

AGENCY_CODE_PATTERN = AGENCY_CODE.pattern
USERNAME_PATTERN = r"^[a-z][a-z0-9._-]{2,63}$"
# ``AGENCY:kind:ULID`` as made by ``jisr.ids.new_id``.
USER_ID_PATTERN = r"^[A-Z]{2}-[A-Z0-9]{2,16}:user:[0-9A-Z]{26}$"
TOKEN_ID_PATTERN = r"^[A-Z]{2}-[A-Z0-9]{2,16}:token:[0-9A-Z]{26}$"  # noqa: S105 - a pattern
PASSWORD_MIN_LENGTH = 12
TOKEN_MAX_DAYS = 365
# A token scope is a policy action (``read``, ``create``...) or ``*`` for all of them.
SCOPES: tuple[str, ...] = ("*", *(a.value for a in Action))


def _printable(value: str) -> str:
    """Refuse control characters and lone surrogates (databases reject them; nobody types them)."""
    if any(unicodedata.category(ch) in {"Cc", "Cs"} for ch in value):
        raise ValueError("must not contain control characters")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_printable)]
Name = Annotated[Text, Field(min_length=2, max_length=200)]
AgencyCode = Annotated[str, Field(pattern=AGENCY_CODE_PATTERN, examples=["MA-DGST"])]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
Username = Annotated[str, Field(pattern=USERNAME_PATTERN, examples=["amal.benali"])]
Password = Annotated[
    str,
    Field(min_length=PASSWORD_MIN_LENGTH, max_length=1024),
    AfterValidator(_printable),
]
TotpCode = Annotated[str, Field(pattern=r"^[0-9]{6}$", examples=["123456"])]
Scope = Literal[SCOPES]  # type: ignore[valid-type]


class AgencyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: AgencyCode
    name_en: Name
    name_fr: Name
    name_ar: Name
    country: Country
    endpoint_url: Annotated[Text, Field(max_length=500, pattern=r"^https?://")] | None = None
    transport: Transport = Transport.HTTP


class AgencyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name_en: str
    name_fr: str
    name_ar: str
    country: str
    is_local: bool
    endpoint_url: str | None
    transport: str
    created_at: datetime


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Username
    display_name: Name
    agency_code: AgencyCode | None = Field(
        default=None, description="Defaults to this node's agency (the only one allowed)."
    )
    roles: list[Role] = Field(min_length=1, max_length=len(Role))
    password: Password


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    username: str
    display_name: str
    agency_code: str
    roles: list[str]
    mfa_enabled: bool
    disabled: bool
    locked_until: datetime | None
    language: str
    created_at: datetime


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_printable)]
    password: Annotated[str, Field(min_length=1, max_length=1024), AfterValidator(_printable)]
    totp_code: TotpCode | None = None


class LoginResponse(BaseModel):
    user: UserRead
    csrf_token: str = Field(description="Send as X-CSRF-Token on every state-changing request.")
    expires_at: datetime
    mfa_enrolment_required: bool = Field(
        description="True: this session may only enrol TOTP (POST /auth/totp/enrol, /confirm)."
    )


class Me(BaseModel):
    user: UserRead
    via: Literal["session", "token"]
    scopes: list[str] | None
    mfa_enrolment_required: bool


class TotpEnrolment(BaseModel):
    secret: str = Field(description="Base32 seed, shown once, for manual entry.")
    otpauth_uri: str = Field(description="Encode as a QR code for authenticator apps.")


class TotpConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: TotpCode


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[Text, Field(min_length=1, max_length=100)]
    scopes: list[Scope] = Field(min_length=1, max_length=len(SCOPES))
    days: int | None = Field(default=None, ge=1, le=TOKEN_MAX_DAYS)
    user_id: Annotated[str, Field(pattern=USER_ID_PATTERN)] | None = Field(
        default=None, description="Administrators may issue for another user; default: yourself."
    )


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    user_id: str
    name: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    parent_id: str | None = Field(
        default=None, description="The token that minted this one; revoked with it."
    )


class TokenIssued(BaseModel):
    token: str = Field(description="The raw token, shown once: send as `Authorization: Bearer`.")
    info: TokenRead
