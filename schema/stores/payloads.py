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


@strawberry.type
class StaffLoginPayload:
    token: str | None = strawberry.field(default=None, description="Bearer access token, short-lived.")
    expires_at: datetime | None = None
    refresh_token: str | None = strawberry.field(default=None, description="Single use: trade it for a new pair.")
    staff: StaffUser | None = None
    locked_until: datetime | None = strawberry.field(
        default=None, description="With ACCOUNT_LOCKED: when the account takes sign-ins again."
    )
    errors: list[AuthError] = strawberry.field(default_factory=list)


@strawberry.type
class CreateStorePayload:
    store: Store | None = None
    errors: list[StoreError] = strawberry.field(default_factory=list)


@strawberry.type
class CreateStaffPayload:
    staff: StaffUser | None = None
    errors: list[StaffError] = strawberry.field(default_factory=list)


@strawberry.type
class CreateDeviceKeyPayload:
    api_key: ApiKey | None = None
    secret: str | None = strawberry.field(default=None, description="The key itself: shown this once only.")
    errors: list[StoreError] = strawberry.field(default_factory=list)


@strawberry.type
class RevokeApiKeyPayload:
    api_key: ApiKey | None = None
    errors: list[StoreError] = strawberry.field(default_factory=list)
