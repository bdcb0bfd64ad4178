"""The `orchard` command line: serve, migrate, demo data, maintenance sweeps, checks."""

from __future__ import annotations

import argparse
import asyncio
import logging
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from tqdm import tqdm

from infra import db
from infra.clock import SYSTEM_CLOCK
from infra.observability import configure_logging
from infra.settings import Settings, load_settings

log = logging.getLogger("orchard.cli")
ROOT = Path(__file__).resolve().parent


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="orchard", description="Orchard loyalty API")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply pending migrations")
    serve = sub.add_parser("serve", help="migrate, load demo data (development, empty database), serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--no-demo", action="store_true", help="do not load the demo data set")
    sub.add_parser("demo", help="load the demo data set into an empty development database")
    sub.add_parser("schema", help="print the GraphQL schema (SDL), as committed in schema.graphql")
    sub.add_parser("makemigrations", help="write a migration for model changes (CHECK constraints included)")
    ledger = sub.add_parser("ledger", help="points ledger maintenance")
    ledger_sub = ledger.add_subparsers(dest="ledger_command", required=True)
    check = ledger_sub.add_parser("check", help="check the ledger invariants; exit status 1 on any violation")
    check.add_argument("--member-id", type=int, default=None, help="check one member only")
    points = sub.add_parser("points", help="points maintenance")
    points_sub = points.add_subparsers(dest="points_command", required=True)
    points_sub.add_parser("expire", help="expire due points (oldest first), release pending points, send reminders")
    mall = sub.add_parser("mall", help="points mall maintenance")
    mall_sub = mall.add_subparsers(dest="mall_command", required=True)
    mall_sub.add_parser("check", help="stock + open and fulfilled redemptions = stock received; exit 1 otherwise")
    mall_sub.add_parser("expire", help="cancel unfulfilled redemptions past their time (points and stock back)")
    coupons = sub.add_parser("coupons", help="coupon wallet maintenance")
    coupons_sub = coupons.add_subparsers(dest="coupons_command", required=True)
    coupons_sub.add_parser("expire", help="mark AVAILABLE coupons past their validity EXPIRED")
    lottery = sub.add_parser("lottery", help="lotteries")
    lottery_sub = lottery.add_subparsers(dest="lottery_command", required=True)
    verify = lottery_sub.add_parser("verify", help="recompute every draw of a closed lottery; exit 1 with the first mismatch")
    verify.add_argument("lottery_id", help="the lottery's global ID (as the API shows it) or its number")
    donations = sub.add_parser("donations", help="charity projects and donations")
    donations_sub = donations.add_subparsers(dest="donations_command", required=True)
    settle = donations_sub.add_parser("settle", help="record the payment of a closed project; print its statement")
    settle.add_argument("project_id", help="the project's id (a number) or its global ID")
    settle.add_argument("--reference", required=True, help="the payment's reference (bank transfer number, ...)")
    settle.add_argument("--paid-on", default=None, help="the payment's date, YYYY-MM-DD (default: today, Asia/Shanghai)")
    settle.add_argument("--amount", default=None, help="yuan paid, e.g. 1234.50 (default: the yuan due)")
    settle.add_argument("--csv", type=Path, default=None, help="write the donation list (CSV) to this file")
    partners_cmd = sub.add_parser("partners", help="partner bundles")
    partners_sub = partners_cmd.add_subparsers(dest="partners_command", required=True)
    partner_settle = partners_sub.add_parser("settle", help="a partner's settlement statement of a month, as CSV")
    partner_settle.add_argument("--partner", required=True, help="the partner's code, id (a number) or global ID")
    partner_settle.add_argument("--period", required=True, help="the month, YYYY-MM, in the chain's time zone")
    partner_settle.add_argument("--close", action="store_true", help="close the period first (it must have ended)")
    partner_settle.add_argument("--output", type=Path, default=None, help="write the CSV here (default: standard output)")
    metrics = sub.add_parser("metrics", help="programme metrics: the daily rollups and exports")
    metrics_sub = metrics.add_subparsers(dest="metrics_command", required=True)
    rebuild = metrics_sub.add_parser("rebuild", help="recompute the daily rollups of a range of local days from the ledger")
    rebuild.add_argument("--from", dest="first", required=True, help="first local day, YYYY-MM-DD")
    rebuild.add_argument("--to", dest="last", required=True, help="last local day, YYYY-MM-DD")
    export = metrics_sub.add_parser("export", help="write the figures of a period as CSV or XLSX")
    export.add_argument("--from", dest="first", required=True, help="first local day, YYYY-MM-DD")
    export.add_argument("--to", dest="last", required=True, help="last local day, YYYY-MM-DD")
    export.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    export.add_argument("--granularity", choices=("DAY", "WEEK", "MONTH"), default="MONTH")
    export.add_argument("--store-id", type=int, default=None, help="one store's figures (default: the chain)")
    export.add_argument("--out", default=None, help="file to write (default: stdout for CSV, metrics.xlsx for XLSX)")
    tiers = sub.add_parser("tiers", help="tier maintenance")
    tiers_sub = tiers.add_subparsers(dest="tiers_command", required=True)
    tiers_sub.add_parser("review", help="the periodic review: downgrades by one tier at most")
    worker = sub.add_parser("worker", help="run the periodic jobs (expiry sweeps, purges, tier review) until stopped")
    worker.add_argument("--once", action="store_true", help="run every due job once, then exit (1 when one failed)")
    seed = sub.add_parser("seed", help="fill a development database with load-test data (not in production)")
    seed.add_argument("--members", type=int, required=True, help="members to add, each with a points history")
    seed.add_argument("--items", type=int, default=0, help="mall items")
    seed.add_argument("--stores", type=int, default=10, help="stores ST-0001 ..., a clerk and a kiosk key each")
    seed.add_argument("--history-days", type=int, default=365, help="how far back the members' histories go")
    seed.add_argument("--entries-per-member", type=int, default=10, help="points movements per member")
    seed.add_argument("--seed", type=int, default=1, help="random seed of the generated data")
    seed.add_argument("--batch", type=int, default=10_000, help="members per batch (one transaction each)")
    seed.add_argument("--append", action="store_true", help="add to a database that already has members")
    seed.add_argument("--no-fk-checks", action="store_true",
                      help="PostgreSQL superuser only: skip foreign-key triggers while copying (about twice as fast)")
    seed.add_argument("--keys-file", type=Path, default=Path("loadtests/seed-keys.json"),
                      help="where to write the kiosk keys, staff logins and sample members (JSON)")
    audit = sub.add_parser("audit", help="the audit trail")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    audit_sub.add_parser("verify", help="walk the hash chain; exit 1 at the first edited or missing record")
    _import_parser(sub)
    return parser


