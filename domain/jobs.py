"""The periodic jobs `orchard worker` runs. A job's work stays in its context; this module,
above the contexts, only names each job and its schedule. A new job is one line in JOBS."""

from __future__ import annotations

from datetime import timedelta

from domain.coupons import expiry as coupon_expiry
from domain.donations import projects as charity_projects
from domain.donations import refunds as charity_refunds
from domain.earning import expiry
from domain.idempotency import service as idempotency
from domain.lotteries import catalogue as lotteries
from domain.mall import cancellation
from domain.metrics import rollups as metrics_rollups
from domain.partners import stock_watch as bundle_stock
from domain.stores import services as stores
from domain.tiers import schedule as tier_schedule
from domain.webhooks import delivery as webhook_delivery
from infra.worker import Job, JobContext, every


async def _expire_points(ctx: JobContext) -> dict[str, int]:
    report = await expiry.run_sweep(settings=ctx.settings, clock=ctx.clock, progress=lambda _stage, done: ctx.progress(done))
    return {"expiredLots": report.expired_lots, "reminders": report.reminders}


async def _expire_redemptions(ctx: JobContext) -> dict[str, int]:
    return {"expired": await cancellation.expire_overdue(clock=ctx.clock, progress=ctx.progress)}


async def _expire_coupons(ctx: JobContext) -> dict[str, int]:
    return {"expired": await coupon_expiry.expire_due(clock=ctx.clock, progress=ctx.progress)}


async def _purge_idempotency_keys(ctx: JobContext) -> dict[str, int]:
    return {"deleted": await idempotency.purge_expired(ctx.clock, progress=ctx.progress)}


async def _purge_sign_in_attempts(ctx: JobContext) -> dict[str, int]:
    return {"deleted": await stores.purge_sign_in_attempts(ctx.clock)}


async def _close_lotteries(ctx: JobContext) -> dict[str, int]:
    return {"closed": await lotteries.close_due(data_key=ctx.settings.personal_data_key, clock=ctx.clock)}


async def _review_tiers(ctx: JobContext) -> dict[str, int]:
    report = await tier_schedule.review_now(ctx.clock, progress=ctx.progress)
    return {"reviewed": report.reviewed, "upgraded": report.upgraded, "downgraded": report.downgraded}


async def _deliver_webhooks(ctx: JobContext) -> dict[str, int]:
    return (await webhook_delivery.run(ctx.settings, ctx.clock, progress=ctx.progress)).counts()


async def _watch_bundle_stock(ctx: JobContext) -> dict[str, int]:
    return {"alerts": await bundle_stock.send_alerts(ctx.clock)}


async def _close_charity_projects(ctx: JobContext) -> dict[str, int]:
    closed = await charity_projects.close_due(ctx.clock)
    return {"closed": closed, "refunded": await charity_refunds.refund_all_cancelled(clock=ctx.clock)}


async def _roll_up_metrics(ctx: JobContext) -> dict[str, int]:
    return await metrics_rollups.run_job(ctx.clock, progress=ctx.progress)


JOBS: list[Job] = [
    Job("points-expiry", _expire_points, next_due=every(timedelta(hours=1))),
    Job("redemption-expiry", _expire_redemptions, next_due=every(timedelta(minutes=5))),
    Job("coupon-expiry", _expire_coupons, next_due=every(timedelta(minutes=15))),
    Job("idempotency-purge", _purge_idempotency_keys, next_due=every(timedelta(hours=1))),
    Job("lottery-close", _close_lotteries, next_due=every(timedelta(minutes=1))),
    Job("charity-close", _close_charity_projects, next_due=every(timedelta(minutes=5))),
    Job("bundle-stock-watch", _watch_bundle_stock, next_due=every(timedelta(minutes=1))),
    Job("metrics-rollup", _roll_up_metrics, next_due=every(timedelta(minutes=1))),
    Job("staff-sign-in-purge", _purge_sign_in_attempts, next_due=every(timedelta(days=1))),
    # Not at the first start: a review out of schedule would drop members a tier early.
    Job("tier-review", _review_tiers, next_due=tier_schedule.next_review, first_due=tier_schedule.next_review),
    Job("webhook-delivery", _deliver_webhooks, next_due=every(timedelta(seconds=1)), exclusive=False),  # every worker: SKIP LOCKED
]
