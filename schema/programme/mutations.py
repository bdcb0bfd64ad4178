"""Programme root mutations."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers.programme import mutations
from schema.errors import payload_of
from schema.permissions import IsChainAdmin
from schema.programme.inputs import UpdateProgrammeSettingsInput
from schema.programme.payloads import UpdateProgrammeSettingsPayload
from schema.programme.types import ProgrammeSettings


@strawberry.type
class ProgrammeMutation:
    @strawberry.mutation(permission_classes=[IsChainAdmin], description="Change programme numbers within their limits (chain admin).")
    async def update_programme_settings(
        self, input: Annotated[UpdateProgrammeSettingsInput, strawberry.argument(description="The settings to change.")]
    ) -> UpdateProgrammeSettingsPayload:
        changes = {name: value for name, value in vars(input).items() if value is not None}
        return await payload_of(
            UpdateProgrammeSettingsPayload, mutations.update_programme_settings(changes),
            lambda values: {"settings": ProgrammeSettings.from_values(values)},
        )
