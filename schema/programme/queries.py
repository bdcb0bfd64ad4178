"""Programme root queries."""

from __future__ import annotations

import strawberry

from resolvers.programme import queries
from schema.permissions import IsStaff
from schema.programme.types import ProgrammeSettings


@strawberry.type
class ProgrammeQuery:
    @strawberry.field(permission_classes=[IsStaff], description="The programme's operator-changeable numbers.")
    async def programme_settings(self) -> ProgrammeSettings:
        return ProgrammeSettings.from_values(await queries.programme_settings())