def _audit_verify(settings: Settings) -> int:
    from domain.audit import trail

    checked, broken = asyncio.run(_with_db(settings, trail.verify))
    if broken is None:
        print(f"audit verify: {checked} record(s), chain intact")
        return 0
    print(f"audit verify: chain broken at record {broken} (after {checked} intact record(s))")
    return 1


def _import_parser(sub) -> None:
    imports = sub.add_parser("import", help="import members and balances from a legacy system")
    imports_sub = imports.add_subparsers(dest="import_command", required=True)
    members = imports_sub.add_parser(
        "members", help="import members and balances from a CSV or XLSX export (resumable; safe to run again)")
    members.add_argument("file", type=Path, help="the export: CSV (UTF-8, UTF-8 with BOM or GB18030) or XLSX")
    members.add_argument("--format", choices=("csv", "xlsx"), default=None, help="default: from the file")
    members.add_argument("--mapping", type=Path, default=None, help="TOML file naming other column headers")
    members.add_argument("--store", default=None, help="home store code of the rows without a known store")
    members.add_argument("--dry-run", action="store_true", help="write nothing but the report and the rejects file")
    members.add_argument("--rejects", type=Path, default=None, help="rejected rows with a reason (default FILE.rejects.csv)")
    members.add_argument("--report", type=Path, default=None, help="the JSON report (default FILE.report.json)")
    members.add_argument("--batch", type=int, default=10_000, help="records per batch (one transaction each)")
    members.add_argument("--confirm", action="store_true", help="required in production")
    members.add_argument("--no-fk-checks", action="store_true",
                         help="PostgreSQL superuser only: skip foreign-key triggers of the bulk writes (faster)")
    sample = imports_sub.add_parser("sample", help="write a realistic dirty legacy export for trying the import")
    sample.add_argument("--rows", type=int, required=True, help="rows to write")
    sample.add_argument("--out", type=Path, required=True, help="the CSV file to write")
    sample.add_argument("--seed", type=int, default=1, help="random seed")
    sample.add_argument("--encoding", choices=("utf-8", "utf-8-sig", "gb18030"), default="utf-8")
    sample.add_argument("--stores", default="ST-0001,ST-0002,ST-0003", help="store codes the rows name (comma-separated)")


