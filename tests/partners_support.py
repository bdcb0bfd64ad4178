"""A chain admin with partners, their keys and bundles, and the steps a partner and a till take."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from tests.test_mall import Mall, new_key

_txns = itertools.count(1)

BUNDLE = "id name partner { id name } stockRemaining pointsRedeemable effectivePrice { points cash { amount } }"
CREATE_PARTNER = """mutation($i: CreatePartnerInput!) { createPartner(input: $i) { partner { id name kind code status }
  errors { code field } } }"""
CREATE_KEY = """mutation($i: CreatePartnerKeyInput!) { createPartnerKey(input: $i) { key apiKey { id } secret errors { code } } }"""
CREATE_BUNDLE = f"""mutation($i: CreateBundleInput!) {{ createBundle(input: $i) {{ bundle {{ {BUNDLE} }}
  errors {{ code field message }} }} }}"""
BUNDLES = f"""query($f: BundleFilter) {{ bundles(first: 20, filter: $f) {{ totalCount edges {{ node {{ {BUNDLE}
  partnerShare {{ amount }} }} }} }} }}"""
VERIFY = """mutation($i: VerifyPartnerRedemptionInput!) { verifyPartnerRedemption(input: $i) {
  redemption { status fulfilledAt member { id } } errors { code field message } } }"""
SETTLEMENT = """query($p: ID!, $m: String!) { partnerSettlement(partnerId: $p, period: $m) { period closed unitsRedeemed unitsSold
  unitsAdjusted cashTaken { amount } shareDue { amount } lines { kind reference member quantity cash { amount }
  share { amount } } csv } }"""
CLOSE = """mutation($i: CloseSettlementPeriodInput!) { closeSettlementPeriod(input: $i) { settlement { period closed
  unitsRedeemed shareDue { amount } } errors { code field } } }"""
SALE = """mutation($i: RecordPurchaseInput!) { recordPurchase(input: $i) { purchase { id pointsEarned }
  errors { code field message } } }"""


@dataclass
class Partners:
    mall: Mall

    @classmethod
    async def open(cls, api) -> Partners:
        return cls(await Mall.open(api))

    @property
    def api(self):
        return self.mall.api

    async def partner(self, name: str = "Golden Crust Bakery", kind: str = "BAKERY", **fields) -> dict:
        body = (await self.api.data(CREATE_PARTNER, {"i": {"name": name, "kind": kind, **fields}},
                                    token=self.mall.admin))["createPartner"]
        assert body["errors"] == [], body
        return body["partner"]

    async def key(self, partner: dict, scopes: list[str] | None = None) -> str:
        values = {"partnerId": partner["id"], "name": "Shop tablet", **({"scopes": scopes} if scopes is not None else {})}
        body = (await self.api.data(CREATE_KEY, {"i": values}, token=self.mall.admin))["createPartnerKey"]
        assert body["errors"] == [] and body["key"] == body["apiKey"]["id"], body
        return body["secret"]

    async def bundle(self, partner: dict, **fields) -> dict:
        values = {"partnerId": partner["id"], "name": "Fruit + cake", "pointsPrice": 300, "stock": 10, **fields}
        body = (await self.api.data(CREATE_BUNDLE, {"i": values}, token=self.mall.admin))["createBundle"]
        assert body["errors"] == [], body
        return body["bundle"]

    async def bundles(self, token: str | None = None, **filters) -> list[dict]:
        found = (await self.api.data(BUNDLES, {"f": filters or None}, token=token))["bundles"]
        return [edge["node"] for edge in found["edges"]]

    async def verify(self, secret: str, code: str, key: str | None = None) -> dict:
        values = {"code": code, "idempotencyKey": key or new_key()}
        return (await self.api.data(VERIFY, {"i": values}, token=secret))["verifyPartnerRedemption"]

    def sale_input(self, member_code: str, bundle: dict, quantity: int = 1, price: str = "88.00") -> dict:
        return {
            "memberCode": member_code, "storeId": self.mall.store_gid, "channel": "IN_STORE",
            "lines": [{"sku": "BUNDLE-1", "category": "GIFT_BOX", "quantity": quantity, "unitPrice": price,
                       "bundleId": bundle["id"]}],
            "clientTxnId": f"bundle-sale-{next(_txns)}",
        }

    async def sell(self, member_code: str, bundle: dict, quantity: int = 1, price: str = "88.00") -> dict:
        body = await self.api.data(SALE, {"i": self.sale_input(member_code, bundle, quantity, price)}, token=self.mall.clerk)
        return body["recordPurchase"]

    async def settlement(self, partner: dict, period: str, token: str | None = None) -> dict | None:
        return (await self.api.data(SETTLEMENT, {"p": partner["id"], "m": period},
                                    token=token or self.mall.admin))["partnerSettlement"]

    async def close(self, partner: dict, period: str) -> dict:
        return (await self.api.data(CLOSE, {"i": {"partnerId": partner["id"], "period": period}},
                                    token=self.mall.admin))["closeSettlementPeriod"]
