"""One request at a time per caller and idempotency key: a twin waits for the first and answers as it did.

Every idempotent mutation runs its work through `one_at_a_time`. The first request with a key
takes a lease on it in the cache (shared through Redis in production). A second request with
the same key, arriving while the first runs, waits for the lease to go, at most `wait_seconds`
(the database's lock timeout), and then:

- if the first failed with a payload error for the same input, answers that same error: the
  failure is kept a few seconds for the requests that waited on it, and for nobody else, so a
  later retry still decides afresh (a failed request does not use up its key);
- otherwise runs the work itself, which finds the first's record and replays it;
- if the first is still running at the end of the wait, answers IN_PROGRESS: retry with the key.

Effects are at most once without the lease: each mutation's own record (a unique row claimed
in its transaction) sees to that. The lease makes the answers agree: without it, a twin could
answer OUT_OF_STOCK from the cached sold-out flag while the first took the last unit. With the
in-memory cache the lease is per process, so twins sent to two workers only get the records'
guarantee.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from domain.errors import DomainError
from infra import cache

log = logging.getLogger("orchard.idempotency")
T = TypeVar("T")

POLL_SECONDS = 0.01  # how often a waiter asks the cache about a holder in another process


@dataclass
class _Timing:
    wait_seconds: float = 2.0  # a twin's longest wait: the lock timeout (configure)
    lease_seconds: float = 15.0  # outlives any request that the statement timeout lets finish


_timing = _Timing()
_local_holders: dict[str, asyncio.Event] = {}  # set when this process's holder of a lease lets go


def configure(*, wait_seconds: float, lease_seconds: float) -> None:
    _timing.wait_seconds = wait_seconds
    _timing.lease_seconds = lease_seconds


@dataclass(frozen=True)
class _Failure:
    """A holder's payload error as its waiters rebuild it: its class, arguments and plain attributes
    (an attribute holding a model, such as the redemption an error is about, comes back as None)."""

    error_type: type[DomainError]
    args: tuple
    state: dict[str, Any]
    fingerprint: str

    @classmethod
    def of(cls, error: DomainError, fingerprint: str) -> _Failure:
        plain = (str, int, float, bool, type(None))
        state = {name: value if isinstance(value, plain) else None for name, value in vars(error).items()}
        return cls(type(error), error.args, state, fingerprint)

    def rebuilt(self) -> DomainError:
        error = self.error_type.__new__(self.error_type)
        Exception.__init__(error, *self.args)
        error.__dict__.update(self.state)
        return error


def _lease_key(scope: str, key: str) -> str:
    return "idem:lease:" + hashlib.sha256(f"{scope}\x00{key}".encode()).hexdigest()[:40]


def _failure_key(lease_key: str, token: str) -> str:
    return f"{lease_key}:failed:{token}"


async def one_at_a_time(
    scope: str, key: str, request: Any, work: Callable[[], Awaitable[T]], *, in_progress: Callable[[], DomainError],
) -> T:
    """`work()`, unless a request with this caller scope and key runs now: then as described above.

    `request` is what the key was sent with (anything JSON-like): a waiter replays the first's
    failure only for the same request.
    """
    lease_key = _lease_key(scope, key)
    token = os.urandom(12).hex()
    if await cache.take_lease(lease_key, token, _timing.lease_seconds):
        return await _holding(lease_key, token, request, work)
    holder = await cache.lease_holder(lease_key)
    if holder is not None and not await _let_go(lease_key, holder):
        raise in_progress()
    if holder is not None:
        failure: _Failure | None = await cache.get(_failure_key(lease_key, holder))
        if failure is not None and failure.fingerprint == _fingerprint(request):
            raise failure.rebuilt()
    return await work()


def _fingerprint(request: Any) -> str:
    """Only a failure or a waiter needs it: a request that goes through never computes it."""
    from domain.idempotency.service import fingerprint  # the one request fingerprint (it imports us)

    return fingerprint("in-flight", request)


async def _holding(lease_key: str, token: str, request: Any, work: Callable[[], Awaitable[T]]) -> T:
    released = _local_holders.setdefault(lease_key, asyncio.Event())
    try:
        return await work()
    except DomainError as error:
        await _keep_for_waiters(lease_key, token, _Failure.of(error, _fingerprint(request)))
        raise
    finally:
        try:
            await cache.end_lease(lease_key, token)
        except Exception:
            log.warning("could not end an idempotency lease", exc_info=True)
        if _local_holders.get(lease_key) is released:
            del _local_holders[lease_key]
        released.set()


async def _keep_for_waiters(lease_key: str, token: str, failure: _Failure) -> None:
    try:
        await cache.put(_failure_key(lease_key, token), failure, ttl=_timing.wait_seconds + 1.0)
    except Exception:
        log.warning("could not keep a failed request's answer for its twins", exc_info=True)


async def _let_go(lease_key: str, holder: str) -> bool:
    """Wait until `holder` gives the lease up (or it expires); False when the wait runs out first."""
    deadline = time.monotonic() + _timing.wait_seconds
    while await cache.lease_holder(lease_key) == holder:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        local = _local_holders.get(lease_key)
        if local is not None:  # the holder is in this process: woken the moment it lets go
            try:
                await asyncio.wait_for(local.wait(), timeout=remaining)
            except TimeoutError:
                return False
        else:
            await asyncio.sleep(min(POLL_SECONDS, remaining))
    return True