def _makemigrations() -> int:
    """tortoise's makemigrations, then CHECK constraints moved where the schema editor applies them."""
    from infra.migration_checks import fix_migration_files

    done = subprocess.run([sys.executable, "-m", "tortoise", "-c", "infra.db.TORTOISE_ORM", "makemigrations"], check=False)
    for line in fix_migration_files(ROOT / "migrations"):
        print(line)
    return done.returncode


async def _migrate(settings: Settings) -> None:
    def progress(event: str, app_label: str, name: str) -> None:
        logging.getLogger("orchard.migrations").info("migration %s", event, extra={"migration": f"{app_label}.{name}"})

    try:
        # Building an index on a large table takes longer than any request may.
        await db.apply_migrations(settings.with_(statement_timeout_ms=0), progress=progress)
    finally:
        await db.close_db()


async def _with_db(settings: Settings, work: Callable[[], Awaitable[Any]]) -> Any:
    # Maintenance commands scan whole tables: the request-sized statement timeout does not apply.
    await db.init_db(settings.with_(statement_timeout_ms=0))
    try:
        return await work()
    finally:
        await db.close_db()


async def _load_demo(settings: Settings) -> None:
    from devtools import demo

    for line in await _with_db(settings, lambda: demo.load_if_empty(settings)):
        print(line, flush=True)


def _ledger_check(settings: Settings, member_id: int | None) -> int:
    from domain.donations.check import check_projects
    from domain.ledger.check import check_ledger

    async def checks() -> list[str]:
        found = await check_ledger(member_id)
        return found + (await check_projects() if member_id is None else [])  # the charity projects' accounts too

    violations = asyncio.run(_with_db(settings, checks))
    scope = f"member {member_id}" if member_id is not None else "all accounts"
    if not violations:
        print(f"ledger check ({scope}): clean")
        return 0
    print(f"ledger check ({scope}): {len(violations)} violation(s)")
    for line in violations:
        print(f"  {line}")
    return 1


def _points_expire(settings: Settings) -> int:
    from domain.earning import expiry

    bars: dict[str, tqdm] = {}

    def progress(stage: str, done: int) -> None:
        bar = bars.setdefault(stage, tqdm(desc=stage, unit="lots" if stage == "expired" else "members", file=sys.stderr))
        bar.update(done - bar.n)

    report = asyncio.run(_with_db(settings, lambda: expiry.run_sweep(settings=settings, clock=SYSTEM_CLOCK, progress=progress)))
    for bar in bars.values():
        bar.close()
    print(f"expired {report.expired_lots} lots, sent {report.reminders} reminders")
    return 0


def _mall(settings: Settings, command: str) -> int:
    if command == "check":
        from domain.mall.check import check_stock

        problems = asyncio.run(_with_db(settings, check_stock))
        print("stock check: clean" if not problems else f"stock check: {len(problems)} violation(s)")
        for line in problems:
            print(f"  {line}")
        return 1 if problems else 0
    from domain.mall.cancellation import expire_overdue

    bar = tqdm(desc="redemptions expired", unit="redemptions", file=sys.stderr)
    expired = asyncio.run(_with_db(settings, lambda: expire_overdue(clock=SYSTEM_CLOCK, progress=lambda n: bar.update(n - bar.n))))
    bar.close()
    print(f"expired {expired} unfulfilled redemptions")
    return 0


