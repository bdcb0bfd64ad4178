"""The audit trail: who changed what, through which operation, with what result; hash-chained."""
