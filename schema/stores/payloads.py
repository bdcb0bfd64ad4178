"""Store payloads and their errors."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.stores.errors import AuthErrorCode, StaffErrorCode, StoreErrorCode
from schema.errors import UserError, codes_listed
from schema.stores.types import ApiKey, StaffUser, Store


@strawberry.type(description=codes_listed(AuthErrorCode, "Why a staff sign-in or session refresh failed."))
class AuthError(UserError):
    CODES = AuthErrorCode


@strawberry.type(description=codes_listed(StoreErrorCode, "Why a store or API key change was refused."))
class StoreError(UserError):
    CODES = StoreErrorCode


@strawberry.type(description=codes_listed(StaffErrorCode, "Why a staff account was not created."))
class StaffError(UserError):
    CODES = StaffErrorCode


@strawberry.type(description="The result of `staffLogin` and `refreshStaffSession`: a token pair, or why not.")
class StaffLoginPayload:
    token: str | None = strawberry.field(default=None, description="Bearer access token, short-lived.")
    expires_at: datetime | None = strawberry.field(
        default=None, description="When `token` stops working (ISO 8601 with offset); null on failure."
    )
    refresh_token: str | None = strawberry.field(default=None, description="Single use: trade it for a new pair.")
    staff: StaffUser | None = strawberry.field(default=None, description="The signed-in staff member; null on failure.")
    locked_until: datetime | None = strawberry.field(
        default=None, description="With LOCKED_OUT: when the account takes sign-ins again."
    )
    errors: list[AuthError] = strawberry.field(default_factory=list, description="Why it failed; empty on success.")


@strawberry.type(description="The result of `createStore`.")
class CreateStorePayload:
    store: Store | None = strawberry.field(
        default=None, description="The new store (or the first one again for a replayed idempotencyKey); null on errors."
    )
    errors: list[StoreError] = strawberry.field(default_factory=list, description="Why not; empty on success.")


@strawberry.type(description="The result of `createStaff`.")
class CreateStaffPayload:
    staff: StaffUser | None = strawberry.field(default=None, description="The new staff account; null on errors.")
    errors: list[StaffError] = strawberry.field(default_factory=list, description="Why not; empty on success.")


@strawberry.type(description="The result of `createDeviceKey`: the key's record and, this once, its secret.")
class CreateDeviceKeyPayload:
    api_key: ApiKey | None = strawberry.field(default=None, description="The new key's record; null on errors.")
    secret: str | None = strawberry.field(default=None, description="The key itself: shown this once only.")
    errors: list[StoreError] = strawberry.field(default_factory=list, description="Why not; empty on success.")


@strawberry.type(description="The result of `revokeApiKey`.")
class RevokeApiKeyPayload:
    api_key: ApiKey | None = strawberry.field(
        default=None, description="The revoked key, with `revokedAt` set; null on errors."
    )
    errors: list[StoreError] = strawberry.field(
        default_factory=list, description="Why not (KEY_NOT_FOUND); empty on success."
    )
