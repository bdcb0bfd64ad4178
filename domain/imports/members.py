"""The legacy import of members and balances: a use case across members, tiers, stores and the ledger.

A run reads the whole file (reading.py), cleans every row (cleaning.py), merges the rows of
one person (merging.py), then writes the records a batch at a time, each batch one
transaction with the `import_batch` row that says it is done:

- matching, against the members already in Orchard, by old member id first, then by phone.
  A match fills the member's empty profile fields only (conditional UPDATEs: a value the
  member set meanwhile stays), adds the old ids it lacks, and credits the balance. Rejected:
  old ids of two different members; an old id whose member has another phone while the
  file's phone belongs to a third member; a member a previous record of the run already
  matched; a record without a phone that matches nobody.
- new members are written in bulk (infra/bulk.py: COPY on PostgreSQL), with their tier (the
  file's, else the lowest), a tier history row, a points account and their old ids.
- balances: each record's points are one IMPORT journal from the MIGRATION system account
  (the opening-balance account: `SystemAccount.MIGRATION`, sharded like the others) to the
  member, with a lot per expiry: the file's expiry column, else the programme's rule
  (`points_expiry_days` from the import). New members' journals are written in bulk, with the
  MIGRATION shard rows moved by the batch's total; matched members' go through the ledger
  service (their debts, pending points and bounds apply).

Safety: a run is identified by the file's SHA-256 (ImportRun). A second run of a completed
file writes nothing; a run that was killed resumes: the batches are the same (the rows, the
merge and the batch size are), and the committed ones are skipped. A dry run reads the
database, writes nothing, and reports what a run would do. Production needs `confirm`.
"""

from __future__ import annotations

import asyncio
import csv
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain import phones
from domain.bounds import MAX_BALANCE
from domain.imports import cleaning, merging, reading
from domain.imports.merging import Record
from domain.imports.models import ImportBatch, ImportRun
from domain.ledger import accounts
from domain.ledger import service as ledger
from domain.ledger.errors import LedgerError
from domain.ledger.models import JournalKind, LotStatus, SystemAccount
from domain.members import codes
from domain.programme import service as programme
from domain.stores.models import Store
from domain.tiers.models import Tier
from infra import bulk, db, dialect
from infra.clock import Clock, utc
from infra.settings import Settings

log = logging.getLogger("orchard.imports")

KIND = "MEMBERS"
PG_WRITERS = 2  # batches in flight on PostgreSQL: one is written while the next is matched
REASON = "Balance migrated from the legacy system"
MEMBER_COLUMNS = ("id", "code", "phone_hash", "phone_encrypted", "phone_masked", "name", "birthday", "gender", "region",
                  "home_store_id", "marketing_consent", "channel", "referral_code", "tier_id", "created_at", "updated_at")
TIER_CHANGE_COLUMNS = ("id", "member_id", "from_tier_id", "to_tier_id", "reason", "actor", "created_at")
ACCOUNT_COLUMNS = ("id", "kind", "member_id", "balance", "pending_balance", "debt", "created_at")
LEGACY_COLUMNS = ("id", "member_id", "legacy_id", "import_run_id", "created_at")
JOURNAL_COLUMNS = ("id", "kind", "reason", "actor", "store_id", "reference", "debt_change", "occurred_at", "created_at")
ENTRY_COLUMNS = ("id", "journal_id", "account_id", "amount", "created_at")
LOT_COLUMNS = ("id", "account_id", "journal_id", "original", "remaining", "status", "earned_at", "available_at",
               "expires_at")
TABLES = ("member", "tier_change", "points_account", "member_legacy_id", "points_journal", "points_entry", "points_lot")

Progress = Callable[[dict[str, Any]], None]


class ImportRefused(Exception):
    """The import cannot start (production without confirm, an unknown store, another run's options)."""


@dataclass(frozen=True)
class ImportPlan:
    path: Path
    fmt: str | None = None
    mapping: Path | None = None
    store_code: str | None = None
    dry_run: bool = False
    rejects: Path | None = None
    report: Path | None = None
    batch: int = 10_000
    confirm: bool = False
    actor: str = "cli"
    xlsx_engine: str | None = None  # "openpyxl" to read a workbook without calamine
    # PostgreSQL superusers may skip the foreign-key triggers of the bulk writes (as the seed may):
    # the rows reference the stores, tiers and members the batch itself read or wrote.
    fk_checks: bool = True


