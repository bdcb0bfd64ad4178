"""Registration, sign-in with one-time codes, profiles, and who may see which member."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from domain import phones
from domain.access import CallerKind, Viewer
from domain.errors import AccessDenied, DomainError
from domain.members import codes, events
from domain.members.models import ConsentChange, LoginCode, Member, MemberLegacyId, MemberStore
from domain.notifications import service as notifications
from domain.programme import service as programme_settings
from domain.stores import tokens
from domain.stores.models import Store
from domain.text import column_text
from infra import db
from infra.clock import Clock
from infra.settings import Settings

log = logging.getLogger("orchard.members")


class Channel(StrEnum):
    APP = "APP"
    MINI_PROGRAM = "MINI_PROGRAM"
    STORE_QR = "STORE_QR"
    POS = "POS"
    KIOSK = "KIOSK"
    WEB = "WEB"
    IMPORT = "IMPORT"


SELF_SERVICE_CHANNELS = frozenset({Channel.APP, Channel.MINI_PROGRAM, Channel.WEB, Channel.STORE_QR})
DEVICE_CHANNELS = frozenset({Channel.KIOSK, Channel.POS})
GENDERS = frozenset({"FEMALE", "MALE", "OTHER", "UNDISCLOSED"})


class MemberError(DomainError):
    pass


@dataclass(frozen=True)
class Registration:
    member: Member
    created: bool
    session: tokens.TokenPair | None = None
    duplicate: bool = False


@dataclass(frozen=True)
class Profile:
    name: str | None = None
    birthday: date | None = None
    gender: str | None = None
    region: str | None = None
    marketing_consent: bool | None = None
    home_store_id: int | None = None


# ---- who may see a member --------------------------------------------------------------------


def visible_members(viewer: Viewer) -> QuerySet[Member]:
    """Chain admins see all; store staff see members of their home store or who bought there
    (of the others' history only their own store's part: see history_scope)."""
    if viewer.is_chain_admin:
        return Member.all()
    if viewer.is_staff and viewer.store_id:
        return Member.filter(Q(home_store_id=viewer.store_id) | Q(store_links__store_id=viewer.store_id)).distinct()
    raise AccessDenied("Only staff may list members.", unauthenticated=viewer.is_anonymous)


async def can_see(viewer: Viewer, member: Member) -> bool:
    if viewer.kind is CallerKind.MEMBER:
        return viewer.subject_id == member.id
    if viewer.is_chain_admin:
        return True
    if viewer.is_staff and viewer.store_id:
        return member.home_store_id == viewer.store_id or await MemberStore.filter(  # type: ignore[attr-defined]
            member_id=member.id, store_id=viewer.store_id
        ).exists()
    return False


@dataclass(frozen=True)
class HistoryScope:
    """Which of a member's history rows (purchases, points entries, tier changes) a viewer sees:
    all of them, or only the rows made at `store_id`."""

    store_id: int | None = None

    @property
    def is_full(self) -> bool:
        return self.store_id is None


FULL_HISTORY = HistoryScope()


def history_scope(viewer: Viewer, member_id: int, *, home_store_id: int | None) -> HistoryScope:
    """Members earn at any store, but a store sees the whole history only of its home members.

    Staff of another store (one the member bought at, or is buying at now) see the rows made at
    their store and the balance: otherwise a 1-yuan purchase would open any member's history.
    Devices see balances only.
    """
    if viewer.kind is CallerKind.MEMBER and viewer.subject_id == member_id:
        return FULL_HISTORY
    if viewer.is_chain_admin:
        return FULL_HISTORY
    if viewer.is_staff and viewer.store_id:
        return FULL_HISTORY if home_store_id == viewer.store_id else HistoryScope(store_id=viewer.store_id)
    raise AccessDenied("Only the member and store staff see this.", unauthenticated=viewer.is_anonymous)


@dataclass(frozen=True)
class MemberWithBalance:
    member: Member
    balance: int
    pending: int
    debt: int


async def _visible_ids(viewer: Viewer, ids: list[int]) -> list[int]:
    if viewer.kind is CallerKind.MEMBER:
        return [i for i in ids if i == viewer.subject_id]
    if viewer.is_chain_admin:
        return ids
    if viewer.is_staff:
        return list(await visible_members(viewer).filter(id__in=ids).values_list("id", flat=True))
    return []


async def members_by_ids(viewer: Viewer, ids: list[int]) -> dict[int, MemberWithBalance]:
    """The members among `ids` the viewer may see, each with its balances, in one statement."""
    allowed = await _visible_ids(viewer, ids)
    return await _with_balances(allowed) if allowed else {}


async def member_with_balance(member_id: int) -> MemberWithBalance:
    """A member a mutation just acted for (the caller was authorized by that mutation)."""
    return (await _with_balances([member_id]))[member_id]


async def _with_balances(allowed: list[int]) -> dict[int, MemberWithBalance]:
    rows = await db.fetch(
        "SELECT m.*, a.balance AS points_balance, a.pending_balance AS points_pending, a.debt AS points_debt"
        f" FROM member m LEFT JOIN points_account a ON a.member_id = m.id WHERE m.id IN ({db.placeholders(len(allowed))})",
        *allowed,
    )
    return {
        row["id"]: MemberWithBalance(
            member=Member._init_from_db(**row), balance=int(row["points_balance"] or 0),
            pending=int(row["points_pending"] or 0), debt=int(row["points_debt"] or 0),
        )
        for row in rows
    }


async def find_by_code(viewer: Viewer, code: str) -> Member | None:
    """Staff see members of their store; devices may look up any member by code (a scanned card)."""
    if viewer.kind is CallerKind.DEVICE:
        if not viewer.has_scope("members:read"):
            raise AccessDenied("This key may not look members up.")
    elif not viewer.is_staff:
        raise AccessDenied("Only staff and store devices look members up.", unauthenticated=viewer.is_anonymous)
    cleaned = codes.code_from_scan(code)
    if not codes.is_valid_member_code(cleaned):
        raise MemberError("INVALID_MEMBER_CODE", "That member code has a typo: check it and try again.", field="code")
    member = await db.by_unique(Member, "code", cleaned)
    if member is None:
        return None
    if viewer.kind is CallerKind.DEVICE or await can_see(viewer, member):
        return member
    raise AccessDenied("That member belongs to another store.")


async def find_by_phone(viewer: Viewer, phone: str, settings: Settings) -> Member | None:
    if not viewer.is_staff:
        raise AccessDenied("Only staff look members up by phone.", unauthenticated=viewer.is_anonymous)
    e164 = phones.normalise(phone)
    member = await Member.get_or_none(phone_hash=phones.lookup_hash(e164, settings.personal_data_key))
    if member is None:
        return None
    if await can_see(viewer, member):
        return member
    raise AccessDenied("That member belongs to another store.")


async def find_by_legacy_id(viewer: Viewer, legacy_id: str) -> Member | None:
    """Staff look a member up by an old member id from the legacy system (domain/imports)."""
    if not viewer.is_staff:
        raise AccessDenied("Only staff look members up by an old member id.", unauthenticated=viewer.is_anonymous)
    found = await MemberLegacyId.get_or_none(legacy_id=legacy_id.strip())
    if found is None:
        return None
    member = await db.by_id(Member, found.member_id)  # type: ignore[attr-defined]
    if member is not None and await can_see(viewer, member):
        return member
    if member is None:
        return None
    raise AccessDenied("That member belongs to another store.")


async def legacy_ids_of(member_ids: list[int]) -> dict[int, list[str]]:
    """Each member's old member ids, sorted; members without any map to []."""
    found: dict[int, list[str]] = {member_id: [] for member_id in member_ids}
    for member_id, legacy_id in await MemberLegacyId.filter(member_id__in=member_ids).order_by("legacy_id").values_list(
        "member_id", "legacy_id"
    ):
        found[member_id].append(legacy_id)
    return found


