"""The points ledger: earning, FIFO spending, expiry, pending points, reversals, debt, the check."""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from tortoise.transactions import in_transaction

from domain.ledger import accounts
from domain.ledger import service as ledger
from domain.ledger.check import check_ledger
from domain.ledger.errors import LedgerError
from domain.ledger.models import (
    JournalKind,
    LotConsumption,
    LotStatus,
    PointsAccount,
    PointsEntry,
    PointsJournal,
    PointsLot,
    SystemAccount,
)
from domain.members.models import Member
from domain.pagination import PageRequest
from domain.tiers.models import Tier
from infra import db
from infra.clock import FixedClock
from tests.conftest import REPO_ROOT, requires_postgres

_serial = itertools.count(1)
STAFF = "staff:1"


async def make_member(now: datetime) -> Member:
    tier = await Tier.get_or_none(code="REGULAR") or await Tier.create(code="REGULAR", name="Regular", rank=0)
    n = next(_serial)
    return await Member.create(
        code=f"M{n:06d}", phone_hash=f"phone-{n}", phone_encrypted="x", phone_masked="x", name=f"Member {n}",
        channel="APP", referral_code=f"R{n:06d}", tier=tier, created_at=now, updated_at=now,
    )


async def earn(member: Member, points: int, clock: FixedClock, **options) -> PointsJournal:
    return await ledger.credit(member.id, points, JournalKind.PURCHASE, reason="purchase", actor=STAFF, clock=clock, **options)


async def spend(member: Member, points: int, clock: FixedClock) -> PointsJournal:
    return (await ledger.debit(member.id, points, JournalKind.REDEMPTION, reason="gift box", actor=STAFF, clock=clock)).journal


async def system_balance(code: str) -> int:
    """The whole system account: the sum over its shard rows."""
    return await ledger.system_balance(code)


async def entries_of(journal: PointsJournal) -> dict[str, int]:
    """The journal's lines by account: a system account code (whichever shard), or "member"."""
    rows = await PointsEntry.filter(journal_id=journal.id).select_related("account")
    return {str(accounts.base_code(row.account.code)) if row.account.code else "member": row.amount for row in rows}


async def consumed_by(journal: PointsJournal) -> list[tuple[int, int]]:
    rows = await LotConsumption.filter(journal_id=journal.id).order_by("id")
    return [(row.lot_id, row.amount) for row in rows]


async def lot_of(journal: PointsJournal) -> PointsLot:
    return await PointsLot.get(journal_id=journal.id)


async def assert_clean() -> None:
    assert await check_ledger() == []


# ---- earning and spending -------------------------------------------------------------------


async def test_a_credit_books_balanced_entries_and_a_lot_valid_one_year(clock):
    clock.set(datetime(2026, 3, 1, 4, 30, tzinfo=UTC))
    member = await make_member(clock.now())
    journal = await earn(member, 100, clock, reference="purchase:12")

    assert await ledger.balance(member.id) == 100
    assert await entries_of(journal) == {"member": 100, "ISSUED": -100}
    lot = await lot_of(journal)
    assert (lot.original, lot.remaining, lot.status) == (100, 100, LotStatus.AVAILABLE)
    assert lot.expires_at == datetime(2027, 3, 1, 4, 30, tzinfo=UTC)
    assert (journal.reference, journal.actor) == ("purchase:12", STAFF)
    await assert_clean()


async def test_points_earned_on_29_february_expire_on_28_february(clock):
    clock.set(datetime(2028, 2, 29, 12, 0, tzinfo=UTC))
    member = await make_member(clock.now())
    lot = await lot_of(await earn(member, 1, clock))
    assert lot.expires_at == datetime(2029, 2, 28, 12, 0, tzinfo=UTC)


