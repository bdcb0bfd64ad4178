"""Partner bundles: partner organisations and their keys, co-branded bundles built on the mall's
items and redemption path, cash sales at the till, write-off at the partner's shop, and the
monthly settlement statement (docs/partners.md)."""