def _metrics(settings: Settings, args: argparse.Namespace) -> int:
    from datetime import date

    from domain.access import CallerKind, StaffRole, Viewer
    from domain.errors import DomainError
    from domain.metrics import export, figures, rollups

    try:
        first, last = date.fromisoformat(args.first), date.fromisoformat(args.last)
    except ValueError as exc:
        print(f"bad date: {exc}", file=sys.stderr)
        return 2
    if last < first:
        print("--to is before --from", file=sys.stderr)
        return 2
    if args.metrics_command == "rebuild":
        bar = tqdm(desc="days rebuilt", unit="days", total=(last - first).days + 1, file=sys.stderr)
        def shown(done: int, _total: int) -> None:
            bar.update(done - bar.n)

        days = asyncio.run(_with_db(settings, lambda: rollups.rebuild(first, last, progress=shown)))
        bar.close()
        print(f"rebuilt {days} days of rollups, {first} to {last}")
        return 0
    admin = Viewer(kind=CallerKind.STAFF, subject_id=0, role=StaffRole.CHAIN_ADMIN)
    try:
        cut = figures.Granularity(args.granularity)
        report = asyncio.run(_with_db(settings, lambda: figures.report(admin, first, last, args.store_id, cut)))
    except DomainError as exc:
        print(f"{exc.code}: {exc.message}", file=sys.stderr)
        return 2
    if args.format == "csv":
        text = export.to_csv(report)
        if args.out:
            Path(args.out).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return 0
    out = Path(args.out or "metrics.xlsx")
    out.write_bytes(export.to_xlsx(report))
    print(f"wrote {out}")
    return 0


def _lottery_verify(settings: Settings, lottery_id: str) -> int:
    import base64

    from domain.lotteries.verify import verify

    pk = lottery_id
    if not lottery_id.isdigit():
        try:
            type_name, _, pk = base64.urlsafe_b64decode(lottery_id + "=" * (-len(lottery_id) % 4)).decode().partition(":")
        except ValueError:
            type_name = ""
        if type_name != "Lottery" or not pk.isdigit():
            print(f"not a lottery ID: {lottery_id}")
            return 2
    verdict = asyncio.run(_with_db(settings, lambda: verify(int(pk))))
    if verdict.mismatch is None:
        print(f"lottery {lottery_id}: {verdict.checked} draws recompute")
        return 0
    print(f"lottery {lottery_id}: mismatch after {verdict.checked} good draws: {verdict.mismatch}")
    return 1


def _tiers_review(settings: Settings) -> int:
    from domain.tiers import schedule

    bar = tqdm(desc="members reviewed", unit="members", file=sys.stderr)
    report = asyncio.run(_with_db(settings, lambda: schedule.review_now(SYSTEM_CLOCK, progress=lambda n: bar.update(n - bar.n))))
    bar.close()
    print(f"reviewed {report.reviewed}: {report.upgraded} up, {report.downgraded} down")
    return 0


def _worker(settings: Settings, once: bool) -> int:
    import signal

    from domain.idempotency import keep_keys_for
    from domain.jobs import JOBS
    from domain.notifications import service as notifications
    from infra import cache, worker

    if not settings.is_production:
        # As in the server: development delivers messages to the log.
        for channel in notifications.Channel:
            notifications.use_adapter_unless_set(channel, notifications.LogAdapter())

    async def run() -> int:
        cache.configure(settings.redis_url)  # the sweeps drop cached entries the server reads
        keep_keys_for(hours=settings.idempotency_ttl_hours)
        try:
            if once:
                results = await worker.run_due(JOBS, settings=settings, clock=SYSTEM_CLOCK)
                for result in results:
                    due = f", next due {result.due_at.isoformat(timespec='seconds')}" if result.due_at else ""
                    print(f"{result.kind}: {result.outcome.value.lower().replace('_', ' ')}{due} {result.counts or ''}".rstrip())
                return 1 if any(r.outcome is worker.RunOutcome.FAILED for r in results) else 0
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for received in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(received, stop.set)
            log.info("worker started", extra={"jobs": [job.kind for job in JOBS]})
            await worker.run_forever(JOBS, settings=settings, clock=SYSTEM_CLOCK, stop=stop)
            log.info("worker stopped")
            return 0
        finally:
            await cache.close()

    asyncio.run(_migrate(settings))  # as `serve` does: the worker may be the first to start
    return asyncio.run(_with_db(settings, run))


