"""Members, tiers and their payloads."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from schema.relay import Connection, Node, maybe, to_global_id
from schema.stores.types import Store

if TYPE_CHECKING:
    from schema.mall import Redemption, RedemptionFilter
    from schema.points import ExpiringPoints, PointsEntry, PointsHistoryFilter, Purchase


@strawberry.enum
class MemberChannel(Enum):
    APP = "APP"
    MINI_PROGRAM = "MINI_PROGRAM"
    STORE_QR = "STORE_QR"
    POS = "POS"
    KIOSK = "KIOSK"
    WEB = "WEB"
    IMPORT = "IMPORT"


@strawberry.enum
class Gender(Enum):
    FEMALE = "FEMALE"
    MALE = "MALE"
    OTHER = "OTHER"
    UNDISCLOSED = "UNDISCLOSED"


@strawberry.enum
class TierChangeReason(Enum):
    REGISTRATION = "REGISTRATION"
    QUALIFIED = "QUALIFIED"
    REVIEW = "REVIEW"
    MANUAL_FLOOR = "MANUAL_FLOOR"


@strawberry.type
class TierBenefit:
    code: str
    description: str


@strawberry.type
class Tier(Node):
    code: str
    name: str
    rank: int
    min_points: int = strawberry.field(description="Points earned in the rolling window to qualify.")
    min_purchases: int = strawberry.field(description="Purchases in the rolling window to qualify (both are needed).")
    earn_multiplier: Decimal
    redemption_discount_percent: int
    benefits: list[TierBenefit]

    @classmethod
    def from_model(cls, tier) -> Tier:
        return cls(
            id=strawberry.ID(to_global_id("Tier", tier.id)), code=tier.code, name=tier.name, rank=tier.rank,
            min_points=tier.min_points, min_purchases=tier.min_purchases,
            earn_multiplier=Decimal(tier.earn_multiplier), redemption_discount_percent=tier.redemption_discount_percent,
            benefits=[TierBenefit(code=b["code"], description=b["description"]) for b in tier.benefits],
        )


@strawberry.type(description="What is left to reach the next tier, in the rolling window.")
class TierProgress:
    next_tier: Tier | None
    points: int
    purchases: int
    points_needed: int
    purchases_needed: int


@strawberry.type
class TierChange:
    from_tier: Tier | None
    to_tier: Tier
    reason: TierChangeReason
    note: str | None
    changed_at: datetime


@strawberry.type
class Member(Node):
    code: str = strawberry.field(description="The member's one code, the same in every channel and store.")
    qr_payload: str = strawberry.field(description="What a kiosk or POS scans.")
    name: str
    phone: str = strawberry.field(description="Masked; the full number is never shown.")
    birthday: date | None
    gender: Gender | None
    region: str | None
    marketing_consent: bool
    channel: MemberChannel
    referral_code: str
    created_at: datetime
    pk: strawberry.Private[int]
    home_store_pk: strawberry.Private[int | None]
    tier_pk: strawberry.Private[int]
    tier_floor_pk: strawberry.Private[int | None]

    @strawberry.field
    async def home_store(self, info: Info) -> Store | None:
        if self.home_store_pk is None:
            return None
        return maybe(Store.from_model, await info.context.loaders.public_store.load(self.home_store_pk))

    @strawberry.field
    async def tier(self, info: Info) -> Tier:
        return await info.context.loaders.tier.load(self.tier_pk)

    @strawberry.field(description="A manual floor set by an admin: the member never drops below it.")
    async def tier_floor(self, info: Info) -> Tier | None:
        return None if self.tier_floor_pk is None else await info.context.loaders.tier.load(self.tier_floor_pk)

    @strawberry.field
    async def next_tier(self, info: Info) -> Tier | None:
        return (await info.context.loaders.tier_progress.load(self.pk)).next_tier

    @strawberry.field
    async def progress_to_next_tier(self, info: Info) -> TierProgress:
        return await info.context.loaders.tier_progress.load(self.pk)

    @strawberry.field(description="Spendable points.")
    async def points_balance(self, info: Info) -> int:
        return (await info.context.loaders.points_balance.load(self.pk))["balance"]

    @strawberry.field(description="Earned points still in their pending window.")
    async def pending_points(self, info: Info) -> int:
        return (await info.context.loaders.points_balance.load(self.pk))["pending_balance"]

    @strawberry.field(description="Points owed after a return of points already spent; new earnings settle it.")
    async def points_debt(self, info: Info) -> int:
        return (await info.context.loaders.points_balance.load(self.pk))["debt"]

    @strawberry.field(description="Points that expire within the coming days (the default is 30).")
    async def expiring_points(self, info: Info, within_days: int = 30) -> int:
        from resolvers import points as points_resolvers

        return sum(e.points for e in await points_resolvers.expiring(info.context, self.pk, within_days))

    @strawberry.field(description="When which points expire, soonest first.")
    async def expiring_lots(
        self, info: Info, within_days: int = 30
    ) -> list[Annotated["ExpiringPoints", strawberry.lazy("schema.points")]]:
        from resolvers import points as points_resolvers

        return await points_resolvers.expiring(info.context, self.pk, within_days)

    @strawberry.field(description="Every change of the balance, newest first.")
    async def points_history(
        self, info: Info, first: int | None = None, after: str | None = None,
        filter: Annotated["PointsHistoryFilter", strawberry.lazy("schema.points")] | None = None,
    ) -> Connection[Annotated["PointsEntry", strawberry.lazy("schema.points")]]:
        from resolvers import points as points_resolvers

        return await points_resolvers.points_history(info.context, self.pk, self.home_store_pk, first, after, filter)

    @strawberry.field(description="The member's purchases, newest first.")
    async def purchases(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["Purchase", strawberry.lazy("schema.points")]]:
        from resolvers import points as points_resolvers

        return await points_resolvers.member_purchases(info.context, self.pk, self.home_store_pk, first, after)

    @strawberry.field(description="The member's mall redemptions, newest first.")
    async def redemptions(
        self, info: Info, first: int | None = None, after: str | None = None,
        filter: Annotated["RedemptionFilter", strawberry.lazy("schema.mall")] | None = None,
    ) -> Connection[Annotated["Redemption", strawberry.lazy("schema.mall")]]:
        from resolvers import mall as mall_resolvers

        return await mall_resolvers.member_redemptions(info.context, self.pk, first, after, filter)

    @strawberry.field(description="Newest first.")
    async def tier_history(self, info: Info, first: int = 20) -> list[TierChange]:
        from resolvers import members as member_resolvers

        return await member_resolvers.tier_history(info.context, self.pk, self.home_store_pk, first)

    @classmethod
    def from_model(cls, member) -> Member:
        from domain.members.codes import qr_payload

        return cls(
            id=strawberry.ID(to_global_id("Member", member.id)), code=member.code, qr_payload=qr_payload(member.code),
            name=member.name, phone=member.phone_masked, birthday=member.birthday,
            gender=Gender(member.gender) if member.gender else None, region=member.region,
            marketing_consent=member.marketing_consent, channel=MemberChannel(member.channel),
            referral_code=member.referral_code, created_at=member.created_at, pk=member.id,
            home_store_pk=member.home_store_id, tier_pk=member.tier_id, tier_floor_pk=member.tier_floor_id,
        )


# ---- errors ---------------------------------------------------------------------------------


@strawberry.enum
class MemberErrorCode(Enum):
    INVALID_ID = "INVALID_ID"
    INVALID_TEXT = "INVALID_TEXT"
    TOO_LONG = "TOO_LONG"
    INVALID_PHONE = "INVALID_PHONE"
    INVALID_NAME = "INVALID_NAME"
    INVALID_GENDER = "INVALID_GENDER"
    INVALID_BIRTHDAY = "INVALID_BIRTHDAY"
    INVALID_CHANNEL = "INVALID_CHANNEL"
    INVALID_MEMBER_CODE = "INVALID_MEMBER_CODE"
    INVALID_REFERRAL_CODE = "INVALID_REFERRAL_CODE"
    INVALID_LOGIN_CODE = "INVALID_LOGIN_CODE"
    INVALID_REFRESH_TOKEN = "INVALID_REFRESH_TOKEN"
    LOGIN_CODE_REQUIRED = "LOGIN_CODE_REQUIRED"
    PHONE_ALREADY_REGISTERED = "PHONE_ALREADY_REGISTERED"
    MEMBER_NOT_FOUND = "MEMBER_NOT_FOUND"
    STORE_NOT_FOUND = "STORE_NOT_FOUND"
    BIRTHDAY_LOCKED = "BIRTHDAY_LOCKED"
    RATE_LIMITED = "RATE_LIMITED"
    BALANCE_LIMIT_EXCEEDED = "BALANCE_LIMIT_EXCEEDED"


@strawberry.type
class MemberError:
    code: MemberErrorCode
    field: str | None
    message: str


@strawberry.enum
class TierErrorCode(Enum):
    INVALID_ID = "INVALID_ID"
    INVALID_TEXT = "INVALID_TEXT"
    TOO_LONG = "TOO_LONG"
    INVALID_CODE = "INVALID_CODE"
    INVALID_THRESHOLD = "INVALID_THRESHOLD"
    INVALID_MULTIPLIER = "INVALID_MULTIPLIER"
    INVALID_DISCOUNT = "INVALID_DISCOUNT"
    CODE_TAKEN = "CODE_TAKEN"
    RANK_TAKEN = "RANK_TAKEN"
    TIER_NOT_FOUND = "TIER_NOT_FOUND"
    MEMBER_NOT_FOUND = "MEMBER_NOT_FOUND"
    REASON_REQUIRED = "REASON_REQUIRED"


@strawberry.type
class TierError:
    code: TierErrorCode
    field: str | None
    message: str


# ---- inputs and payloads --------------------------------------------------------------------


@strawberry.input
class RegisterMemberInput:
    phone: str
    name: str
    channel: MemberChannel
    home_store_id: strawberry.ID | None = None
    birthday: date | None = None
    gender: Gender | None = None
    region: str | None = None
    marketing_consent: bool = False
    referral_code: str | None = None
    login_code: str | None = strawberry.field(default=None, description="Required for self-registration.")


@strawberry.type
class RegisterMemberPayload:
    member: Member | None
    token: str | None = strawberry.field(description="A member token, for self-registration only.")
    refresh_token: str | None
    errors: list[MemberError]


@strawberry.input
class RequestLoginCodeInput:
    phone: str


@strawberry.type
class RequestLoginCodePayload:
    sent: bool
    expires_at: datetime | None
    errors: list[MemberError]


@strawberry.input
class LoginWithCodeInput:
    phone: str
    code: str


@strawberry.type
class MemberSessionPayload:
    token: str | None
    expires_at: datetime | None
    refresh_token: str | None
    member: Member | None
    errors: list[MemberError]


@strawberry.input
class RefreshMemberSessionInput:
    refresh_token: str


@strawberry.input
class UpdateMyProfileInput:
    name: str | None = None
    birthday: date | None = None
    gender: Gender | None = None
    region: str | None = None
    marketing_consent: bool | None = None
    home_store_id: strawberry.ID | None = None


@strawberry.type
class UpdateMyProfilePayload:
    member: Member | None
    errors: list[MemberError]


@strawberry.input
class MemberFilter:
    tier_code: str | None = None
    home_store_id: strawberry.ID | None = None
    name_prefix: str | None = None


@strawberry.input
class TierBenefitInput:
    code: str
    description: str


@strawberry.input
class CreateTierInput:
    code: str
    name: str
    rank: int
    min_points: int = 0
    min_purchases: int = 0
    earn_multiplier: Decimal = Decimal("1")
    redemption_discount_percent: int = 0
    benefits: list[TierBenefitInput] = strawberry.field(default_factory=list)


@strawberry.input
class UpdateTierInput:
    id: strawberry.ID
    code: str | None = None
    name: str | None = None
    rank: int | None = None
    min_points: int | None = None
    min_purchases: int | None = None
    earn_multiplier: Decimal | None = None
    redemption_discount_percent: int | None = None
    benefits: list[TierBenefitInput] | None = None


@strawberry.type
class TierPayload:
    tier: Tier | None
    errors: list[TierError]


@strawberry.input
class SetMemberTierFloorInput:
    member_id: strawberry.ID
    tier_code: str | None = strawberry.field(default=None, description="null clears the floor.")
    reason: str


@strawberry.type
class SetMemberTierFloorPayload:
    member: Member | None
    errors: list[TierError]


@strawberry.input
class ReviewTiersInput:
    member_id: strawberry.ID | None = strawberry.field(default=None, description="One member, or everyone when null.")


@strawberry.type
class ReviewTiersPayload:
    reviewed: int
    upgraded: int
    downgraded: int
    errors: list[TierError]
