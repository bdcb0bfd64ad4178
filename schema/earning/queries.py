"""Earning root queries."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers.earning import queries
from schema.earning.types import Campaign, RuleChange
from schema.permissions import IsStaff


@strawberry.type
class EarningQuery:
    @strawberry.field(description="Rule changes announced and not yet in force, soonest first.")
    async def upcoming_rule_changes(self, info: Info) -> list[RuleChange]:
        return [RuleChange.from_model(c) for c in await queries.upcoming_rule_changes(info.context)]

    @strawberry.field(permission_classes=[IsStaff], description="Earning campaigns, past, running and planned (staff).")
    async def campaigns(self, info: Info) -> list[Campaign]:
        return [Campaign.from_model(c) for c in await queries.campaigns()]
