"""API keys for devices (kiosk, POS) and partners: a visible type prefix, shown once, stored as a hash."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import StrEnum

from domain.access import CallerKind, Viewer
from domain.errors import DomainError
from domain.stores.models import ApiKey, Store
from domain.stores.tokens import sha256
from infra import db
from infra.clock import Clock

KEY_PREFIX = "orch_"


class DeviceType(StrEnum):
    KIOSK = "KIOSK"
    POS = "POS"


# What a device may do unless its creator narrows it.
DEVICE_SCOPES = frozenset({"members:read", "members:register", "purchases:write", "redemptions:write"})


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    secret: str


def _new_secret(type_prefix: str) -> str:
    return f"{KEY_PREFIX}{type_prefix}_{secrets.token_urlsafe(32)}"


def looks_like_api_key(token: str) -> bool:
    return token.startswith(KEY_PREFIX) and not token.startswith(KEY_PREFIX + "rt_")


def _checked_scopes(requested: list[str] | None, allowed: frozenset[str]) -> list[str]:
    if requested is None:
        return sorted(allowed)
    unknown = set(requested) - allowed
    if unknown:
        raise DomainError("UNKNOWN_SCOPE", f"Unknown scopes: {', '.join(sorted(unknown))}.", field="scopes")
    return sorted(set(requested))


async def create_device_key(
    store: Store, device_type: DeviceType, name: str, scopes: list[str] | None = None, connection=None
) -> IssuedKey:
    secret = _new_secret(device_type.value.lower())
    key = await ApiKey.create(
        kind="DEVICE", device_type=device_type.value, name=name, display_prefix=secret[:16],
        key_hash=sha256(secret), scopes=_checked_scopes(scopes, DEVICE_SCOPES), store=store,
        using_db=connection,
    )
    return IssuedKey(key=key, secret=secret)


async def viewer_for_key(secret: str) -> Viewer | None:
    key = await db.by_unique(ApiKey, "key_hash", sha256(secret))  # every kiosk request: no queryset built
    if key is None or key.revoked_at is not None:
        return None
    kind = CallerKind.DEVICE if key.kind == "DEVICE" else CallerKind.PARTNER
    return Viewer(
        kind=kind, subject_id=key.id, store_id=key.store_id, partner_id=key.partner_id,  # type: ignore[attr-defined]
        scopes=frozenset(key.scopes),
    )


async def revoke_key(key_id: int, clock: Clock) -> bool:
    return await ApiKey.filter(id=key_id, revoked_at__isnull=True).update(revoked_at=clock.now()) == 1


# What a partner key may do unless its creator narrows it.
PARTNER_SCOPES = frozenset({"bundles:read", "redemptions:verify", "settlement:read", "webhooks:manage"})


async def create_partner_key(partner_id: int, name: str, scopes: list[str] | None = None, connection=None) -> IssuedKey:
    secret = _new_secret("partner")
    key = await ApiKey.create(
        kind="PARTNER", name=name, display_prefix=secret[:20], key_hash=sha256(secret),
        scopes=_checked_scopes(scopes, PARTNER_SCOPES), partner_id=partner_id, using_db=connection,
    )
    return IssuedKey(key=key, secret=secret)
