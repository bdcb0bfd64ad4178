"""Every type with an `id` is a Node that `node(id:)` and `nodes(ids:)` resolve."""

from __future__ import annotations

from datetime import timedelta

import httpx
from graphql import GraphQLObjectType

from domain.webhooks import delivery as webhook_delivery
from schema.root import build_schema
from tests.points_support import open_shop

MEMBER = """query($c: String!) { member(code: $c) { id tier { id }
  purchases(first: 5) { edges { node { id lines { id } } } }
  pointsHistory(first: 5) { edges { node { id } } }
  redemptions(first: 5) { edges { node { id } } } } }"""
LISTS = """{ viewer { staff { id } } stores(first: 1) { edges { node { id } } }
  campaigns(first: 1) { nodes { id } } mallPriceRules(first: 1) { nodes { id } } mallItems(first: 1) { edges { node { id } } } }"""
NODE = "query($id: ID!) { node(id: $id) { __typename id } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"


def node_type_names() -> set[str]:
    schema = build_schema()._schema
    return {t.name for t in schema.get_implementations(schema.type_map["Node"]).objects if isinstance(t, GraphQLObjectType)}


async def one_of_each(api, clock) -> dict[str, str]:
    """A chain admin's view of one object of every Node type: type name -> global ID."""
    shop = await open_shop(api, clock)
    admin = await api.admin_token()
    member = await shop.member()
    assert (await shop.buy(member["code"], [("DOMESTIC_FRUIT", 2, "10.00")]))["errors"] == []
    key = await api.data("""mutation($i: CreateDeviceKeyInput!) { createDeviceKey(input: $i) { apiKey { id } errors { code } } }""",
                         {"i": {"storeId": shop.store_gid, "deviceType": "POS", "name": "till"}}, token=admin)
    campaign = await api.data("""mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { errors { code } } }""",
                              {"i": {"code": "NODES", "name": "Nodes", "bonusPoints": 1}}, token=admin)
    rule = await api.data("""mutation($i: CreateMallPriceRuleInput!) { createMallPriceRule(input: $i) { errors { code } } }""",
                          {"i": {"code": "NODES", "name": "Nodes", "kind": "MEMBER_DAY", "percent": -10, "dayOfMonth": 9}}, token=admin)
    item = await api.data("""mutation($i: CreateMallItemInput!) { createMallItem(input: $i) { item { id } errors { code } } }""",
                          {"i": {"name": "Pear", "band": "LOW", "kind": "COUPON", "pointsPrice": 1}}, token=admin)
    redeemed = await api.data("""mutation($i: RedeemMallItemInput!) { redeemMallItem(input: $i) { errors { code } } }""",
                              {"i": {"itemId": item["createMallItem"]["item"]["id"], "memberCode": member["code"],
                                     "idempotencyKey": "nodes"}}, token=shop.clerk)
    project = (await api.data(
        """mutation($i: CreateCharityProjectInput!) { createCharityProject(input: $i) { project { id } errors { code } } }""",
        {"i": {"name": "Nodes", "goalPoints": 100, "opensAt": "2020-01-01T00:00:00+08:00", "closesAt": "2099-01-01T00:00:00+08:00"}},
        token=admin,
    ))["createCharityProject"]["project"]
    opened = await api.data("""mutation($i: CharityProjectInput!) { openCharityProject(input: $i) { errors { code } } }""",
                            {"i": {"projectId": project["id"]}}, token=admin)
    donated = await api.data(
        """mutation($i: DonatePointsInput!) { donatePoints(input: $i) { donation { id } errors { code } } }""",
        {"i": {"projectId": project["id"], "points": 5, "memberCode": member["code"], "idempotencyKey": "nodes"}}, token=shop.clerk,
    )
    assert [opened["openCharityProject"]["errors"], donated["donatePoints"]["errors"]] == [[], []]
    assert [campaign["createCampaign"]["errors"], rule["createMallPriceRule"]["errors"],
            redeemed["redeemMallItem"]["errors"], key["createDeviceKey"]["errors"]] == [[], [], [], []]

    template, coupon = await _a_coupon(api, admin, member["id"])
    lottery = await api.data(
        """mutation($i: CreateLotteryInput!) { createLottery(input: $i) { lottery { id } errors { code } } }""",
        {"i": {"name": "Nodes", "pointsPerDraw": 0, "opensAt": (clock.now() - timedelta(hours=1)).isoformat(),
               "closesAt": (clock.now() + timedelta(days=1)).isoformat(), "prizes": [{"name": "None", "kind": "NO_PRIZE", "weight": 1}]}},
        token=admin,
    )
    lottery_gid = lottery["createLottery"]["lottery"]["id"]
    opened = await api.data("mutation($i: OpenLotteryInput!) { openLottery(input: $i) { errors { code } } }",
                            {"i": {"lotteryId": lottery_gid}}, token=admin)
    drawn = await api.data("mutation($i: DrawLotteryInput!) { drawLottery(input: $i) { draw { id } errors { code } } }",
                           {"i": {"lotteryId": lottery_gid, "memberCode": member["code"], "idempotencyKey": "nodes"}}, token=shop.clerk)
    assert [opened["openLottery"]["errors"], drawn["drawLottery"]["errors"]] == [[], []]
    endpoint, delivery_gid = await _a_webhook_delivery(api, admin)

    seen = (await api.data(MEMBER, {"c": member["code"]}, token=admin))["member"]
    lists = await api.data(LISTS, token=admin)
    purchase = seen["purchases"]["edges"][0]["node"]
    return {
        "Store": lists["stores"]["edges"][0]["node"]["id"], "StaffUser": lists["viewer"]["staff"]["id"],
        "ApiKey": key["createDeviceKey"]["apiKey"]["id"], "Member": seen["id"], "Tier": seen["tier"]["id"],
        "Purchase": purchase["id"], "PurchaseLine": purchase["lines"][0]["id"],
        "PointsEntry": seen["pointsHistory"]["edges"][0]["node"]["id"],
        "Campaign": lists["campaigns"]["nodes"][0]["id"], "MallPriceRule": lists["mallPriceRules"]["nodes"][0]["id"],
        "MallItem": lists["mallItems"]["edges"][0]["node"]["id"], "Redemption": seen["redemptions"]["edges"][0]["node"]["id"],
        "CouponTemplate": template, "Coupon": coupon,
        "Lottery": lottery_gid, "LotteryDraw": drawn["drawLottery"]["draw"]["id"],
        "WebhookEndpoint": endpoint, "WebhookDelivery": delivery_gid,
        "CharityProject": project["id"], "Donation": donated["donatePoints"]["donation"]["id"],
    }


