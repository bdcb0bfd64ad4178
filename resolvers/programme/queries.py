"""Programme queries."""

from __future__ import annotations

from typing import Any

from domain.programme import service as programme


async def programme_settings() -> dict[str, Any]:
    return await programme.current()