@dataclass
class _Context:
    run_id: int | None
    actor: str
    now: datetime
    expiry: timedelta
    lowest_tier_id: int
    tier_ids: dict[str, int]
    migration_shards: list[int]
    fk_checks: bool
    data_key: str
    dry_run: bool
    clock: Clock
    claimed: set[int] = field(default_factory=set)  # members a record of this run matched


@dataclass
class _Outcome:
    counts: Counter = field(default_factory=Counter)
    rejects: list[dict] = field(default_factory=list)


# ---- the entry point ------------------------------------------------------------------------


async def import_members(plan: ImportPlan, settings: Settings, *, clock: Clock, progress: Progress | None = None) -> dict:
    """Run (or resume, or dry-run) the import of `plan.path`; returns the report, also saved as JSON."""
    started = time.perf_counter()
    if settings.is_production and not plan.confirm:
        raise ImportRefused("This is production: an import there needs --confirm.")
    if plan.batch < 1:
        raise ImportRefused("A batch holds at least one record.")
    if not plan.path.is_file():
        raise ImportRefused(f"There is no file {plan.path}.")
    if not plan.fk_checks and not await bulk.may_skip_fk_checks():
        raise ImportRefused("Skipping foreign-key checks needs PostgreSQL and a superuser.")
    report_path = plan.report or plan.path.with_name(plan.path.name + ".report.json")
    rejects_path = plan.rejects or plan.path.with_name(plan.path.name + ".rejects.csv")
    tell = progress or (lambda snapshot: None)
    mapping = reading.load_mapping(plan.mapping)
    fmt = reading.detect_format(plan.path, plan.fmt)
    sha = reading.file_sha256(plan.path)
    options = {"format": fmt, "mapping": mapping.digest, "store": plan.store_code, "batch": plan.batch}
    now = utc(clock.now()).replace(microsecond=0)

    stores = {s.code: s.id for s in await Store.all()}
    stores.update({s.name: s.id for s in await Store.all()})
    default_store_id = None
    if plan.store_code:
        default_store_id = (await Store.filter(code=plan.store_code).values_list("id", flat=True)) or None
        if not default_store_id:
            raise ImportRefused(f"There is no store {plan.store_code!r}.")
        default_store_id = default_store_id[0]
    tiers = await Tier.all().order_by("rank")
    if not tiers:
        raise ImportRefused("There are no tiers yet: start the server or run `orchard migrate` and `orchard demo` first.")

    run, previous = None, None
    if not plan.dry_run:
        run, previous = await _open_run(sha, plan, options, now)
        if previous == "COMPLETED":
            report = _already_imported(run, plan, sha, time.perf_counter() - started)
            _save_report(report_path, report)
            report["reportFile"] = str(report_path)
            return report

    sheet = reading.open_sheet(plan.path, fmt=fmt, mapping=mapping, xlsx_engine=plan.xlsx_engine)
    cleaner = cleaning.Cleaner(mapping, stores=stores, tier_codes={t.code for t in tiers},
                               default_store_id=default_store_id, today=now.date())
    rows: list[cleaning.Row] = []
    rejects: list[dict] = []
    read = 0
    for line, raw in sheet.rows:
        read += 1
        cleaned = cleaner.clean(line, raw)
        if isinstance(cleaned, cleaning.Rejected):
            rejects.append({"line": cleaned.line, "reason": cleaned.reason, "detail": cleaned.detail})
        else:
            rows.append(cleaned)
        if read % 50_000 == 0:
            tell({"stage": "reading", "read": read, "rejected": len(rejects)})
            await asyncio.sleep(0)
    records, merges = merging.merge(rows)
    del rows
    rows_merged = sum(len(r.lines) - 1 for r in records)
    batches = [records[i:i + plan.batch] for i in range(0, len(records), plan.batch)]

    config = await programme.current()
    context = _Context(
        run_id=run.id if run else None, actor=plan.actor[:64], now=now, expiry=timedelta(days=config["points_expiry_days"]),
        lowest_tier_id=tiers[0].id, tier_ids={t.code: t.id for t in tiers},
        migration_shards=await _migration_shards(now, plan.dry_run), fk_checks=plan.fk_checks,
        data_key=settings.personal_data_key,
        dry_run=plan.dry_run, clock=clock,
    )
    done: dict[int, ImportBatch] = {}
    if run is not None:
        await ImportRun.filter(id=run.id).update(rows_read=read, batches_total=len(batches), updated_at=now)
        done = {b.number: b for b in await ImportBatch.filter(run_id=run.id)}
        if done:
            context.claimed = {row["member_id"] for row in await db.fetch(
                "SELECT DISTINCT member_id FROM member_legacy_id WHERE import_run_id = $1", run.id)}

    totals = Counter()
    batch_rejects: list[dict] = []
    for batch in done.values():
        totals.update(batch.counts)
        batch_rejects += batch.rejects
    state = {"stage": "writing", "read": read, "records": len(records), "merged": rows_merged,
             "rejected": len(rejects) + len(batch_rejects), "imported": sum(totals[k] for k in ("rowsImported",))}
    tell(state)

    def finished(outcome: _Outcome) -> None:
        totals.update(outcome.counts)
        batch_rejects.extend(outcome.rejects)
        state["rejected"] = len(rejects) + len(batch_rejects)
        state["imported"] = totals["rowsImported"]
        tell(dict(state))

    todo = [(number, batch) for number, batch in enumerate(batches, start=1) if number not in done]
    await _write_batches(todo, context, finished)

    check = await _sum_check(context, totals)
    if run is not None:
        await bulk.analyze(TABLES)
    all_rejects = sorted(rejects + batch_rejects, key=lambda r: r["line"])
    _write_rejects(rejects_path, plan, fmt, all_rejects)
    report = _report(
        plan=plan, sha=sha, fmt=fmt, encoding=sheet.encoding, run=run, previous=previous, read=read,
        records=records, merges=merges, rows_merged=rows_merged, totals=totals, rejects=all_rejects,
        unreadable=cleaner.unreadable, columns={name: sheet.headers[i] for name, i in sheet.columns.items()},
        batches=(len(batches), len(done), len(todo)), check=check, seconds=time.perf_counter() - started,
        rejects_path=rejects_path, now=now,
    )
    if run is not None:
        await ImportRun.filter(id=run.id).update(
            status="COMPLETED", report={k: v for k, v in report.items() if k != "merges"},
            finished_at=utc(clock.now()), updated_at=utc(clock.now()),
        )
    _save_report(report_path, report)
    report["reportFile"] = str(report_path)
    log.info("import finished", extra={k: report[k] for k in ("rowsRead", "membersCreated", "membersMatched",
                                                                "pointsImported", "seconds")})
    return report


