"""Store queries."""

from __future__ import annotations

from domain.pagination import Page, keyset_page
from domain.stores import services as stores
from domain.stores.models import Store
from resolvers.context import RequestContext
from resolvers.paging import page_request


async def stores_page(ctx: RequestContext, first: int | None, after: str | None) -> Page[Store]:
    return await keyset_page(stores.visible_stores(ctx.viewer), page_request(first, after))
