"""Money comes in as it goes out: MoneyInput {amount, currency}; the old decimal strings still work, deprecated."""

from __future__ import annotations

from graphql import GraphQLScalarType, specified_scalar_types

from schema.root import build_schema
from tests.points_support import RECORD, open_shop

ITEM = """mutation($i: CreateMallItemInput!) { createMallItem(input: $i) {
  item { cashPrice { amount currency } } errors { code field } } }"""


def line(**price) -> dict:
    return {"sku": "SKU-1", "category": "DOMESTIC_FRUIT", "quantity": 2, **price}


async def test_a_purchase_line_takes_its_price_as_money(api, clock):
    shop = await open_shop(api, clock)
    member = await shop.member()
    inp = shop.purchase_input(member["code"], [])
    as_money = await api.data(RECORD, {"i": dict(inp, lines=[line(unitPriceMoney={"amount": "12.50", "currency": "CNY"})])},
                              token=shop.clerk)
    as_text = await api.data(RECORD, {"i": dict(inp, clientTxnId="t2", lines=[line(unitPrice="12.50")])}, token=shop.clerk)
    assert as_money["recordPurchase"]["errors"] == [] == as_text["recordPurchase"]["errors"]
    assert as_money["recordPurchase"]["purchase"]["lines"] == as_text["recordPurchase"]["purchase"]["lines"] == [
        {"lineNo": 0, "points": 25}
    ]

    refused = {
        "USD": line(unitPriceMoney={"amount": "12.50", "currency": "USD"}),
        "both": line(unitPrice="12.50", unitPriceMoney={"amount": "12.50", "currency": "CNY"}),
        "fraction of a fen": line(unitPriceMoney={"amount": "12.505", "currency": "CNY"}),
    }
    errors = {}
    for name, bad in refused.items():
        body = await api.data(RECORD, {"i": dict(inp, clientTxnId=f"bad-{name}", lines=[bad])}, token=shop.clerk)
        errors[name] = [(e["code"], e["field"]) for e in body["recordPurchase"]["errors"]]
    assert errors == {
        "USD": [("INVALID_CURRENCY", "lines.0.unitPriceMoney.currency")],
        "both": [("INVALID_PRICE", "lines.0.unitPrice")],
        "fraction of a fen": [("INVALID_PRICE", "lines.0.unitPriceMoney.amount")],
    }


async def test_a_mall_item_takes_its_cash_price_as_money(api):
    admin = await api.admin_token()
    values = {"name": "Pear box", "band": "LOW", "kind": "PHYSICAL", "pointsPrice": 10}
    made = (await api.data(ITEM, {"i": dict(values, cashPriceMoney={"amount": 9.9, "currency": "cny"})}, token=admin))
    assert made["createMallItem"] == {"item": {"cashPrice": {"amount": "9.90", "currency": "CNY"}}, "errors": []}
    usd = (await api.data(ITEM, {"i": dict(values, cashPriceMoney={"amount": "9.90", "currency": "USD"})}, token=admin))
    assert usd["createMallItem"]["errors"] == [{"code": "INVALID_CURRENCY", "field": "cashPriceMoney.currency"}]
    cents = (await api.data(ITEM, {"i": dict(values, cashPriceMoney={"amount": "9.999", "currency": "CNY"})}, token=admin))
    assert cents["createMallItem"]["errors"] == [{"code": "INVALID_PRICE", "field": "cashPriceMoney.amount"}]


def test_custom_scalars_name_their_specification():
    schema = build_schema()._schema
    custom = [t for name, t in schema.type_map.items()
              if isinstance(t, GraphQLScalarType) and name not in specified_scalar_types and not name.startswith("__")]
    assert {t.name for t in custom} >= {"Date", "DateTime", "Decimal"}
    assert [t.name for t in custom if not t.specified_by_url] == []
    assert "JSON string" in schema.type_map["Decimal"].description
