"""Donating points to charity projects through the API: the rules, the errors, refunds and settlement."""

from __future__ import annotations

import asyncio
import hashlib

from domain.donations import settlement
from domain.donations.projects import account_code
from domain.ledger import service as ledger
from domain.ledger.models import JournalKind, PointsJournal, SystemAccount
from tests.conftest import orchard_cli
from tests.donations_support import Charity, assert_books_clean, new_key
from tests.test_mall import codes_of, pk

ME = """{ me { pointsBalance donations(first: 10) { edges { node { points certificateCode status
  project { id } } } } } }"""
CERTIFICATE = """query($c: String!) { donationCertificate(code: $c) { code points matchedPoints donorName projectName } }"""
SETTLEMENT = """query($p: ID!) { charitySettlement(projectId: $p) { pointsDonated pointsMatched yuanDue { amount }
  donorCount donationCount days { points matchedPoints donations } csv sha256 } }"""
LIST = """query($s: CharityProjectStatus) { charityProjects(first: 10, filter: {status: $s}) {
  edges { node { id name status goalPoints raisedPoints matchedPoints donorCount progress } } } }"""


async def test_a_member_donates_and_everyone_sees_the_progress(api):
    charity = await Charity.open(api)
    project = await charity.project(goalPoints=1_000)
    alice, bob = await charity.member(500), await charity.member(500)

    first = await charity.donate(alice, project, 200)
    assert first["errors"] == [] and first["donation"]["points"] == 200 and first["donation"]["certificateCode"]
    assert first["member"]["pointsBalance"] == 300
    assert first["project"] == {"raisedPoints": 200, "matchedPoints": 0, "donorCount": 1, "progress": 0.2}
    await charity.donate(alice, project, 100)
    await charity.donate(bob, project, 250)

    shown = await charity.read(project["id"])  # anyone, signed in or not
    assert (shown["raisedPoints"], shown["donorCount"], shown["donationCount"]) == (550, 2, 3)
    assert shown["progress"] == 0.55 and shown["yuanEquivalent"] == {"amount": "5.50", "currency": "CNY"}
    assert [m["reached"] for m in shown["milestones"]] == [True, True, False, False]
    assert [d["points"] for d in shown["recentDonors"]] == [250, 100, 200]
    assert all(d["name"] == "M***" for d in shown["recentDonors"])

    mine = (await api.data(ME, token=alice.token))["me"]
    assert mine["pointsBalance"] == 200
    assert [e["node"]["points"] for e in mine["donations"]["edges"]] == [100, 200]
    assert {e["node"]["project"]["id"] for e in mine["donations"]["edges"]} == {project["id"]}

    code = first["donation"]["certificateCode"]
    certificate = (await api.data(CERTIFICATE, {"c": code}))["donationCertificate"]
    assert certificate == {"code": code, "points": 200, "matchedPoints": 0, "donorName": "M***",
                           "projectName": "Orchard school appeal"}
    assert (await api.data(CERTIFICATE, {"c": "NOPE123"}))["donationCertificate"] is None

    journal = await PointsJournal.get(reference=f"donation:{pk(first['donation']['id'])}", kind=JournalKind.DONATION)
    assert journal.kind == JournalKind.DONATION
    assert await ledger.system_balance(account_code(pk(project["id"]))) == 550
    listed = (await api.data(LIST, {"s": "OPEN"}))["charityProjects"]["edges"]
    assert [e["node"]["raisedPoints"] for e in listed] == [550]
    await assert_books_clean()


async def test_refusals_are_typed_and_nothing_moves(api):
    charity = await Charity.open(api)
    draft = await charity.project(open_it=False, minimumPoints=50)
    project = await charity.project(minimumPoints=50)
    member = await charity.member(100)

    assert codes_of([await charity.donate(member, draft, 60)]) == ["PROJECT_NOT_FOUND"]  # a draft is the admins'
    assert codes_of([await charity.donate(member, project, 49)]) == ["BELOW_MINIMUM"]
    assert codes_of([await charity.donate(member, project, 101)]) == ["INSUFFICIENT_POINTS"]
    assert codes_of([await charity.donate(member, project, 0)]) == ["INVALID_AMOUNT"]
    refused = await charity.donate(member, project, 60, key="   ")
    assert codes_of([refused]) == ["INVALID_IDEMPOTENCY_KEY"]
    assert await ledger.balance(member.id) == 100

    done = await charity.donate(member, project, 60, key="same")
    again = await charity.donate(member, project, 60, key="same")
    assert again["replayed"] is True and again["donation"]["id"] == done["donation"]["id"]
    assert codes_of([await charity.donate(member, project, 70, key="same")]) == ["IDEMPOTENCY_KEY_REUSED"]
    assert await ledger.balance(member.id) == 40

    assert (await charity.move("closeCharityProject", project["id"]))["project"]["status"] == "CLOSED"
    assert codes_of([await charity.donate(member, project, 50)]) == ["PROJECT_NOT_OPEN"]
    replay = await charity.donate(member, project, 60, key="same")  # a retry of what went through still replays
    assert replay["errors"] == [] and replay["replayed"] is True
    assert codes_of([await charity.move("openCharityProject", project["id"])]) == ["INVALID_TRANSITION"]
    await assert_books_clean()