def _seed(settings: Settings, args: argparse.Namespace) -> int:
    from devtools import seed

    plan = seed.SeedPlan(
        members=args.members, stores=args.stores, items=args.items, history_days=args.history_days,
        entries_per_member=args.entries_per_member, seed=args.seed, batch=args.batch, append=args.append,
        keys_file=args.keys_file, fk_checks=not args.no_fk_checks,
    )
    try:
        seed.refuse_production(settings)
    except seed.SeedRefused as refused:
        print(f"seed refused: {refused}", file=sys.stderr)
        return 1
    asyncio.run(_migrate(settings))
    bars: dict[str, tqdm] = {}
    units = {"members": "members", "ledger": "journals", "purchases": "purchases"}

    def progress(phase: str, added: int) -> None:
        if phase not in bars:
            bars[phase] = tqdm(desc=phase, total=plan.members if phase == "members" else None,
                               unit=units.get(phase, "rows"), file=sys.stderr)
        bars[phase].update(added)

    try:
        report = asyncio.run(_with_db(settings, lambda: seed.seed(plan, settings, clock=SYSTEM_CLOCK, progress=progress)))
    except seed.SeedRefused as refused:
        print(f"seed refused: {refused}", file=sys.stderr)
        return 1
    finally:
        for bar in bars.values():
            bar.close()
    print(f"seeded {report.counts['member']} members, {report.rows} rows in {report.seconds:.1f} s"
          f" ({report.rows_per_second:,.0f} rows/s); keys in {report.keys_file}")
    if report.items_skipped:
        print("mall items skipped: there is no mall module")
    return 0


def _coupons_expire(settings: Settings) -> int:
    from domain.coupons.expiry import expire_due

    bar = tqdm(desc="coupons expired", unit="coupons", file=sys.stderr)
    expired = asyncio.run(_with_db(settings, lambda: expire_due(clock=SYSTEM_CLOCK, progress=lambda n: bar.update(n - bar.n))))
    bar.close()
    print(f"expired {expired} coupons")
    return 0


def _project_pk(text: str) -> int | None:
    return _global_pk(text, "CharityProject")


def _global_pk(text: str, type_name: str) -> int | None:
    """A number, or the key of a global ID of `type_name`; None for anything else."""
    if text.isdigit():
        return int(text)
    from resolvers.global_ids import InvalidGlobalId, pk_of

    try:
        return pk_of(text, type_name)
    except InvalidGlobalId:
        return None


def _donations_settle(settings: Settings, args: argparse.Namespace) -> int:
    from datetime import date

    from domain.bounds import BadMoney, fen_from_yuan
    from domain.donations import settlement
    from domain.errors import DomainError

    project_id = _project_pk(args.project_id)
    if project_id is None:
        print(f"not a project id: {args.project_id}", file=sys.stderr)
        return 2
    try:
        paid_on = date.fromisoformat(args.paid_on) if args.paid_on else None
        amount_fen = fen_from_yuan(args.amount) if args.amount is not None else None
    except (ValueError, BadMoney) as exc:
        print(f"invalid --paid-on or --amount: {exc}", file=sys.stderr)
        return 2
    work = lambda: settlement.settle(  # noqa: E731
        None, project_id, reference=args.reference, paid_on=paid_on, amount_fen=amount_fen, actor="cli", clock=SYSTEM_CLOCK
    )
    try:
        done = asyncio.run(_with_db(settings, work))
    except DomainError as exc:
        print(f"refused ({exc.code}): {exc.message}", file=sys.stderr)
        return 1
    project = done.project
    print(f"project {project.id}: {project.name} ({project.status})")
    print(f"  beneficiary: {project.beneficiary or '-'}")
    print(f"  points donated: {done.points_donated}  points matched: {done.points_matched}"
          f"  at {project.points_per_yuan} points per yuan")
    print(f"  yuan due: {done.yuan_due_fen / 100:.2f}  paid: {(project.settlement_fen or 0) / 100:.2f}"
          f" on {project.settled_on} reference {project.settlement_reference}")
    print(f"  donors: {done.donor_count}  donations: {done.donation_count}")
    for day in done.days:
        print(f"  {day.day}: {day.points} points, {day.matched_points} matched, {day.donations} donations")
    print(f"  donation list sha256: {done.sha256}")
    if args.csv is not None:
        args.csv.write_text(done.csv, encoding="utf-8")
        print(f"  donation list written to {args.csv}")
    return 0


