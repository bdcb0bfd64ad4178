"""Run a mutation's effect at most once per (caller, client key), replaying the first result."""

from domain.idempotency.service import IdempotencyError, Outcome, keep_keys_for, run_once

__all__ = ["IdempotencyError", "Outcome", "keep_keys_for", "run_once"]
