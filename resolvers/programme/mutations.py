"""Programme mutations."""

from __future__ import annotations

from typing import Any

from domain.programme import service as programme


async def update_programme_settings(changes: dict[str, int]) -> dict[str, Any]:
    """The settings after the change; only keys of the programme's settings are taken."""
    return await programme.update({key: value for key, value in changes.items() if key in programme.DEFAULTS})