# ---- runs -----------------------------------------------------------------------------------


async def _open_run(sha: str, plan: ImportPlan, options: dict, now: datetime) -> tuple[ImportRun, str | None]:
    """The run of this file: a new one, or the one a previous attempt left (with its status)."""
    async with in_transaction() as conn:
        rows = await db.fetch(
            "SELECT id FROM import_run WHERE kind = $1 AND file_sha256 = $2" + dialect.current().lock(), KIND, sha,
            connection=conn,
        )
        if not rows:
            try:
                run = await ImportRun.create(
                    kind=KIND, file_sha256=sha, file_name=plan.path.name[:255], options=options, status="RUNNING",
                    started_by=plan.actor[:128], last_run_by=plan.actor[:128], started_at=now, updated_at=now,
                    using_db=conn,
                )
            except IntegrityError as exc:  # the unique (kind, sha): another process created it meanwhile
                raise ImportRefused("Another import of this file started at the same time.") from exc
            return run, None
        run = await ImportRun.filter(id=rows[0]["id"]).using_db(conn).get()
        if run.status == "COMPLETED":
            return run, "COMPLETED"
        if run.options != options:
            raise ImportRefused(
                f"This file's import (run {run.id}) was started with other options {run.options}: resume it with those."
            )
        await ImportRun.filter(id=run.id).using_db(conn).update(
            attempts=run.attempts + 1, last_run_by=plan.actor[:128], updated_at=now,
        )
        run.attempts += 1
        return run, "RUNNING"


async def _migration_shards(now: datetime, dry_run: bool) -> list[int]:
    """The id of every shard row of the MIGRATION account (opened on first use)."""
    if dry_run:
        return [0] * accounts.SYSTEM_SHARDS
    async with in_transaction() as conn:
        return [await accounts.system_account_id(conn, SystemAccount.MIGRATION, now=now, member_id=shard)
                for shard in range(accounts.SYSTEM_SHARDS)]


# ---- writing batches ------------------------------------------------------------------------


