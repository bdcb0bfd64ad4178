"""Webhooks: signed events pushed to the chain's and partners' own systems, after commit.

A change writes its event into the outbox (`outbox.emit`) in its own transaction; `orchard
worker` fans each event out to the endpoints subscribed to it and delivers it, signed per
Standard Webhooks, retried with backoff for up to three days (`delivery.py`).
"""
