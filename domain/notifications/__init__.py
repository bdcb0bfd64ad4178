"""The notifications outbox: what was sent to whom, through which channel."""