async def test_spending_takes_the_oldest_expiry_first_then_the_oldest_lot(clock):
    member = await make_member(clock.now())
    late = await earn(member, 50, clock, expires_at=clock.now() + timedelta(days=30))
    soon_first = await earn(member, 50, clock, expires_at=clock.now() + timedelta(days=10))
    soon_second = await earn(member, 50, clock, expires_at=clock.now() + timedelta(days=10))

    redemption = await spend(member, 70, clock)

    assert await consumed_by(redemption) == [((await lot_of(soon_first)).id, 50), ((await lot_of(soon_second)).id, 20)]
    assert (await lot_of(late)).remaining == 50
    assert await entries_of(redemption) == {"member": -70, "REDEEMED": 70}
    assert await ledger.balance(member.id) == 80
    await assert_clean()


async def test_spending_more_than_the_balance_is_insufficient_points_and_writes_nothing(clock):
    member = await make_member(clock.now())
    await earn(member, 30, clock)
    with pytest.raises(LedgerError) as raised:
        await spend(member, 31, clock)
    assert raised.value.code == "INSUFFICIENT_POINTS" and raised.value.field == "amount"
    assert await ledger.balance(member.id) == 30
    assert await PointsJournal.filter(kind=JournalKind.REDEMPTION).count() == 0


async def test_a_member_without_an_account_cannot_spend_and_an_unknown_member_cannot_earn(clock):
    member = await make_member(clock.now())
    with pytest.raises(LedgerError) as raised:
        await spend(member, 1, clock)
    assert raised.value.code == "INSUFFICIENT_POINTS"
    with pytest.raises(LedgerError) as raised:
        await ledger.credit(member.id + 1000, 5, JournalKind.PURCHASE, reason="x", actor=STAFF, clock=clock)
    assert raised.value.code == "MEMBER_NOT_FOUND"


@pytest.mark.parametrize("points", [0, -5, True, 2.5])
async def test_points_are_positive_whole_numbers(clock, points):
    member = await make_member(clock.now())
    with pytest.raises(LedgerError) as raised:
        await earn(member, points, clock)
    assert raised.value.code == "INVALID_AMOUNT"


async def test_a_kind_must_fit_the_operation(clock):
    member = await make_member(clock.now())
    with pytest.raises(LedgerError) as raised:
        await ledger.credit(member.id, 5, JournalKind.REDEMPTION, reason="x", actor=STAFF, clock=clock)
    assert raised.value.code == "INVALID_KIND"


async def test_a_failed_operation_inside_the_callers_transaction_undoes_only_itself(clock):
    member = await make_member(clock.now())
    async with in_transaction() as conn:
        await ledger.credit(member.id, 40, JournalKind.PURCHASE, reason="x", actor=STAFF, clock=clock, connection=conn)
        with pytest.raises(LedgerError):
            await ledger.debit(member.id, 50, JournalKind.REDEMPTION, reason="x", actor=STAFF, clock=clock, connection=conn)
        await ledger.debit(member.id, 15, JournalKind.REDEMPTION, reason="x", actor=STAFF, clock=clock, connection=conn)
    assert await ledger.balance(member.id) == 25
    await assert_clean()


# ---- expiry -------------------------------------------------------------------------------


async def test_a_spend_beyond_the_first_lots_it_reads_still_spends_in_expiry_order(clock):
    """A spend reads the first few lots by expiry, and all of them when those are overdue or too small."""
    member = await make_member(clock.now())
    overdue = [await earn(member, 5, clock, expires_at=clock.now() + timedelta(days=1)) for _ in range(3)]
    small = [await earn(member, 5, clock, expires_at=clock.now() + timedelta(days=10 + i)) for i in range(4)]
    clock.advance(timedelta(days=2))  # the first three are overdue and not yet swept

    redemption = await spend(member, 18, clock)

    lots_of_small = [(await lot_of(journal)).id for journal in small]
    assert await consumed_by(redemption) == [(lots_of_small[0], 5), (lots_of_small[1], 5), (lots_of_small[2], 5), (lots_of_small[3], 3)]
    assert [(await lot_of(journal)).remaining for journal in overdue] == [5, 5, 5]
    assert await ledger.balance(member.id) == 35 - 18
    await assert_clean()


