"""Member root queries."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers.members import queries
from schema.members.inputs import MemberFilter
from schema.members.types import Member
from schema.permissions import IsStaff
from schema.relay import After, Connection, First, connection_of, maybe


@strawberry.type
class MemberQuery:
    @strawberry.field(description="The signed-in member; null for any other caller.")
    async def me(self, info: Info) -> Member | None:
        return maybe(Member.from_model, await queries.me(info.context))

    @strawberry.field(description="Look a member up by code (staff, devices), phone or old member id (staff).")
    async def member(
        self, info: Info,
        code: Annotated[
            str | None, strawberry.argument(description="The member code, or a scanned QR payload (ORCHARD:M:<code>).")
        ] = None,
        phone: Annotated[
            str | None, strawberry.argument(description="The member's phone, any common format; staff only.")
        ] = None,
        legacy_id: Annotated[
            str | None, strawberry.argument(description="An old member id from the legacy system (imported); staff only.")
        ] = None,
    ) -> Member | None:
        return maybe(Member.from_model, await queries.member(info.context, code, phone, legacy_id))

    @strawberry.field(permission_classes=[IsStaff], description="Members the caller's store may see.")
    async def members(
        self, info: Info,
        filter: Annotated[
            MemberFilter | None, strawberry.argument(description="Narrows the list; null lists all.")
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Member]:
        chosen = filter or MemberFilter()
        page = await queries.members_page(
            info.context, tier_code=chosen.tier_code, home_store_id=chosen.home_store_id, name_prefix=chosen.name_prefix,
            first=first, after=after,
        )
        return connection_of(page, Member.from_model)
