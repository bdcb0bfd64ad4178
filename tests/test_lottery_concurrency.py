"""The rush on a lottery: parallel draws through the API, prizes never over-given, never charged twice.

On PostgreSQL the draws run on real parallel connections; each scenario also runs smaller on
every database. The statistics of the mapping are checked at the domain level (fast, fixed seed).
"""

from __future__ import annotations

import random
from collections import Counter

from domain.ledger.check import check_ledger
from domain.ledger.models import JournalKind, PointsJournal
from domain.lotteries import fairness
from domain.lotteries.models import LotteryDraw, LotteryMemberCount
from tests.concurrently import all_at_once
from tests.conftest import requires_postgres
from tests.test_lotteries import Lotteries, new_key
from tests.test_mall import pk
from tests.test_mall_concurrency import many_members


async def _draw(shop: Lotteries, shopper, gid: str, *, key: str | None = None) -> dict:
    """As a client does: TRY_AGAIN (a lock wait past lock_timeout on a busy machine) is retried with the same key."""
    key = key or new_key()
    for _ in range(5):
        result = await shop.draw(shopper, gid, key=key)
        if [e["code"] for e in result["errors"]] != ["TRY_AGAIN"]:
            break
    return result


async def _rush(api, members: int, units: int) -> None:
    shop = await Lotteries.open_shop(api)
    template = await shop.template()
    # The top prize is drawn 9 times in 10: it sells out early and the rest of the rush gets NO_PRIZE.
    gid = await shop.lottery([{"name": "Free order", "kind": "COUPON", "weight": 9, "stock": units, "couponTemplateId": template},
                              {"name": "Thanks", "kind": "NO_PRIZE", "weight": 1}], pointsPerDraw=100)
    shoppers = await many_members(api, members, 100)
    results = await all_at_once(*(_draw(shop, s, gid) for s in shoppers))
    assert [r["errors"] for r in results] == [[]] * members
    top = [r for r in results if r["draw"]["prize"]["name"] == "Free order"]
    assert len(top) == units and len({r["draw"]["coupon"]["code"] for r in top}) == units
    assert all(r["member"]["pointsBalance"] == 0 for r in results)
    references = await PointsJournal.filter(kind=JournalKind.LOTTERY_DRAW).values_list("reference", flat=True)
    journals = Counter(reference.split(":")[2] for reference in references)  # lottery:<id>:<member>:<nonce>
    assert set(journals.values()) == {1} and len(journals) == members
    assert (await shop.one(gid))["odds"][0]["stockRemaining"] == 0
    assert await check_ledger() == []
    assert (await shop.close(gid))["errors"] == []
    from tests.test_lotteries import verify_cli

    assert verify_cli(api.settings, gid).returncode == 0


@requires_postgres()
async def test_five_hundred_members_rush_ten_top_prizes(api):
    await _rush(api, 500, 10)


async def test_members_rush_a_few_top_prizes(api):
    await _rush(api, 30, 4)


async def _retries(api, retries: int) -> None:
    shop = await Lotteries.open_shop(api)
    gid = await shop.lottery()
    shopper = await shop.member(balance=100)
    results = await all_at_once(*(_draw(shop, shopper, gid, key="one-key") for _ in range(retries)))
    assert all(r["errors"] == [] for r in results), results
    assert len({r["draw"]["id"] for r in results}) == 1 and sum(not r["replayed"] for r in results) == 1
    assert await LotteryDraw.all().count() == 1
    assert await PointsJournal.filter(kind=JournalKind.LOTTERY_DRAW).count() == 1
    assert await check_ledger() == []


@requires_postgres()
async def test_twenty_concurrent_retries_of_one_key_draw_once(api):
    await _retries(api, 20)


async def test_concurrent_retries_of_one_key_draw_once_small(api):
    await _retries(api, 5)


async def _day_cap(api, racing: int) -> None:
    shop = await Lotteries.open_shop(api)
    gid = await shop.lottery(perDayLimit=3, pointsPerDraw=1)
    shopper = await shop.member(balance=100)
    assert (await _draw(shop, shopper, gid))["errors"] == [] and (await _draw(shop, shopper, gid))["errors"] == []
    results = await all_at_once(*(_draw(shop, shopper, gid) for _ in range(racing)))  # one draw left today
    assert sorted(e["code"] for r in results for e in r["errors"]) == ["DRAW_LIMIT_REACHED"] * (racing - 1)
    assert await LotteryDraw.filter(lottery_id=pk(gid)).count() == 3
    assert sorted(await LotteryDraw.filter(lottery_id=pk(gid)).values_list("nonce", flat=True)) == [0, 1, 2]
    counts = dict(await LotteryMemberCount.filter(lottery_id=pk(gid)).values_list("period_key", "used"))
    assert set(counts.values()) == {3}
    assert await check_ledger() == []


@requires_postgres()
async def test_a_member_at_the_day_cap_racing_ten_draws(api):
    await _day_cap(api, 10)


async def test_a_member_at_the_day_cap_racing_draws_small(api):
    await _day_cap(api, 4)


def test_twenty_thousand_draws_land_within_the_published_odds():
    """A chi-square test of the mapping with a fixed server seed and fixed client seeds: it cannot flake."""
    seed = random.Random(19).randbytes(32)
    table = [fairness.TableLine(1, 1), fairness.TableLine(2, 9), fairness.TableLine(3, 30), fairness.TableLine(4, 60, True)]
    draws = 20_000
    counts = Counter(fairness.fall(table, fairness.number(seed, 7, 1 + i % 500, i // 500, f"c{i}")) for i in range(draws))
    total = fairness.total_weight(table)
    chi2 = sum((counts[line.prize_id] - draws * line.weight / total) ** 2 / (draws * line.weight / total) for line in table)
    assert chi2 < 16.27  # the 0.1 % critical value with 3 degrees of freedom
    assert fairness.odds(table)[1] * draws == 200


def test_the_sold_out_rule_gives_no_prize_and_leaves_the_rest():
    table = [fairness.TableLine(1, 1), fairness.TableLine(2, 1), fairness.TableLine(3, 2, True)]
    seed = bytes(32)
    numbers = [fairness.number(seed, 1, 1, n, "x") for n in range(200)]
    for number in numbers:
        drawn = fairness.fall(table, number)
        assert fairness.outcome(table, number, [1]) == (drawn, 3 if drawn == 1 else drawn)
    assert fairness.global_id("Lottery", 1) == "TG90dGVyeTox"
    from schema.relay import to_global_id

    assert fairness.global_id("Member", 42) == to_global_id("Member", 42)
