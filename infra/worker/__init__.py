"""`orchard worker`: periodic jobs, each due by its own schedule, one runner per job kind at a time.

The jobs themselves live in their domain contexts; `domain.jobs.JOBS` lists them.
"""

from infra.worker.jobs import Job, JobContext, every
from infra.worker.runner import RunOutcome, run_due, run_forever, run_if_due

__all__ = ["Job", "JobContext", "RunOutcome", "every", "run_due", "run_forever", "run_if_due"]
