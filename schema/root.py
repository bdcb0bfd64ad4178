"""The root Query and Mutation, assembled from the resolvers; `build_schema` makes the schema."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from domain.settings import Settings
from resolvers import nodes
from resolvers import stores as store_resolvers
from schema import stores as gql_stores
from schema.permissions import IsChainAdmin, IsStaff
from schema.relay import Connection, Node
from schema.security import build_extensions


@strawberry.type
class Query:
    @strawberry.field(description="Refetch any object by its global ID.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await nodes.resolve_node(info.context, id)

    @strawberry.field(description="Refetch several objects; those you may not see are null.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        return await nodes.resolve_nodes(info.context, ids)

    @strawberry.field(description="Who is calling.")
    def viewer(self, info: Info) -> gql_stores.Viewer:
        return store_resolvers.viewer(info.context)

    @strawberry.field(permission_classes=[IsStaff], description="Stores the caller may see.")
    async def stores(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[gql_stores.Store]:
        return await store_resolvers.stores_connection(info.context, first, after)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Sign a staff member in: a short-lived token and a refresh token.")
    async def staff_login(self, info: Info, input: gql_stores.StaffLoginInput) -> gql_stores.StaffLoginPayload:
        return await store_resolvers.staff_login(info.context, input)

    @strawberry.mutation(description="Trade a refresh token (once) for a new token pair.")
    async def refresh_staff_session(
        self, info: Info, input: gql_stores.RefreshStaffSessionInput
    ) -> gql_stores.StaffLoginPayload:
        return await store_resolvers.refresh_staff_session(info.context, input)

    @strawberry.mutation(permission_classes=[IsChainAdmin])
    async def create_store(self, info: Info, input: gql_stores.CreateStoreInput) -> gql_stores.CreateStorePayload:
        return await store_resolvers.create_store(info.context, input)

    @strawberry.mutation(permission_classes=[IsStaff], description="Chain admins create anyone; managers create clerks.")
    async def create_staff(self, info: Info, input: gql_stores.CreateStaffInput) -> gql_stores.CreateStaffPayload:
        return await store_resolvers.create_staff(info.context, input)

    @strawberry.mutation(permission_classes=[IsStaff], description="A kiosk or POS key; the secret is shown once.")
    async def create_device_key(
        self, info: Info, input: gql_stores.CreateDeviceKeyInput
    ) -> gql_stores.CreateDeviceKeyPayload:
        return await store_resolvers.create_device_key(info.context, input)

    @strawberry.mutation(permission_classes=[IsStaff])
    async def revoke_api_key(self, info: Info, input: gql_stores.RevokeApiKeyInput) -> gql_stores.RevokeApiKeyPayload:
        return await store_resolvers.revoke_api_key(info.context, input)


NODE_TYPES = [gql_stores.Store, gql_stores.StaffUser, gql_stores.ApiKey]


class OrchardSchema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None) -> None:
        """The HTTP layer classifies and logs errors once (unexpected ones with their trace)."""


def build_schema(settings: Settings) -> strawberry.Schema:
    return OrchardSchema(
        query=Query,
        mutation=Mutation,
        types=NODE_TYPES,
        extensions=build_extensions(settings),
    )
