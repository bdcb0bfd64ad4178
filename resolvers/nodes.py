"""`node(id:)` and `nodes(ids:)`: global IDs resolved through the access-checked loaders."""

from __future__ import annotations

import asyncio
from typing import Any

from domain.errors import AccessDenied
from resolvers.context import RequestContext
from schema.relay import InvalidGlobalId, from_global_id, int_pk

# Type name -> the name of the per-request loader that resolves it.
NODE_LOADERS = {
    "Store": "store",
    "StaffUser": "staff",
    "ApiKey": "api_key",
    "Member": "member",
    "Tier": "tier",
    "Purchase": "purchase",
    "MallItem": "mall_item",
    "Redemption": "redemption",
    "MallPriceRule": "mall_price_rule",
}


async def resolve_node(ctx: RequestContext, global_id: str) -> Any:
    try:
        type_name, pk = from_global_id(global_id)
    except InvalidGlobalId:
        return None
    loader_name = NODE_LOADERS.get(type_name)
    key = int_pk(pk)
    if loader_name is None or key is None:
        return None
    found = await getattr(ctx.loaders, loader_name).load(key)
    if found is None and not ctx.viewer.is_anonymous:
        # Whether it exists or not, this viewer may not see it.
        raise AccessDenied("You may not see that object, or it does not exist.")
    if found is None:
        raise AccessDenied("Sign in first.", unauthenticated=True)
    return found


async def resolve_nodes(ctx: RequestContext, global_ids: list[str]) -> list[Any]:
    async def one(gid: str) -> Any:
        try:
            return await resolve_node(ctx, gid)
        except AccessDenied:
            return None

    # Gathered, so the loaders batch the lookups.
    return list(await asyncio.gather(*(one(gid) for gid in global_ids)))