async def test_a_lot_past_expiry_cannot_be_spent_and_expire_due_books_it_to_expired(clock):
    member = await make_member(clock.now())
    await earn(member, 100, clock, expires_at=clock.now() + timedelta(days=1))
    await earn(member, 20, clock)
    clock.advance(timedelta(days=2))

    with pytest.raises(LedgerError) as raised:
        await spend(member, 30, clock)
    assert raised.value.code == "INSUFFICIENT_POINTS"
    assert await ledger.balance(member.id) == 120
    # The refused spend left nothing behind: no journal, no booking on the REDEEMED shard.
    assert not await PointsJournal.filter(kind=JournalKind.REDEMPTION).exists()
    assert await system_balance("REDEEMED") == 0

    assert await ledger.expire_due(clock) == 1
    expiry = await PointsJournal.get(kind=JournalKind.EXPIRY)
    assert await entries_of(expiry) == {"member": -100, "EXPIRED": 100}
    assert expiry.actor == ledger.EXPIRY_ACTOR
    assert await ledger.balance(member.id) == 20
    assert await ledger.expire_due(clock) == 0
    await assert_clean()


async def test_expire_due_works_in_batches_and_reports_progress(clock):
    members = [await make_member(clock.now()) for _ in range(3)]
    for member in members:
        for days in (1, 2):
            await earn(member, 10, clock, expires_at=clock.now() + timedelta(days=days))
    clock.advance(timedelta(days=3))
    seen: list[int] = []

    assert await ledger.expire_due(clock, batch_size=3, progress=seen.append) == 6
    assert seen == [3, 6]
    assert await PointsJournal.filter(kind=JournalKind.EXPIRY).count() == 4  # member 2 straddles the batches
    assert [await ledger.balance(m.id) for m in members] == [0, 0, 0]
    assert await system_balance("EXPIRED") == 60
    await assert_clean()


async def test_expiring_lists_points_due_within_the_window(clock):
    member = await make_member(clock.now())
    soon = clock.now() + timedelta(days=5)
    await earn(member, 10, clock, expires_at=soon)
    await earn(member, 20, clock, expires_at=clock.now() + timedelta(days=50))
    assert await ledger.expiring(member.id, 7, clock) == [ledger.ExpiringPoints(points=10, expires_at=soon)]


# ---- pending points -------------------------------------------------------------------------


async def test_pending_points_cannot_be_spent_until_released(clock):
    member = await make_member(clock.now())
    await earn(member, 100, clock, pending_days=7)
    assert (await ledger.balance(member.id), await ledger.pending(member.id)) == (0, 100)
    with pytest.raises(LedgerError):
        await spend(member, 10, clock)

    clock.advance(timedelta(days=6))
    assert await ledger.release_pending(clock) == 0
    clock.advance(timedelta(days=1))
    assert await ledger.release_pending(clock) == 1

    assert (await ledger.balance(member.id), await ledger.pending(member.id)) == (100, 0)
    await spend(member, 10, clock)
    await assert_clean()


async def test_returning_a_purchase_within_the_pending_window_takes_the_pending_points(clock):
    member = await make_member(clock.now())
    await earn(member, 40, clock)
    purchase = await earn(member, 100, clock, pending_days=7)
    await ledger.reverse(purchase.id, kind=JournalKind.RETURN, reason="returned", actor=STAFF, clock=clock)
    assert (await ledger.balance(member.id), await ledger.pending(member.id), await ledger.debt(member.id)) == (40, 0, 0)
    await assert_clean()


# ---- reversals and debt ---------------------------------------------------------------------


async def test_reversing_a_spent_credit_creates_debt_that_the_next_credits_settle(clock):
    member = await make_member(clock.now())
    purchase = await earn(member, 100, clock)
    await spend(member, 70, clock)

    reversal = await ledger.reverse(purchase.id, kind=JournalKind.RETURN, reason="returned", actor=STAFF, clock=clock)

    assert (await ledger.balance(member.id), await ledger.debt(member.id)) == (0, 70)
    assert await entries_of(reversal) == {"member": -100, "ISSUED": 100}
    assert (reversal.reverses_id, reversal.debt_change) == (purchase.id, 70)
    await assert_clean()

    settling = await earn(member, 50, clock)
    assert (await ledger.balance(member.id), await ledger.debt(member.id)) == (0, 20)
    assert await PointsLot.filter(journal_id=settling.id).count() == 0
    await earn(member, 50, clock)
    assert (await ledger.balance(member.id), await ledger.debt(member.id)) == (30, 0)
    await assert_clean()


