"""Bad input from the security probe (issue #27): each is a typed payload error naming its field,
never INTERNAL_SERVER_ERROR, and writes nothing. Queries answer null or BAD_USER_INPUT."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from domain import text
from domain.earning.models import CampaignRule, EarnRate, PointsAdjustment, Purchase
from domain.mall.models import MallItem
from domain.members.models import Member
from domain.stores.models import ApiKey, StaffUser, Store
from domain.tiers.models import Tier, TierChange
from infra.observability import JsonFormatter
from schema.relay import to_global_id
from tests.points_support import open_shop

LONG = "x" * 100_000


@dataclass
class World:
    admin: str
    clerk: str
    store_gid: str
    member_code: str
    member_gid: str


@dataclass(frozen=True)
class Bad:
    mutation: str
    input: Callable[[World], dict[str, Any]]
    code: str
    field: str
    rows: Callable[[], Awaitable[Any]]
    as_clerk: bool = False


def _count(model) -> Callable[[], Awaitable[int]]:
    return lambda: model.all().count()


async def _floors() -> tuple[int, int]:
    return await Member.filter(tier_floor_reason__isnull=False).count(), await TierChange.all().count()


def earn_rate(rate: str) -> Bad:
    return Bad("setEarnRate", lambda w: {"category": "GIFT_BOX", "pointsPerYuan": rate}, "INVALID_RATE", "pointsPerYuan",
               _count(EarnRate))


def campaign(**changes: Any) -> dict[str, Any]:
    return {"code": "PROBE", "name": "Probe", "multiplier": "2", **changes}


def tier(**changes: Any) -> dict[str, Any]:
    return {"code": "PROBE", "name": "Probe", "rank": 99, **changes}


def purchase(w: World, *, unit_price: str = "1.00", txn: str = "txn-1") -> dict[str, Any]:
    return {
        "memberCode": w.member_code, "storeId": w.store_gid, "channel": "IN_STORE", "clientTxnId": txn,
        "lines": [{"sku": "SKU-1", "category": "DOMESTIC_FRUIT", "quantity": 1, "unitPrice": unit_price}],
    }


def mall_item(**changes: Any) -> dict[str, Any]:
    return {"name": "Probe", "band": "LOW", "kind": "PHYSICAL", "pointsPrice": 10, **changes}


def member(**changes: Any) -> dict[str, Any]:
    return {"phone": "13700099999", "name": "Probe", "channel": "POS", **changes}


def staff(w: World, **changes: Any) -> dict[str, Any]:
    return {"email": "probe@test.orchard", "name": "Probe", "password": "correct horse battery", "role": "CLERK",
            "storeId": w.store_gid, **changes}


def device_key(w: World, name: str) -> dict[str, Any]:
    return {"storeId": w.store_gid, "deviceType": "KIOSK", "name": name}


def floor(w: World, reason: str) -> dict[str, Any]:
    return {"memberId": w.member_gid, "tierCode": "GOLD", "reason": reason}


def adjust(w: World, reason: str) -> dict[str, Any]:
    return {"memberId": w.member_gid, "amount": 5, "reason": reason, "idempotencyKey": "probe-adjust"}


NOT_FINITE_OR_HUGE = ("NaN", "sNaN", "Infinity", "-Infinity", "1e30")
CONTROL = ("nul\x00", "bidi\u202emalicious", "isolate\u2066x\u2069", "bell\x07", "bom\ufeff", "line\u2028break")

CASES: dict[str, Bad] = {}
for value in NOT_FINITE_OR_HUGE:
    CASES[f"setEarnRate.pointsPerYuan={value}"] = earn_rate(value)
    CASES[f"createCampaign.multiplier={value}"] = Bad(
        "createCampaign", lambda w, v=value: campaign(multiplier=v), "INVALID_CAMPAIGN", "multiplier", _count(CampaignRule))
    CASES[f"createTier.earnMultiplier={value}"] = Bad(
        "createTier", lambda w, v=value: tier(earnMultiplier=v), "INVALID_MULTIPLIER", "earnMultiplier", _count(Tier))
    CASES[f"recordPurchase.unitPrice={value}"] = Bad(
        "recordPurchase", lambda w, v=value: purchase(w, unit_price=v), "INVALID_PRICE", "lines.0.unitPrice",
        _count(Purchase), as_clerk=True)
    CASES[f"createMallItem.cashPrice={value}"] = Bad(
        "createMallItem", lambda w, v=value: mall_item(cashPrice=v), "INVALID_PRICE", "cashPrice", _count(MallItem))

TOO_LONG = {
    "registerMember.region": Bad("registerMember", lambda w: member(region=LONG), "TOO_LONG", "region", _count(Member),
                                 as_clerk=True),
    "registerMember.name": Bad("registerMember", lambda w: member(name=LONG), "TOO_LONG", "name", _count(Member),
                               as_clerk=True),
    "createStore.name": Bad("createStore", lambda w: {"code": "PROBE", "name": LONG}, "TOO_LONG", "name", _count(Store)),
    "createStaff.email": Bad("createStaff", lambda w: staff(w, email=f"{LONG}@test.orchard"), "TOO_LONG", "email",
                             _count(StaffUser)),
    "createStaff.name": Bad("createStaff", lambda w: staff(w, name=LONG), "TOO_LONG", "name", _count(StaffUser)),
    "createDeviceKey.name": Bad("createDeviceKey", lambda w: device_key(w, LONG), "TOO_LONG", "name", _count(ApiKey)),
    "createCampaign.name": Bad("createCampaign", lambda w: campaign(name=LONG), "TOO_LONG", "name", _count(CampaignRule)),
    "createTier.name": Bad("createTier", lambda w: tier(name=LONG), "TOO_LONG", "name", _count(Tier)),
    "setMemberTierFloor.reason": Bad("setMemberTierFloor", lambda w: floor(w, LONG), "TOO_LONG", "reason", _floors),
    "adjustPoints.reason": Bad("adjustPoints", lambda w: adjust(w, LONG), "TOO_LONG", "reason", _count(PointsAdjustment)),
    "recordPurchase.clientTxnId": Bad("recordPurchase", lambda w: purchase(w, txn=LONG), "TOO_LONG", "clientTxnId",
                                      _count(Purchase), as_clerk=True),
    "createMallItem.name": Bad("createMallItem", lambda w: mall_item(name=LONG), "TOO_LONG", "name", _count(MallItem)),
}
CASES.update(TOO_LONG)

for value in CONTROL:
    label = value.encode("unicode_escape").decode()
    CASES[f"createStore.name={label}"] = Bad(
        "createStore", lambda w, v=value: {"code": "PROBE", "name": v}, "INVALID_TEXT", "name", _count(Store))
    CASES[f"registerMember.name={label}"] = Bad(
        "registerMember", lambda w, v=value: member(name=v), "INVALID_TEXT", "name", _count(Member), as_clerk=True)
    CASES[f"recordPurchase.clientTxnId={label}"] = Bad(
        "recordPurchase", lambda w, v=value: purchase(w, txn=v), "INVALID_TEXT", "clientTxnId", _count(Purchase),
        as_clerk=True)
CASES.update({
    "createStaff.name=nul": Bad("createStaff", lambda w: staff(w, name="Pro\x00be"), "INVALID_TEXT", "name",
                                _count(StaffUser)),
    "createDeviceKey.name=bidi": Bad("createDeviceKey", lambda w: device_key(w, "till\u202e1"), "INVALID_TEXT", "name",
                                     _count(ApiKey)),
    "createCampaign.name=bidi": Bad("createCampaign", lambda w: campaign(name="x\u202dy"), "INVALID_TEXT", "name",
                                    _count(CampaignRule)),
    "createTier.name=nul": Bad("createTier", lambda w: tier(name="Gold\x00"), "INVALID_TEXT", "name", _count(Tier)),
    "createMallItem.name=bidi": Bad("createMallItem", lambda w: mall_item(name="\u202bPear"), "INVALID_TEXT", "name",
                                    _count(MallItem)),
    "registerMember.region=nul": Bad("registerMember", lambda w: member(region="Shang\x00hai"), "INVALID_TEXT", "region",
                                     _count(Member), as_clerk=True),
    "setMemberTierFloor.reason=bidi": Bad("setMemberTierFloor", lambda w: floor(w, "VIP\u2067"), "INVALID_TEXT",
                                          "reason", _floors),
    "adjustPoints.reason=nul": Bad("adjustPoints", lambda w: adjust(w, "goodwill\x00"), "INVALID_TEXT", "reason",
                                   _count(PointsAdjustment)),
})

KEY_CASES = {
    "createStore.idempotencyKey=blank": {"code": "PROBE", "name": "Probe", "idempotencyKey": "   "},
    "createStore.idempotencyKey=nul": {"code": "PROBE", "name": "Probe", "idempotencyKey": "key\x00"},
    "createStore.idempotencyKey=bidi": {"code": "PROBE", "name": "Probe", "idempotencyKey": "key\u202e"},
}


@pytest.fixture
async def world(api, clock) -> World:
    shop = await open_shop(api, clock)
    registered = await shop.member()
    member_pk = (await Member.get(code=registered["code"])).id
    return World(admin=await api.admin_token(), clerk=shop.clerk, store_gid=shop.store_gid,
                 member_code=registered["code"], member_gid=to_global_id("Member", member_pk))


def _mutation(name: str) -> str:
    input_type = name[0].upper() + name[1:] + "Input"
    return f"mutation($i: {input_type}!) {{ {name}(input: $i) {{ errors {{ code field message }} }} }}"


async def _send_bad(api, world: World, bad: Bad, variables: dict[str, Any]) -> dict[str, Any]:
    before = await bad.rows()
    body = await api.gql(_mutation(bad.mutation), {"i": variables}, token=world.clerk if bad.as_clerk else world.admin)
    assert "errors" not in body, body
    errors = body["data"][bad.mutation]["errors"]
    assert await bad.rows() == before
    return errors[0]


@pytest.mark.parametrize("bad", CASES.values(), ids=CASES.keys())
async def test_bad_input_is_a_typed_payload_error_and_writes_nothing(api, world, bad):
    error = await _send_bad(api, world, bad, bad.input(world))
    assert (error["code"], error["field"]) == (bad.code, bad.field), error
    assert len(error["message"]) < 200


@pytest.mark.parametrize("variables", KEY_CASES.values(), ids=KEY_CASES.keys())
async def test_a_blank_or_control_idempotency_key_is_refused(api, world, variables):
    bad = Bad("createStore", lambda w: variables, "INVALID_IDEMPOTENCY_KEY", "idempotencyKey", _count(Store))
    error = await _send_bad(api, world, bad, variables)
    assert (error["code"], error["field"]) == (bad.code, bad.field)


async def test_ordinary_text_still_goes_through_cleaned(api, world):
    inp = {"code": "PROBE", "name": "  Pear \u200d Shop  "}  # a joiner stays: emoji and some scripts need it
    body = await api.data(_mutation("createStore").replace("errors", "store { name } errors"), {"i": inp}, token=world.admin)
    assert body["createStore"] == {"store": {"name": "Pear \u200d Shop"}, "errors": []}


REDEMPTION = "query($c: String!) { redemption(code: $c) { id } }"
NODE = "query($id: ID!) { node(id: $id) { id } }"


@pytest.mark.parametrize("code", ["A" * 17, LONG, "ORCHARD:R:" + "9" * 40, "\x00"])
async def test_a_long_redemption_code_is_simply_not_found(api, world, code):
    body = await api.gql(REDEMPTION, {"c": code}, token=world.clerk)
    assert "errors" not in body and body["data"] == {"redemption": None}, body


@pytest.mark.parametrize("pk", [str(2**31), str(2**63), "9" * 40, "\u00b2", "\u0661"])
async def test_a_node_id_out_of_range_is_simply_not_found(api, world, pk):
    body = await api.gql(NODE, {"id": to_global_id("Store", pk)}, token=world.admin)
    assert "errors" not in body and body["data"] == {"node": None}, body


@pytest.mark.parametrize("pk", [str(2**31), "9" * 40, "\u00b2"])
async def test_an_input_id_out_of_range_is_an_invalid_id(api, world, pk):
    body = await api.data(_mutation("createDeviceKey"), {"i": device_key(world, "till") | {"storeId": to_global_id("Store", pk)}},
                          token=world.admin)
    assert body["createDeviceKey"]["errors"][0]["code"] == "INVALID_ID"


# ---- the rules themselves ----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "  ", "\t\n"])
def test_clean_key_refuses_blank(value):
    with pytest.raises(text.TextError) as raised:
        text.clean_key(value, "idempotencyKey", 255, code="INVALID_IDEMPOTENCY_KEY")
    assert (raised.value.code, raised.value.field) == ("INVALID_IDEMPOTENCY_KEY", "idempotencyKey")


def test_clean_key_keeps_the_key_as_sent():
    assert text.clean_key(" k-1 ", "idempotencyKey", 255) == " k-1 "
    with pytest.raises(text.TextError) as raised:
        text.clean_key("k" * 256, "idempotencyKey", 255)
    assert raised.value.code == "TOO_LONG"


def test_clean_text_allows_newlines_only_when_multiline():
    assert text.clean_text(" two\nlines\t ", "description", 100, multiline=True) == "two\nlines"
    with pytest.raises(text.TextError):
        text.clean_text("two\nlines", "name", 100)


def test_column_text_takes_the_model_max_length():
    assert text.column_text(Store, "name", "a" * 120) == "a" * 120
    with pytest.raises(text.TextError) as raised:
        text.column_text(Store, "name", "a" * 121)
    assert (raised.value.code, raised.value.field) == ("TOO_LONG", "name")
    with pytest.raises(text.TextError) as raised:
        text.column_text(Purchase, "client_txn_id", "a" * 101)
    assert raised.value.field == "clientTxnId"


def test_a_log_line_caps_each_value():
    try:
        raise ValueError(LONG)
    except ValueError:
        record = logging.LogRecord("t", logging.ERROR, __file__, 1, LONG, None, exc_info=sys.exc_info())
    record.variables = {"i": {"name": LONG}}
    record.path = ["createStore"]
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert len(line) < 10_000
    assert entry["msg"].endswith("[truncated 98,000 chars]")
    assert "[truncated" in entry["variables"] and entry["path"] == ["createStore"]
    assert entry["exc"].startswith("Traceback") and "ValueError: xxx" in entry["exc"] and "[truncated" in entry["exc"]
