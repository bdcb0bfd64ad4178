"""Points donations to charity projects: projects, donating, progress, refunds, settlement."""
