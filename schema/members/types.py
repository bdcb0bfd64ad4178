"""Members, as staff, devices and the member themself see them."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from domain.members.codes import qr_payload
from resolvers.earning import queries as earning_queries
from resolvers.ledger import queries as ledger_queries
from resolvers.mall import queries as mall_queries
from resolvers.tiers import queries as tier_queries
from schema.relay import Connection, Node, connection_of, maybe, to_global_id
from schema.stores.types import Store
from schema.tiers.types import Tier, TierChange, TierProgress

if TYPE_CHECKING:
    from schema.ledger.inputs import PointsHistoryFilter
    from schema.ledger.types import ExpiringPoints, PointsEntry
    from schema.mall.inputs import RedemptionFilter
    from schema.mall.types import Redemption
    from schema.earning.types import Purchase


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
        return Tier.from_model(await info.context.loaders.tier.load(self.tier_pk))

    @strawberry.field(description="A manual floor set by an admin: the member never drops below it.")
    async def tier_floor(self, info: Info) -> Tier | None:
        return None if self.tier_floor_pk is None else maybe(Tier.from_model, await info.context.loaders.tier.load(self.tier_floor_pk))

    @strawberry.field
    async def next_tier(self, info: Info) -> Tier | None:
        return maybe(Tier.from_model, (await info.context.loaders.tier_progress.load(self.pk)).next_tier)

    @strawberry.field
    async def progress_to_next_tier(self, info: Info) -> TierProgress:
        return TierProgress.from_progress(await info.context.loaders.tier_progress.load(self.pk))

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
        return sum(lot.points for lot in await ledger_queries.expiring(info.context, self.pk, within_days))

    @strawberry.field(description="When which points expire, soonest first.")
    async def expiring_lots(
        self, info: Info, within_days: int = 30, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["ExpiringPoints", strawberry.lazy("schema.ledger.types")]]:
        from schema.ledger.types import ExpiringPoints

        page = await ledger_queries.expiring_page(info.context, self.pk, within_days, first, after)
        return connection_of(page, ExpiringPoints.from_model)

    @strawberry.field(description="Every change of the balance, newest first.")
    async def points_history(
        self, info: Info, first: int | None = None, after: str | None = None,
        filter: Annotated["PointsHistoryFilter", strawberry.lazy("schema.ledger.inputs")] | None = None,
    ) -> Connection[Annotated["PointsEntry", strawberry.lazy("schema.ledger.types")]] | None:
        from schema.ledger.types import PointsEntry

        kind = filter.kind.value if filter is not None and filter.kind is not None else None
        page = await ledger_queries.points_history(info.context, self.pk, self.home_store_pk, first, after, kind)
        return connection_of(page, PointsEntry.from_model)

    @strawberry.field(description="The member's purchases, newest first.")
    async def purchases(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["Purchase", strawberry.lazy("schema.earning.types")]] | None:
        from schema.earning.types import Purchase

        page = await earning_queries.member_purchases(info.context, self.pk, self.home_store_pk, first, after)
        return connection_of(page, Purchase.from_model)

    @strawberry.field(description="The member's mall redemptions, newest first.")
    async def redemptions(
        self, info: Info, first: int | None = None, after: str | None = None,
        filter: Annotated["RedemptionFilter", strawberry.lazy("schema.mall.inputs")] | None = None,
    ) -> Connection[Annotated["Redemption", strawberry.lazy("schema.mall.types")]] | None:
        from schema.mall.types import Redemption

        status = filter.status.value if filter is not None and filter.status is not None else None
        return connection_of(await mall_queries.member_redemptions(info.context, self.pk, status, first, after), Redemption.from_model)

    @strawberry.field(description="Newest first.")
    async def tier_history(self, info: Info, first: int = 20) -> list[TierChange] | None:
        return [TierChange.from_model(c) for c in await tier_queries.tier_history(info.context, self.pk, self.home_store_pk, first)]

    @classmethod
    def from_model(cls, member) -> Member:
        return cls(
            id=strawberry.ID(to_global_id("Member", member.id)), code=member.code, qr_payload=qr_payload(member.code),
            name=member.name, phone=member.phone_masked, birthday=member.birthday,
            gender=Gender(member.gender) if member.gender else None, region=member.region,
            marketing_consent=member.marketing_consent, channel=MemberChannel(member.channel),
            referral_code=member.referral_code, created_at=member.created_at, pk=member.id,
            home_store_pk=member.home_store_id, tier_pk=member.tier_id, tier_floor_pk=member.tier_floor_id,
        )
