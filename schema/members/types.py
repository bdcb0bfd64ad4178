"""Members, as staff, devices and the member themself see them."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from domain.members.codes import qr_payload
from resolvers.coupons import queries as coupon_queries
from resolvers.donations import queries as donation_queries
from resolvers.earning import queries as earning_queries
from resolvers.ledger import queries as ledger_queries
from resolvers.mall import queries as mall_queries
from resolvers.tiers import queries as tier_queries
from schema.relay import After, Connection, First, Node, connection_of, maybe, to_global_id
from schema.stores.types import Store
from schema.tiers.types import Tier, TierChange, TierProgress

if TYPE_CHECKING:
    from schema.coupons.inputs import CouponFilter
    from schema.coupons.types import Coupon
    from schema.donations.types import Donation
    from schema.earning.types import Purchase
    from schema.ledger.inputs import PointsHistoryFilter
    from schema.ledger.types import ExpiringPoints, PointsEntry
    from schema.mall.inputs import RedemptionFilter
    from schema.mall.types import Redemption


@strawberry.enum(description="Where a member registered.")
class MemberChannel(Enum):
    APP = strawberry.enum_value("APP", description="The member app, on their own (needs a login code).")
    MINI_PROGRAM = strawberry.enum_value(
        "MINI_PROGRAM", description="The mini-program, on their own (needs a login code)."
    )
    STORE_QR = strawberry.enum_value(
        "STORE_QR", description="A store's QR code, scanned by the member (needs a login code) or used by a store device."
    )
    POS = strawberry.enum_value("POS", description="At a till, registered by staff or a POS terminal.")
    KIOSK = strawberry.enum_value("KIOSK", description="At an in-store kiosk.")
    WEB = strawberry.enum_value("WEB", description="The website, on their own (needs a login code).")
    IMPORT = strawberry.enum_value("IMPORT", description="Imported by a chain admin from another system.")


@strawberry.enum(description="A member's gender, as they gave it.")
class Gender(Enum):
    FEMALE = strawberry.enum_value("FEMALE", description="Female.")
    MALE = strawberry.enum_value("MALE", description="Male.")
    OTHER = strawberry.enum_value("OTHER", description="Another gender.")
    UNDISCLOSED = strawberry.enum_value("UNDISCLOSED", description="The member prefers not to say.")


@strawberry.type(
    description=(
        "A loyalty member. Members see themselves (`me`); staff see members of their store (home, or who bought there), "
        "chain admins everyone, devices look them up by code. Another store's staff see only that store's history."
    )
)
class Member(Node):
    code: str = strawberry.field(description="The member's one code, the same in every channel and store.")
    qr_payload: str = strawberry.field(description="What a kiosk or POS scans.")
    name: str = strawberry.field(description="The member's name.")
    phone: str = strawberry.field(description="Masked; the full number is never shown.")
    birthday: date | None = strawberry.field(description="Date of birth (YYYY-MM-DD); null when not given.")
    gender: Gender | None = strawberry.field(description="Null when not given.")
    region: str | None = strawberry.field(description="Free text the member gave; null when not given.")
    marketing_consent: bool = strawberry.field(description="Whether the member agreed to marketing messages.")
    channel: MemberChannel = strawberry.field(description="Where the member registered.")
    referral_code: str = strawberry.field(
        description="The code this member gives friends: both earn points on registration."
    )
    created_at: datetime = strawberry.field(description="When the member registered (ISO 8601 with offset).")
    pk: strawberry.Private[int]
    home_store_pk: strawberry.Private[int | None]
    tier_pk: strawberry.Private[int]
    tier_floor_pk: strawberry.Private[int | None]

    @strawberry.field(description="The member's home store, whose staff see their whole history; null when none.")
    async def home_store(self, info: Info) -> Store | None:
        if self.home_store_pk is None:
            return None
        return maybe(Store.from_model, await info.context.loaders.public_store.load(self.home_store_pk))

    @strawberry.field(description="The member's current tier.")
    async def tier(self, info: Info) -> Tier:
        return Tier.from_model(await info.context.loaders.tier.load(self.tier_pk))

    @strawberry.field(description="A manual floor set by an admin: the member never drops below it.")
    async def tier_floor(self, info: Info) -> Tier | None:
        return None if self.tier_floor_pk is None else maybe(Tier.from_model, await info.context.loaders.tier.load(self.tier_floor_pk))

    @strawberry.field(description="The tier above the current one; null at the top.")
    async def next_tier(self, info: Info) -> Tier | None:
        return maybe(Tier.from_model, (await info.context.loaders.tier_progress.load(self.pk)).next_tier)

    @strawberry.field(description="What the member still needs for the next tier, in the rolling window.")
    async def progress_to_next_tier(self, info: Info) -> TierProgress:
        return TierProgress.from_progress(await info.context.loaders.tier_progress.load(self.pk))

    @strawberry.field(description="Old member ids from the legacy system (imported; merged cards give several), sorted.")
    async def legacy_ids(self, info: Info) -> list[str]:
        return await info.context.loaders.legacy_ids.load(self.pk)

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
    async def expiring_points(
        self, info: Info,
        within_days: Annotated[int, strawberry.argument(description="Days from now, 0 to 3650.")] = 30,
    ) -> int:
        return sum(lot.points for lot in await ledger_queries.expiring(info.context, self.pk, within_days))

    @strawberry.field(description="When which points expire, soonest first.")
    async def expiring_lots(
        self, info: Info,
        within_days: Annotated[int, strawberry.argument(description="Days from now, 0 to 3650.")] = 30,
        first: First = None,
        after: After = None,
    ) -> Connection[Annotated[ExpiringPoints, strawberry.lazy("schema.ledger.types")]]:
        from schema.ledger.types import ExpiringPoints

        page = await ledger_queries.expiring_page(info.context, self.pk, within_days, first, after)
        return connection_of(page, ExpiringPoints.from_model)

    @strawberry.field(description="Every change of the balance, newest first.")
    async def points_history(
        self, info: Info,
        first: First = None,
        after: After = None,
        filter: Annotated[
            Annotated[PointsHistoryFilter, strawberry.lazy("schema.ledger.inputs")] | None,
            strawberry.argument(description="Narrows the history, e.g. to one kind of entry; null lists all."),
        ] = None,
    ) -> Connection[Annotated[PointsEntry, strawberry.lazy("schema.ledger.types")]] | None:
        from schema.ledger.types import PointsEntry

        kind = filter.kind.value if filter is not None and filter.kind is not None else None
        page = await ledger_queries.points_history(info.context, self.pk, self.home_store_pk, first, after, kind)
        return connection_of(page, PointsEntry.from_model)

    @strawberry.field(description="The member's purchases, newest first.")
    async def purchases(
        self, info: Info,
        first: First = None,
        after: After = None,
    ) -> Connection[Annotated[Purchase, strawberry.lazy("schema.earning.types")]] | None:
        from schema.earning.types import Purchase

        page = await earning_queries.member_purchases(info.context, self.pk, self.home_store_pk, first, after)
        return connection_of(page, Purchase.from_model)

    @strawberry.field(description="The member's mall redemptions, newest first.")
    async def redemptions(
        self, info: Info,
        first: First = None,
        after: After = None,
        filter: Annotated[
            Annotated[RedemptionFilter, strawberry.lazy("schema.mall.inputs")] | None,
            strawberry.argument(description="Narrows the list, e.g. to one status; null lists all."),
        ] = None,
    ) -> Connection[Annotated[Redemption, strawberry.lazy("schema.mall.types")]] | None:
        from schema.mall.types import Redemption

        status = filter.status.value if filter is not None and filter.status is not None else None
        return connection_of(await mall_queries.member_redemptions(info.context, self.pk, status, first, after), Redemption.from_model)

    @strawberry.field(description="The member's coupon wallet, newest first: the member and chain admins see it.")
    async def coupons(
        self, info: Info,
        first: First = None,
        after: After = None,
        filter: Annotated[
            Annotated[CouponFilter, strawberry.lazy("schema.coupons.inputs")] | None,
            strawberry.argument(description="Narrows the wallet, e.g. to AVAILABLE coupons; null lists all."),
        ] = None,
    ) -> Connection[Annotated[Coupon, strawberry.lazy("schema.coupons.types")]] | None:
        from schema.coupons.types import Coupon

        status = filter.status.value if filter is not None and filter.status is not None else None
        return connection_of(await coupon_queries.member_coupons(info.context, self.pk, status, first, after), Coupon.from_model)

    @strawberry.field(description="The member's donations to charity projects with their certificate codes, newest first.")
    async def donations(
        self, info: Info,
        first: First = None,
        after: After = None,
    ) -> Connection[Annotated[Donation, strawberry.lazy("schema.donations.types")]] | None:
        from schema.donations.types import Donation

        return connection_of(await donation_queries.member_donations(info.context, self.pk, first, after), Donation.from_model)

    @strawberry.field(description="Newest first.")
    async def tier_history(
        self, info: Info,
        first: Annotated[int, strawberry.argument(description="At most this many changes, 0 to 100.")] = 20,
    ) -> list[TierChange] | None:
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
