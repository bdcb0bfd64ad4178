"""The Node registry: each Node type's loader and converter, and the `node`/`nodes` root fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from resolvers import nodes
from schema.coupons.types import Coupon, CouponTemplate
from schema.donations.types import CharityProject, Donation
from schema.earning.types import Campaign, Purchase, PurchaseLine
from schema.ledger.types import PointsEntry
from schema.lotteries.types import Lottery, LotteryDraw
from schema.mall.types import MallItem, MallPriceRule, Redemption
from schema.members.types import Member
from schema.relay import Node
from schema.stores.types import ApiKey, StaffUser, Store
from schema.tiers.types import Tier
from schema.webhooks.types import WebhookDelivery, WebhookEndpoint

# Type name -> (the type, the name of the per-request loader that finds it, its converter).
NODE_TYPES: dict[str, tuple[type[Any], str, Callable[[Any], Any]]] = {
    node_type.__name__: (node_type, loader_name, node_type.from_model)
    for node_type, loader_name in (
        (Store, "store"), (StaffUser, "staff"), (ApiKey, "api_key"), (Member, "member"), (Tier, "tier"),
        (Purchase, "purchase"), (PurchaseLine, "purchase_line"), (Campaign, "campaign"), (PointsEntry, "points_entry"),
        (MallItem, "mall_item"), (Redemption, "redemption"), (MallPriceRule, "mall_price_rule"),
        (Coupon, "coupon"), (CouponTemplate, "coupon_template"),
        (Lottery, "lottery"), (LotteryDraw, "lottery_draw"),
        (WebhookEndpoint, "webhook_endpoint"), (WebhookDelivery, "webhook_delivery"),
        (CharityProject, "charity_project"), (Donation, "donation"),
    )
}
LOADER_NAMES = {name: loader_name for name, (_, loader_name, _) in NODE_TYPES.items()}


def _converted(found: tuple[str, Any] | None) -> Any:
    if found is None:
        return None
    type_name, value = found
    return NODE_TYPES[type_name][2](value)


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Refetch any object by its global ID.")
    async def node(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="A global ID from any `id` field.")]
    ) -> Node | None:
        return _converted(await nodes.load_node(info.context, id, LOADER_NAMES))

    @strawberry.field(description="Refetch several objects; those you may not see are null.")
    async def nodes(
        self, info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="At most 100 global IDs; the answer keeps their order.")],
    ) -> list[Node | None]:
        return [_converted(found) for found in await nodes.load_nodes(info.context, ids, LOADER_NAMES)]
