"""Members: one customer, one code, whatever the channel they registered through."""
