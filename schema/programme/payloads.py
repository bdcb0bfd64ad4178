"""Programme payloads and their error."""

from __future__ import annotations

import strawberry

from domain.programme.errors import ProgrammeErrorCode
from schema.errors import UserError, codes_listed
from schema.programme.types import ProgrammeSettings


@strawberry.type(description=codes_listed(ProgrammeErrorCode, "Why a change of programme settings was refused."))
class ProgrammeError(UserError):
    CODES = ProgrammeErrorCode


@strawberry.type(description="The result of `updateProgrammeSettings`.")
class UpdateProgrammeSettingsPayload:
    settings: ProgrammeSettings | None = strawberry.field(
        default=None, description="Every setting after the change; null on errors."
    )
    errors: list[ProgrammeError] = strawberry.field(default_factory=list, description="Why not; empty on success.")