async def _a_coupon(api, admin: str, member_id: str) -> tuple[str, str]:
    """A coupon template and a coupon granted from it: their global IDs."""
    made = await api.data("""mutation($i: CreateCouponTemplateInput!) {
                             createCouponTemplate(input: $i) { template { id } errors { code } } }""",
                          {"i": {"name": "Tasting", "kind": "TASTING", "itemName": "Pear", "validDays": 7}}, token=admin)
    template = made["createCouponTemplate"]["template"]["id"]
    granted = await api.data("""mutation($i: IssueCouponInput!) { issueCoupon(input: $i) { coupon { id } errors { code } } }""",
                             {"i": {"templateId": template, "memberId": member_id, "idempotencyKey": "nodes"}}, token=admin)
    return template, granted["issueCoupon"]["coupon"]["id"]


async def _a_webhook_delivery(api, admin: str) -> tuple[str, str]:
    """An endpoint (subscribed to the redemption made above) and one delivery to it, answered 204."""
    created = await api.data(
        """mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { endpoint { id } errors { code } } }""",
        {"i": {"url": "http://127.0.0.1:9/hooks", "events": ["REDEMPTION_CREATED"]}}, token=admin,
    )
    endpoint = created["createWebhookEndpoint"]["endpoint"]["id"]
    answers = httpx.AsyncClient(transport=httpx.MockTransport(lambda request: httpx.Response(204)))
    assert (await webhook_delivery.run(api.settings, api.clock, client=answers)).delivered == 1
    await answers.aclose()
    shown = await api.data("query($e: ID!) { webhookDeliveries(endpointId: $e, first: 1) { nodes { id } } }", {"e": endpoint}, token=admin)
    return endpoint, shown["webhookDeliveries"]["nodes"][0]["id"]


async def test_every_node_type_round_trips_through_node(api, clock):
    ids = await one_of_each(api, clock)
    assert set(ids) == node_type_names(), "a new Node type needs an instance here"
    admin = await api.admin_token()
    for type_name, gid in ids.items():
        assert (await api.data(NODE, {"id": gid}, token=admin))["node"] == {"__typename": type_name, "id": gid}, type_name
    many = (await api.data(NODES, {"ids": list(ids.values())}, token=admin))["nodes"]
    assert many == [{"__typename": t, "id": gid} for t, gid in ids.items()]


async def test_nodes_a_member_may_not_see_are_null(api, clock):
    ids = await one_of_each(api, clock)
    shop = await open_shop(api, clock, with_rules=False)
    stranger = await shop.member()
    from domain.members.models import Member
    from tests.test_mall import member_token

    token = member_token(api, (await Member.get(code=stranger["code"])).id)
    hidden = ["StaffUser", "ApiKey", "Member", "Purchase", "PurchaseLine", "PointsEntry", "Campaign", "MallPriceRule", "Redemption",
              "LotteryDraw",
              "WebhookEndpoint", "WebhookDelivery", "Donation"]
    assert (await api.data(NODES, {"ids": [ids[t] for t in hidden]}, token=token))["nodes"] == [None] * len(hidden)
