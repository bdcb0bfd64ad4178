"""Earning root queries."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers.earning import queries
from schema.earning.types import Campaign, EarnRate, RuleChange
from schema.permissions import IsStaff
from schema.relay import After, Connection, First, connection_of


@strawberry.type
class EarningQuery:
    @strawberry.field(description="Rule changes announced and not yet in force, soonest first.")
    async def upcoming_rule_changes(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[RuleChange]:
        return connection_of(await queries.upcoming_rule_changes(info.context, first, after), RuleChange.from_model)

    @strawberry.field(description=(
        "The earn rates in force at a moment, one per category, by category code; open to every caller."
        " The `*` rate applies to every category not listed (1 point per yuan when there is none). A line's"
        " base points are then multiplied by the member's Tier.earnMultiplier, and campaigns add their extras."
    ))
    async def earn_rates(
        self, info: Info,
        at: Annotated[datetime | None, strawberry.argument(description="The moment, ISO 8601 with offset; default now.")] = None,
    ) -> list[EarnRate]:
        return [EarnRate.from_model(rate) for rate in await queries.earn_rates(info.context, at)]

    @strawberry.field(permission_classes=[IsStaff], description="Earning campaigns, past, running and planned (staff).")
    async def campaigns(self, info: Info, first: First = None, after: After = None) -> Connection[Campaign]:
        return connection_of(await queries.campaigns(first, after), Campaign.from_model)
