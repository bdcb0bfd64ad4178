"""The base of every expected business outcome that a mutation reports in its payload."""

from __future__ import annotations


class DomainError(Exception):
    """An expected business outcome: a code of the domain's enum, a field path, a readable message."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class AccessDenied(Exception):
    """The caller may not do this at all; answered as a top-level FORBIDDEN/UNAUTHENTICATED error."""

    def __init__(self, message: str = "You may not do this.", *, unauthenticated: bool = False) -> None:
        super().__init__(message)
        self.unauthenticated = unauthenticated
