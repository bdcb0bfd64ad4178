"""Programme metrics: daily rollups kept from the ledger and the facts, and the figures built on them."""
