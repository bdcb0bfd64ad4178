"""Coarse gates on fields; the domain services make the fine decisions (which store, which member)."""

from __future__ import annotations

from typing import Any, ClassVar

from strawberry.permission import BasePermission
from strawberry.types import Info


class IsAuthenticated(BasePermission):
    message = "Sign in first."
    error_extensions: ClassVar[dict[str, Any]] = {"code": "UNAUTHENTICATED"}

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return not info.context.viewer.is_anonymous


class IsStaff(BasePermission):
    message = "Only staff may do this."
    error_extensions: ClassVar[dict[str, Any]] = {"code": "FORBIDDEN"}

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        viewer = info.context.viewer
        if viewer.is_anonymous:
            # One instance serves every request (strawberry makes it with the schema), so the
            # anonymous case raises its own error rather than changing this one's extensions.
            raise self.error_class(IsAuthenticated.message, extensions=IsAuthenticated.error_extensions)
        return viewer.is_staff


class IsChainAdmin(BasePermission):
    message = "Only a chain admin may do this."
    error_extensions: ClassVar[dict[str, Any]] = {"code": "FORBIDDEN"}

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.viewer.is_chain_admin
