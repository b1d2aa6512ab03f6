"""Node settings: one tree, prefix ``JISR_``, loaded once at start, injected, never global.

``JisrSettings`` is the root: the kernel's fields, and one section per domain (a
``BaseSettings`` with its own prefix, ``JISR_FEDERATION_``, ``JISR_RIGHTS_``...), reached with
``settings.section(FederationSettings)``. The composition root (``jisr.node``) loads every
declared section when a node starts, so a bad value stops the start; a section a command needs
that was not loaded yet is read on first use, once per settings object.

Values come from (highest first) keyword overrides, the environment, then ``DATA_DIR/node.env``
which ``jisr init`` writes with a freshly generated secret. Outside ``JISR_ENV=dev`` the node
refuses to start with a missing or default secret.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from threading import Lock
from typing import Any, TypeVar

from pydantic import Field, PrivateAttr, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from jisr.errors import ConfigError

NODE_ENV_FILE = "node.env"
DEV_SECRET = "dev-only-insecure-secret"  # noqa: S105 - the one value refused outside dev
_MIN_SECRET_LENGTH = 32
_Section = TypeVar("_Section", bound=BaseSettings)


class Environment(StrEnum):
    DEV = "dev"
    TEST = "test"
    PROD = "prod"


class JisrSettings(BaseSettings):
    """Everything a node needs to run; every field is documented for ``jisr --help`` readers."""

    model_config = SettingsConfigDict(env_prefix="JISR_", extra="ignore", frozen=True)

    # dev relaxes safety checks (default secret allowed, MFA optional); never use it in production.
    env: Environment = Environment.PROD
    # Directory holding this node's database (SQLite), keys, attachments and node.env.
    data_dir: Path = Path("jisr-data")
    # SQLAlchemy URL; default is SQLite in the data directory. PostgreSQL: postgresql+psycopg://...
    database_url: str | None = None
    # Secret for session cookies, CSRF tokens and at-rest encryption of TOTP seeds (>= 32 chars).
    secret_key: SecretStr = SecretStr("")
    # Optional passphrase protecting the node's private key files.
    key_passphrase: SecretStr | None = None
    # Password for the first administrator created by ``jisr init`` (generated when absent).
    admin_password: SecretStr | None = None
    # Address and port ``jisr serve`` listens on.
    host: str = "127.0.0.1"
    port: int = Field(default=8700, ge=1, le=65535)
    # Public base URL partners use to reach this node (for federation).
    public_url: str | None = None
    # Largest JSON request body accepted by the API, in bytes.
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # Largest attachment accepted, in bytes.
    attachment_max_bytes: int = Field(default=512 * 1024 * 1024, ge=1024)
    # Console sessions end after this many idle minutes.
    session_idle_minutes: int = Field(default=30, ge=1)
    # Failed logins in a row before an account is locked.
    login_max_failures: int = Field(default=5, ge=1)
    # Minutes an account stays locked after too many failures.
    lockout_minutes: int = Field(default=15, ge=1)
    # Default lifetime of API tokens, in days.
    token_days: int = Field(default=90, ge=1)
    # Log level (DEBUG, INFO, WARNING, ERROR) and whether logs are JSON lines.
    log_level: str = "INFO"
    log_json: bool = True
    # Once started, exempt what lives as long as the process (modules, mappers, routes,
    # templates) from the cyclic garbage collector (``gc.freeze``): full collections then walk
    # only what requests allocate. Without it a node under federation load paused 100-300 ms.
    gc_freeze: bool = True
    # Domain sections by type, filled by ``load_sections``/``with_sections`` or on first use.
    _sections: dict[type[BaseSettings], BaseSettings] = PrivateAttr(default_factory=dict)
    _sections_lock: Lock = PrivateAttr(default_factory=Lock)

    @model_validator(mode="after")
    def _refuse_insecure(self) -> JisrSettings:
        secret = self.secret_key.get_secret_value()
        if self.env is not Environment.DEV:
            if not secret or secret == DEV_SECRET:
                raise ValueError(
                    "JISR_SECRET_KEY is missing or the default; set it (or JISR_ENV=dev to develop)"
                )
            if len(secret) < _MIN_SECRET_LENGTH:
                raise ValueError(
                    f"JISR_SECRET_KEY must be at least {_MIN_SECRET_LENGTH} characters"
                )
        return self

    @property
    def is_dev(self) -> bool:
        return self.env is Environment.DEV

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'jisr.db').resolve()}"

    @property
    def secret(self) -> str:
        value = self.secret_key.get_secret_value()
        return value or DEV_SECRET

    @property
    def env_file(self) -> Path | None:
        path = self.data_dir / NODE_ENV_FILE
        return path if path.is_file() else None

    def section(self, kind: type[_Section]) -> _Section:
        """The domain section ``kind``; read from the environment (and node.env) on first use."""
        with self._sections_lock:
            found = self._sections.get(kind)
            if not isinstance(found, kind):
                found = _load_section(kind, self.env_file)
                self._sections[kind] = found
            return found

    def load_sections(self, kinds: tuple[type[BaseSettings], ...]) -> None:
        """Read every section a node declares, at start: an invalid value stops the start."""
        for kind in kinds:
            self.section(kind)

    def with_sections(self, *sections: BaseSettings) -> JisrSettings:
        """A copy whose sections of these types are the given values (tests, embedders)."""
        copy = self.model_copy()
        copy._sections = {**self._sections, **{type(s): s for s in sections}}
        copy._sections_lock = Lock()
        return copy


def load_settings(data_dir: Path | None = None, **overrides: Any) -> JisrSettings:
    """Build settings for the node in ``data_dir``, turning any problem into one ConfigError."""
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    env_file = None
    target = overrides.get("data_dir")
    if target is not None and (Path(target) / NODE_ENV_FILE).is_file():
        env_file = Path(target) / NODE_ENV_FILE
    try:
        return JisrSettings(_env_file=env_file, **overrides)
    except ValidationError as exc:
        raise _config_error(exc, "") from None


def _load_section(kind: type[_Section], env_file: Path | None) -> _Section:
    try:
        return kind(_env_file=env_file)
    except ValidationError as exc:
        prefix = str(kind.model_config.get("env_prefix", "")).lower()
        raise _config_error(exc, prefix) from None


def _config_error(exc: ValidationError, prefix: str) -> ConfigError:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    if where and prefix:
        where = f"{prefix.removeprefix('jisr_')}{where}"
    return ConfigError(f"invalid setting {where}: {message}" if where else message)
