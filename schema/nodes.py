"""The Node registry: each Node type's loader and converter, and the `node`/`nodes` root fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.types import Info

from resolvers import nodes
from schema.relay import Node
from schema.stores.types import ApiKey, StaffUser, Store

# Type name -> (the name of the per-request loader that finds it, the converter to its GraphQL type).
NODE_TYPES: dict[str, tuple[type[Any], str, Callable[[Any], Any]]] = {}


def register(node_type: type[Any], loader_name: str, convert: Callable[[Any], Any]) -> None:
    NODE_TYPES[node_type.__name__] = (node_type, loader_name, convert)


register(Store, "store", Store.from_model)
register(StaffUser, "staff", StaffUser.from_model)
register(ApiKey, "api_key", ApiKey.from_model)


def _as_is(value: Any) -> Any:  # transitional: loaders of contexts not converted yet
    return value


from schema.members.types import Member  # noqa: E402
from schema.tiers.types import Tier  # noqa: E402
from schema.earning.types import Purchase  # noqa: E402
from schema.mall import MallItem, Redemption, MallPriceRule  # noqa: E402

register(Member, "member", Member.from_model)
register(Tier, "tier", Tier.from_model)
register(Purchase, "purchase", Purchase.from_model)
register(MallItem, "mall_item", _as_is)
register(Redemption, "redemption", _as_is)
register(MallPriceRule, "mall_price_rule", _as_is)


def _loader_names() -> dict[str, str]:
    return {name: loader_name for name, (_, loader_name, _) in NODE_TYPES.items()}


def _converted(found: tuple[str, Any] | None) -> Any:
    if found is None:
        return None
    type_name, value = found
    return NODE_TYPES[type_name][2](value)


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Refetch any object by its global ID.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return _converted(await nodes.load_node(info.context, id, _loader_names()))

    @strawberry.field(description="Refetch several objects; those you may not see are null.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        return [_converted(found) for found in await nodes.load_nodes(info.context, ids, _loader_names())]
