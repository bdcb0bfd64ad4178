"""Donations root queries."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers.donations import queries
from schema.donations.inputs import CharityProjectFilter
from schema.donations.types import CharityProject, CharitySettings, CharitySettlement, DonationCertificate
from schema.permissions import IsChainAdmin
from schema.relay import After, Connection, First, connection_of, maybe


@strawberry.type
class DonationQuery:
    @strawberry.field(description="Charity projects with their progress, newest first; drafts for chain admins only.")
    async def charity_projects(
        self, info: Info,
        first: First = None,
        after: After = None,
        filter: Annotated[
            CharityProjectFilter | None, strawberry.argument(description="Which projects; null: all the viewer may see.")
        ] = None,
    ) -> Connection[CharityProject]:
        status = filter.status.value if filter is not None and filter.status is not None else None
        return connection_of(await queries.charity_projects(info.context, status, first, after), CharityProject.from_model)

    @strawberry.field(description="One charity project; null when it does not exist or the viewer may not see it.")
    async def charity_project(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The project's global ID.")]
    ) -> CharityProject | None:
        return maybe(CharityProject.from_model, await queries.charity_project(info.context, id))

    @strawberry.field(description="A donation certificate by its code, public fields only; anyone may ask.")
    async def donation_certificate(
        self, code: Annotated[str, strawberry.argument(description="The certificate code the donor shared.")]
    ) -> DonationCertificate | None:
        return maybe(DonationCertificate.from_model, await queries.certificate(code))

    @strawberry.field(
        permission_classes=[IsChainAdmin],
        description="The settlement statement of a project: totals, yuan due, per-day totals, the CSV and its SHA-256 (chain admin).",
    )
    async def charity_settlement(
        self, info: Info, project_id: Annotated[strawberry.ID, strawberry.argument(description="The project's global ID.")]
    ) -> CharitySettlement | None:
        return maybe(CharitySettlement.from_model, await queries.charity_settlement(info.context, project_id))

    @strawberry.field(permission_classes=[IsChainAdmin], description="The donations' operator-changeable numbers (chain admin).")
    async def charity_settings(self) -> CharitySettings:
        return CharitySettings.from_values(await queries.charity_settings_values())
