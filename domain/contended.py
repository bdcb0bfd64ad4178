"""Contention errors of a write turned into the caller's domain error ("try again")."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from domain.errors import DomainError
from infra.contention import is_contention


@asynccontextmanager
async def translated(try_again: Callable[[], DomainError]) -> AsyncIterator[None]:
    """Raise `try_again()` in place of a contention error; anything else passes unchanged."""
    try:
        yield
    except DomainError:
        raise
    except Exception as exc:
        if is_contention(exc):
            raise try_again() from exc
        raise
