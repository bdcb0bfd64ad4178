"""Who is calling, and what they may see or do. Every resolver and DataLoader asks here."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from domain.errors import AccessDenied


class CallerKind(StrEnum):
    ANONYMOUS = "ANONYMOUS"
    MEMBER = "MEMBER"
    STAFF = "STAFF"
    DEVICE = "DEVICE"
    PARTNER = "PARTNER"


class StaffRole(StrEnum):
    CLERK = "CLERK"
    STORE_MANAGER = "STORE_MANAGER"
    CHAIN_ADMIN = "CHAIN_ADMIN"


@dataclass(frozen=True)
class Viewer:
    kind: CallerKind = CallerKind.ANONYMOUS
    # The id of the staff user, member, API key (device or partner) that is calling.
    subject_id: int | None = None
    role: StaffRole | None = None
    store_id: int | None = None
    partner_id: int | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_anonymous(self) -> bool:
        return self.kind is CallerKind.ANONYMOUS

    @property
    def is_chain_admin(self) -> bool:
        return self.kind is CallerKind.STAFF and self.role is StaffRole.CHAIN_ADMIN

    @property
    def is_staff(self) -> bool:
        return self.kind is CallerKind.STAFF

    @property
    def is_store_bound(self) -> bool:
        """Store staff and store devices: they act for exactly one store."""
        return self.kind in (CallerKind.STAFF, CallerKind.DEVICE) and not self.is_chain_admin

    @property
    def member_id(self) -> int | None:
        return self.subject_id if self.kind is CallerKind.MEMBER else None

    @property
    def idempotency_scope(self) -> str:
        """Idempotency keys are scoped to the caller that made them."""
        return f"{self.kind.value.lower()}:{self.subject_id or 0}"

    def can_see_store(self, store_id: int) -> bool:
        if self.is_chain_admin:
            return True
        if self.is_store_bound:
            return self.store_id == store_id
        return False

    def has_scope(self, scope: str) -> bool:
        """Keys carry scopes; people act by their role instead."""
        return self.kind not in (CallerKind.DEVICE, CallerKind.PARTNER) or scope in self.scopes


ANONYMOUS = Viewer()


def require_authenticated(viewer: Viewer) -> None:
    if viewer.is_anonymous:
        raise AccessDenied("Sign in first.", unauthenticated=True)


def require_chain_admin(viewer: Viewer) -> None:
    require_authenticated(viewer)
    if not viewer.is_chain_admin:
        raise AccessDenied("Only a chain admin may do this.")


def require_store_access(viewer: Viewer, store_id: int) -> None:
    require_authenticated(viewer)
    if not viewer.can_see_store(store_id):
        raise AccessDenied("You may not act for that store.")
