"""Programme settings: the operator-changeable numbers of the loyalty programme."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.type
class ProgrammeSettings:
    tier_window_months: int
    login_code_ttl_minutes: int
    login_code_max_attempts: int
    login_codes_per_phone_per_hour: int
    login_code_min_interval_seconds: int
    login_codes_per_client_per_hour: int


@strawberry.input
class UpdateProgrammeSettingsInput:
    tier_window_months: int | None = None
    login_code_ttl_minutes: int | None = None
    login_code_max_attempts: int | None = None
    login_codes_per_phone_per_hour: int | None = None
    login_code_min_interval_seconds: int | None = None
    login_codes_per_client_per_hour: int | None = None


@strawberry.enum
class ProgrammeErrorCode(Enum):
    OUT_OF_RANGE = "OUT_OF_RANGE"


@strawberry.type
class ProgrammeError:
    code: ProgrammeErrorCode
    field: str | None
    message: str


@strawberry.type
class UpdateProgrammeSettingsPayload:
    settings: ProgrammeSettings | None
    errors: list[ProgrammeError]
