"""DataLoaders keep list queries at a fixed number of SQL statements, whatever the page size."""

from __future__ import annotations

import logging
from contextlib import contextmanager

import pytest

from infra import db
from tests.points_support import open_shop

pytestmark = pytest.mark.single_executor  # a second run of each query would double the statements counted
DB_LOGGER = logging.getLogger("tortoise.db_client")
MEMBERS = (
    "query($n: Int) { members(first: $n) { totalCount edges { node { code tier { code } pointsBalance pendingPoints homeStore { code } "
    "tierFloor { code } } } } }"
)
ME = (
    "{ me { code tier { code name } pointsBalance pendingPoints homeStore { code } nextTier { code } progressToNextTier { pointsNeeded } } "
    "}"
)


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = str(record.msg)
        if not message.startswith("Created connection"):
            self.statements.append(record.getMessage()[:200])


@contextmanager
def counting_sql():
    counter = _Counter()
    level = DB_LOGGER.level
    DB_LOGGER.setLevel(logging.DEBUG)
    DB_LOGGER.addHandler(counter)
    try:
        yield counter.statements
    finally:
        DB_LOGGER.removeHandler(counter)
        DB_LOGGER.setLevel(level)


async def test_members_page_costs_the_same_queries_for_5_or_20_members(api, clock):
    shop = await open_shop(api, clock)
    for _ in range(20):
        await shop.member()
    await api.data(MEMBERS, {"n": 1}, token=shop.clerk)  # warm the tier cache
    with counting_sql() as small:
        await api.data(MEMBERS, {"n": 5}, token=shop.clerk)
    with counting_sql() as large:
        await api.data(MEMBERS, {"n": 20}, token=shop.clerk)
    assert len(small) == len(large), (small, large)
    assert len(large) <= 5, large


async def test_member_app_home_screen_is_a_handful_of_queries(api, clock, outbox):
    from tests.test_behaviour_points import member_token

    shop = await open_shop(api, clock)
    _, token = await member_token(api, outbox, shop)
    await api.data(ME, token=token)
    with counting_sql() as statements:
        await api.data(ME, token=token)
    assert len(statements) <= 6, statements


async def test_balance_query_is_one_statement(api, clock, outbox):
    from tests.test_behaviour_points import member_token

    shop = await open_shop(api, clock)
    _, token = await member_token(api, outbox, shop)
    with counting_sql() as statements:
        await api.data("{ me { pointsBalance } }", token=token)
    assert len(statements) == 1, statements


async def test_a_purchase_costs_the_same_statements_whatever_the_number_of_campaigns(api, clock):
    """Campaign caps are read for all live campaigns at once, not campaign by campaign."""
    from datetime import timedelta

    from domain.earning import rulebook
    from domain.earning.models import CampaignRule
    from tests.points_support import local

    clock.set(local(2026, 11, 23))
    shop = await open_shop(api, clock)
    member = await shop.member()
    await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "10.00")])  # warm the caches
    with counting_sql() as few:
        await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "10.00")])
    start = clock.now() - timedelta(days=10)
    for i in range(5):
        await CampaignRule.create(
            code=f"NEVER_{i}", name="Never matches", bonus_points=5, conditions={"categories": ["NO_SUCH_CATEGORY"]},
            cap_per_member=100, cap_per_member_per_day=10, starts_at=start, announced_at=start, created_at=start,
        )
    await rulebook.invalidate()
    await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "10.00")])  # warm the rulebook
    with counting_sql() as many:
        await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "10.00")])
    assert len(many) == len(few), (few, many)
    # No re-reads: the store comes from the cache, the purchase row from its INSERT and UPDATE; what
    # the earning depends on (an earlier purchase, the store's flags, the campaigns' usage, the
    # member's tier activity) is one read; the member's account is found and locked by one
    # statement. On PostgreSQL the credit's journal, lot, account change and booking are one
    # statement, and so are the lines, the member's store link and the purchase's update. SQLite
    # (no data-modifying CTEs) writes them one by one. After the commit nothing is read again. The
    # POS's call is audited: the audit record reads the chain's last hash and inserts itself (on
    # PostgreSQL after the advisory lock that serialises the chain).
    assert len(few) <= (11 if db.is_postgres() else 16), few


