"""Donations inputs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from schema.donations.types import CharityProjectStatus
from schema.scalars import MoneyInput


@strawberry.input(description="The chain's matching of donations.")
class CharityMatchingInput:
    ratio: Decimal = strawberry.field(description='Points added per point donated, 0.01 to 10, e.g. "1" for 1:1.')
    cap_points: int = strawberry.field(description="The most the chain adds over the project, from its matching budget.")


@strawberry.input(description="A new charity project; it starts as a DRAFT.")
class CreateCharityProjectInput:
    name: str = strawberry.field(description="At most 120 characters.")
    goal_points: int = strawberry.field(description="The points members are asked to raise, 1 or more.")
    opens_at: datetime = strawberry.field(description="Donations are taken from then; with an offset.")
    closes_at: datetime = strawberry.field(description="Donations are taken until then; after opensAt.")
    minimum_points: int = strawberry.field(default=1, description="The smallest donation taken, 1 to goalPoints; default 1.")
    stop_at_goal: bool = strawberry.field(
        default=False, description="True: donations stop at the goal (one that would pass it is cut to what is left)."
    )
    matching: CharityMatchingInput | None = strawberry.field(default=None, description="The chain's matching; null: none.")
    description: str = strawberry.field(default="", description="What the points pay for, up to 4,000 characters.")
    image_url: str | None = strawberry.field(default=None, description="An http(s) address of its picture.")
    beneficiary: str = strawberry.field(default="", description="The organisation that receives the money.")


@strawberry.input(description="The charity project to move to another state.")
class CharityProjectInput:
    project_id: strawberry.ID = strawberry.field(description="The project's global ID.")


@strawberry.input(description="The chain paid a closed project's beneficiary.")
class SettleCharityProjectInput:
    project_id: strawberry.ID = strawberry.field(description="The project's global ID; it must be CLOSED.")
    reference: str = strawberry.field(description="The payment's reference, up to 100 characters; settling again with it answers the same.")
    paid_on: date | None = strawberry.field(default=None, description="The day it was paid; null: today (Asia/Shanghai).")
    amount: MoneyInput | None = strawberry.field(default=None, description="What was paid; null: the yuan due.")


@strawberry.input(description="A donation of points to a charity project.")
class DonatePointsInput:
    project_id: strawberry.ID = strawberry.field(description="The project's global ID.")
    points: int = strawberry.field(description="Points to donate, at least the project's minimumPoints.")
    idempotency_key: str = strawberry.field(description="Made by the client, at most 255 characters: a retry with it donates once.")
    anonymous: bool = strawberry.field(default=False, description="True: only the donor and chain admins see who donated.")
    member_code: str | None = strawberry.field(
        default=None, description="The member's code, scanned or typed: required from staff and devices, ignored from members."
    )
    store_id: strawberry.ID | None = strawberry.field(default=None, description="The store it is made at; staff and devices: their own.")


@strawberry.input(description="Which charity projects to list.")
class CharityProjectFilter:
    status: CharityProjectStatus | None = strawberry.field(
        default=None, description="Only this state; null: every state the viewer may see."
    )


@strawberry.input(description="The donations settings to change; null leaves a setting as it is.")
class UpdateCharitySettingsInput:
    points_per_yuan: int | None = strawberry.field(default=None, description="Points per yuan for new projects, 1 to 100,000.")
    recent_donors: int | None = strawberry.field(default=None, description="Recent donors a project shows, 0 to 100.")
