"""Store inputs."""

from __future__ import annotations

import strawberry

from schema.stores.types import DeviceType, StaffRole


@strawberry.input(description="A staff member's email and password, for `staffLogin`.")
class StaffLoginInput:
    email: str = strawberry.field(description="The staff account's email; case does not matter.")
    password: str = strawberry.field(description="The account's password; never logged.")


@strawberry.input(description="The refresh token to trade in, for `refreshStaffSession`.")
class RefreshStaffSessionInput:
    refresh_token: str = strawberry.field(
        description="The refresh token of the last sign-in or refresh; a second use ends the whole sign-in."
    )


@strawberry.input(description="A new store, for `createStore`.")
class CreateStoreInput:
    code: str = strawberry.field(
        description="2-32 letters, digits or dashes, upper-cased (e.g. SH-JINGAN); unique in the chain (CODE_TAKEN)."
    )
    name: str = strawberry.field(description="The store's display name, 1 to 120 characters.")
    time_zone: str | None = strawberry.field(
        default=None, description="IANA time zone such as Asia/Shanghai (INVALID_TIME_ZONE); null means Asia/Shanghai."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Optional: the same key and input return the first store again."
    )


@strawberry.input(description="A new staff account, for `createStaff`.")
class CreateStaffInput:
    email: str = strawberry.field(description="The sign-in email, stored lower-cased; unique (EMAIL_TAKEN).")
    name: str = strawberry.field(description="The staff member's display name.")
    password: str = strawberry.field(description="The first password: at least 8 characters (WEAK_PASSWORD).")
    role: StaffRole = strawberry.field(description="The role; a store manager may only create CLERK accounts.")
    store_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The Store the account works at: required for clerks and managers, ignored for chain admins.",
    )


@strawberry.input(description="A new kiosk or POS API key, for `createDeviceKey`.")
class CreateDeviceKeyInput:
    store_id: strawberry.ID = strawberry.field(description="The Store the device stands in.")
    device_type: DeviceType = strawberry.field(description="Whether the key is for a kiosk or a POS terminal.")
    name: str = strawberry.field(description="A name to recognise the device by, e.g. \"Till 2\".")
    scopes: list[str] | None = strawberry.field(
        default=None,
        description=(
            "What the key may do, a subset of members:read, members:register, purchases:write, redemptions:write "
            "(UNKNOWN_SCOPE otherwise); null grants all four."
        ),
    )


@strawberry.input(description="The API key to revoke, for `revokeApiKey`.")
class RevokeApiKeyInput:
    id: strawberry.ID = strawberry.field(description="The ApiKey's global ID.")
