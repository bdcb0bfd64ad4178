"""Members' data rights: erasure by a chain admin."""

from __future__ import annotations

from domain.idempotency import run_once
from domain.members.models import Member
from domain.privacy import erasure
from resolvers.context import RequestContext
from resolvers.global_ids import input_pk


async def erase_member(ctx: RequestContext, member_id: str, reason: str, idempotency_key: str) -> Member:
    member_pk = input_pk(member_id, "Member", "memberId")

    async def action(connection) -> dict:
        member = await erasure.erase_member(ctx.viewer, member_pk, reason, clock=ctx.clock, connection=connection)
        return {"memberId": member.id}

    await run_once(
        scope=ctx.viewer.idempotency_scope, key=idempotency_key, operation="eraseMember",
        request={"memberId": member_pk, "reason": reason}, action=action, clock=ctx.clock,
    )
    return await Member.get(id=member_pk)
