"""Donations root mutations."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from domain.donations import projects
from resolvers.donations import mutations
from resolvers.members.queries import member_after_write, member_as_written
from schema.donations import inputs
from schema.donations.payloads import (
    CancelCharityProjectPayload,
    CharityProjectPayload,
    DonatePointsPayload,
    UpdateCharitySettingsPayload,
)
from schema.donations.types import CharityProject, CharitySettings, Donation
from schema.errors import payload_of
from schema.members.types import Member
from schema.permissions import IsChainAdmin
from schema.scalars import money_pair


def _project(shown: Any) -> dict[str, Any]:
    return {"project": CharityProject.from_model(shown)}


_Project = Annotated[inputs.CharityProjectInput, strawberry.argument(description="The project.")]


@strawberry.type
class DonationMutation:
    @strawberry.mutation(permission_classes=[IsChainAdmin], description="Prepare a charity project, as a DRAFT (chain admin).")
    async def create_charity_project(
        self, info: Info,
        input: Annotated[inputs.CreateCharityProjectInput, strawberry.argument(description="The project, its goal, window and matching.")],
    ) -> CharityProjectPayload:
        matching = input.matching
        work = mutations.create_charity_project(
            info.context, name=input.name, goal_points=input.goal_points, opens_at=input.opens_at, closes_at=input.closes_at,
            minimum_points=input.minimum_points, stop_at_goal=input.stop_at_goal, description=input.description,
            image_url=input.image_url, beneficiary=input.beneficiary,
            match_ratio=matching.ratio if matching else None, match_cap_points=matching.cap_points if matching else None,
        )
        return await payload_of(CharityProjectPayload, work, _project)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="DRAFT -> OPEN: take donations in its window (chain admin).")
    async def open_charity_project(self, info: Info, input: _Project) -> CharityProjectPayload:
        return await payload_of(CharityProjectPayload, mutations.open_charity_project(info.context, input.project_id), _project)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="OPEN -> CLOSED: no more donations, totals frozen (chain admin).")
    async def close_charity_project(self, info: Info, input: _Project) -> CharityProjectPayload:
        return await payload_of(CharityProjectPayload, mutations.close_charity_project(info.context, input.project_id), _project)

    @strawberry.mutation(
        permission_classes=[IsChainAdmin],
        description="Cancel a project: every donation goes back to its donor, exactly once; a retry finishes the refunds (chain admin).",
    )
    async def cancel_charity_project(self, info: Info, input: _Project) -> CancelCharityProjectPayload:
        return await payload_of(
            CancelCharityProjectPayload, mutations.cancel_charity_project(info.context, input.project_id),
            lambda done: {"project": CharityProject.from_model(done[0]), "refunded_donations": done[1]},
        )

    @strawberry.mutation(
        permission_classes=[IsChainAdmin], description="CLOSED -> SETTLED: record the payment to the beneficiary (chain admin)."
    )
    async def settle_charity_project(
        self, info: Info,
        input: Annotated[inputs.SettleCharityProjectInput, strawberry.argument(description="The project and the payment.")],
    ) -> CharityProjectPayload:
        work = mutations.settle_charity_project(
            info.context, input.project_id, input.reference, input.paid_on, money_pair(input.amount)
        )
        return await payload_of(CharityProjectPayload, work, _project)

    @strawberry.mutation(description="Donate points to an open charity project: one transaction, a certificate code. Idempotent.")
    async def donate_points(
        self, info: Info,
        input: Annotated[
            inputs.DonatePointsInput,
            strawberry.argument(
                description="The project, the points, anonymity, the member for kiosks and clerks, and an idempotency key."
            ),
        ],
    ) -> DonatePointsPayload:
        ctx = info.context

        async def donated(outcome: Any) -> dict[str, Any]:
            if outcome.member_after is not None:
                member = member_as_written(ctx, outcome.member_after)
            else:
                member = await member_after_write(ctx, outcome.donation.member_id)
            shown = await projects.view(outcome.donation.project_id)
            return {
                "donation": Donation.from_model(outcome.donation), "project": CharityProject.from_model(shown),
                "member": Member.from_model(member), "replayed": outcome.replayed,
            }

        work = mutations.donate_points(
            ctx, project_id=input.project_id, points=input.points, anonymous=input.anonymous,
            idempotency_key=input.idempotency_key, member_code=input.member_code, store_id=input.store_id,
        )
        return await payload_of(DonatePointsPayload, work, donated)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="Change the donations' numbers (chain admin).")
    async def update_charity_settings(
        self, info: Info,
        input: Annotated[inputs.UpdateCharitySettingsInput, strawberry.argument(description="The settings to change.")],
    ) -> UpdateCharitySettingsPayload:
        changes = {name: value for name, value in vars(input).items() if value is not None}
        return await payload_of(
            UpdateCharitySettingsPayload, mutations.update_charity_settings(changes),
            lambda values: {"settings": CharitySettings.from_values(values)},
        )
