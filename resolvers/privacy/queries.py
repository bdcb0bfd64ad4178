"""Members' data rights: a member's export of their own data."""

from __future__ import annotations

from domain.privacy import export
from resolvers.context import RequestContext


async def export_my_data(ctx: RequestContext) -> str:
    return await export.export_member_data(ctx.viewer, data_key=ctx.settings.personal_data_key, clock=ctx.clock)
