"""Donations under a rush: many parallel requests through the API, totals exact, nobody charged twice.

On PostgreSQL the requests run on real parallel connections (the test pool has 60); each scenario
also runs smaller on every database, so SQLite keeps the same rules.
"""

from __future__ import annotations

from domain.donations.models import Donation
from domain.donations.projects import account_code
from domain.ledger import service as ledger
from domain.ledger.models import JournalKind, PointsJournal, SystemAccount
from tests.concurrently import all_at_once
from tests.conftest import requires_postgres
from tests.donations_support import Charity, assert_books_clean, new_key
from tests.test_mall import codes_of, pk
from tests.test_mall_concurrency import many_members


async def _journals(kind: JournalKind, donation_ids: list[int]) -> dict[int, int]:
    found = {donation_id: 0 for donation_id in donation_ids}
    for journal in await PointsJournal.filter(kind=kind, reference__startswith="donation:"):
        donation_id = int(journal.reference.split(":")[1])  # type: ignore[union-attr]
        if donation_id in found:
            found[donation_id] += 1
    return found


# ---- many members donate at once ----------------------------------------------------------------


async def _many_donate(api, members: int, twice: int) -> None:
    charity = await Charity.open(api)
    project = await charity.project(goalPoints=1_000_000)
    shoppers = await many_members(api, members, 200)
    donors = shoppers + shoppers[:twice]  # the first `twice` members donate a second time
    amounts = [10 + i % 7 for i in range(len(donors))]
    results = await all_at_once(*(charity.donate_retrying(s, project, a) for s, a in zip(donors, amounts, strict=True)))
    assert codes_of(results) == []
    shown = await charity.read(project["id"])
    assert shown["raisedPoints"] == sum(amounts) and shown["donationCount"] == len(donors)
    assert shown["donorCount"] == members
    assert await ledger.system_balance(account_code(pk(project["id"]))) == sum(amounts)
    per_member: dict[int, int] = {}
    for s, a in zip(donors, amounts, strict=True):
        per_member[s.id] = per_member.get(s.id, 0) + a
    assert {s.id: await ledger.balance(s.id) for s in shoppers} == {s.id: 200 - per_member[s.id] for s in shoppers}
    ids = [d.id for d in await Donation.all()]
    assert set((await _journals(JournalKind.DONATION, ids)).values()) == {1}
    await assert_books_clean()


@requires_postgres()
async def test_five_hundred_members_donate_at_once(api):
    await _many_donate(api, 500, 100)


async def test_members_donate_at_once_small(api):
    await _many_donate(api, 30, 5)


# ---- a stop-at-goal project never passes its goal ------------------------------------------------


async def _goal_race(api, members: int, goal: int) -> None:
    charity = await Charity.open(api)
    project = await charity.project(goalPoints=goal, minimumPoints=10, stopAtGoal=True)
    shoppers = await many_members(api, members, 100)
    amounts = [50 + (i * 13) % 51 for i in range(members)]  # 50..100, more than the goal together
    assert sum(amounts) > goal
    results = await all_at_once(*(charity.donate_retrying(s, project, a) for s, a in zip(shoppers, amounts, strict=True)))
    taken = [r["donation"]["points"] for r in results if r["errors"] == []]
    assert set(codes_of(results)) <= {"GOAL_REACHED"}
    assert sum(taken) == goal  # never past it, and the cut donations fill it exactly
    shown = await charity.read(project["id"])
    assert shown["raisedPoints"] == goal and shown["progress"] == 1.0
    for s, r, a in zip(shoppers, results, amounts, strict=True):
        spent = r["donation"]["points"] if r["errors"] == [] else 0
        assert await ledger.balance(s.id) == 100 - spent and spent <= a
    await assert_books_clean()


@requires_postgres()
async def test_a_stop_at_goal_race_never_passes_the_goal(api):
    await _goal_race(api, 300, 10_000)


async def test_a_stop_at_goal_race_small(api):
    await _goal_race(api, 30, 1_000)