async def test_a_partial_return_takes_back_unspent_points_of_that_purchase_first(clock):
    member = await make_member(clock.now())
    other = await earn(member, 10, clock, expires_at=clock.now() + timedelta(days=5))
    purchase = await earn(member, 100, clock)
    await ledger.debit(member.id, 30, JournalKind.CASH_OFFSET, reason="offset", actor=STAFF, clock=clock)  # other 10, purchase 20

    await ledger.reverse(purchase.id, fraction=Fraction(1, 2), reason="half returned", actor=STAFF, clock=clock)

    assert (await lot_of(purchase)).remaining == 30
    assert (await lot_of(other)).remaining == 0
    assert (await ledger.balance(member.id), await ledger.debt(member.id)) == (30, 0)
    await ledger.reverse(purchase.id, reason="rest returned", actor=STAFF, clock=clock)
    assert (await ledger.balance(member.id), await ledger.debt(member.id)) == (0, 20)
    await assert_clean()


async def test_reversing_an_expired_credit_takes_nothing_more_from_the_member(clock):
    member = await make_member(clock.now())
    purchase = await earn(member, 100, clock, expires_at=clock.now() + timedelta(days=1))
    await earn(member, 50, clock)
    clock.advance(timedelta(days=2))
    await ledger.expire_due(clock)

    reversal = await ledger.reverse(purchase.id, reason="fraud", actor=STAFF, clock=clock)

    assert await entries_of(reversal) == {"ISSUED": 100, "EXPIRED": -100}
    assert (await ledger.balance(member.id), await ledger.debt(member.id)) == (50, 0)
    assert await system_balance("EXPIRED") == 0
    await assert_clean()


async def test_reversing_a_debit_restores_lots_with_their_original_expiry(clock):
    member = await make_member(clock.now())
    soon_at, late_at = clock.now() + timedelta(days=10), clock.now() + timedelta(days=20)
    soon = await lot_of(await earn(member, 30, clock, expires_at=soon_at))
    late = await lot_of(await earn(member, 50, clock, expires_at=late_at))
    redemption = await spend(member, 60, clock)  # soon 30, late 30
    clock.advance(timedelta(days=1))

    first = await ledger.reverse(redemption.id, amount=30, reason="cancelled", actor=STAFF, clock=clock)
    second = await ledger.reverse(redemption.id, reason="cancelled", actor=STAFF, clock=clock)

    restored_first, restored_second = await lot_of(first), await lot_of(second)
    assert (restored_first.source_lot_id, restored_first.original, restored_first.expires_at) == (late.id, 30, late_at)
    assert (restored_second.source_lot_id, restored_second.original, restored_second.expires_at) == (soon.id, 30, soon_at)
    assert await entries_of(second) == {"member": 30, "REDEEMED": -30}
    assert await ledger.balance(member.id) == 80
    with pytest.raises(LedgerError) as raised:
        await ledger.reverse(redemption.id, reason="again", actor=STAFF, clock=clock)
    assert raised.value.code == "NOTHING_TO_REVERSE"
    await assert_clean()


async def test_a_cancelled_debit_settles_debt_before_reaching_the_balance(clock):
    member = await make_member(clock.now())
    purchase = await earn(member, 100, clock)
    redemption = await spend(member, 100, clock)
    await ledger.reverse(purchase.id, reason="returned", actor=STAFF, clock=clock)
    assert await ledger.debt(member.id) == 100

    await ledger.reverse(redemption.id, amount=60, reason="cancelled", actor=STAFF, clock=clock)
    assert (await ledger.balance(member.id), await ledger.debt(member.id)) == (0, 40)
    await ledger.reverse(redemption.id, reason="cancelled", actor=STAFF, clock=clock)
    assert (await ledger.balance(member.id), await ledger.debt(member.id)) == (0, 0)
    await assert_clean()


