"""The fast path for plain fields sits behind one switch, and both executors give the same answers.

Every operation the tests send through `api` is also answered by the stock executor and
compared (tests/differential.py); these tests check that switch and that comparison, and run
each load-test operation (loadtests/operations.py) against seeded data.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from devtools import seed
from domain.access import CallerKind, StaffRole, Viewer
from domain.donations import projects as charity_projects
from domain.donations.projects import ProjectDraft
from domain.lotteries import catalogue as lotteries
from domain.lotteries.catalogue import LotteryDraft, PrizeDraft
from domain.mall.catalogue import ItemDraft, create_item
from domain.stores.tokens import issue_access_token
from infra.settings import ConfigurationError, load_settings
from loadtests import operations
from schema import plain_fields
from schema.execution import OperationRunner
from schema.relay import to_global_id
from schema.root import build_schema

STORES = "{ stores(first: 5) { edges { node { code name } } } }"
CREATE_STORE = "mutation($i: CreateStoreInput!) { createStore(input: $i) { store { code name } errors { code } } }"


@pytest.mark.parametrize(("value", "fast"), [(None, True), ("1", True), ("true", True), ("0", False), ("off", False)])
def test_orchard_fast_fields_switches_the_executor(value, fast):
    environ = {"ORCHARD_SECRET_KEY": "s" * 48} | ({"ORCHARD_FAST_FIELDS": value} if value is not None else {})
    settings = load_settings(environ)
    assert settings.fast_fields is fast
    runner = OperationRunner(build_schema(), settings)
    if fast:
        assert issubclass(runner.executor_class, StrawberryGraphQLCoreExecutionContext)
        assert runner.executor_class is not StrawberryGraphQLCoreExecutionContext
    else:
        assert runner.executor_class is StrawberryGraphQLCoreExecutionContext


def test_a_switch_that_is_neither_on_nor_off_is_refused():
    with pytest.raises(ConfigurationError, match="ORCHARD_FAST_FIELDS"):
        load_settings({"ORCHARD_SECRET_KEY": "s" * 48, "ORCHARD_FAST_FIELDS": "maybe"})


def _shout_strings(monkeypatch):
    """Break the fast path on purpose: every plain string it answers comes out in capitals."""
    answer = plain_fields._serialized

    def shouted(leaf, source):
        value = answer(leaf, source)
        return value.upper() if isinstance(value, str) else value

    monkeypatch.setattr(plain_fields, "_serialized", shouted)


async def test_a_query_answered_differently_by_the_two_executors_fails_the_test(api, monkeypatch):
    admin = await api.admin_token()
    await api.make_store(code="st-quiet")
    assert api.differential is not None
    _shout_strings(monkeypatch)
    with pytest.raises(AssertionError, match="answer the operation differently") as failure:
        await api.data(STORES, token=admin)
    assert '"ST-QUIET"' in str(failure.value) and '"st-quiet"' in str(failure.value)


async def test_a_mutation_is_compared_from_its_payload_without_running_twice(api, monkeypatch):
    from domain.stores.models import Store

    admin = await api.admin_token()
    created = await api.data(CREATE_STORE, {"i": {"code": "ONE-1", "name": "One"}}, token=admin)
    assert created["createStore"] == {"store": {"code": "ONE-1", "name": "One"}, "errors": []}
    assert await Store.filter(code="ONE-1").count() == 1

    _shout_strings(monkeypatch)
    with pytest.raises(AssertionError, match="answer the operation differently") as failure:
        await api.data(CREATE_STORE, {"i": {"code": "TWO-2", "name": "Two"}}, token=admin)
    assert '"TWO"' in str(failure.value) and '"Two"' in str(failure.value)
    assert await Store.filter(code="TWO-2").count() == 1  # compared, yet created once


@pytest.mark.single_executor
async def test_a_test_marked_single_executor_is_answered_by_the_fast_path_alone(api):
    assert api.differential is None


async def test_every_load_test_operation_gets_the_same_answer_from_both_executors(api, settings, clock, tmp_path):
    plan = seed.SeedPlan(members=40, stores=2, items=10, history_days=60, batch=64, sample_members=20,
                         keys_file=tmp_path / "keys.json")
    await seed.seed(plan, settings, clock=clock)
    keys = json.loads(plan.keys_file.read_text())
    store = keys["stores"][0]
    store_id = to_global_id("Store", store["id"])
    admin = Viewer(kind=CallerKind.STAFF, subject_id=0, role=StaffRole.CHAIN_ADMIN)
    item = await create_item(admin, ItemDraft(
        name="Differential cherries", band="LOW", kind="FRESH_CUT", points_price=10, stock=50,
        available_from=clock.now() - timedelta(days=30),
    ), clock=clock)
    member = max(keys["members"], key=lambda m: m["points"])
    member_viewer = Viewer(kind=CallerKind.MEMBER, subject_id=member["id"])
    member_token, *_ = issue_access_token(
        member_viewer, secret=settings.secret_key, clock=clock, lifetime=timedelta(hours=1)
    )
    clerk = await api.login(store["clerk"]["email"], store["clerk"]["password"])
    chain_admin = await api.login(keys["admin"]["email"], keys["admin"]["password"])
    login = await api.data(operations.STAFF_LOGIN, {"i": store["clerk"]}, token=None)
    refresh_token = login["staffLogin"]["refreshToken"]
    item_id = to_global_id("MallItem", item.id)
    lottery = await lotteries.create(admin, LotteryDraft(
        name="Differential draw", points_per_draw=1, opens_at=clock.now() - timedelta(hours=1),
        closes_at=clock.now() + timedelta(days=1), prizes=(PrizeDraft("5 points", "POINTS", 1, points=5),
                                                           PrizeDraft("Nothing", "NO_PRIZE", 1)),
    ), clock=clock)
    await lotteries.open_lottery(admin, lottery.id, data_key=settings.personal_data_key, clock=clock)
    lottery_id = to_global_id("Lottery", lottery.id)
    appeal = await charity_projects.create(admin, ProjectDraft(
        name="Differential appeal", goal_points=10_000, opens_at=clock.now() - timedelta(days=1),
        closes_at=clock.now() + timedelta(days=30), match_ratio=Decimal("1"), match_cap_points=100,
    ), clock=clock)
    await charity_projects.open_project(admin, appeal.project.id, clock=clock)
    project_id = to_global_id("CharityProject", appeal.project.id)
    lines = [{"sku": "DOM-APPLE-1KG", "category": "DOMESTIC_FRUIT", "quantity": 2, "unitPrice": "15.90"}]

    sent = {  # operation name: (its text, variables, token)
        "MallItems": (operations.MALL_ITEMS, {"first": 20}, member_token),
        "Balance": (operations.BALANCE, {}, member_token),
        "History": (operations.HISTORY, {}, member_token),
        "CheckIn": (operations.CHECK_IN, {}, member_token),
        "ScanMember": (operations.LOOKUP, {"code": member["code"]}, store["kioskKey"]),
        "RedeemMallItem": (operations.REDEEM, {"i": {"itemId": item_id, "quantity": 1, "storeId": store_id,
                                                     "idempotencyKey": uuid.uuid4().hex}}, member_token),
        "RecordPurchase": (operations.RECORD, {"i": {"memberCode": member["code"], "storeId": store_id,
                                                     "channel": "IN_STORE", "lines": lines,
                                                     "clientTxnId": uuid.uuid4().hex}}, clerk),
        "RestockMallItem": (operations.RESTOCK, {"i": {"itemId": item_id, "quantity": 5,
                                                       "idempotencyKey": uuid.uuid4().hex}}, chain_admin),
        "OpenLotteries": (operations.OPEN_LOTTERIES, {}, member_token),
        "DrawLottery": (operations.DRAW_LOTTERY, {"i": {"lotteryId": lottery_id, "idempotencyKey": uuid.uuid4().hex}},
                        member_token),
        "DonatePoints": (operations.DONATE, {"i": {"projectId": project_id, "points": 10,
                                                   "idempotencyKey": uuid.uuid4().hex}}, member_token),
        "CharityProjects": (operations.OPEN_PROJECTS, {}, None),
        "StaffLogin": (operations.STAFF_LOGIN, {"i": store["clerk"]}, None),
        "RefreshStaffSession": (operations.REFRESH_STAFF_SESSION, {"i": {"refreshToken": refresh_token}}, None),
    }
    texts = {value for name, value in vars(operations).items() if name.isupper() and isinstance(value, str)}
    assert texts == {text for text, _, _ in sent.values()}, "a new load-test operation: add it here"

    api.differential.compared_operations.clear()
    for name, (text, variables, token) in sent.items():
        body = await api.gql(text, variables, token=token, operation_name=name)
        assert "errors" not in body, (name, body)
        payload_errors = [error["code"] for value in body["data"].values() for error in (value or {}).get("errors", [])]
        assert payload_errors == [], (name, body)
    assert dict(api.differential.compared_operations) == dict.fromkeys(sent, 1)
