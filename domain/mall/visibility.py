"""What of the mall a viewer may see, by id: items with the viewer's price, price rules."""

from __future__ import annotations

from domain.access import Viewer
from domain.mall import catalogue, price_rules, shoppers
from domain.mall.catalogue import PricedItem
from domain.mall.models import MallPriceRule
from infra.clock import Clock


async def priced_items(viewer: Viewer, clock: Clock, ids: list[int], *, retired_too: bool) -> dict[int, PricedItem]:
    """Items by id with the viewer's price; retired ones only when asked (a redemption shows its item)."""
    shopper = await shoppers.for_viewer(viewer, None, clock)
    return {
        item.id: PricedItem(item, shopper)
        for item in await catalogue.all_items()
        if item.id in ids and (retired_too or catalogue.may_see(viewer, item))
    }


async def price_rules_by_ids(viewer: Viewer, ids: list[int]) -> dict[int, MallPriceRule]:
    """Price rules are for staff."""
    if not viewer.is_staff:
        return {}
    return {rule.id: rule for rule in await price_rules.all_rules() if rule.id in ids}
