"""Configuration read from environment variables, with embedded development defaults."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, replace
from pathlib import Path

DEVELOPMENT = "development"
PRODUCTION = "production"


class ConfigurationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite://./orchard.db"
    redis_url: str | None = None
    env: str = DEVELOPMENT
    secret_key: str = ""
    # Encrypts personal data and keys the phone lookup hash; defaults to the secret key.
    data_key: str = ""
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    # Argon2 profile: "default" (RFC 9106 low-memory) or "cheapest" (tests only).
    password_profile: str = "default"
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_query_cost: int = 2000
    # Fields and fragment spreads once fragments are expanded (a fan-out of fragments multiplies).
    max_fields: int = 2000
    db_pool_size: int = 10
    statement_timeout_ms: int = 5000
    lock_timeout_ms: int = 2000
    idempotency_ttl_hours: int = 48
    # Per caller (token or API key; client address when anonymous), counted in GraphQL operations.
    rate_per_second: float = 50.0
    rate_burst: float = 100.0
    # Answer plain fields without graphql-core's per-field machinery (schema/plain_fields.py);
    # off, every field takes strawberry's stock execution. ORCHARD_FAST_FIELDS=0 turns it off.
    fast_fields: bool = True
    # Webhook endpoints on loopback addresses (127.0.0.1, ::1): development and tests only,
    # refused in production (ORCHARD_WEBHOOKS_ALLOW_LOOPBACK=1). Private and link-local
    # addresses are refused everywhere (domain/webhooks/urls.py).
    webhooks_allow_loopback: bool = False
    # Webhook sends in flight at once per worker process, and each send's time limit. More is
    # slower to a fast receiver: httpcore's pool scans its connections for every request.
    webhook_concurrency: int = 8
    webhook_timeout_seconds: float = 10.0

    @property
    def is_production(self) -> bool:
        return self.env == PRODUCTION

    @property
    def personal_data_key(self) -> str:
        return self.data_key or self.secret_key

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)


def sqlite_path(database_url: str) -> Path:
    return Path(database_url.split("://", 1)[1].split("?", 1)[0])


def _development_secret(database_url: str) -> str:
    """A secret generated once and kept next to the SQLite file (or the working directory)."""
    base = sqlite_path(database_url).parent if database_url.startswith("sqlite") else Path(".")
    path = base / "orchard.secret"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.write_text(secret)
    path.chmod(0o600)
    return secret


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    mode = env.get("ORCHARD_ENV", DEVELOPMENT)
    if mode not in (DEVELOPMENT, PRODUCTION):
        raise ConfigurationError(f"ORCHARD_ENV must be {DEVELOPMENT} or {PRODUCTION}, not {mode!r}")
    database_url = env.get("ORCHARD_DATABASE_URL", Settings.database_url)
    secret = env.get("ORCHARD_SECRET_KEY", "")
    if not secret:
        if mode == PRODUCTION:
            raise ConfigurationError("ORCHARD_SECRET_KEY is required in production")
        secret = _development_secret(database_url)
    return Settings(
        database_url=database_url,
        redis_url=env.get("ORCHARD_REDIS_URL") or None,
        env=mode,
        secret_key=secret,
        data_key=env.get("ORCHARD_DATA_KEY", ""),
        db_pool_size=int(env.get("ORCHARD_DB_POOL_SIZE", Settings.db_pool_size)),
        statement_timeout_ms=int(env.get("ORCHARD_STATEMENT_TIMEOUT_MS", Settings.statement_timeout_ms)),
        lock_timeout_ms=int(env.get("ORCHARD_LOCK_TIMEOUT_MS", Settings.lock_timeout_ms)),
        rate_per_second=float(env.get("ORCHARD_RATE_PER_SECOND", Settings.rate_per_second)),
        rate_burst=float(env.get("ORCHARD_RATE_BURST", Settings.rate_burst)),
        idempotency_ttl_hours=_idempotency_ttl_hours(env),
        fast_fields=_flag(env.get("ORCHARD_FAST_FIELDS"), Settings.fast_fields, "ORCHARD_FAST_FIELDS"),
        webhooks_allow_loopback=_webhooks_allow_loopback(env, mode),
        webhook_concurrency=int(env.get("ORCHARD_WEBHOOK_CONCURRENCY", Settings.webhook_concurrency)),
        webhook_timeout_seconds=float(env.get("ORCHARD_WEBHOOK_TIMEOUT_SECONDS", Settings.webhook_timeout_seconds)),
    )


def _webhooks_allow_loopback(env, mode: str) -> bool:
    allowed = _flag(env.get("ORCHARD_WEBHOOKS_ALLOW_LOOPBACK"), False, "ORCHARD_WEBHOOKS_ALLOW_LOOPBACK")
    if allowed and mode == PRODUCTION:
        raise ConfigurationError("ORCHARD_WEBHOOKS_ALLOW_LOOPBACK is for development only, never production")
    return allowed


def _idempotency_ttl_hours(env) -> int:
    hours = int(env.get("ORCHARD_IDEMPOTENCY_TTL_HOURS", Settings.idempotency_ttl_hours))
    if hours < 24:
        raise ConfigurationError(f"ORCHARD_IDEMPOTENCY_TTL_HOURS must be at least 24 (keys live a day), not {hours}")
    return hours


def _flag(value: str | None, default: bool, name: str) -> bool:
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{name} must be 1 or 0 (true or false), not {value!r}")
