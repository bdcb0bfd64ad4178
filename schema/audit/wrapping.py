"""Every mutation audited, without a line in its resolver: `audit_mutations` wraps each root
Mutation field of the built schema. The wrapper opens an audit entry (domain/audit/trail.py)
for the operation; the operation's own transaction writes the record as it commits, and a
failure that commits nothing gets its record afterwards with the error code.

Audited: every mutation called by staff, a device or a partner, and every sign-in (success or
failure) whoever calls. A new mutation is audited as soon as it is on the Mutation type.
"""

from __future__ import annotations

from inspect import isawaitable
from typing import Any

from graphql import GraphQLError, GraphQLSchema

from domain.access import CallerKind
from domain.audit import trail
from domain.errors import AccessDenied, DomainError

SIGN_INS = frozenset({"staffLogin", "refreshStaffSession", "requestLoginCode", "loginWithCode", "refreshMemberSession"})
AUDITED_CALLERS = frozenset({CallerKind.STAFF, CallerKind.DEVICE, CallerKind.PARTNER})


def audited(operation: str, viewer) -> bool:
    return operation in SIGN_INS or viewer.kind in AUDITED_CALLERS


def _payload_outcome(payload: Any) -> tuple[str, list[str]]:
    errors = getattr(payload, "errors", None) or []
    targets: list[str] = []
    for name in getattr(payload, "__dict__", {}):
        value = getattr(payload, name, None)
        node_id = getattr(value, "id", None)
        if node_id is not None and not isinstance(value, (str, int)):
            targets.append(str(node_id))
    if errors:
        code = getattr(errors[0], "code", None)
        return str(getattr(code, "value", code) or "ERROR"), targets
    return "ok", targets


def _error_code(exc: BaseException) -> str:
    original = exc.original_error if isinstance(exc, GraphQLError) and exc.original_error else exc
    if isinstance(original, AccessDenied):
        return "UNAUTHENTICATED" if original.unauthenticated else "FORBIDDEN"
    if isinstance(original, DomainError):
        return original.code
    if isinstance(original, GraphQLError):
        return str((original.extensions or {}).get("code") or "FORBIDDEN")
    return "INTERNAL_SERVER_ERROR"


def _wrap(operation: str, resolve):
    async def resolve_audited(root, info, **args):
        context = info.context
        viewer = context.viewer
        if not audited(operation, viewer):
            payload = resolve(root, info, **args)
            return await payload if isawaitable(payload) else payload
        entry = trail.Entry(
            viewer=viewer, operation=operation, input_digest=trail.digest(args), targets=trail.global_ids(args),
            request_id=context.request_id, client_address=context.client_address, clock=context.clock,
            joins_commit=operation not in SIGN_INS,
        )
        token = trail.begin(entry)
        try:
            try:
                payload = resolve(root, info, **args)
                if isawaitable(payload):
                    payload = await payload
            except Exception as exc:
                await trail.finish(entry, _error_code(exc))
                raise
            result, targets = _payload_outcome(payload)
            entry.extra_targets.extend(targets)
            await trail.finish(entry, result)
            return payload
        finally:
            trail.end(token)

    return resolve_audited


def audit_mutations(schema: GraphQLSchema) -> None:
    mutation = schema.mutation_type
    if mutation is None:
        return
    for name, field in mutation.fields.items():
        if field.resolve is not None and not getattr(field.resolve, "_audited", False):
            field.resolve = _wrap(name, field.resolve)
            field.resolve._audited = True