# ---- matching stops exactly at its cap -----------------------------------------------------------


async def _matching_race(api, members: int, cap: int) -> None:
    charity = await Charity.open(api)
    project = await charity.project(goalPoints=100_000, matching={"ratio": "1", "capPoints": cap})
    shoppers = await many_members(api, members, 100)
    results = await all_at_once(*(charity.donate_retrying(s, project, 37) for s in shoppers))
    assert codes_of(results) == []
    matched = sum(r["donation"]["matchedPoints"] for r in results)
    assert matched == cap
    assert all(r["donation"]["matchedPoints"] <= 37 for r in results)
    assert await ledger.system_balance(SystemAccount.MATCHING_BUDGET) == -cap
    shown = await charity.read(project["id"])
    assert (shown["raisedPoints"], shown["matchedPoints"]) == (37 * members, cap)
    await assert_books_clean()


@requires_postgres()
async def test_matching_stops_exactly_at_its_cap_under_a_race(api):
    await _matching_race(api, 200, 3_001)


async def test_matching_stops_at_its_cap_small(api):
    await _matching_race(api, 30, 301)


# ---- retries of one key ---------------------------------------------------------------------------


async def _retries(api, count: int) -> None:
    charity = await Charity.open(api)
    project = await charity.project()
    [member] = await many_members(api, 1, 500)
    key = new_key()
    results = await all_at_once(*(charity.donate_retrying(member, project, 120, key=key) for _ in range(count)))
    assert codes_of(results) == []
    assert len({r["donation"]["id"] for r in results}) == 1
    assert sorted(r["replayed"] for r in results) == [False] + [True] * (count - 1)
    assert await Donation.all().count() == 1
    assert await ledger.balance(member.id) == 380
    assert await PointsJournal.filter(kind=JournalKind.DONATION).count() == 1
    await assert_books_clean()


@requires_postgres()
async def test_twenty_concurrent_retries_make_one_donation(api):
    await _retries(api, 20)


async def test_concurrent_retries_make_one_donation_small(api):
    await _retries(api, 5)


# ---- cancelling refunds each donation once, even retried ------------------------------------------


async def _cancel(api, members: int, each: int, cancels: int) -> None:
    charity = await Charity.open(api)
    project = await charity.project(goalPoints=10_000_000, matching={"ratio": "0.5", "capPoints": 1_000_000})
    shoppers = await many_members(api, members, 100)
    for round_ in range(each):
        results = await all_at_once(*(charity.donate_retrying(s, project, 10 + round_) for s in shoppers))
        assert codes_of(results) == []
    total = members * each
    cancelled = await all_at_once(*(charity.cancel(project["id"]) for _ in range(cancels)))
    assert all(c["errors"] == [] and c["project"]["status"] == "CANCELLED" for c in cancelled)
    assert sum(c["refundedDonations"] for c in cancelled) == total
    again = await charity.cancel(project["id"])
    assert again["refundedDonations"] == 0
    ids = [d.id for d in await Donation.all()]
    assert len(ids) == total and await Donation.filter(status="REFUNDED").count() == total
    reversals = await PointsJournal.filter(kind=JournalKind.REVERSAL).count()
    assert reversals == 2 * total  # the points and the matching, once each
    assert {await ledger.balance(s.id) for s in shoppers} == {100}
    assert await ledger.system_balance(SystemAccount.MATCHING_BUDGET) == 0
    assert await ledger.system_balance(account_code(pk(project["id"]))) == 0
    shown = await charity.read(project["id"])
    assert (shown["raisedPoints"], shown["matchedPoints"], shown["donationCount"]) == (0, 0, 0)
    await assert_books_clean()


@requires_postgres()
async def test_cancelling_a_thousand_donations_refunds_each_once_even_retried(api):
    await _cancel(api, 250, 4, 3)


async def test_cancelling_refunds_each_once_even_retried_small(api):
    await _cancel(api, 10, 3, 2)
