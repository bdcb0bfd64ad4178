"""Issuing a coupon: its validity from the template, and once per grant however often it is retried."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.coupons import codes
from domain.coupons.issuing import issue_coupon
from domain.coupons.models import Coupon, CouponSource, CouponTemplate
from infra import db
from infra.clock import FixedClock
from tests.test_ledger import make_member

START = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


async def _template(**fields) -> CouponTemplate:
    values = {"name": "20 yuan off", "kind": "AMOUNT_OFF", "value_fen": 2000, "valid_days": 30, "created_at": START}
    return await CouponTemplate.create(**(values | fields))


async def test_a_grant_issues_one_coupon_however_often_it_is_retried():
    clock = FixedClock(START)
    member = await make_member(START)
    template = await _template()
    async with db.transaction() as conn:
        first = await issue_coupon(conn, template, member.id, source=CouponSource.LOTTERY, source_ref="draw:1", clock=clock)
    async with db.transaction() as conn:
        again = await issue_coupon(conn, template, member.id, source=CouponSource.LOTTERY, source_ref="draw:1", clock=clock)
        other = await issue_coupon(conn, template, member.id, source=CouponSource.LOTTERY, source_ref="draw:2", clock=clock)
    assert again.id == first.id and other.id != first.id
    assert await Coupon.filter(member_id=member.id).count() == 2
    assert codes.is_well_formed(first.code) and first.code != other.code
    assert codes.code_from_scan(codes.qr_payload(first.code).lower()) == first.code
    assert (first.valid_from, first.valid_until) == (START, START + timedelta(days=30))


async def test_a_fixed_window_template_gives_its_own_dates():
    clock = FixedClock(START)
    member = await make_member(START)
    until = START + timedelta(days=3)
    template = await _template(valid_days=None, valid_from=START - timedelta(days=1), valid_until=until)
    async with db.transaction() as conn:
        coupon = await issue_coupon(conn, template, member.id, source=CouponSource.ADMIN, source_ref="gift:1", clock=clock)
    assert (coupon.valid_from, coupon.valid_until) == (START - timedelta(days=1), until)
