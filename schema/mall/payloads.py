"""Mall payloads and their error."""

from __future__ import annotations

import strawberry

from domain.mall.errors import MallErrorCode
from schema.errors import UserError, codes_listed
from schema.mall.types import MallItem, MallPriceRule, MallSettings, Redemption
from schema.members.types import Member


@strawberry.type(description=codes_listed(MallErrorCode, "Why a mall change, redemption or collection was refused."))
class MallError(UserError):
    CODES = MallErrorCode


@strawberry.type
class MallItemPayload:
    item: MallItem | None = None
    errors: list[MallError] = strawberry.field(default_factory=list)


@strawberry.type
class MallPriceRulePayload:
    rule: MallPriceRule | None = None
    errors: list[MallError] = strawberry.field(default_factory=list)


@strawberry.type
class UpdateMallSettingsPayload:
    settings: MallSettings | None = None
    errors: list[MallError] = strawberry.field(default_factory=list)


@strawberry.type
class RedeemMallItemPayload:
    redemption: Redemption | None = None
    member: Member | None = None
    replayed: bool = strawberry.field(default=False, description="True when this answers a retry of an earlier request.")
    errors: list[MallError] = strawberry.field(default_factory=list)


@strawberry.type
class FulfillRedemptionPayload:
    redemption: Redemption | None = strawberry.field(default=None, description="Also given with ALREADY_FULFILLED: when and where.")
    errors: list[MallError] = strawberry.field(default_factory=list)


@strawberry.type
class CancelRedemptionPayload:
    redemption: Redemption | None = None
    member: Member | None = None
    errors: list[MallError] = strawberry.field(default_factory=list)


@strawberry.type
class ExpireRedemptionsPayload:
    expired: int = 0
    errors: list[MallError] = strawberry.field(default_factory=list)