def _partners_settle(settings: Settings, args: argparse.Namespace) -> int:
    from domain.access import CallerKind, StaffRole, Viewer
    from domain.errors import DomainError
    from domain.partners import settlement
    from domain.stores.models import Partner

    admin = Viewer(kind=CallerKind.STAFF, subject_id=0, role=StaffRole.CHAIN_ADMIN)

    async def work() -> settlement.Statement | None:
        given = args.partner.strip()
        partner = await Partner.get_or_none(code=given)
        if partner is None:
            pk = _global_pk(given, "Partner")
            partner = await Partner.get_or_none(id=pk) if pk is not None else None
        if partner is None:
            return None
        if args.close:
            await settlement.close(admin, partner.id, args.period, clock=SYSTEM_CLOCK, actor="cli")
        return await settlement.statement(admin, partner.id, args.period)

    try:
        done = asyncio.run(_with_db(settings, work))
    except DomainError as exc:
        print(f"refused ({exc.code}): {exc.message}", file=sys.stderr)
        return 1
    if done is None:
        print(f"no partner {args.partner}", file=sys.stderr)
        return 2
    text = settlement.as_csv(done)
    state = f"closed {done.closed_at:%Y-%m-%d %H:%M} UTC" if done.closed_at else "open"
    summary = (f"{done.partner.name} {done.period} ({state}): {done.units_redeemed} redeemed, {done.units_sold} sold,"
               f" {done.units_adjusted} adjusted, cash {done.cash_fen / 100:.2f}, share due {done.share_fen / 100:.2f}")
    if args.output is None:
        sys.stdout.write(text)
        print(summary, file=sys.stderr)
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"{summary}\nwritten to {args.output}")
    return 0


def _import(settings: Settings, args: argparse.Namespace) -> int:
    if args.import_command == "sample":
        from devtools import import_sample

        counts = import_sample.write_sample(import_sample.SamplePlan(
            rows=args.rows, out=args.out, seed=args.seed, encoding=args.encoding,
            stores=tuple(code.strip() for code in args.stores.split(",") if code.strip()),
        ))
        print(f"wrote {counts['rows']} rows to {args.out} ({counts['duplicates']} duplicates, {counts['bad']} bad rows)")
        return 0
    import getpass
    import socket

    from domain.imports import members, reading

    plan = members.ImportPlan(
        path=args.file, fmt=args.format, mapping=args.mapping, store_code=args.store, dry_run=args.dry_run,
        rejects=args.rejects, report=args.report, batch=args.batch, confirm=args.confirm, fk_checks=not args.no_fk_checks,
        actor=f"cli:{getpass.getuser()}@{socket.gethostname()}",
    )
    if settings.is_production and not args.confirm:
        print("import refused: this is production; run it again with --confirm", file=sys.stderr)
        return 1
    asyncio.run(_migrate(settings))
    shown = _ImportProgress()
    try:
        report = asyncio.run(_with_db(settings, lambda: members.import_members(plan, settings, clock=SYSTEM_CLOCK,
                                                                              progress=shown)))
    except (members.ImportRefused, reading.UnreadableFile) as refused:
        print(f"import refused: {refused}", file=sys.stderr)
        return 1
    finally:
        shown.close()
    for line in _import_summary(report):
        print(line)
    return 0 if report["check"]["equal"] is not False else 1


def _import_summary(report: dict) -> list[str]:
    if report.get("alreadyImported"):
        return [f"{report['file']} was imported before (run {report['runId']}, by {report['importedBy']}):"
                " nothing changed; 0 members created, 0 journals",
                f"report: {report.get('reportFile', '')}"]
    check = report["check"]
    lines = [
        f"{'dry run: ' if report['dryRun'] else ''}read {report['rowsRead']} rows: {report['rowsImported']} imported,"
        f" {report['rowsRejected']} rejected, {report['rowsMerged']} merged into other rows ({report['mergeCount']} merges)",
        f"members: {report['membersCreated']} created, {report['membersMatched']} matched,"
        f" {report['membersUpdated']} of them updated",
        f"points: {report['pointsImported']} in {report['journalsCreated']} MIGRATION journals;"
        f" check {check['importedBalances']} = {check['migrationJournals']}: "
        + ("not written (dry run)" if check["equal"] is None else "ok" if check["equal"] else "MISMATCH"),
    ]
    lines += [f"  rejected {reason}: {n}" for reason, n in report["rejected"]["byReason"].items()]
    if report.get("resumed"):
        lines.append(f"resumed: {report['batches']['committedBefore']} batches were committed before")
    lines.append(f"report: {report.get('reportFile', '')}; rejects: {report['rejectsFile']}; {report['seconds']} s")
    return lines


