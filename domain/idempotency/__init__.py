"""Run a mutation's effect at most once per (caller, client key), replaying the first result."""

from domain.idempotency.service import IdempotencyError, Outcome, run_once

__all__ = ["IdempotencyError", "Outcome", "run_once"]