async def test_reversal_limits(clock):
    member = await make_member(clock.now())
    purchase = await earn(member, 10, clock)
    with pytest.raises(LedgerError) as raised:
        await ledger.reverse(purchase.id, amount=11, reason="x", actor=STAFF, clock=clock)
    assert raised.value.code == "REVERSAL_TOO_LARGE"
    reversal = await ledger.reverse(purchase.id, reason="x", actor=STAFF, clock=clock)
    for journal_id, code in ((reversal.id, "NOT_REVERSIBLE"), (purchase.id, "NOTHING_TO_REVERSE"), (10**9, "JOURNAL_NOT_FOUND")):
        with pytest.raises(LedgerError) as raised:
            await ledger.reverse(journal_id, reason="x", actor=STAFF, clock=clock)
        assert raised.value.code == code


# ---- adjustments and history ----------------------------------------------------------------


async def test_adjustments_are_audited_and_cannot_overdraw(clock):
    member = await make_member(clock.now())
    up = await ledger.adjust(member.id, 20, reason="goodwill: late delivery", actor="staff:3", store_id=None, clock=clock)
    assert (up.kind, up.actor, up.reason) == (JournalKind.ADJUSTMENT, "staff:3", "goodwill: late delivery")
    assert await entries_of(up) == {"member": 20, "ADJUSTMENTS": -20}

    with pytest.raises(LedgerError) as raised:
        await ledger.adjust(member.id, -21, reason="correction", actor="staff:3", clock=clock)
    assert raised.value.code == "INSUFFICIENT_POINTS"
    with pytest.raises(LedgerError) as raised:
        await ledger.adjust(member.id, -5, reason="  ", actor="staff:3", clock=clock)
    assert raised.value.code == "REASON_REQUIRED"

    down = await ledger.adjust(member.id, -20, reason="correction", actor="staff:4", clock=clock)
    assert await entries_of(down) == {"member": -20, "ADJUSTMENTS": 20}
    assert await ledger.balance(member.id) == 0 and await system_balance("ADJUSTMENTS") == 0
    await assert_clean()


async def test_history_pages_a_members_entries_newest_first(clock):
    member, other = await make_member(clock.now()), await make_member(clock.now())
    first, second = await earn(member, 10, clock), await earn(member, 20, clock)
    await earn(other, 5, clock)
    third = await spend(member, 5, clock)

    page = await ledger.history_page(member.id, PageRequest(first=2))
    assert [(e.journal.id, e.amount) for e in page.items] == [(third.id, -5), (second.id, 20)] and page.has_next
    rest = await ledger.history_page(member.id, PageRequest(first=2, after=page.keys[-1]))
    assert [(e.journal.id, e.amount) for e in rest.items] == [(first.id, 10)] and not rest.has_next


# ---- sharded system accounts ----------------------------------------------------------------


async def test_system_accounts_are_sharded_by_member_and_their_totals_keep_the_old_meaning(clock):
    members = [await make_member(clock.now()) for _ in range(20)]
    credits = debits = 0
    for n, member in enumerate(members):
        earned, spent = 100 + n, 10 + n
        await earn(member, earned, clock)
        redemption = await spend(member, spent, clock)
        credits, debits = credits + earned, debits + spent
        line = await PointsEntry.filter(journal_id=redemption.id, amount=spent).select_related("account").get()
        assert line.account.kind == "SYSTEM"
        assert line.account.code == accounts.shard_code(SystemAccount.REDEEMED, member.id % accounts.SYSTEM_SHARDS)

    shard_rows = await PointsAccount.filter(code__in=accounts.shard_codes(SystemAccount.REDEEMED))
    assert len(shard_rows) == len({m.id % accounts.SYSTEM_SHARDS for m in members}) >= 16
    assert {row.code for row in shard_rows} <= set(accounts.shard_codes(SystemAccount.REDEEMED))
    assert "REDEEMED" in {row.code for row in shard_rows} and "REDEEMED#01" in {row.code for row in shard_rows}
    assert await system_balance("ISSUED") == -credits
    assert await system_balance("REDEEMED") == debits
    assert await system_balance("CASH_OFFSET") == 0
    assert await system_balance("ISSUED") + await system_balance("REDEEMED") + sum(
        [await ledger.balance(m.id) for m in members]
    ) == 0
    await assert_clean()


