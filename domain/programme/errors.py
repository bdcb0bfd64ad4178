"""The programme context's error codes: programme settings.

The GraphQL error codes are generated from these enums (schema/errors.py): add a code here."""

from __future__ import annotations

from enum import StrEnum


class ProgrammeErrorCode(StrEnum):
    OUT_OF_RANGE = "OUT_OF_RANGE"