async def _write_batches(todo: list[tuple[int, list[Record]]], context: _Context, finished: Callable[[_Outcome], None]) -> None:
    writers = PG_WRITERS if dialect.current().bulk_copy and not context.dry_run else 1
    queue: asyncio.Queue = asyncio.Queue()
    for item in todo:
        queue.put_nowait(item)

    async def drain() -> None:
        while not queue.empty():
            number, batch = queue.get_nowait()
            prepared = _prepare(batch, context.data_key)
            finished(await _write_batch(number, batch, prepared, context))

    await asyncio.gather(*(drain() for _ in range(writers)))


def _prepare(batch: list[Record], data_key: str) -> list[tuple[str, str, str] | None]:
    """Each record's phone as (lookup hash, ciphertext, masked): the CPU-heavy part, done off the loop."""
    hasher, sealer = phones.bulk_hasher(data_key), phones.bulk_encrypter(data_key)
    return [(hasher(r.phone), sealer(r.phone), phones.mask(r.phone)) if r.phone else None for r in batch]


async def _write_batch(number: int, batch: list[Record], prepared: list, context: _Context) -> _Outcome:
    if context.dry_run:
        return await _plan_batch(None, batch, prepared, context)
    async with bulk.transaction(fk_checks=context.fk_checks, index_lookups=True) as conn:
        # First: a second process resuming the same run waits here, then fails on the unique key.
        await db.execute(
            "INSERT INTO import_batch (run_id, number, counts, rejects, committed_at) VALUES ($1, $2, '{}', '[]', $3)",
            context.run_id, number, context.now, connection=conn,
        )
        outcome = await _plan_batch(conn, batch, prepared, context)
        await db.execute(
            "UPDATE import_batch SET counts = $1, rejects = $2 WHERE run_id = $3 AND number = $4",
            json.dumps(dict(outcome.counts)), json.dumps(outcome.rejects), context.run_id, number, connection=conn,
        )
    return outcome


@dataclass
class _Existing:
    id: int
    phone_hash: str
    name: str
    birthday: Any
    gender: str | None
    region: str | None
    home_store_id: int | None


async def _plan_batch(conn, batch: list[Record], prepared: list, context: _Context) -> _Outcome:
    """Match the batch, then write it (`conn`), or only count what would be written (dry run, no conn)."""
    outcome = _Outcome()
    counts = outcome.counts
    legacy = [lid for record in batch for lid in record.legacy_ids]
    hashes = [p[0] for p in prepared if p]
    by_legacy = {row["legacy_id"]: row["member_id"] for row in await _fetch_in(
        conn, "SELECT legacy_id, member_id FROM member_legacy_id WHERE {}", "legacy_id", legacy)}
    by_phone = {row["phone_hash"]: row["id"] for row in await _fetch_in(
        conn, "SELECT id, phone_hash FROM member WHERE {}", "phone_hash", hashes)}
    wanted = set(by_legacy.values()) | set(by_phone.values())
    existing = {row["id"]: _Existing(**row) for row in await _fetch_in(
        conn, "SELECT id, phone_hash, name, birthday, gender, region, home_store_id FROM member WHERE {}", "id",
        sorted(wanted))}

    creating: list[tuple[Record, tuple[str, str, str]]] = []
    matching: list[tuple[Record, _Existing]] = []
    for record, phone in zip(batch, prepared, strict=True):
        owners = {by_legacy[lid] for lid in record.legacy_ids if lid in by_legacy}
        phone_owner = by_phone.get(phone[0]) if phone else None
        if len(owners) > 1:
            _reject(outcome, record, "LEGACY_IDS_OF_TWO_MEMBERS", f"old ids {record.legacy_ids} belong to members {sorted(owners)}")
            continue
        if owners:
            member_id = owners.pop()
            if phone_owner is not None and phone_owner != member_id:
                _reject(outcome, record, "LEGACY_ID_CONFLICT",
                        f"old id belongs to member {member_id}, the phone to member {phone_owner}")
                continue
        elif phone_owner is not None:
            member_id = phone_owner
        elif phone is None:
            _reject(outcome, record, "MISSING_PHONE", "no phone, and no member has its old id")
            continue
        else:
            if record.points > MAX_BALANCE:
                _reject(outcome, record, "BALANCE_LIMIT_EXCEEDED", f"{record.points} points, more than a member may hold")
                continue
            creating.append((record, phone))
            continue
        if member_id in context.claimed:
            _reject(outcome, record, "MEMBER_ALREADY_MATCHED", f"member {member_id} was matched by another record")
            continue
        context.claimed.add(member_id)
        matching.append((record, existing[member_id]))

    await _update_matched(conn, matching, context, outcome)
    await _create(conn, creating, context, outcome)
    counts["rowsImported"] += sum(len(r.lines) for r in batch) - len(outcome.rejects)
    return outcome


