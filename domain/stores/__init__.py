"""Stores, staff, partners and the credentials callers present (passwords, tokens, API keys)."""
