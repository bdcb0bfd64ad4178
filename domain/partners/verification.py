"""The partner writes a bundle redemption off at its own shop: once, and only its own bundles'.

Like the store counter's write-off (domain/mall/writeoff.py) the status moves PENDING ->
FULFILLED by one conditional UPDATE, with the redemption.fulfilled event in its transaction;
the idempotency key makes a retried verification answer as the first one did. Another
partner's code, or a code that is no bundle's, answers REDEMPTION_NOT_FOUND.
"""

from __future__ import annotations

from domain.access import Viewer
from domain.errors import AccessDenied
from domain.idempotency import run_once
from domain.mall import codes, contention, events
from domain.mall.models import Redemption
from domain.mall.writeoff import closed
from domain.partners import partners
from domain.partners.errors import PartnerError, PartnerErrorCode
from domain.stores.models import Partner
from domain.webhooks import outbox
from domain.webhooks.events import EventType
from infra.clock import Clock, utc

VERIFY_SCOPE = "redemptions:verify"


def _not_found() -> PartnerError:
    return PartnerError(PartnerErrorCode.REDEMPTION_NOT_FOUND, "No redemption of your bundles has that code.", "code")


async def verify(viewer: Viewer, code: str, *, idempotency_key: str, clock: Clock) -> Redemption:
    partner_id = partners.own_partner(viewer)
    if partner_id is None or not viewer.has_scope(VERIFY_SCOPE):
        raise AccessDenied("Only a partner key with the redemptions:verify scope verifies bundle redemptions.",
                           unauthenticated=viewer.is_anonymous)
    searched = codes.lookup_code(code)

    async def action(conn) -> dict:
        partner = await Partner.get(id=partner_id).using_db(conn)
        partners.require_active(partner)
        redemption = None if searched is None else await Redemption.get_or_none(
            code=searched, partner_id=partner_id).using_db(conn)
        if redemption is None:
            raise _not_found()
        now = utc(clock.now())
        changed = {"status": "FULFILLED", "fulfilled_at": now, "fulfilled_partner_id": partner_id,
                   "fulfilled_by": viewer.idempotency_scope}
        done = await Redemption.filter(id=redemption.id, status="PENDING", expires_at__gt=now).using_db(conn).update(**changed)
        if not done:
            raise await closed(await Redemption.get(id=redemption.id).using_db(conn), now)
        await outbox.emit(conn, EventType.REDEMPTION_FULFILLED, events.redemption_data(redemption, **changed),
                          partner_id=partner_id, clock=clock)
        return {"redemptionId": redemption.id}

    async with contention.translated():
        outcome = await run_once(
            scope=viewer.idempotency_scope, key=idempotency_key, operation="verifyPartnerRedemption",
            request={"code": searched or code.strip()}, action=action, clock=clock,
        )
    return await Redemption.get(id=outcome.result["redemptionId"])
