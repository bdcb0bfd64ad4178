"""Platform code every context uses: database, cache, clock, settings, observability, rate limits."""
