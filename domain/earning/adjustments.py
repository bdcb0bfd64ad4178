"""Manual point adjustments by chain admins, with an audit record in the same transaction."""

from __future__ import annotations

from domain.access import Viewer, require_chain_admin
from domain.audit import trail as audit
from domain.bounds import MAX_ADJUSTMENT
from domain.earning.models import PointsAdjustment
from domain.errors import DomainError
from domain.ledger import service as ledger
from domain.ledger.errors import LedgerError, LedgerErrorCode
from domain.members.models import Member
from domain.text import column_text
from infra.clock import Clock


class AdjustmentError(DomainError):
    pass


async def adjust_points(viewer: Viewer, member_id: int, amount: int, reason: str, *, clock: Clock, connection) -> PointsAdjustment:
    require_chain_admin(viewer)
    if not 0 < abs(amount) <= MAX_ADJUSTMENT:
        raise AdjustmentError(
            "INVALID_AMOUNT", f"An adjustment is 1 to {MAX_ADJUSTMENT:,} points, added or taken.", field="amount"
        )
    reason = column_text(PointsAdjustment, "reason", reason)
    if not reason:
        raise AdjustmentError("REASON_REQUIRED", "Say why the points change.", field="reason")
    if not await Member.filter(id=member_id).using_db(connection).exists():
        raise AdjustmentError("MEMBER_NOT_FOUND", "No such member.", field="memberId")
    audit.note(reason=reason, points=amount)  # the audit record shows it; large ones go in the daily digest
    before = await ledger.balance(member_id, connection=connection)
    try:
        journal = await ledger.adjust(
            member_id, amount, reason=reason, actor=viewer.idempotency_scope, clock=clock, connection=connection
        )
    except LedgerError as exc:
        if exc.code == LedgerErrorCode.BALANCE_LIMIT_EXCEEDED:
            raise AdjustmentError(exc.code, exc.message, field="amount") from None
        raise
    after = await ledger.balance(member_id, connection=connection)
    return await PointsAdjustment.create(
        member_id=member_id, amount=amount, reason=reason, actor=viewer.idempotency_scope,
        balance_before=before, balance_after=after, journal_id=journal.id, created_at=clock.now(), using_db=connection,
    )