def _reject(outcome: _Outcome, record: Record, reason: str, detail: str) -> None:
    for line in record.lines:
        outcome.rejects.append({"line": line, "reason": reason, "detail": detail})


async def _fetch_in(conn, query: str, column: str, values: list) -> list[dict]:
    """`query` with `{}` replaced by "`column` is one of `values`", in chunks."""
    found: list[dict] = []
    for start in range(0, len(values), 5_000):
        chunk = values[start:start + 5_000]
        condition, param = bulk.one_of(column, chunk)
        found += await db.fetch(query.format(condition), param, connection=conn)
    return found


async def _update_matched(conn, matching: list[tuple[Record, _Existing]], context: _Context, outcome: _Outcome) -> None:
    """Credit matched members' balances (through the ledger), fill their empty fields, add their old ids."""
    counts = outcome.counts
    fills, kept = [], []
    for record, member in matching:
        if record.points:
            if not await _credit_matched(conn, record, member, context, outcome):
                continue
            counts["journalsCreated"] += len(record.lots)
            counts["pointsImported"] += record.points
        kept.append((record, member))
        counts["membersMatched"] += 1
        profile = record.profile
        fill = (
            profile.name if not member.name and profile.name else None,
            profile.birthday if member.birthday is None else None,
            profile.gender if member.gender is None else None,
            profile.region if member.region is None else None,
            profile.store_id if member.home_store_id is None else None,
        )
        if any(value is not None for value in fill):
            counts["membersUpdated"] += 1
            fills.append((member.id, *fill, context.now))
    wanted = [lid for record, _ in kept for lid in record.legacy_ids]
    known = {row["legacy_id"] for row in await _fetch_in(
        conn, "SELECT legacy_id FROM member_legacy_id WHERE {}", "legacy_id", wanted)} if wanted else set()
    adding = [(member.id, lid) for record, member in kept for lid in record.legacy_ids if lid not in known]
    counts["legacyIdsAdded"] += len(adding)
    if context.dry_run:
        return
    if fills:
        typed = dialect.current().typed
        # Conditional: a field the member filled in meanwhile stays as they set it.
        await conn.execute_many(db.sql(
            f"UPDATE member SET name = CASE WHEN name = '' AND {typed('$2', 'varchar')} IS NOT NULL THEN $2 ELSE name END,"
            f" birthday = COALESCE(birthday, {typed('$3', 'date')}), gender = COALESCE(gender, {typed('$4', 'varchar')}),"
            f" region = COALESCE(region, {typed('$5', 'varchar')}), home_store_id = COALESCE(home_store_id, {typed('$6', 'int')}),"
            " updated_at = $7 WHERE id = $1"
        ), fills)
    if adding:
        ids = await bulk.reserve_ids(conn, "member_legacy_id", len(adding))
        await bulk.copy_rows(conn, "member_legacy_id", LEGACY_COLUMNS, [
            (i, member_id, lid, context.run_id, context.now) for i, (member_id, lid) in zip(ids, adding, strict=True)
        ])


async def _credit_matched(conn, record: Record, member: _Existing, context: _Context, outcome: _Outcome) -> bool:
    """The record's lots credited to an existing member, all or none (a savepoint); False when refused."""
    if context.dry_run:
        return True
    try:
        async with db.transaction(conn) as savepoint:
            for points, expiry in record.lots:
                await ledger.credit(
                    member.id, points, JournalKind.IMPORT, reason=REASON, actor=context.actor,
                    store_id=record.profile.store_id, reference=f"import:{context.run_id}:{record.line}",
                    expires_at=expiry or context.now + context.expiry, clock=context.clock, connection=savepoint,
                    savepoint=False, source=SystemAccount.MIGRATION,
                )
    except LedgerError as refused:
        _reject(outcome, record, "BALANCE_LIMIT_EXCEEDED", refused.message)
        return False
    return True