def test_shard_codes_keep_the_plain_code_for_shard_0():
    assert accounts.SYSTEM_SHARDS == 16
    assert accounts.shard_code(SystemAccount.REDEEMED, 0) == "REDEEMED"
    assert accounts.shard_code(SystemAccount.REDEEMED, 3) == "REDEEMED#03"
    assert accounts.shard_of(None) == 0 and accounts.shard_of(35) == 3
    assert accounts.base_code("CASH_OFFSET#15") == SystemAccount.CASH_OFFSET
    assert accounts.base_code("ADJUSTMENTS") == SystemAccount.ADJUSTMENTS
    assert all(len(code) <= 32 for system in SystemAccount for code in accounts.shard_codes(system))


async def test_a_journal_booked_on_the_unsharded_row_is_reversed_on_the_members_shard(clock):
    """A database from before sharding holds its journals on the plain code (shard 0's row)."""
    member = await make_member(clock.now())
    while member.id % accounts.SYSTEM_SHARDS == 0:
        member = await make_member(clock.now())
    purchase = await earn(member, 100, clock)
    # Move the purchase's ISSUED line to the legacy row, as an unsharded ledger booked it.
    legacy = await PointsAccount.get_or_none(code="ISSUED") or await PointsAccount.create(
        kind="SYSTEM", code="ISSUED", balance=0, pending_balance=0, debt=0, created_at=clock.now()
    )
    line = await PointsEntry.filter(journal_id=purchase.id, amount=-100).get()
    await db.execute("UPDATE points_account SET balance = balance + 100 WHERE id = $1", line.account_id)
    await db.execute("UPDATE points_account SET balance = balance - 100 WHERE id = $1", legacy.id)
    await db.execute("UPDATE points_entry SET account_id = $1 WHERE id = $2", legacy.id, line.id)
    await assert_clean()

    first = await ledger.reverse(purchase.id, amount=30, reason="returned", actor=STAFF, clock=clock)
    first_line = await PointsEntry.filter(journal_id=first.id, amount=30).select_related("account").get()
    assert first_line.account.code == accounts.shard_code(SystemAccount.ISSUED, member.id % accounts.SYSTEM_SHARDS)
    with pytest.raises(LedgerError) as raised:
        await ledger.reverse(purchase.id, amount=71, reason="returned", actor=STAFF, clock=clock)
    assert raised.value.code == "REVERSAL_TOO_LARGE"
    await ledger.reverse(purchase.id, reason="returned", actor=STAFF, clock=clock)
    with pytest.raises(LedgerError) as raised:
        await ledger.reverse(purchase.id, reason="returned", actor=STAFF, clock=clock)
    assert raised.value.code == "NOTHING_TO_REVERSE"
    assert await ledger.balance(member.id) == 0 and await system_balance("ISSUED") == 0
    await assert_clean()


# ---- the check ------------------------------------------------------------------------------


async def test_the_check_reports_a_tampered_balance_for_that_member_only(clock):
    member, other = await make_member(clock.now()), await make_member(clock.now())
    await earn(member, 100, clock)
    await earn(other, 100, clock)
    await db.execute("UPDATE points_account SET balance = balance + 5 WHERE member_id = $1", member.id)

    found = await check_ledger()
    assert any(f"member {member.id} " in line and "(M1)" in line for line in found)
    assert any(f"member {member.id} " in line and "available lots hold 100" in line for line in found)
    assert all(f"member {other.id} " not in line for line in found)
    assert await check_ledger(member.id) == found
    assert await check_ledger(other.id) == []