async def test_a_redemption_reads_the_member_once_and_its_payload_balance_comes_from_the_debit(api):
    from tests.test_mall import Mall

    mall = await Mall.open(api)
    item = await mall.item(pointsPrice=10, stock=50)
    shopper = await mall.member(balance=1000)
    await mall.redeem(shopper, item, storeId=mall.store_gid)  # warm the caches
    with counting_sql() as statements:
        result = await mall.redeem(shopper, item, storeId=mall.store_gid)
    assert result["errors"] == [] and result["member"] == {"pointsBalance": 980}
    assert sum("FROM member" in s or 'FROM "member"' in s for s in statements) == 1, statements
    # On PostgreSQL: the member, the claim, the debit, the journal with its lots and its booking,
    # the redemption.created event into the webhook outbox, the stock with the COMMIT. SQLite has
    # no data-modifying CTEs: five statements more.
    assert len(statements) <= (6 if db.is_postgres() else 11), statements


async def test_a_mall_page_reads_its_stock_in_one_statement_whatever_its_size(api):
    from tests.test_mall import Mall

    mall = await Mall.open(api)
    page = "{ mallItems(first: 50) { edges { node { name stockRemaining } } } }"

    async def listed() -> tuple[dict, list[str]]:
        await api.data(page)  # warm the catalogue cache
        with counting_sql() as statements:
            edges = (await api.data(page))["mallItems"]["edges"]
        return {e["node"]["name"]: e["node"]["stockRemaining"] for e in edges}, statements

    await mall.item(name="Box 0", stock=5)
    await mall.item(name="Unlimited")
    few, few_statements = await listed()
    assert few == {"Box 0": 5, "Unlimited": None}
    for n in range(1, 8):
        await mall.item(name=f"Box {n}", stock=n)
    many, many_statements = await listed()
    assert many == {"Unlimited": None, **{f"Box {n}": 5 if n == 0 else n for n in range(8)}}
    assert len(many_statements) == len(few_statements), many_statements
    assert sum("mall_stock_bucket" in s for s in many_statements) == 1, many_statements


async def test_a_history_page_counts_the_whole_history_only_when_asked(api, clock, outbox):
    from tests.test_behaviour_points import member_token

    shop = await open_shop(api, clock)
    _, token = await member_token(api, outbox, shop)
    page = "{ me { pointsHistory(first: 5) { edges { node { kind points } } %s } } }"
    with counting_sql() as without_total:
        edges = (await api.data(page % "", token=token))["me"]["pointsHistory"]["edges"]
    assert edges and not any("COUNT(" in s.upper() for s in without_total), without_total
    with counting_sql() as with_total:
        history = (await api.data(page % "totalCount", token=token))["me"]["pointsHistory"]
    assert history["totalCount"] == len(edges) >= 1
    assert len(with_total) == len(without_total) + 1, with_total


async def test_a_check_in_costs_a_fixed_handful_of_statements(api, clock, outbox):
    from datetime import timedelta

    from tests.points_support import local
    from tests.test_behaviour_points import CHECK_IN, member_token

    clock.set(local(2026, 11, 1, 9))
    shop = await open_shop(api, clock)
    _, token = await member_token(api, outbox, shop)
    await api.data(CHECK_IN, token=token)  # warm the caches
    clock.advance(timedelta(days=1))
    with counting_sql() as statements:
        result = (await api.data(CHECK_IN, token=token))["checkIn"]
    assert result["errors"] == [] and result["streakDays"] == 2
    # The member, yesterday's check-in, the day's behaviour row locked by an upsert and raised, the
    # account locked, the credit (one statement on PostgreSQL), the check-in row, the payload's
    # member. The home store's time zone comes from the cache.
    assert len(statements) <= (8 if db.is_postgres() else 12), statements
