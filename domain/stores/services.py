"""Stores, staff and their sessions: the rules, apart from how they are asked for."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet

from domain.access import CallerKind, StaffRole, Viewer, require_chain_admin, require_store_access
from domain.errors import AccessDenied, DomainError
from domain.programme import service as programme_settings
from domain.stores import api_keys, passwords, tokens
from domain.stores.models import DEFAULT_TIME_ZONE, ApiKey, StaffLoginAttempt, StaffUser, Store
from domain.text import column_text
from infra import cache, db, dialect
from infra.clock import Clock, utc
from infra.settings import Settings

STORE_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class StoreError(DomainError):
    pass


class StaffError(DomainError):
    pass


class AuthError(DomainError):
    pass


class AccountLocked(AuthError):
    def __init__(self, locked_until: datetime) -> None:
        super().__init__(
            "LOCKED_OUT",
            f"Too many wrong passwords: this account is locked until {locked_until.isoformat()}. "
            "Try again then, or ask a chain admin.",
        )
        self.locked_until = locked_until


@dataclass(frozen=True)
class Session:
    staff: StaffUser
    pair: tokens.TokenPair


def check_time_zone(name: str, field: str = "timeZone") -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise StoreError("INVALID_TIME_ZONE", f"{name!r} is not a known time zone.", field=field) from None
    return name


def visible_stores(viewer: Viewer) -> QuerySet[Store]:
    if viewer.is_chain_admin:
        return Store.all()
    if viewer.is_store_bound and viewer.store_id:
        return Store.filter(id=viewer.store_id)
    raise AccessDenied("Only staff may list stores.", unauthenticated=viewer.is_anonymous)


async def stores_by_ids(viewer: Viewer, ids: list[int]) -> dict[int, Store]:
    """The stores among `ids` the viewer may see; the others are simply absent."""
    allowed = [i for i in ids if viewer.can_see_store(i)]
    if not allowed:
        return {}
    return {s.id: s for s in await Store.filter(id__in=allowed)}


STORE_CACHE_TTL = 600


async def store_by_id(store_id: int) -> Store | None:
    """A store by id, through the cache: stores are created, never changed, by the API."""

    async def load() -> Store | None:
        return await db.by_id(Store, store_id)

    return await cache.get_or_load(_store_key(store_id), load, ttl=STORE_CACHE_TTL)


def _store_key(store_id: int) -> str:
    return f"store:{store_id}"


async def create_store(viewer: Viewer, *, code: str, name: str, time_zone: str | None, connection=None) -> Store:
    require_chain_admin(viewer)
    code = code.strip().upper()
    if not STORE_CODE.match(code):
        raise StoreError("INVALID_CODE", "A store code is 2-32 letters, digits or dashes.", field="code")
    name = column_text(Store, "name", name)
    if not name:
        raise StoreError("INVALID_NAME", "A store needs a name.", field="name")
    zone = check_time_zone(time_zone or DEFAULT_TIME_ZONE)
    if await Store.filter(code=code).using_db(connection).exists():
        raise StoreError("CODE_TAKEN", f"Store code {code} is already in use.", field="code")
    store = await Store.create(code=code, name=name, time_zone=zone, using_db=connection)
    await cache.delete(_store_key(store.id))  # a lookup of this id may have remembered "no such store"
    return store


async def create_staff(
    viewer: Viewer, *, email: str, name: str, password: str, role: StaffRole, store_id: int | None,
    settings: Settings, connection=None,
) -> StaffUser:
    """Chain admins create anyone; a store manager creates clerks of their own store."""
    if viewer.is_chain_admin:
        pass
    elif viewer.is_staff and viewer.role is StaffRole.STORE_MANAGER and role is StaffRole.CLERK:
        require_store_access(viewer, store_id or -1)
    else:
        raise AccessDenied("You may not create this staff account.")
    email = column_text(StaffUser, "email", email).lower()
    name = column_text(StaffUser, "name", name)
    if not EMAIL.match(email):
        raise StaffError("INVALID_EMAIL", "That is not an email address.", field="email")
    if len(password) < passwords.MIN_PASSWORD_LENGTH:
        raise StaffError(
            "WEAK_PASSWORD", f"A password has at least {passwords.MIN_PASSWORD_LENGTH} characters.", field="password"
        )
    if role is StaffRole.CHAIN_ADMIN:
        store_id = None
    elif store_id is None or not await Store.filter(id=store_id).using_db(connection).exists():
        raise StaffError("STORE_NOT_FOUND", "Store staff need an existing store.", field="storeId")
    if await StaffUser.filter(email=email).using_db(connection).exists():
        raise StaffError("EMAIL_TAKEN", "A staff account with that email exists.", field="email")
    try:
        return await StaffUser.create(
            email=email, name=name, role=role.value, store_id=store_id,
            password_hash=await asyncio.to_thread(passwords.hash_password, password, settings.password_profile),
            using_db=connection,
        )
    except IntegrityError:
        raise StaffError("EMAIL_TAKEN", "A staff account with that email exists.", field="email") from None


def staff_viewer(staff: StaffUser) -> Viewer:
    return Viewer(
        kind=CallerKind.STAFF, subject_id=staff.id, role=StaffRole(staff.role),
        store_id=staff.store_id,  # type: ignore[attr-defined]
    )


async def _open_session(staff: StaffUser, settings: Settings, clock: Clock, family: str | None = None) -> Session:
    """A new sign-in starts a token family; a refresh continues its own."""
    family = family or await tokens.start_family()
    access, expires = tokens.issue_access_token(
        staff_viewer(staff), secret=settings.secret_key, clock=clock,
        lifetime=timedelta(minutes=settings.access_token_minutes), family=family,
    )
    refresh = await tokens.issue_refresh_token(
        CallerKind.STAFF, staff.id, family=family, clock=clock, lifetime=timedelta(days=settings.refresh_token_days)
    )
    return Session(staff=staff, pair=tokens.TokenPair(access, expires, refresh))


async def staff_login(
    email: str, password: str, *, client_address: str | None = None, settings: Settings, clock: Clock
) -> Session:
    """Refused before any password check when the client address or the account is over its limit."""
    config = await programme_settings.current()
    now = utc(clock.now())
    attempt = await _count_client_attempt(client_address, now, config["staff_login_failures_per_client_per_hour"])
    staff = await StaffUser.get_or_none(email=email.strip().lower(), is_active=True)
    if staff is not None:
        await _claim_attempt(staff.id, now, config)
    stored = staff.password_hash if staff else passwords.dummy_hash(settings.password_profile)
    # Argon2 is memory-hard on purpose (tens of milliseconds): off the event loop, so a burst of
    # sign-ins at opening time does not stall every other request of the worker.
    verified = await asyncio.to_thread(passwords.verify_password, stored, password, settings.password_profile)
    if not verified or staff is None:
        raise AuthError("INVALID_CREDENTIALS", "The email or password is wrong.")
    await StaffUser.filter(id=staff.id).update(failed_logins=0, locked_until=None)
    if attempt is not None:
        await StaffLoginAttempt.filter(id=attempt.id).update(succeeded=True)
    return await _open_session(staff, settings, clock)


async def _count_client_attempt(client_address: str | None, now: datetime, limit: int) -> StaffLoginAttempt | None:
    """Recorded as failed until it succeeds, then counted: concurrent attempts each see the others."""
    if not client_address:
        return None
    attempt = await StaffLoginAttempt.create(client_address=client_address, created_at=now)
    failures = await StaffLoginAttempt.filter(
        client_address=client_address, succeeded=False, created_at__gt=now - timedelta(hours=1)
    ).count()
    if failures > limit:
        raise AuthError("RATE_LIMITED", "Too many failed sign-ins from this device: try again later.")
    return attempt


# One statement claims a password check, so concurrent guesses cannot all pass one reading of
# the count: the claim that reaches the limit sets the lock (a success then lifts it), and an
# expired lock starts the count again. SET expressions all see the row as it was.
_CLAIM_ATTEMPT = (
    "UPDATE staff_user SET"
    " failed_logins = CASE WHEN locked_until IS NULL THEN failed_logins + 1 ELSE 1 END,"
    " locked_until = CASE WHEN (CASE WHEN locked_until IS NULL THEN failed_logins + 1 ELSE 1 END) >= $2"
    " THEN {until} ELSE NULL END"
    " WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $4) RETURNING id"
)


async def _claim_attempt(staff_id: int, now: datetime, config: dict) -> None:
    until = now + timedelta(minutes=config["staff_lockout_minutes"])
    claim = _CLAIM_ATTEMPT.format(until=dialect.current().typed("$3", "timestamptz"))  # PostgreSQL types the CASE
    if await db.fetch(claim, staff_id, config["staff_login_max_failures"], until, now):
        return
    locked = await StaffUser.get(id=staff_id)
    raise AccountLocked(locked.locked_until or until)


async def refresh_staff_session(refresh_token: str, *, settings: Settings, clock: Clock) -> Session:
    subject = await tokens.consume_refresh_token(refresh_token, clock=clock)
    if subject is None or subject.kind is not CallerKind.STAFF:
        raise AuthError("INVALID_REFRESH_TOKEN", "Sign in again: that refresh token is not valid.")
    staff = await StaffUser.get_or_none(id=subject.subject_id, is_active=True)
    if staff is None:
        raise AuthError("INVALID_REFRESH_TOKEN", "Sign in again: that account is disabled.")
    return await _open_session(staff, settings, clock, family=subject.family)


async def authenticate(bearer: str | None, *, settings: Settings, clock: Clock) -> Viewer | None:
    """The caller behind an Authorization header; None when a credential is given but invalid."""
    from domain.access import ANONYMOUS

    if not bearer:
        return ANONYMOUS
    if api_keys.looks_like_api_key(bearer):
        return await api_keys.viewer_for_key(bearer)
    return await tokens.read_access_token(bearer, secret=settings.secret_key, clock=clock)


def may_manage_keys(viewer: Viewer, store_id: int | None) -> bool:
    """Who may create, see and revoke a store's API keys: a chain admin, or that store's manager."""
    return viewer.is_chain_admin or (
        viewer.role is StaffRole.STORE_MANAGER and store_id is not None and viewer.can_see_store(store_id)
    )


async def api_keys_by_ids(viewer: Viewer, ids: list[int]) -> dict[int, ApiKey]:
    """The API keys among `ids` the viewer may manage; the others are simply absent."""
    if not (viewer.is_chain_admin or viewer.role is StaffRole.STORE_MANAGER):
        return {}
    return {k.id: k for k in await ApiKey.filter(id__in=ids) if may_manage_keys(viewer, k.store_id)}  # type: ignore[attr-defined]


async def create_device_key(
    viewer: Viewer, *, store_id: int, device_type: api_keys.DeviceType, name: str, scopes: list[str] | None,
) -> api_keys.IssuedKey:
    if not may_manage_keys(viewer, store_id):
        raise AccessDenied("Only a chain admin or the store's manager may create device keys.")
    store = await Store.get_or_none(id=store_id)
    if store is None:
        raise StoreError("STORE_NOT_FOUND", "No such store.", field="storeId")
    name = column_text(ApiKey, "name", name)
    if not name:
        raise StoreError("INVALID_NAME", "A device key needs a name.", field="name")
    return await api_keys.create_device_key(store, device_type, name, scopes)


async def revoke_api_key(viewer: Viewer, key_id: int, clock: Clock) -> ApiKey:
    key = await ApiKey.get_or_none(id=key_id)
    if key is None or not may_manage_keys(viewer, key.store_id):  # type: ignore[attr-defined]
        raise StoreError("KEY_NOT_FOUND", "No such API key.", field="id")
    await api_keys.revoke_key(key_id, clock)
    await key.refresh_from_db()
    return key


SIGN_IN_ATTEMPTS_KEPT = timedelta(days=7)  # the limit counts the last hour; a week is kept to look into abuse


async def purge_sign_in_attempts(clock: Clock) -> int:
    """Delete staff sign-in attempt records older than SIGN_IN_ATTEMPTS_KEPT; returns how many."""
    return await StaffLoginAttempt.filter(created_at__lt=utc(clock.now()) - SIGN_IN_ATTEMPTS_KEPT).delete()