async def _create(conn, creating: list[tuple[Record, tuple[str, str, str]]], context: _Context, outcome: _Outcome) -> None:
    counts = outcome.counts
    count = len(creating)
    counts["membersCreated"] += count
    with_points = [(record, phone) for record, phone in creating if record.points]
    counts["journalsCreated"] += len(with_points)
    counts["pointsImported"] += sum(record.points for record, _ in with_points)
    counts["legacyIdsAdded"] += sum(len(record.legacy_ids) for record, _ in creating)
    if context.dry_run or not count:
        return
    now = context.now
    ids = await bulk.reserve_many(conn, {
        "member": count, "points_account": count, "tier_change": count,
        "member_legacy_id": sum(len(r.legacy_ids) for r, _ in creating), "points_journal": len(with_points),
        "points_entry": 2 * len(with_points), "points_lot": sum(len(r.lots) for r, _ in with_points),
    })
    member_codes = await _unused_codes(conn, "code", [codes.member_code_for_id(i) for i in ids["member"]],
                                       codes.new_member_code)
    referral_codes = await _unused_codes(conn, "referral_code", [codes.referral_code_for_id(i) for i in ids["member"]],
                                         codes.new_referral_code)
    members, tier_changes, points_accounts, legacy, journals, entries, lots = [], [], [], [], [], [], []
    legacy_ids, journal_ids, entry_ids, lot_ids = (iter(ids[t]) for t in (
        "member_legacy_id", "points_journal", "points_entry", "points_lot"))
    system_totals: Counter = Counter()
    for n, (record, (phone_hash, sealed, masked)) in enumerate(creating):
        member_id, account_id = ids["member"][n], ids["points_account"][n]
        profile = record.profile
        tier_id = context.tier_ids.get(profile.tier_code, context.lowest_tier_id) if profile.tier_code else \
            context.lowest_tier_id
        created = record.registered_at or now
        members.append((
            member_id, member_codes[n], phone_hash, sealed, masked, profile.name or "", profile.birthday,
            profile.gender, profile.region, profile.store_id, False, "IMPORT", referral_codes[n], tier_id,
            created, now,
        ))
        tier_changes.append((ids["tier_change"][n], member_id, None, tier_id, "REGISTRATION", context.actor, created))
        points_accounts.append((account_id, "MEMBER", member_id, record.points, 0, 0, now))
        legacy += [(next(legacy_ids), member_id, lid, context.run_id, now) for lid in record.legacy_ids]
        if record.points:
            journal_id = next(journal_ids)
            shard = context.migration_shards[accounts.shard_of(member_id)]
            journals.append((journal_id, str(JournalKind.IMPORT), REASON, context.actor, profile.store_id,
                             f"import:{context.run_id}:{record.line}", 0, now, now))
            entries.append((next(entry_ids), journal_id, account_id, record.points, now))
            entries.append((next(entry_ids), journal_id, shard, -record.points, now))
            system_totals[shard] -= record.points
            for points, expiry in record.lots:
                lots.append((next(lot_ids), account_id, journal_id, points, points, str(LotStatus.AVAILABLE), now, now,
                             expiry or now + context.expiry))
        if n % 1000 == 999:
            await asyncio.sleep(0)
    for table, columns, rows in (
        ("member", MEMBER_COLUMNS, members), ("tier_change", TIER_CHANGE_COLUMNS, tier_changes),
        ("points_account", ACCOUNT_COLUMNS, points_accounts), ("member_legacy_id", LEGACY_COLUMNS, legacy),
        ("points_journal", JOURNAL_COLUMNS, journals), ("points_entry", ENTRY_COLUMNS, entries),
        ("points_lot", LOT_COLUMNS, lots),
    ):
        await bulk.copy_rows(conn, table, columns, rows)
    # Last, in id order: concurrent batches lock the shared MIGRATION rows in one order, until their commits.
    for account_id, amount in sorted(system_totals.items()):
        await db.execute("UPDATE points_account SET balance = balance + $1 WHERE id = $2", amount, account_id,
                         connection=conn)


async def _unused_codes(conn, column: str, wanted: list[str], draw: Callable[[], str]) -> list[str]:
    """`wanted`, with each code another member already has replaced by a fresh random one."""
    taken = {row[column] for row in await _fetch_in(conn, f"SELECT {column} FROM member WHERE {{}}", column, wanted)}
    if not taken:
        return wanted
    chosen = []
    for code in wanted:
        while code in taken:
            code = draw()
            if await _fetch_in(conn, f"SELECT {column} FROM member WHERE {{}}", column, [code]):
                taken.add(code)
        chosen.append(code)
    return chosen


