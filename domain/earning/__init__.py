"""Earning: purchase points by category rate, tier multiplier and campaigns; behaviour points under daily caps."""

# Its reactions to other contexts' events are wired whenever the context is loaded.
from domain.earning import reactions

__all__ = ["reactions"]
