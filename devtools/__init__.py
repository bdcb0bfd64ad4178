"""Developer tools outside the contexts: demo data and load-test seeding."""
