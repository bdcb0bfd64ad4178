"""Earning: purchase points by category rate, tier multiplier and campaigns; behaviour points under daily caps."""
