"""The audit trail: mutations by staff, devices and partners and every sign-in leave a record in
the same transaction as their effect; the chain is tamper-evident; only chain admins read it."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from domain.access import StaffRole
from domain.audit import log, trail
from domain.audit.models import AuditRecord
from infra import db
from tests.concurrently import all_at_once
from tests.conftest import REPO_ROOT, requires_postgres
from tests.points_support import open_shop
from tests.test_staff_lockout import RIGHT, sign_in

LOG = """query($f: AuditLogFilter, $first: Int) { auditLog(first: $first, filter: $f) {
  edges { node { operation actor { kind id role } result at targets reason points requestId } } } }"""
ADJUST = """mutation($i: AdjustPointsInput!) { adjustPoints(input: $i) { balanceAfter errors { code field } } }"""


def key() -> str:
    return uuid.uuid4().hex


async def operations() -> list[tuple[str, str]]:
    return [(r.operation, r.result) for r in await AuditRecord.all().order_by("id")]


async def test_sign_ins_and_staff_mutations_are_recorded_and_admins_read_them(api):
    shop = await open_shop(api, api.clock)
    member = await shop.member()
    admin = await api.admin_token()
    member_gid = (await api.data('query($c: String!) { member(code: $c) { id } }', {"c": member["code"]}, token=admin))[
        "member"]["id"]
    done = await api.data(ADJUST, {"i": {"memberId": member_gid, "amount": 20_000, "reason": "shop closed early",
                                         "idempotencyKey": key()}}, token=admin)
    assert done["adjustPoints"]["errors"] == []
    refused = await api.data(ADJUST, {"i": {"memberId": member_gid, "amount": 0, "reason": "x", "idempotencyKey": key()}},
                             token=admin)
    assert refused["adjustPoints"]["errors"][0]["code"] == "INVALID_AMOUNT"

    recorded = await operations()
    assert ("staffLogin", "ok") in recorded
    assert ("registerMember", "ok") in recorded
    assert recorded[-2:] == [("adjustPoints", "ok"), ("adjustPoints", "INVALID_AMOUNT")]

    shown = (await api.data(LOG, {"f": {"operation": "adjustPoints"}, "first": 10}, token=admin))["auditLog"]["edges"]
    assert [e["node"]["result"] for e in shown] == ["INVALID_AMOUNT", "ok"]  # newest first
    newest_ok = shown[1]["node"]
    assert newest_ok["actor"]["kind"] == "STAFF" and newest_ok["actor"]["role"] == "CHAIN_ADMIN"
    assert member_gid in newest_ok["targets"]
    assert newest_ok["reason"] == "shop closed early" and newest_ok["points"] == 20_000 and newest_ok["requestId"]

    digest = await log.large_adjustments(10_000, clock=api.clock)
    assert [(row.points, row.reason) for row in digest] == [(20_000, "shop closed early")]
    shown_digest = await api.data("{ largeAdjustments { operation points reason actor { kind } } }", token=admin)
    assert shown_digest["largeAdjustments"] == [{"operation": "adjustPoints", "points": 20_000, "reason": "shop closed early",
                                                 "actor": {"kind": "STAFF"}}]
    assert (await api.data("{ largeAdjustments(minimumPoints: 30000) { points } }", token=admin))["largeAdjustments"] == []
    denied = await api.post("{ largeAdjustments { points } }", token=shop.clerk)
    assert denied.json()["data"] is None and denied.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    # Nobody else reads it: a clerk gets an error, a member too; the data is null.
    for token in (shop.clerk, None):
        body = await api.post(LOG, {"first": 5}, token=token)
        assert body.json()["data"] is None or body.json()["data"]["auditLog"] is None
        assert body.json()["errors"]
    assert await trail.verify() == (len(recorded), None)


async def test_a_failed_sign_in_is_recorded_and_the_sixth_try_is_locked_out(api):
    staff, _ = await api.make_staff(StaffRole.CLERK, await api.make_store())
    for i in range(5):
        assert (await sign_in(api, staff.email, f"wrong-{i}"))["errors"][0]["code"] == "INVALID_CREDENTIALS"
    sixth = await sign_in(api, staff.email, RIGHT)
    assert sixth["token"] is None and sixth["errors"][0]["code"] == "LOCKED_OUT"
    results = [r for op, r in await operations() if op == "staffLogin"]
    assert results == ["ok"] + ["INVALID_CREDENTIALS"] * 5 + ["LOCKED_OUT"]
    failed = await AuditRecord.filter(result="LOCKED_OUT").first()
    assert failed.actor_kind == "ANONYMOUS" and failed.client_address


async def test_the_input_digest_leaves_out_secrets_and_phones():
    one = trail.digest({"input": {"phone": "13700000001", "password": "a", "storeId": "U3RvcmU6MQ"}})
    two = trail.digest({"input": {"phone": "13900000009", "password": "b", "storeId": "U3RvcmU6MQ"}})
    other_store = trail.digest({"input": {"phone": "13900000009", "password": "b", "storeId": "U3RvcmU6Mg"}})
    assert one == two != other_store
    assert trail.global_ids({"input": {"memberId": "TWVtYmVyOjE", "lines": [{"sku": "x"}]}}) == ["TWVtYmVyOjE"]


async def test_verify_exits_1_after_a_record_is_edited(api, settings):
    await api.admin_token()
    await api.admin_token()
    env = {**os.environ, "ORCHARD_DATABASE_URL": settings.database_url, "ORCHARD_SECRET_KEY": "d" * 48,
           "ORCHARD_ENV": "development", "PYTHONPATH": str(REPO_ROOT)}

    def verify() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", "import sys, cli; sys.exit(cli.main(['audit', 'verify']))"],
                              cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60)

    intact = verify()
    assert intact.returncode == 0, intact.stdout + intact.stderr
    first = await AuditRecord.all().order_by("id").first()
    await db.execute("UPDATE audit_record SET result = 'FORGED' WHERE id = $1", first.id)
    broken = verify()
    assert broken.returncode == 1 and f"record {first.id}" in broken.stdout


@requires_postgres("concurrent appends must not fork the chain")
async def test_concurrent_sign_ins_keep_one_chain(api):
    staff = [await api.make_staff(StaffRole.CLERK, await api.make_store()) for _ in range(3)]
    await all_at_once(*(sign_in(api, s.email, RIGHT) for s, _ in staff for _ in range(4)))
    count, broken = await trail.verify()
    assert broken is None and count == await AuditRecord.all().count() >= 15