# ---- one-time sign-in codes ------------------------------------------------------------------


def _code_hash(phone_hash: str, code: str, key: str) -> str:
    return hmac.new(key.encode(), f"{phone_hash}:{code}".encode(), hashlib.sha256).hexdigest()


async def request_login_code(phone: str, *, client_address: str | None, settings: Settings, clock: Clock) -> LoginCode:
    """Send a code to any valid phone (registered or not), within per-phone and per-client limits."""
    e164 = phones.normalise(phone)
    phone_hash = phones.lookup_hash(e164, settings.personal_data_key)
    config = await programme_settings.current()
    now = clock.now()
    hour_ago = now - timedelta(hours=1)
    recent = await LoginCode.filter(phone_hash=phone_hash, created_at__gte=hour_ago).order_by("-created_at")
    min_gap = timedelta(seconds=config["login_code_min_interval_seconds"])
    if len(recent) >= config["login_codes_per_phone_per_hour"] or (recent and now - recent[0].created_at < min_gap):
        raise MemberError("RATE_LIMITED", "Too many codes for this phone: wait a minute and try again.", field="phone")
    if client_address and await LoginCode.filter(
        client_address=client_address, created_at__gte=hour_ago
    ).count() >= config["login_codes_per_client_per_hour"]:
        raise MemberError("RATE_LIMITED", "Too many codes from this device: try again later.")
    code = f"{secrets.randbelow(1_000_000):06d}"
    async with in_transaction() as conn:
        login_code = await LoginCode.create(
            phone_hash=phone_hash, code_hash=_code_hash(phone_hash, code, settings.personal_data_key),
            client_address=client_address, created_at=now,
            expires_at=now + timedelta(minutes=config["login_code_ttl_minutes"]), using_db=conn,
        )
        member = await Member.get_or_none(phone_hash=phone_hash).using_db(conn)
        message = await notifications.enqueue(
            notifications.Channel.SMS, e164, "LOGIN_CODE",
            f"Your Orchard code is {code}. It expires in {config['login_code_ttl_minutes']} minutes.",
            data_key=settings.personal_data_key, clock=clock, member_id=member.id if member else None, connection=conn,
        )
    await notifications.deliver(message, data_key=settings.personal_data_key, clock=clock)
    return login_code


