"""Ledger inputs."""

from __future__ import annotations

import strawberry

from schema.ledger.types import PointsKind


@strawberry.input
class PointsHistoryFilter:
    kind: PointsKind | None = None
