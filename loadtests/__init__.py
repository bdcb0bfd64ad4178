"""Load tests (Locust) and benchmarks of Orchard."""
