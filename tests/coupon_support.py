"""Shared steps for the coupon tests: templates, grants and purchases with coupons, all through the API."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta

from domain.earning.models import EarnRate
from domain.members.models import Member
from tests.points_support import Shop, open_shop
from tests.test_mall import member_token

_keys = itertools.count(1)

CREATE_TEMPLATE = """mutation($i: CreateCouponTemplateInput!) { createCouponTemplate(input: $i) {
  template { id name kind amountOff { amount } percentOff cap { amount } itemName minimumSpend { amount } categories storeIds
             validDays validUntil stackable retiredAt }
  errors { code field message } } }"""
RETIRE_TEMPLATE = """mutation($i: RetireCouponTemplateInput!) { retireCouponTemplate(input: $i) {
  template { id retiredAt } errors { code field message } } }"""
ISSUE = """mutation($i: IssueCouponInput!) { issueCoupon(input: $i) {
  coupon { id code qrPayload kind status validFrom validUntil } replayed errors { code field message } } }"""
USE = """mutation($i: UseCouponInput!) { useCoupon(input: $i) {
  coupon { id code status usedAt } replayed errors { code field message } } }"""
WALLET = """query($f: CouponFilter, $first: Int, $after: String) { me { coupons(first: $first, after: $after, filter: $f) {
  edges { node { code kind status validUntil usedAt discount { amount } } } pageInfo { hasNextPage endCursor } } } }"""
RECORD = """mutation($i: RecordPurchaseInput!) { recordPurchase(input: $i) {
  purchase { id status total { amount } discount { amount } deliveryFee { amount } pointsEarned cashOffset { amount }
             lines { lineNo points discount { amount } } coupons { code kind discount { amount } givenBack } }
  member { pointsBalance } replayed errors { code field message } } }"""
RETURN = """mutation($i: ReturnPurchaseInput!) { returnPurchase(input: $i) {
  purchase { status coupons { code givenBack } } member { pointsBalance } errors { code field message } } }"""


def money(yuan: str) -> dict:
    return {"amount": yuan, "currency": "CNY"}


@dataclass
class Wallets:
    """A store with a clerk, a chain admin and plain earn rates (1 point a yuan, 2 for imported fruit)."""

    api: object
    shop: Shop
    admin: str

    @classmethod
    async def open(cls, api, clock) -> Wallets:
        shop = await open_shop(api, clock, with_rules=False)
        for category, rate in (("DOMESTIC_FRUIT", 1), ("IMPORTED_FRUIT", 2), ("*", 1)):
            await EarnRate.create(category=category, points_per_yuan=rate, effective_from=clock.now() - timedelta(days=1),
                                  announced_at=clock.now() - timedelta(days=1), created_by="test")
        return cls(api, shop, await api.admin_token())

    async def create_template(self, **fields) -> dict:
        """The payload of createCouponTemplate; 30 days' validity unless told otherwise."""
        inp = {"name": "Coupon", "kind": "AMOUNT_OFF", **fields}
        if "validUntil" not in inp and "validDays" not in inp:
            inp["validDays"] = 30
        inp = {k: v for k, v in inp.items() if v is not None}
        return (await self.api.data(CREATE_TEMPLATE, {"i": inp}, token=self.admin))["createCouponTemplate"]

    async def template(self, **fields) -> str:
        created = await self.create_template(**fields)
        assert created["errors"] == [], created
        return created["template"]["id"]

    async def member(self) -> dict:
        """A registered member: code, id and a token of their own."""
        member = await self.shop.member()
        pk = (await Member.get(code=member["code"])).id
        return member | {"pk": pk, "token": member_token(self.api, pk)}

    async def issue_payload(self, template_id: str, member: dict, key: str | None = None) -> dict:
        inp = {"templateId": template_id, "memberId": member["id"], "idempotencyKey": key or f"grant-{next(_keys)}"}
        return (await self.api.data(ISSUE, {"i": inp}, token=self.admin))["issueCoupon"]

    async def issue(self, template_id: str, member: dict, key: str | None = None) -> dict:
        issued = await self.issue_payload(template_id, member, key)
        assert issued["errors"] == [], issued
        return issued["coupon"]

    async def buy(self, member: dict, lines: list[tuple[str, int, str]], codes: list[str], *, token: str | None = None,
                  delivery_fee: str | None = None, **kw) -> dict:
        inp = self.shop.purchase_input(member["code"], lines, **kw) | {"couponCodes": codes}
        if delivery_fee is not None:
            inp["deliveryFee"] = money(delivery_fee)
        return (await self.api.data(RECORD, {"i": inp}, token=token or self.shop.clerk))["recordPurchase"]

    async def use(self, code: str, *, token: str | None = None, key: str | None = None, store_id: str | None = None) -> dict:
        inp = {"code": code, "storeId": store_id or self.shop.store_gid, "idempotencyKey": key or f"use-{next(_keys)}"}
        return (await self.api.data(USE, {"i": inp}, token=token or self.shop.clerk))["useCoupon"]

    async def wallet(self, member: dict, status: str | None = None) -> list[dict]:
        variables = {"f": {"status": status} if status else None, "first": 100}
        return [e["node"] for e in (await self.api.data(WALLET, variables, token=member["token"]))["me"]["coupons"]["edges"]]

    async def give_back(self, purchase_id: str, lines: list[dict] | None = None, key: str | None = None) -> dict:
        inp = {"purchaseId": purchase_id, "idempotencyKey": key or f"return-{next(_keys)}"}
        if lines is not None:
            inp["lines"] = lines
        return (await self.api.data(RETURN, {"i": inp}, token=self.shop.clerk))["returnPurchase"]
