"""Ledger inputs."""

from __future__ import annotations

import strawberry

from schema.ledger.types import PointsKind


@strawberry.input(description="Narrows a member's points history.")
class PointsHistoryFilter:
    kind: PointsKind | None = strawberry.field(default=None, description="Only entries of this kind; null: every kind.")
