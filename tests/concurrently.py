"""Running requests at the same moment in a test, and waiting for every one of them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any


async def all_at_once(*awaitables: Awaitable[Any]) -> list[Any]:
    """The results of awaitables run together, once every one has finished; then the first failure raised.

    asyncio.gather raises at the first failure and leaves the others running. They ran on into
    the next test, which then failed on rows its fixture had already emptied.
    """
    results = await asyncio.gather(*awaitables, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results
