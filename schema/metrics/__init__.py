"""Programme metrics: the figures, their series and the cohort table."""
