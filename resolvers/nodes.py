"""`node(id:)` and `nodes(ids:)`: global IDs resolved through the access-checked loaders."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from domain.errors import AccessDenied
from resolvers.context import RequestContext
from resolvers.global_ids import InvalidGlobalId, from_global_id, int_pk


async def load_node(ctx: RequestContext, global_id: str, loaders: Mapping[str, str]) -> tuple[str, Any] | None:
    """(type name, domain object) of a global ID; `loaders` maps a type name to its loader's name.

    None for an ID that names no known type; AccessDenied when the viewer may not see the object
    (whether it exists or not).
    """
    try:
        type_name, pk = from_global_id(global_id)
    except InvalidGlobalId:
        return None
    loader_name = loaders.get(type_name)
    key = int_pk(pk)
    if loader_name is None or key is None:
        return None
    found = await getattr(ctx.loaders, loader_name).load(key)
    if found is None and not ctx.viewer.is_anonymous:
        raise AccessDenied("You may not see that object, or it does not exist.")
    if found is None:
        raise AccessDenied("Sign in first.", unauthenticated=True)
    return type_name, found


async def load_nodes(ctx: RequestContext, global_ids: list[str], loaders: Mapping[str, str]) -> list[tuple[str, Any] | None]:
    async def one(gid: str) -> tuple[str, Any] | None:
        try:
            return await load_node(ctx, gid, loaders)
        except AccessDenied:
            return None

    # Gathered, so the loaders batch the lookups.
    return list(await asyncio.gather(*(one(gid) for gid in global_ids)))
