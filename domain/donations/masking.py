"""How a donor is shown to people who are not the donor or a chain admin."""

from __future__ import annotations

from domain.text import masked_name

ANONYMOUS = "Anonymous"


def shown_name(name: str | None, anonymous: bool) -> str:
    return ANONYMOUS if anonymous else masked_name(name)