# ---- the check, the report, the rejects -----------------------------------------------------


async def _sum_check(context: _Context, totals: Counter) -> dict:
    imported = totals["pointsImported"]
    if context.run_id is None:
        return {"importedBalances": imported, "migrationJournals": None, "equal": None,
                "note": "dry run: nothing was written"}
    rows = await db.fetch(
        "SELECT COALESCE(SUM(e.amount), 0) AS total FROM points_journal j JOIN points_entry e ON e.journal_id = j.id"
        " JOIN points_account a ON a.id = e.account_id"
        " WHERE j.kind = 'IMPORT' AND a.kind = 'MEMBER' AND j.reference LIKE $1",
        f"import:{context.run_id}:%",
    )
    journals = int(rows[0]["total"])
    return {"importedBalances": imported, "migrationJournals": journals, "equal": imported == journals}


def _report(*, plan: ImportPlan, sha: str, fmt: str, encoding: str | None, run: ImportRun | None, previous: str | None,
            read: int, records: list[Record], merges: list[dict], rows_merged: int, totals: Counter, rejects: list[dict],
            unreadable: dict, columns: dict, batches: tuple[int, int, int], check: dict, seconds: float,
            rejects_path: Path, now: datetime) -> dict:
    by_reason = Counter(r["reason"] for r in rejects)
    return {
        "file": str(plan.path), "sha256": sha, "format": fmt, "encoding": encoding, "dryRun": plan.dry_run,
        "runId": run.id if run else None, "ranBy": plan.actor, "attempt": run.attempts if run else None,
        "resumed": previous == "RUNNING", "alreadyImported": False, "startedAt": now.isoformat(),
        "columns": columns,
        "rowsRead": read, "rowsImported": totals["rowsImported"], "rowsRejected": len(rejects),
        "records": len(records), "rowsMerged": rows_merged, "merges": merges, "mergeCount": len(merges),
        "membersCreated": totals["membersCreated"], "membersMatched": totals["membersMatched"],
        "membersUpdated": totals["membersUpdated"], "legacyIdsAdded": totals["legacyIdsAdded"],
        "rejected": {"total": len(rejects), "byReason": dict(sorted(by_reason.items()))},
        "pointsImported": totals["pointsImported"], "journalsCreated": totals["journalsCreated"],
        "check": check, "unreadableValues": dict(sorted(unreadable.items())),
        "batches": {"total": batches[0], "committedBefore": batches[1], "writtenNow": batches[2]},
        "rejectsFile": str(rejects_path), "seconds": round(seconds, 2),
    }


def _already_imported(run: ImportRun, plan: ImportPlan, sha: str, seconds: float) -> dict:
    before = run.report or {}
    return {
        "file": str(plan.path), "sha256": sha, "dryRun": False, "runId": run.id, "ranBy": plan.actor,
        "alreadyImported": True, "importedBy": run.started_by,
        "importedAt": run.finished_at.isoformat() if run.finished_at else None,
        "rowsRead": before.get("rowsRead", run.rows_read), "rowsImported": 0, "rowsRejected": 0, "records": 0,
        "rowsMerged": 0, "merges": [], "mergeCount": 0, "membersCreated": 0, "membersMatched": 0, "membersUpdated": 0,
        "legacyIdsAdded": 0, "rejected": {"total": 0, "byReason": {}}, "pointsImported": 0, "journalsCreated": 0,
        "check": {"importedBalances": 0, "migrationJournals": 0, "equal": True,
                  "note": "this file was imported before: nothing changed"},
        "previousReport": before, "seconds": round(seconds, 2),
    }


def _save_report(path: Path, report: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    partial.replace(path)


def _write_rejects(path: Path, plan: ImportPlan, fmt: str, rejects: list[dict]) -> None:
    """The rejected rows as they were in the file, after `row`, `reason` and `detail` (UTF-8 with a BOM: Excel opens it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wanted = {r["line"]: r for r in rejects}
    header, rows = reading.raw_rows(plan.path, fmt=fmt, xlsx_engine=plan.xlsx_engine)
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["row", "reason", "detail", *header])
        if wanted:
            for line, cells in rows:
                if line in wanted:
                    reject = wanted[line]
                    writer.writerow([line, reject["reason"], reject["detail"], *("" if c is None else c for c in cells)])
    partial.replace(path)

