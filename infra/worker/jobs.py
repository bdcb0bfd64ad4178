"""What a periodic job is: a kind, its work, and when it is due again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from infra.clock import Clock
from infra.settings import Settings

Counts = dict[str, int]


@dataclass(frozen=True)
class JobContext:
    settings: Settings
    clock: Clock
    # `progress(done_so_far)`: a long sweep calls it after each batch; the runner logs it now and then.
    progress: Callable[[int], None]


def _now(at: datetime) -> datetime:
    return at


@dataclass(frozen=True)
class Job:
    kind: str  # the lock's and the schedule row's name: never rename a job that has run
    run: Callable[[JobContext], Awaitable[Counts]]
    # The next due time after a run that started at the given time.
    next_due: Callable[[datetime], datetime]
    # The due time of a job the database has never seen (the first worker start): now, unless
    # running at once would do harm (a tier review out of its schedule).
    first_due: Callable[[datetime], datetime] = field(default=_now)
    # False for a job whose work shares its rows out itself (FOR UPDATE SKIP LOCKED): every
    # worker runs it when due, none holds the job kind's lock (webhook delivery).
    exclusive: bool = True


def every(interval: timedelta) -> Callable[[datetime], datetime]:
    return lambda started: started + interval