async def test_a_donation_passing_the_goal_is_cut_to_the_remainder_then_goal_reached(api):
    charity = await Charity.open(api)
    project = await charity.project(goalPoints=300, minimumPoints=100, stopAtGoal=True)
    members = [await charity.member(500) for _ in range(3)]

    assert (await charity.donate(members[0], project, 250))["donation"]["points"] == 250
    cut = await charity.donate(members[1], project, 200)
    assert cut["errors"] == [] and cut["donation"]["points"] == 50 and cut["donation"]["requestedPoints"] == 200
    assert cut["member"]["pointsBalance"] == 450 and cut["project"]["progress"] == 1.0
    assert codes_of([await charity.donate(members[2], project, 100)]) == ["GOAL_REACHED"]
    assert await ledger.balance(members[2].id) == 500
    await assert_books_clean()


async def test_matching_adds_the_ratio_and_stops_at_its_cap(api):
    charity = await Charity.open(api)
    project = await charity.project(matching={"ratio": "1.5", "capPoints": 400})
    member = await charity.member(1_000)
    first = await charity.donate(member, project, 101)
    assert first["donation"]["matchedPoints"] == 151  # floor(101 x 1.5)
    second = await charity.donate(member, project, 200)
    assert second["donation"]["matchedPoints"] == 249  # the cap's last 249
    third = await charity.donate(member, project, 100)
    assert third["errors"] == [] and third["donation"]["matchedPoints"] == 0
    assert third["project"]["matchedPoints"] == 400 and third["project"]["raisedPoints"] == 401
    assert await ledger.system_balance(SystemAccount.MATCHING_BUDGET) == -400
    assert await ledger.system_balance(account_code(pk(project["id"]))) == 801
    await assert_books_clean()


async def test_an_anonymous_donor_is_shown_to_chain_admins_only(api):
    charity = await Charity.open(api)
    project = await charity.project()
    donor, other = await charity.member(100), await charity.member(100)
    made = await charity.donate(donor, project, 50, anonymous=True)
    assert made["donation"]["anonymous"] is True
    node = 'query($id: ID!) { node(id: $id) { ... on Donation { points member { code } } } }'
    assert (await api.data(node, {"id": made["donation"]["id"]}, token=charity.admin))["node"]["member"]["code"] == donor.code
    assert (await api.data(node, {"id": made["donation"]["id"]}, token=donor.token))["node"]["member"]["code"] == donor.code
    for token in (other.token, charity.mall.clerk):
        refused = await api.gql(node, {"id": made["donation"]["id"]}, token=token)
        assert refused["data"]["node"] is None and refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    for token in (other.token, charity.mall.clerk, None):
        shown = await charity.read(project["id"], token=token)
        assert [d["name"] for d in shown["recentDonors"]] == ["Anonymous"]
    certificate = (await api.data(CERTIFICATE, {"c": made["donation"]["certificateCode"]}))["donationCertificate"]
    assert certificate["donorName"] == "Anonymous"


async def test_cancelling_refunds_every_donation_once_and_a_retry_refunds_nothing(api):
    charity = await Charity.open(api)
    project = await charity.project(matching={"ratio": "1", "capPoints": 1_000})
    members = [await charity.member(300) for _ in range(4)]
    for m in members:
        assert (await charity.donate(m, project, 120))["errors"] == []
    cancelled = await charity.cancel(project["id"])
    assert cancelled["errors"] == [] and cancelled["refundedDonations"] == 4
    assert cancelled["project"] == {"id": project["id"], "status": "CANCELLED", "raisedPoints": 0, "matchedPoints": 0}
    again = await charity.cancel(project["id"])
    assert again["errors"] == [] and again["refundedDonations"] == 0
    assert {await ledger.balance(m.id) for m in members} == {300}
    assert await ledger.system_balance(SystemAccount.MATCHING_BUDGET) == 0
    assert codes_of([await charity.donate(members[0], project, 100)]) == ["PROJECT_NOT_OPEN"]
    mine = (await api.data(ME, token=members[0].token))["me"]["donations"]["edges"]
    assert [e["node"]["status"] for e in mine] == ["REFUNDED"]
    await assert_books_clean()


