"""Shared steps for the points tests: a store with a clerk, members, purchases through the API."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.access import StaffRole
from domain.earning.defaults import ensure_default_rules
from domain.ledger.check import check_ledger
from schema.relay import to_global_id

SHANGHAI = ZoneInfo("Asia/Shanghai")
_phones = itertools.count(10_000)
_txns = itertools.count(1)

REGISTER = "mutation($i: RegisterMemberInput!) { registerMember(input: $i) { member { id code pointsBalance } errors { code } } }"
RECORD = """mutation($i: RecordPurchaseInput!) { recordPurchase(input: $i) {
  purchase { id pointsEarned pointsRedeemed status cashOffset { amount currency } lines { lineNo points } }
  member { pointsBalance pendingPoints pointsDebt tier { code } } replayed errors { code field message } } }"""
BALANCE = "query($c: String!) { member(code: $c) { pointsBalance pendingPoints pointsDebt tier { code } } }"


def local(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SHANGHAI)


@dataclass
class Shop:
    api: object
    store: object
    store_gid: str
    clerk: str

    async def member(self, birthday: str | None = None, referral_code: str | None = None) -> dict:
        inp = {"phone": f"137{next(_phones):08d}", "name": "Member", "channel": "POS"}
        if birthday:
            inp["birthday"] = birthday
        if referral_code:
            inp["referralCode"] = referral_code
        body = await self.api.data(REGISTER, {"i": inp}, token=self.clerk)
        assert body["registerMember"]["errors"] == [], body
        return body["registerMember"]["member"]

    def purchase_input(self, member_code: str, lines: list[tuple[str, int, str]], *, channel: str = "IN_STORE",
                       txn: str | None = None, occurred_at: datetime | None = None, points_to_redeem: int = 0) -> dict:
        inp = {
            "memberCode": member_code, "storeId": self.store_gid, "channel": channel,
            "lines": [{"sku": f"SKU-{i}", "category": c, "quantity": q, "unitPrice": p} for i, (c, q, p) in enumerate(lines)],
            "clientTxnId": txn or f"txn-{next(_txns)}", "pointsToRedeem": points_to_redeem,
        }
        if occurred_at:
            inp["occurredAt"] = occurred_at.isoformat()
        return inp

    async def buy(self, member_code: str, lines: list[tuple[str, int, str]], **kw) -> dict:
        body = await self.api.data(RECORD, {"i": self.purchase_input(member_code, lines, **kw)}, token=self.clerk)
        return body["recordPurchase"]

    async def balance(self, member_code: str) -> dict:
        return (await self.api.data(BALANCE, {"c": member_code}, token=self.clerk))["member"]


async def open_shop(api, clock, *, with_rules: bool = True) -> Shop:
    if with_rules:
        await ensure_default_rules(clock)
    store = await api.make_store()
    _, clerk = await api.make_staff(StaffRole.CLERK, store)
    return Shop(api=api, store=store, store_gid=to_global_id("Store", store.id), clerk=clerk)


async def assert_ledger_clean() -> None:
    assert await check_ledger() == []
