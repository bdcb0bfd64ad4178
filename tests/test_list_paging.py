"""The lists that grow are Relay connections: first/after, at most 100 a page, keyset cursors."""

from __future__ import annotations

from domain.errors import DomainError
from domain.pagination import PageRequest, page_in_order

CAMPAIGNS = """query($first: Int, $after: String) { campaigns(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } nodes { code } } }"""
RULES = """query($first: Int, $after: String) { mallPriceRules(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } nodes { code } } }"""
CREATE_CAMPAIGN = "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { errors { code } } }"
CREATE_RULE = "mutation($i: CreateMallPriceRuleInput!) { createMallPriceRule(input: $i) { errors { code } } }"


async def walk(api, query: str, field: str, token: str) -> list[list[str]]:
    pages, after = [], None
    while True:
        page = (await api.data(query, {"first": 2, "after": after}, token=token))[field]
        pages.append([n["code"] for n in page["nodes"]])
        assert page["totalCount"] == 5
        if not page["pageInfo"]["hasNextPage"]:
            return pages
        after = page["pageInfo"]["endCursor"]


async def test_campaigns_and_price_rules_come_in_pages(api):
    admin = await api.admin_token()
    for n in range(5):
        body = await api.data(CREATE_CAMPAIGN, {"i": {"code": f"PAGED_{n}", "name": "Paged", "bonusPoints": 1}}, token=admin)
        assert body["createCampaign"]["errors"] == []
        body = await api.data(CREATE_RULE, {"i": {"code": f"PAGED_{n}", "name": "Paged", "kind": "MEMBER_DAY", "percent": -5,
                                                   "dayOfMonth": n + 1}}, token=admin)
        assert body["createMallPriceRule"]["errors"] == []
    expected = [["PAGED_0", "PAGED_1"], ["PAGED_2", "PAGED_3"], ["PAGED_4"]]
    assert await walk(api, CAMPAIGNS, "campaigns", admin) == expected
    assert await walk(api, RULES, "mallPriceRules", admin) == expected


async def test_a_page_holds_at_most_100(api):
    admin = await api.admin_token()
    for query in (CAMPAIGNS, RULES, "query($first: Int) { upcomingRuleChanges(first: $first) { totalCount } }"):
        body = await api.gql(query, {"first": 101}, token=admin)
        assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "reason": "INVALID_PAGE_SIZE"}


def test_a_cursor_of_another_list_is_refused():
    items = [{"at": 1, "id": 1}, {"at": 1, "id": 2}, {"at": 3, "id": 3}]

    def key(item):
        return [item["at"], item["id"]]

    page = page_in_order(items, PageRequest(first=1, after=[1, 1]), key)
    assert page.items == [items[1]] and page.has_next and page.has_previous
    try:
        page_in_order(items, PageRequest(first=1, after=["not", "ours"]), key)
    except DomainError as exc:
        assert exc.code == "INVALID_CURSOR"
    else:
        raise AssertionError("a foreign cursor was taken")