class _ImportProgress:
    """A bar on a terminal (rows read, then records written: imported, merged, rejected, rate, ETA);
    plain lines every 5 seconds otherwise (a log, a pipe, CI)."""

    def __init__(self) -> None:
        import time

        self.clock = time.monotonic
        self.tty = sys.stderr.isatty()
        self.bar: tqdm | None = None
        self.stage = ""
        self.last = 0.0
        self.started = self.clock()

    def __call__(self, state: dict) -> None:
        if self.tty:
            self._bar(state)
            return
        now = self.clock()
        if now - self.last < 5 and state.get("stage") == self.stage:
            return
        if self.stage and state.get("stage") != self.stage:
            self.started = now  # the writing rate counts from the end of the reading
        self.last, self.stage = now, state.get("stage", "")
        writing = self.stage == "writing"
        done = state.get("imported", 0) + state.get("rejected", 0) if writing else state.get("read", 0)
        rate = done / max(now - self.started, 1e-9)
        eta = f", ETA {(state.get('read', 0) - done) / rate:,.0f} s" if writing and rate else ""
        print(f"import {self.stage}: read {state.get('read', 0)}, imported {state.get('imported', 0)},"
              f" merged {state.get('merged', 0)}, rejected {state.get('rejected', 0)} ({rate:,.0f} rows/s{eta})",
              file=sys.stderr, flush=True)

    def _bar(self, state: dict) -> None:
        stage = state.get("stage", "")
        if stage != self.stage:
            self.close()
            self.stage = stage
            total = state.get("read") if stage == "writing" else None
            self.bar = tqdm(desc=f"import {stage}", total=total, unit="rows", file=sys.stderr)
        assert self.bar is not None
        done = state.get("read", 0) if stage == "reading" else state.get("imported", 0) + state.get("rejected", 0)
        self.bar.set_postfix(imported=state.get("imported", 0), merged=state.get("merged", 0),
                             rejected=state.get("rejected", 0), refresh=False)
        self.bar.update(max(done - self.bar.n, 0))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def main(argv: list[str] | None = None) -> int:
    configure_logging()
    args = _parser().parse_args(argv)
    if args.command == "schema":
        from schema.root import build_schema

        print(build_schema().as_str().strip())
        return 0
    if args.command == "makemigrations":
        return _makemigrations()
    settings = load_settings()
    if args.command == "migrate":
        asyncio.run(_migrate(settings))
        return 0
    if args.command == "audit":
        return _audit_verify(settings)
    if args.command == "ledger":
        return _ledger_check(settings, args.member_id)
    if args.command == "points":
        return _points_expire(settings)
    if args.command == "mall":
        return _mall(settings, args.mall_command)
    if args.command == "coupons":
        return _coupons_expire(settings)
    if args.command == "lottery":
        return _lottery_verify(settings, args.lottery_id)
    if args.command == "tiers":
        return _tiers_review(settings)
    if args.command == "metrics":
        return _metrics(settings, args)
    if args.command == "donations":
        return _donations_settle(settings, args)
    if args.command == "partners":
        return _partners_settle(settings, args)
    if args.command == "worker":
        return _worker(settings, args.once)
    if args.command == "seed":
        return _seed(settings, args)
    if args.command == "import":
        return _import(settings, args)
    if args.command == "demo":
        asyncio.run(_migrate(settings))
        asyncio.run(_load_demo(settings))
        return 0
    if args.command == "serve":
        import serving

        asyncio.run(_migrate(settings))
        if not args.no_demo and not settings.is_production:
            asyncio.run(_load_demo(settings))
        print(f"Orchard serving GraphQL on http://{args.host}:{args.port}/graphql", flush=True)
        return serving.serve(args.host, args.port, args.workers)
    return 2
