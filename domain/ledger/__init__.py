"""The points ledger: append-only double-entry journals, spendable lots, expiry, reversals and checks."""
