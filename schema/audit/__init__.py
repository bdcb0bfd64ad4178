"""The audit trail on the API: every mutation wrapped, and the `auditLog` chain admins read."""
