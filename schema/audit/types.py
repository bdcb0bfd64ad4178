"""The audit trail's types."""

from __future__ import annotations

import json
from datetime import datetime

import strawberry

from resolvers.global_ids import to_global_id
from schema.stores.types import CallerKind

_ACTOR_TYPES = {"STAFF": "StaffUser", "MEMBER": "Member", "DEVICE": "ApiKey", "PARTNER": "ApiKey"}


@strawberry.type(description="Who made an audited call.")
class AuditActor:
    kind: CallerKind = strawberry.field(description="Staff, a device or partner key, a member, or anonymous.")
    id: strawberry.ID | None = strawberry.field(description="The global ID of the staff user, member or API key; null when anonymous.")
    role: str | None = strawberry.field(description="A staff member's role at the time.")
    store_id: strawberry.ID | None = strawberry.field(description="The store the caller was bound to; null for chain admins.")


@strawberry.type(description="One audited operation, in a hash chain: `orchard audit verify` finds an edit or a gap.")
class AuditRecord:
    operation: str = strawberry.field(description="The mutation's name, e.g. adjustPoints or staffLogin.")
    actor: AuditActor = strawberry.field(description="Who called.")
    result: str = strawberry.field(description='"ok", or the error code the operation answered.')
    at: datetime = strawberry.field(description="When it was recorded.")
    targets: list[strawberry.ID] = strawberry.field(description="The global IDs the operation named or changed.")
    input_digest: str = strawberry.field(description="SHA-256 of the input with secrets and personal data blanked.")
    reason: str | None = strawberry.field(description="The reason given, for a points adjustment.")
    points: int | None = strawberry.field(description="A points adjustment's size.")
    request_id: str | None = strawberry.field(description="The request's X-Request-Id.")
    client_address: str | None = strawberry.field(description="The caller's network address.")
    hash: str = strawberry.field(description="SHA-256 of this record, over the previous record's hash.")

    @classmethod
    def from_model(cls, row) -> AuditRecord:
        type_name = _ACTOR_TYPES.get(row.actor_kind)
        actor = AuditActor(
            kind=CallerKind(row.actor_kind),
            id=strawberry.ID(to_global_id(type_name, row.actor_id)) if type_name and row.actor_id else None,
            role=row.actor_role,
            store_id=strawberry.ID(to_global_id("Store", row.store_id)) if row.store_id else None,
        )
        return cls(
            operation=row.operation, actor=actor, result=row.result, at=row.at,
            targets=[strawberry.ID(t) for t in json.loads(row.targets)], input_digest=row.input_digest,
            reason=row.reason, points=row.points, request_id=row.request_id, client_address=row.client_address,
            hash=row.hash,
        )


@strawberry.input(description="Which audit records to list; every field optional.")
class AuditLogFilter:
    actor_id: strawberry.ID | None = strawberry.field(default=None, description="The caller's global ID.")
    store_id: strawberry.ID | None = strawberry.field(default=None, description="The store's global ID.")
    operation: str | None = strawberry.field(default=None, description="A mutation's name.")
    from_: datetime | None = strawberry.field(default=None, name="from", description="Recorded at or after.")
    to: datetime | None = strawberry.field(default=None, description="Recorded before.")
