"""Tiers: levels decided by points AND purchases in a rolling window; upgrades at once, downgrades at review."""