async def test_the_check_reports_unbalanced_journals_and_broken_lots(clock):
    member = await make_member(clock.now())
    purchase = await earn(member, 100, clock)
    await spend(member, 40, clock)
    account = await PointsAccount.get(member_id=member.id)
    await PointsEntry.create(journal_id=purchase.id, account_id=account.id, amount=1, created_at=clock.now())
    await db.execute("UPDATE points_lot SET remaining = remaining + 2 WHERE journal_id = $1", purchase.id)

    found = await check_ledger()
    assert any(line.startswith(f"journal {purchase.id}: its entries sum to 1") for line in found)
    assert any(line.startswith(f"journal {purchase.id}: has entries on 2 member accounts") for line in found)
    assert any(line.startswith("lot ") and "(L1)" in line for line in found)


async def test_orchard_ledger_check_exits_0_when_clean_and_1_with_a_report(clock, database_url, tmp_path):
    member = await make_member(clock.now())
    await earn(member, 10, clock)
    env = {**os.environ, "ORCHARD_DATABASE_URL": database_url, "ORCHARD_SECRET_KEY": "cli-test-secret-key-long-enough"}
    command = [sys.executable, "-c", "import sys, app; sys.exit(app.main())", "ledger", "check"]

    def run(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([*command, *extra], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60)

    clean = await asyncio.to_thread(run)
    assert clean.returncode == 0 and "clean" in clean.stdout, clean.stderr
    await db.execute("UPDATE points_account SET balance = balance + 1 WHERE member_id = $1", member.id)
    broken = await asyncio.to_thread(run, "--member-id", str(member.id))
    assert broken.returncode == 1 and f"member {member.id} " in broken.stdout and "(M1)" in broken.stdout


# ---- concurrency on PostgreSQL --------------------------------------------------------------


def _outcomes(results: list) -> tuple[int, list[str]]:
    failures = [r for r in results if isinstance(r, BaseException)]
    for failure in failures:
        if not isinstance(failure, LedgerError):
            raise failure
    return len(results) - len(failures), sorted({f.code for f in failures})


@requires_postgres()
async def test_fifty_concurrent_debits_never_overdraw(clock):
    member = await make_member(clock.now())
    await earn(member, 100, clock)

    results = await asyncio.gather(*[spend(member, 10, clock) for _ in range(50)], return_exceptions=True)

    assert _outcomes(results) == (10, ["INSUFFICIENT_POINTS"])
    assert await ledger.balance(member.id) == 0
    await assert_clean()


@requires_postgres()
async def test_interleaved_concurrent_credits_and_debits_keep_the_ledger_consistent(clock):
    members = [await make_member(clock.now()) for _ in range(2)]
    for member in members:
        await earn(member, 50, clock)
    work = []
    for i in range(24):
        member = members[i % 2]
        work.append(earn(member, 5, clock) if i % 3 == 0 else spend(member, 10, clock))

    results = await asyncio.gather(*work, return_exceptions=True)

    _outcomes(results)
    debited = sum(1 for r in results if isinstance(r, PointsJournal) and r.kind == JournalKind.REDEMPTION)
    total = sum([await ledger.balance(m.id) for m in members])
    assert total == 2 * 50 + 8 * 5 - 10 * debited
    await assert_clean()


@requires_postgres()
async def test_concurrent_reversals_of_one_credit_reverse_it_once(clock):
    member = await make_member(clock.now())
    purchase = await earn(member, 100, clock)
    await earn(member, 100, clock)

    results = await asyncio.gather(
        *[ledger.reverse(purchase.id, reason="returned", actor=STAFF, clock=clock) for _ in range(10)],
        return_exceptions=True,
    )

    assert _outcomes(results) == (1, ["NOTHING_TO_REVERSE"])
    assert await ledger.balance(member.id) == 100
    await assert_clean()


@requires_postgres()
async def test_concurrent_first_uses_of_every_shard_open_each_shard_row_once(clock):
    members = [await make_member(clock.now()) for _ in range(3 * accounts.SYSTEM_SHARDS)]

    results = await asyncio.gather(*[earn(member, 7, clock) for member in members], return_exceptions=True)

    assert _outcomes(results) == (len(members), [])
    rows = await PointsAccount.filter(code__in=accounts.shard_codes(SystemAccount.ISSUED))
    assert len(rows) == accounts.SYSTEM_SHARDS
    assert await system_balance("ISSUED") == -7 * len(members)
    await assert_clean()


async def test_the_check_reports_a_balance_past_the_bound(clock):
    """What a 32-bit answer cannot carry: the probe's 4,294,969,994 points, booked consistently."""
    from domain.bounds import MAX_BALANCE

    member, other = await make_member(clock.now()), await make_member(clock.now())
    await earn(member, MAX_BALANCE, clock)
    await earn(other, 10, clock)
    assert await check_ledger() == []
    huge = 4_294_969_994 - MAX_BALANCE
    await db.execute("UPDATE points_account SET balance = balance + $1 WHERE member_id = $2", huge, member.id)
    await db.execute("UPDATE points_lot SET original = original + $1, remaining = remaining + $1"
                     " WHERE account_id = (SELECT id FROM points_account WHERE member_id = $2)", huge, member.id)
    await db.execute("UPDATE points_entry SET amount = amount + $1 WHERE account_id ="
                     " (SELECT id FROM points_account WHERE member_id = $2)", huge, member.id)
    await db.execute("UPDATE points_entry SET amount = amount - $1 WHERE amount = $2", huge, -MAX_BALANCE)
    await db.execute("UPDATE points_account SET balance = balance - $1 WHERE kind = 'SYSTEM' AND balance = $2", huge, -MAX_BALANCE)

    found = await check_ledger()
    assert found == [f"member {member.id} (account {(await PointsAccount.get(member_id=member.id)).id}):"
                     f" holds 4294969994 and owes 0 points, more than the 1,000,000,000 allowed (M5)"]
    assert await check_ledger(other.id) == []


async def test_credits_stop_at_the_bound_and_write_nothing(clock):
    from domain.bounds import MAX_BALANCE

    member = await make_member(clock.now())
    await earn(member, MAX_BALANCE - 10, clock)
    with pytest.raises(LedgerError) as refused:
        await earn(member, 11, clock)
    assert refused.value.code == "BALANCE_LIMIT_EXCEEDED"
    with pytest.raises(LedgerError) as too_big:
        await earn(member, MAX_BALANCE + 1, clock)
    assert too_big.value.code == "BALANCE_LIMIT_EXCEEDED"
    with pytest.raises(LedgerError) as too_much:
        await ledger.debit(member.id, MAX_BALANCE + 1, JournalKind.REDEMPTION, reason="x", actor=STAFF, clock=clock)
    assert too_much.value.code == "INVALID_AMOUNT"
    await earn(member, 10, clock)
    assert await ledger.balance(member.id) == MAX_BALANCE
    redemption = await spend(member, 5, clock)
    await earn(member, 5, clock)
    with pytest.raises(LedgerError) as no_room:
        await ledger.reverse(redemption.id, reason="cancelled", actor=STAFF, clock=clock)
    assert no_room.value.code == "BALANCE_LIMIT_EXCEEDED"
    assert await ledger.balance(member.id) == MAX_BALANCE
    await assert_clean()


async def test_the_guarded_update_refuses_a_balance_past_the_bound_on_its_own(clock):
    from domain.bounds import MAX_BALANCE
    from domain.ledger.errors import LedgerInconsistency

    member = await make_member(clock.now())
    await earn(member, MAX_BALANCE, clock)
    account = await PointsAccount.get(member_id=member.id)
    async with in_transaction() as conn:
        with pytest.raises(LedgerInconsistency):
            await accounts.shift(conn, account.id, balance=1)
    assert await ledger.balance(member.id) == MAX_BALANCE