async def test_settlement_states_the_totals_and_signs_the_list(api):
    charity = await Charity.open(api)
    project = await charity.project(matching={"ratio": "1", "capPoints": 100})
    a, b = await charity.member(500), await charity.member(500)
    await charity.donate(a, project, 80)
    await charity.donate(b, project, 70, anonymous=True)
    await charity.donate(a, project, 50)
    early = await api.data(
        "mutation($i: SettleCharityProjectInput!) { settleCharityProject(input: $i) { errors { code } } }",
        {"i": {"projectId": project["id"], "reference": "BANK-1"}}, token=charity.admin,
    )
    assert codes_of([early["settleCharityProject"]]) == ["INVALID_TRANSITION"]  # still open
    await charity.move("closeCharityProject", project["id"])

    statement = (await api.data(SETTLEMENT, {"p": project["id"]}, token=charity.admin))["charitySettlement"]
    assert (statement["pointsDonated"], statement["pointsMatched"], statement["donorCount"], statement["donationCount"]) == (
        200, 100, 2, 3
    )
    assert statement["yuanDue"]["amount"] == "3.00"
    assert sum(d["points"] for d in statement["days"]) == 200
    assert statement["sha256"] == hashlib.sha256(statement["csv"].encode()).hexdigest()
    lines = statement["csv"].strip().split("\n")
    assert lines[0] == "certificate_code,donated_at,points,matched_points,donor" and len(lines) == 4
    assert lines[2].endswith(",Anonymous")
    forbidden = await api.gql(SETTLEMENT, {"p": project["id"]}, token=a.token)
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    settle = "mutation($i: SettleCharityProjectInput!) { settleCharityProject(input: $i) { project { status payment { amount { amount } reference } } errors { code } } }"  # noqa: E501
    done = (await api.data(settle, {"i": {"projectId": project["id"], "reference": "BANK-1"}}, token=charity.admin))
    assert done["settleCharityProject"]["project"]["status"] == "SETTLED"
    assert done["settleCharityProject"]["project"]["payment"] == {"amount": {"amount": "3.00"}, "reference": "BANK-1"}
    twice = await api.data(settle, {"i": {"projectId": project["id"], "reference": "BANK-1"}}, token=charity.admin)
    assert twice["settleCharityProject"]["errors"] == []
    other = await api.data(settle, {"i": {"projectId": project["id"], "reference": "BANK-2"}}, token=charity.admin)
    assert codes_of([other["settleCharityProject"]]) == ["INVALID_TRANSITION"]
    assert (await settlement.statement(None, pk(project["id"]))).sha256 == statement["sha256"]
    await assert_books_clean()


async def test_only_chain_admins_run_projects(api):
    charity = await Charity.open(api)
    member = await charity.member(10)
    body = await api.gql(
        "mutation($i: CreateCharityProjectInput!) { createCharityProject(input: $i) { errors { code } } }",
        {"i": {"name": "x", "goalPoints": 1, "opensAt": "2030-01-01T00:00:00+08:00", "closesAt": "2030-02-01T00:00:00+08:00"}},
        token=member.token,
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    bad = await api.data(
        "mutation($i: CreateCharityProjectInput!) { createCharityProject(input: $i) { errors { code field } } }",
        {"i": {"name": "x", "goalPoints": 10, "opensAt": "2030-01-01T00:00:00+08:00", "closesAt": "2030-02-01T00:00:00+08:00",
               "matching": {"ratio": "0.001", "capPoints": 5}}},
        token=charity.admin,
    )
    assert bad["createCharityProject"]["errors"] == [{"code": "INVALID_MATCHING", "field": "matching.ratio"}]
    assert new_key() != new_key()


async def test_the_settle_command_records_the_payment_and_prints_the_signed_statement(api, settings, tmp_path):
    charity = await Charity.open(api)
    project = await charity.project()
    member = await charity.member(500)
    await charity.donate(member, project, 300)
    await charity.move("closeCharityProject", project["id"])
    written = tmp_path / "list.csv"
    done = await asyncio.to_thread(
        orchard_cli, settings.database_url, "donations", "settle", str(pk(project["id"])), "--reference", "BANK-77", "--csv", str(written)
    )
    assert done.returncode == 0, done.stderr[-2000:]
    statement = await settlement.statement(None, pk(project["id"]))
    assert f"donation list sha256: {statement.sha256}" in done.stdout and "yuan due: 3.00" in done.stdout
    assert hashlib.sha256(written.read_bytes()).hexdigest() == statement.sha256
    assert statement.project.status == "SETTLED" and statement.project.settlement_reference == "BANK-77"
    again = await asyncio.to_thread(orchard_cli, settings.database_url, "donations", "settle", project["id"], "--reference", "OTHER")
    assert again.returncode == 1 and "INVALID_TRANSITION" in again.stderr
    checked = await asyncio.to_thread(orchard_cli, settings.database_url, "ledger", "check")
    assert checked.returncode == 0 and "clean" in checked.stdout
