"""Tiers: levels decided by points AND purchases in a rolling window; upgrades at once, downgrades at review."""

# Its reactions to other contexts' events are wired whenever the context is loaded.
from domain.tiers import reactions

__all__ = ["reactions"]
