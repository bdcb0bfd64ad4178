"""The mall's answer to database contention: TRY_AGAIN as a MallError (see domain.contended)."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

from domain import contended as contention
from domain.mall.errors import MallError, MallErrorCode


def translated() -> AbstractAsyncContextManager[None]:
    return contention.translated(
        lambda: MallError(MallErrorCode.TRY_AGAIN, "The mall is very busy right now: try again in a moment.")
    )
