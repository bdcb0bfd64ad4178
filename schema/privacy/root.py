"""Members' data rights: `exportMyData` for a member, `eraseMember` for chain admins."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers.privacy import mutations, queries
from schema.errors import payload_of
from schema.members.types import Member
from schema.permissions import IsAuthenticated, IsChainAdmin
from schema.privacy.types import EraseMemberInput, EraseMemberPayload, MemberDataExport


@strawberry.type
class PrivacyQuery:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="The signed-in member's own data as one JSON document; null for callers that are not a member.",
    )
    async def export_my_data(self, info: Info) -> MemberDataExport | None:
        if info.context.viewer.member_id is None:
            return None
        return MemberDataExport(document=await queries.export_my_data(info.context))


@strawberry.type
class PrivacyMutation:
    @strawberry.mutation(
        permission_classes=[IsChainAdmin],
        description="Erase a member's personal data; their points are forfeited and the books stay (chain admins, audited).",
    )
    async def erase_member(
        self, info: Info,
        input: Annotated[EraseMemberInput, strawberry.argument(description="The member, why, and an idempotency key.")],
    ) -> EraseMemberPayload:
        work = mutations.erase_member(info.context, input.member_id, input.reason, input.idempotency_key)
        return await payload_of(EraseMemberPayload, work, lambda member: {"member": Member.from_model(member)})
