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


@strawberry.type(description="The result of createMallItem, updateMallItem, retireMallItem and restockMallItem.")
class MallItemPayload:
    item: MallItem | None = strawberry.field(default=None, description="The item as it is now; null when refused.")
    errors: list[MallError] = strawberry.field(default_factory=list, description="Why the change was refused; empty on success.")


@strawberry.type(description="The result of createMallPriceRule and retireMallPriceRule.")
class MallPriceRulePayload:
    rule: MallPriceRule | None = strawberry.field(default=None, description="The rule as it is now; null when refused.")
    errors: list[MallError] = strawberry.field(default_factory=list, description="Why the change was refused; empty on success.")


@strawberry.type(description="The result of updateMallSettings.")
class UpdateMallSettingsPayload:
    settings: MallSettings | None = strawberry.field(default=None, description="Every setting as it is now; null when refused.")
    errors: list[MallError] = strawberry.field(default_factory=list, description="Why the change was refused; empty on success.")


@strawberry.type(description="The result of redeemMallItem.")
class RedeemMallItemPayload:
    redemption: Redemption | None = strawberry.field(default=None, description="The redemption with its code; null when refused.")
    member: Member | None = strawberry.field(
        default=None, description="The member after the redemption, with the new balance; null when refused."
    )
    replayed: bool = strawberry.field(default=False, description="True when this answers a retry of an earlier request.")
    errors: list[MallError] = strawberry.field(default_factory=list, description="Why the redemption was refused; empty on success.")


@strawberry.type(description="The result of fulfillRedemption.")
class FulfillRedemptionPayload:
    redemption: Redemption | None = strawberry.field(default=None, description="Also given with ALREADY_FULFILLED: when and where.")
    errors: list[MallError] = strawberry.field(default_factory=list, description="Why the hand-out was refused; empty on success.")


@strawberry.type(description="The result of cancelRedemption.")
class CancelRedemptionPayload:
    redemption: Redemption | None = strawberry.field(
        default=None,
        description=(
            "The cancelled redemption; also given with ALREADY_FULFILLED, ALREADY_CANCELLED and REDEMPTION_EXPIRED, "
            "null on other errors."
        ),
    )
    member: Member | None = strawberry.field(default=None, description="The member with the points given back; null when refused.")
    errors: list[MallError] = strawberry.field(default_factory=list, description="Why the cancellation was refused; empty on success.")


@strawberry.type(description="The result of expireRedemptions.")
class ExpireRedemptionsPayload:
    expired: int = strawberry.field(default=0, description="Redemptions expired by this run, their points and stock given back.")
    errors: list[MallError] = strawberry.field(default_factory=list, description="Why the run was refused; empty on success.")
