"""Members earn at every store; what a store sees of a member's history is its own part only,
unless it is the member's home store (issue #27: a 1-yuan purchase showed another store's history)."""

from __future__ import annotations

from domain.access import CallerKind, StaffRole, Viewer
from domain.errors import AccessDenied
from domain.members import services as members
from tests.points_support import open_shop

HISTORY = """purchases(first: 10) { totalCount edges { node { store { code } } } }
  pointsHistory(first: 10) { totalCount edges { node { kind reference } } }
  tierHistory { reason } pointsBalance"""
RECORD = f"""mutation($i: RecordPurchaseInput!) {{ recordPurchase(input: $i) {{
  member {{ {HISTORY} }} errors {{ code }} }} }}"""
BY_CODE = f"query($c: String!) {{ member(code: $c) {{ {HISTORY} }} }}"


def stores_of(member: dict) -> list[str]:
    return sorted(e["node"]["store"]["code"] for e in member["purchases"]["edges"])


async def test_a_purchase_at_another_store_shows_that_store_only_its_own_rows(api, clock):
    home = await open_shop(api, clock)
    member = await home.member()
    before = (await home.buy(member["code"], [("DOMESTIC_FRUIT", 1, "100.00")]))["member"]["pointsBalance"]
    other = await open_shop(api, clock, with_rules=False)
    home_code, other_code = home.store.code, other.store.code

    bought = await api.data(RECORD, {"i": other.purchase_input(member["code"], [("DOMESTIC_FRUIT", 1, "1.00")])}, token=other.clerk)
    seen = bought["recordPurchase"]["member"]
    assert stores_of(seen) == [other_code] and seen["purchases"]["totalCount"] == 1
    assert seen["pointsHistory"]["totalCount"] == 1 and seen["pointsHistory"]["edges"][0]["node"]["kind"] == "PURCHASE"
    assert seen["tierHistory"] == []
    assert seen["pointsBalance"] == before + 1  # the balance is chain-wide

    # Having bought there, the store finds the member, still with its own rows only.
    looked_up = (await api.data(BY_CODE, {"c": member["code"]}, token=other.clerk))["member"]
    assert looked_up == seen

    # The home store and chain admins see everything.
    for token in (home.clerk, await api.admin_token()):
        full = (await api.data(BY_CODE, {"c": member["code"]}, token=token))["member"]
        assert stores_of(full) == sorted([home_code, other_code])
        kinds = sorted(e["node"]["kind"] for e in full["pointsHistory"]["edges"])
        assert kinds == ["CAMPAIGN_BONUS", "PURCHASE", "PURCHASE", "REGISTRATION"] and full["tierHistory"] != []


async def test_kiosks_see_balances_only_and_the_rule_is_one_function(api, clock):
    shop = await open_shop(api, clock)
    home, other = shop.store.id, shop.store.id + 1
    clerk = Viewer(kind=CallerKind.STAFF, subject_id=1, role=StaffRole.CLERK, store_id=home)
    assert members.history_scope(clerk, 7, home_store_id=home).store_id is None
    assert members.history_scope(clerk, 7, home_store_id=other).store_id == home
    assert members.history_scope(clerk, 7, home_store_id=None).store_id == home
    assert members.history_scope(Viewer(kind=CallerKind.MEMBER, subject_id=7), 7, home_store_id=other).store_id is None
    for outsider in (Viewer(kind=CallerKind.MEMBER, subject_id=8), Viewer(kind=CallerKind.DEVICE, subject_id=1, store_id=home)):
        try:
            members.history_scope(outsider, 7, home_store_id=home)
        except AccessDenied:
            continue
        raise AssertionError(f"{outsider} saw the history")


KIOSK_LOOKUP = """query($c: String!) { member(code: $c) { name phone pointsBalance
  purchases(first: 5) { totalCount } pointsHistory(first: 5) { totalCount } tierHistory { reason }
  redemptions(first: 5) { totalCount } } }"""


async def test_a_kiosk_lookup_shows_the_member_with_the_history_fields_null(api, clock):
    from domain.stores import api_keys

    shop = await open_shop(api, clock)
    member = await shop.member()
    await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "10.00")])
    kiosk = (await api_keys.create_device_key(shop.store, api_keys.DeviceType.KIOSK, "kiosk")).secret

    body = await api.gql(KIOSK_LOOKUP, {"c": member["code"]}, token=kiosk)
    seen = body["data"]["member"]
    assert seen["name"] == "Member" and "*" in seen["phone"] and seen["pointsBalance"] > 0
    assert seen["purchases"] is None and seen["pointsHistory"] is None and seen["tierHistory"] is None
    refused = sorted(tuple(e["path"]) for e in body["errors"])
    assert all(e["extensions"]["code"] == "FORBIDDEN" for e in body["errors"])
    assert ("member", "pointsHistory") in refused and ("member", "purchases") in refused
