"""How a donor is shown to people who are not the donor or a chain admin."""

from __future__ import annotations

ANONYMOUS = "Anonymous"


def masked_name(name: str | None) -> str:
    """The first character and stars: "Wang Fang" -> "W***", "王芳" -> "王*"."""
    name = (name or "").strip()
    if not name:
        return "Member"
    return name[0] + "*" * (3 if name.isascii() else max(1, min(len(name) - 1, 2)))


def shown_name(name: str | None, anonymous: bool) -> str:
    return ANONYMOUS if anonymous else masked_name(name)