async def _consume_login_code(phone_hash: str, code: str, settings: Settings, clock: Clock, *, consume: bool = True) -> bool:
    now = clock.now()
    max_attempts = await programme_settings.get("login_code_max_attempts")
    live = await LoginCode.filter(
        phone_hash=phone_hash, used_at__isnull=True, expires_at__gt=now, failed_attempts__lt=max_attempts
    ).order_by("-created_at").first()
    if live is None:
        return False
    if not hmac.compare_digest(live.code_hash, _code_hash(phone_hash, code.strip(), settings.personal_data_key)):
        await LoginCode.filter(id=live.id).update(failed_attempts=live.failed_attempts + 1)
        return False
    if not consume:
        return True
    # Single use, even when two requests race with the same code.
    return await LoginCode.filter(id=live.id, used_at__isnull=True).update(used_at=now) == 1


async def member_session(member: Member, settings: Settings, clock: Clock, family: str | None = None) -> tokens.TokenPair:
    """A new sign-in starts a token family; a refresh continues its own."""
    family = family or await tokens.start_family()
    viewer = Viewer(kind=CallerKind.MEMBER, subject_id=member.id)
    access, expires = tokens.issue_access_token(
        viewer, secret=settings.secret_key, clock=clock, lifetime=timedelta(minutes=settings.access_token_minutes),
        family=family,
    )
    refresh = await tokens.issue_refresh_token(
        CallerKind.MEMBER, member.id, family=family, clock=clock, lifetime=timedelta(days=settings.refresh_token_days)
    )
    return tokens.TokenPair(access, expires, refresh)


async def login_with_code(phone: str, code: str, *, settings: Settings, clock: Clock) -> tuple[Member, tokens.TokenPair]:
    e164 = phones.normalise(phone)
    phone_hash = phones.lookup_hash(e164, settings.personal_data_key)
    member = await Member.get_or_none(phone_hash=phone_hash)
    if member is None:
        # Whoever holds a valid code owns the phone: telling them it is not registered leaks nothing.
        if await _consume_login_code(phone_hash, code, settings, clock, consume=False):
            raise MemberError("MEMBER_NOT_FOUND", "No member has this phone yet: register first.", field="phone")
        raise MemberError("INVALID_LOGIN_CODE", "The code is wrong or has expired.", field="code")
    if not await _consume_login_code(phone_hash, code, settings, clock):
        raise MemberError("INVALID_LOGIN_CODE", "The code is wrong or has expired.", field="code")
    return member, await member_session(member, settings, clock)


