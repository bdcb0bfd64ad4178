"""Earning root queries."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers.earning import queries
from schema.earning.types import Campaign, RuleChange
from schema.permissions import IsStaff
from schema.relay import After, Connection, First, connection_of


@strawberry.type
class EarningQuery:
    @strawberry.field(description="Rule changes announced and not yet in force, soonest first.")
    async def upcoming_rule_changes(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[RuleChange]:
        return connection_of(await queries.upcoming_rule_changes(info.context, first, after), RuleChange.from_model)

    @strawberry.field(permission_classes=[IsStaff], description="Earning campaigns, past, running and planned (staff).")
    async def campaigns(self, info: Info, first: First = None, after: After = None) -> Connection[Campaign]:
        return connection_of(await queries.campaigns(first, after), Campaign.from_model)