async def refresh_member_session(refresh_token: str, *, settings: Settings, clock: Clock) -> tuple[Member, tokens.TokenPair]:
    subject = await tokens.consume_refresh_token(refresh_token, clock=clock)
    if subject is None or subject.kind is not CallerKind.MEMBER:
        raise MemberError("INVALID_REFRESH_TOKEN", "Sign in again: that refresh token is not valid.")
    member = await Member.get(id=subject.subject_id)
    return member, await member_session(member, settings, clock, family=subject.family)


# ---- registration ----------------------------------------------------------------------------


def _checked_profile(profile: Profile, clock: Clock) -> Profile:
    """The profile with its texts cleaned, or the first thing wrong with it."""
    profile = replace(
        profile,
        name=None if profile.name is None else column_text(Member, "name", profile.name),
        region=None if profile.region is None else column_text(Member, "region", profile.region),
    )
    if profile.name is not None and not profile.name:
        raise MemberError("INVALID_NAME", "A name is 1 to 120 characters.", field="name")
    if profile.gender is not None and profile.gender not in GENDERS:
        raise MemberError("INVALID_GENDER", "Unknown gender value.", field="gender")
    if profile.birthday is not None:
        today = clock.now().date()
        if profile.birthday > today or profile.birthday.year < today.year - 130:
            raise MemberError("INVALID_BIRTHDAY", "That birthday is not possible.", field="birthday")
    return profile


async def _check_store(store_id: int | None) -> None:
    if store_id is not None and not await Store.filter(id=store_id).exists():
        raise MemberError("STORE_NOT_FOUND", "No such store.", field="homeStoreId")


MARKETING = "MARKETING"  # the consent purposes recorded (ConsentChange.purpose)
SELF_SERVICE = "SELF_SERVICE"  # a member's own change in the app, as opposed to a registration channel


def _who(viewer: Viewer) -> str:
    return viewer.idempotency_scope if not viewer.is_anonymous else "self"


async def register_member(
    viewer: Viewer, *, phone: str, channel: Channel, profile: Profile, referral_code: str | None,
    login_code: str | None, settings: Settings, clock: Clock,
) -> Registration:
    e164 = phones.normalise(phone)
    phone_hash = phones.lookup_hash(e164, settings.personal_data_key)
    in_person = viewer.is_staff or viewer.kind is CallerKind.DEVICE
    if viewer.kind is CallerKind.DEVICE:
        if not viewer.has_scope("members:register"):
            raise AccessDenied("This key may not register members.")
        if channel not in DEVICE_CHANNELS | {Channel.STORE_QR}:
            raise MemberError("INVALID_CHANNEL", "A store device registers through KIOSK, POS or STORE_QR.", field="channel")
    elif viewer.is_staff:
        if channel is Channel.IMPORT and not viewer.is_chain_admin:
            raise MemberError("INVALID_CHANNEL", "Only imports use the IMPORT channel.", field="channel")
    elif viewer.is_anonymous:
        if channel not in SELF_SERVICE_CHANNELS:
            raise MemberError(
                "INVALID_CHANNEL", "Self-registration is through the app, mini-program, web or a store QR code.", field="channel"
            )
        if not login_code:
            raise MemberError("LOGIN_CODE_REQUIRED", "Confirm the phone with the code we send to it.", field="loginCode")
    else:
        raise AccessDenied("Members are already registered.")

    home_store_id = profile.home_store_id
    if viewer.is_store_bound:
        home_store_id = home_store_id or viewer.store_id
        if home_store_id != viewer.store_id:
            raise MemberError("STORE_NOT_FOUND", "Register members for your own store.", field="homeStoreId")
    profile = _checked_profile(profile, clock)
    if not profile.name:
        raise MemberError("INVALID_NAME", "A member needs a name.", field="name")
    await _check_store(home_store_id)

    referrer = None
    if referral_code:
        referrer = await Member.get_or_none(referral_code=codes.clean(referral_code))
        if referrer is None:
            raise MemberError("INVALID_REFERRAL_CODE", "No member has that referral code.", field="referralCode")

    if not in_person and not await _consume_login_code(phone_hash, login_code or "", settings, clock):
        raise MemberError("INVALID_LOGIN_CODE", "The code is wrong or has expired.", field="loginCode")

    existing = await Member.get_or_none(phone_hash=phone_hash)
    if existing is not None:
        return await _existing_registration(existing, in_person, settings, clock)

    tier_id = await events.initial_tier_id()
    now = clock.now()
    try:
        async with in_transaction() as conn:
            member = await Member.create(
                code=await _unused(codes.new_member_code, "code"), phone_hash=phone_hash,
                phone_encrypted=phones.encrypt(e164, settings.personal_data_key), phone_masked=phones.mask(e164),
                name=profile.name, birthday=profile.birthday, gender=profile.gender, region=profile.region,
                home_store_id=home_store_id, marketing_consent=bool(profile.marketing_consent), channel=channel.value,
                referral_code=await _unused(codes.new_referral_code, "referral_code"),
                referred_by=referrer, tier_id=tier_id, created_at=now, updated_at=now, using_db=conn,
            )
            await ConsentChange.create(
                member=member, purpose=MARKETING, given=member.marketing_consent, channel=channel.value, actor=_who(viewer),
                at=now, using_db=conn,
            )
            await events.registered(events.MemberRegistered(member, _who(viewer), clock, conn))
    except IntegrityError:
        # The same phone registered concurrently through another channel: one member wins.
        existing = await Member.get_or_none(phone_hash=phone_hash)
        if existing is None:
            raise
        return await _existing_registration(existing, in_person, settings, clock)
    log.info("member registered", extra={"memberId": member.id, "channel": channel.value})
    session = None if in_person else await member_session(member, settings, clock)
    return Registration(member=member, created=True, session=session)


async def _existing_registration(existing: Member, in_person: bool, settings: Settings, clock: Clock) -> Registration:
    if in_person:
        # Staff get the existing member back, with an error code saying so.
        return Registration(member=existing, created=False, duplicate=True)
    # The caller proved they own the phone: this is the same person signing in again.
    return Registration(member=existing, created=False, session=await member_session(existing, settings, clock))


async def _unused(make, field: str) -> str:
    for _ in range(10):
        candidate = make()
        if not await Member.filter(**{field: candidate}).exists():
            return candidate
    raise RuntimeError(f"could not find an unused {field}")


async def update_profile(viewer: Viewer, profile: Profile, *, clock: Clock) -> Member:
    if viewer.kind is not CallerKind.MEMBER:
        raise AccessDenied("Only a signed-in member edits their profile.", unauthenticated=viewer.is_anonymous)
    member = await Member.get(id=viewer.subject_id)
    profile = _checked_profile(profile, clock)
    if profile.birthday is not None and member.birthday is not None and profile.birthday != member.birthday:
        # Birthdays earn birthday-month points: once set, only staff can correct one.
        raise MemberError("BIRTHDAY_LOCKED", "Your birthday is already set; ask a store to correct it.", field="birthday")
    await _check_store(profile.home_store_id)
    changes = {
        key: value for key, value in (
            ("name", profile.name), ("birthday", profile.birthday),
            ("gender", profile.gender), ("region", profile.region),
            ("marketing_consent", profile.marketing_consent), ("home_store_id", profile.home_store_id),
        ) if value is not None
    }
    if changes:
        async with in_transaction() as conn:
            await Member.filter(id=member.id).using_db(conn).update(**changes, updated_at=clock.now())
            if profile.marketing_consent is not None and profile.marketing_consent != member.marketing_consent:
                await ConsentChange.create(
                    member_id=member.id, purpose=MARKETING, given=profile.marketing_consent, channel=SELF_SERVICE,
                    actor=_who(viewer), at=clock.now(), using_db=conn,
                )
    return await Member.get(id=member.id)

