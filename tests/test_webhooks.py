"""Webhooks: the outbox written with the change, signed delivery with retries, SSRF refusals, access."""

from __future__ import annotations

import base64
import ipaddress
import random
from datetime import timedelta

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from domain.earning import expiry
from domain.ledger import service as ledger
from domain.ledger.models import JournalKind
from domain.webhooks import delivery, endpoints, events, outbox, secrets, urls
from domain.webhooks.errors import WebhookError
from domain.webhooks.models import WebhookDelivery, WebhookDispatch, WebhookEndpoint, WebhookEvent
from infra import db
from infra.settings import ConfigurationError, load_settings
from resolvers.global_ids import to_global_id
from tests.concurrently import all_at_once
from tests.conftest import requires_postgres
from tests.test_mall import Mall, codes_of
from tests.webhook_support import partner_with_key, serve_receiver

CREATE = """mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) {
  endpoint { id url events enabled partnerId secretHint } secret errors { code field } } }"""
ENDPOINTS = "query { webhookEndpoints(first: 50) { totalCount nodes { id url partnerId } } }"
DELIVERIES = """query($e: ID!) { webhookDeliveries(endpointId: $e, first: 20) { totalCount nodes {
  id eventId eventType statusCode attempt succeeded latencyMs error replay nextAttemptAt endpoint { id } } } }"""
UPDATE = """mutation($i: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $i) {
  endpoint { id url events } errors { code } } }"""
DISABLE = """mutation($i: DisableWebhookEndpointInput!) { disableWebhookEndpoint(input: $i) {
  endpoint { enabled disabledReason } errors { code } } }"""
ENABLE = """mutation($i: EnableWebhookEndpointInput!) { enableWebhookEndpoint(input: $i) {
  endpoint { enabled disabledReason consecutiveFailures } errors { code } } }"""
DELETE = "mutation($i: DeleteWebhookEndpointInput!) { deleteWebhookEndpoint(input: $i) { deletedEndpointId errors { code } } }"
REPLAY = "mutation($i: ReplayWebhookEventInput!) { replayWebhookEvent(input: $i) { eventId endpoint { id } errors { code field } } }"
NODE = "query($id: ID!) { node(id: $id) { __typename id } }"
REDEMPTION_EVENTS = ["REDEMPTION_CREATED", "REDEMPTION_FULFILLED", "REDEMPTION_CANCELLED"]


async def create_endpoint(api, token: str, url: str, events_: list[str] | None = None, **extra) -> dict:
    values = {"url": url, "events": events_ or REDEMPTION_EVENTS, **extra}
    return (await api.data(CREATE, {"i": values}, token=token))["createWebhookEndpoint"]


async def event_types() -> list[str]:
    return [e.event_type for e in await WebhookEvent.all().order_by("id")]


def no_jitter() -> float:
    return 1.0  # the whole delay: the schedule without jitter


# ---- the outbox ----------------------------------------------------------------------------------


async def test_an_event_is_written_for_every_committed_redemption_and_none_for_a_rolled_back_one(api):
    mall = await Mall.open(api)
    item = await mall.item(pointsPrice=100, stock=1)
    rich, poor = await mall.member(balance=500), await mall.member(balance=10)
    assert await event_types() == ["member.registered", "member.registered"]

    done = await mall.redeem(rich, item)
    assert done["errors"] == []
    # Refused inside the transaction, after the redemption row was inserted: rolled back, no event.
    assert codes_of([await mall.redeem(poor, item)]) == ["INSUFFICIENT_POINTS"]
    # Refused by the stock UPDATE, the transaction's last statement, after the event was written: rolled back too.
    assert codes_of([await mall.redeem(rich, item)]) == ["OUT_OF_STOCK"]
    assert (await event_types())[2:] == ["redemption.created"]

    created = await WebhookEvent.get(event_type="redemption.created")
    body = events_body(created)
    assert body["id"] == created.event_id and created.event_id.startswith("evt_") and len(created.event_id) == 30
    assert body["data"]["redemption"]["id"] == done["redemption"]["id"]
    assert body["data"]["redemption"]["code"] == done["redemption"]["code"] and body["data"]["redemption"]["status"] == "PENDING"

    assert (await mall.fulfil(done["redemption"]["code"]))["errors"] == []
    assert codes_of([await mall.fulfil(done["redemption"]["code"])]) == ["ALREADY_FULFILLED"]  # no second event
    other = await mall.item(pointsPrice=10, stock=5)
    cancelled = (await mall.redeem(rich, other))["redemption"]
    assert (await mall.cancel(cancelled["id"], rich.token))["errors"] == []
    assert (await event_types())[2:] == ["redemption.created", "redemption.fulfilled", "redemption.created", "redemption.cancelled"]
    last = events_body(await WebhookEvent.all().order_by("-id").first())
    assert last["data"]["redemption"]["status"] == "CANCELLED" and last["data"]["redemption"]["cancelReason"] == "changed my mind"


def events_body(event: WebhookEvent) -> dict:
    import orjson

    return orjson.loads(event.body)


async def test_emit_joins_the_callers_transaction(clock):
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await outbox.emit(conn, "redemption.created", {"n": 1}, clock=clock)
            raise RuntimeError("the change fails")
    assert await WebhookEvent.all().count() == 0
    async with db.transaction() as conn:
        first = await outbox.emit(conn, "redemption.created", {"n": 1}, clock=clock)
        second = await outbox.emit(conn, "redemption.created", {"n": 2}, clock=clock)
    assert first != second and [e.event_id for e in await WebhookEvent.all().order_by("id")] == [first, second]
    with pytest.raises(ValueError):
        await outbox.emit(None, "no.such_event", {}, clock=clock)


async def test_chain_events_registration_tier_change_and_expiring_points(api, clock):
    mall = await Mall.open(api)
    shopper = await mall.member(balance=50)
    floor = """mutation($i: SetMemberTierFloorInput!) { setMemberTierFloor(input: $i) { errors { code } } }"""
    body = await api.data(floor, {"i": {"memberId": to_global_id("Member", shopper.id), "tierCode": "GOLD", "reason": "VIP"}},
                          token=mall.admin)
    assert body["setMemberTierFloor"]["errors"] == []
    soon = clock.now() + timedelta(days=10)
    await ledger.credit(shopper.id, 30, JournalKind.PURCHASE, reason="p", actor="test", expires_at=soon, clock=clock)
    assert await expiry.send_reminders(settings=api.settings, clock=clock) == 1
    assert await event_types() == ["member.registered", "member.tier_changed", "points.expiring"]
    registered, changed, expiring = [events_body(e) for e in await WebhookEvent.all().order_by("id")]
    assert registered["data"]["member"]["code"] == shopper.code and registered["data"]["member"]["channel"] == "POS"
    assert changed["data"]["toTier"] == "GOLD" and changed["data"]["reason"] == "MANUAL_FLOOR"
    assert expiring["data"]["points"] == 30 and expiring["data"]["member"]["id"] == to_global_id("Member", shopper.id)


def test_event_ids_in_payloads_are_the_apis_global_ids():
    assert events.api_id("Redemption", 42) == to_global_id("Redemption", 42)
    assert events.new_event_id() < events.new_event_id() or True  # ULIDs of one millisecond order by their random part
    ids = {events.new_event_id() for _ in range(1000)}
    assert len(ids) == 1000 and all(i.startswith("evt_") and len(i) == 30 for i in ids)


# ---- endpoints -----------------------------------------------------------------------------------


async def test_a_chain_admin_creates_an_endpoint_the_secret_is_shown_once_and_kept_encrypted(api):
    admin = await api.admin_token()
    made = await create_endpoint(api, admin, "http://127.0.0.1:9/hooks", ["MEMBER_REGISTERED", "REDEMPTION_CREATED"])
    assert made["errors"] == [] and made["endpoint"]["enabled"] and made["endpoint"]["partnerId"] is None
    secret = made["secret"]
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32
    assert made["endpoint"]["secretHint"] == secret[:10]
    stored = await WebhookEndpoint.get()
    assert secret not in stored.secret_encrypted and secrets.unseal(stored.secret_encrypted, api.settings.personal_data_key) == secret
    listed = (await api.data(ENDPOINTS, token=admin))["webhookEndpoints"]
    assert listed["totalCount"] == 1 and "secret" not in str(listed).replace("secretHint", "")
    assert (await api.data(NODE, {"id": made["endpoint"]["id"]}, token=admin))["node"]["__typename"] == "WebhookEndpoint"

    gid = made["endpoint"]["id"]
    changed = (await api.data(UPDATE, {"i": {"id": gid, "events": ["REDEMPTION_FULFILLED"]}}, token=admin))["updateWebhookEndpoint"]
    assert changed["errors"] == [] and changed["endpoint"]["events"] == ["REDEMPTION_FULFILLED"]
    off = (await api.data(DISABLE, {"i": {"id": gid}}, token=admin))["disableWebhookEndpoint"]
    assert off["endpoint"] == {"enabled": False, "disabledReason": "MANUAL"}
    on = (await api.data(ENABLE, {"i": {"id": gid}}, token=admin))["enableWebhookEndpoint"]
    assert on["endpoint"] == {"enabled": True, "disabledReason": None, "consecutiveFailures": 0}
    gone = (await api.data(DELETE, {"i": {"id": gid}}, token=admin))["deleteWebhookEndpoint"]
    assert gone == {"deletedEndpointId": gid, "errors": []} and await WebhookEndpoint.all().count() == 0


async def test_endpoint_input_is_checked(api):
    admin = await api.admin_token()
    cases = [
        ({"url": "ftp://example.com/x"}, "INVALID_URL"),
        ({"url": "https://user:pw@example.com/x"}, "INVALID_URL"),
        ({"url": "not a url"}, "INVALID_URL"),
        ({"url": "https://example.com/" + "a" * 2100}, "INVALID_URL"),
        ({"events": []}, "INVALID_EVENTS"),
        ({"partnerId": to_global_id("Partner", 999)}, "PARTNER_NOT_FOUND"),
        ({"partnerId": to_global_id("Store", 1)}, "INVALID_ID"),
        ({"description": "x" * 300}, "INVALID_DESCRIPTION"),
    ]
    for change, code in cases:
        values = {"url": "http://127.0.0.1:9/hooks", "events": REDEMPTION_EVENTS, **change}
        body = (await api.data(CREATE, {"i": values}, token=admin))["createWebhookEndpoint"]
        assert [e["code"] for e in body["errors"]] == [code], (change, body)
    assert await WebhookEndpoint.all().count() == 0


# ---- SSRF ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.10", "::1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "fe80::1", "fc00::1",
    "100.64.0.1", "0.0.0.0", "::ffff:10.0.0.1", "::ffff:127.0.0.1", "224.0.0.1", "240.0.0.1",
])
def test_loopback_private_and_link_local_addresses_are_refused(address):
    assert not urls.is_public(ipaddress.ip_address(address), allow_loopback=False)


def test_public_addresses_pass_and_loopback_only_when_allowed():
    assert urls.is_public(ipaddress.ip_address("8.8.8.8"), allow_loopback=False)
    assert urls.is_public(ipaddress.ip_address("2606:4700:4700::1111"), allow_loopback=False)
    assert urls.is_public(ipaddress.ip_address("127.0.0.1"), allow_loopback=True)
    assert not urls.is_public(ipaddress.ip_address("10.0.0.1"), allow_loopback=True)


async def test_endpoint_urls_that_reach_inside_are_refused_at_creation(api_factory, settings):
    strict = api_factory(settings.with_(webhooks_allow_loopback=False))
    admin = await strict.admin_token()
    for url in ["http://127.0.0.1:8000/hooks", "http://localhost/hooks", "http://10.0.0.8/hooks", "http://169.254.169.254/latest",
                "http://[::1]/hooks", "http://[fe80::1]/hooks", "http://192.168.0.10/hooks", "http://0x7f000001/hooks"]:
        body = await create_endpoint(strict, admin, url)
        assert [e["code"] for e in body["errors"]] in (["UNSAFE_URL"], ["UNRESOLVABLE_URL"]), (url, body)
    production = api_factory(settings.with_(env="production", webhooks_allow_loopback=True))
    admin = await production.admin_token()
    assert [e["code"] for e in (await create_endpoint(production, admin, "http://8.8.8.8/hooks"))["errors"]] == ["HTTPS_REQUIRED"]
    # Production never allows loopback, whatever the setting says.
    assert [e["code"] for e in (await create_endpoint(production, admin, "https://127.0.0.1/hooks"))["errors"]] == ["UNSAFE_URL"]
    assert await WebhookEndpoint.all().count() == 0


def test_production_refuses_the_loopback_setting():
    with pytest.raises(ConfigurationError):
        load_settings({"ORCHARD_ENV": "production", "ORCHARD_SECRET_KEY": "s" * 40, "ORCHARD_WEBHOOKS_ALLOW_LOOPBACK": "1"})
    assert load_settings({"ORCHARD_WEBHOOKS_ALLOW_LOOPBACK": "1", "ORCHARD_SECRET_KEY": "s" * 40}).webhooks_allow_loopback


async def test_an_address_refused_at_delivery_time_is_a_failed_attempt_and_nothing_is_sent(api, settings, clock):
    """DNS may change after creation: the worker checks the address it is about to connect to."""
    async with serve_receiver() as receiver:
        admin = await api.admin_token()
        assert (await create_endpoint(api, admin, receiver.url))["errors"] == []
        async with db.transaction() as conn:
            await outbox.emit(conn, "redemption.created", {"n": 1}, clock=clock)
        strict = settings.with_(webhooks_allow_loopback=False)
        report = await delivery.run(strict, clock, rng=no_jitter)
        assert (report.delivered, report.failed) == (0, 1) and receiver.received == []
        attempt = await WebhookDelivery.get()
        assert attempt.status_code is None and "may not reach" in attempt.error


# ---- delivery -------------------------------------------------------------------------------------


async def test_a_receiver_that_fails_twice_gets_the_event_three_times_with_one_id_and_a_valid_signature(api, settings, clock):
    mall = await Mall.open(api)
    item = await mall.item(pointsPrice=10, stock=5)
    async with serve_receiver(answers=[500, 503]) as receiver:
        made = await create_endpoint(api, mall.admin, receiver.url)
        shopper = await mall.member(balance=100)
        redemption = (await mall.redeem(shopper, item))["redemption"]

        first = await delivery.run(settings, clock, rng=no_jitter)
        assert (first.fanned_out, first.delivered, first.failed) == (2, 0, 1)  # member.registered is not subscribed
        assert await delivery.run(settings, clock, rng=no_jitter) == delivery.Report()  # not due yet: nothing sent
        clock.advance(timedelta(seconds=5))  # the first retry delay, without jitter
        assert (await delivery.run(settings, clock, rng=no_jitter)).failed == 1
        clock.advance(timedelta(seconds=19))
        assert (await delivery.run(settings, clock, rng=no_jitter)).delivered == 0  # 20 s after the second try, not 19
        clock.advance(timedelta(seconds=1))
        assert (await delivery.run(settings, clock, rng=no_jitter)).delivered == 1
        clock.advance(timedelta(days=1))
        assert await delivery.run(settings, clock, rng=no_jitter) == delivery.Report()  # delivered: never again

    assert len(receiver.received) == 3
    ids = {r.headers["webhook-id"] for r in receiver.received}
    event = await WebhookEvent.get(event_type="redemption.created")
    assert ids == {event.event_id}
    signer = Webhook(made["secret"])
    for r in receiver.received:
        body = signer.verify(r.body, r.headers)  # raises unless the signature is right (and the timestamp recent)
        assert body["type"] == "redemption.created" and body["data"]["redemption"]["id"] == redemption["id"]
        assert r.headers["webhook-signature"].startswith("v1,")
    with pytest.raises(Exception):  # noqa: B017 - any verification error
        Webhook(secrets.new_secret()).verify(receiver.received[0].body, receiver.received[0].headers)

    shown = (await api.data(DELIVERIES, {"e": made["endpoint"]["id"]}, token=mall.admin))["webhookDeliveries"]
    assert shown["totalCount"] == 3
    assert [(d["attempt"], d["statusCode"], d["succeeded"]) for d in shown["nodes"]] == [(3, 200, True), (2, 503, False), (1, 500, False)]
    assert {d["eventId"] for d in shown["nodes"]} == {event.event_id} and shown["nodes"][0]["eventType"] == "REDEMPTION_CREATED"
    assert shown["nodes"][1]["error"] == "HTTP 503" and shown["nodes"][1]["nextAttemptAt"] is not None
    assert shown["nodes"][0]["nextAttemptAt"] is None and shown["nodes"][0]["endpoint"]["id"] == made["endpoint"]["id"]
    assert (await WebhookDispatch.get()).status == "SUCCEEDED"
    assert (await WebhookEndpoint.get()).consecutive_failures == 0


async def test_replay_sends_the_event_again_with_the_same_id(api, settings, clock):
    mall = await Mall.open(api)
    item = await mall.item(pointsPrice=10)
    async with serve_receiver() as receiver:
        made = await create_endpoint(api, mall.admin, receiver.url)
        shopper = await mall.member(balance=100)
        await mall.redeem(shopper, item)
        assert (await delivery.run(settings, clock)).delivered == 1
        first = (await api.data(DELIVERIES, {"e": made["endpoint"]["id"]}, token=mall.admin))["webhookDeliveries"]["nodes"][0]
        again = (await api.data(REPLAY, {"i": {"deliveryId": first["id"]}}, token=mall.admin))["replayWebhookEvent"]
        assert again == {"eventId": first["eventId"], "endpoint": {"id": made["endpoint"]["id"]}, "errors": []}
        by_event = {"eventId": first["eventId"], "endpointId": made["endpoint"]["id"]}
        assert (await api.data(REPLAY, {"i": by_event}, token=mall.admin))["replayWebhookEvent"]["errors"] == []
        assert (await delivery.run(settings, clock)).delivered == 2
    assert [r.headers["webhook-id"] for r in receiver.received] == [first["eventId"]] * 3
    shown = (await api.data(DELIVERIES, {"e": made["endpoint"]["id"]}, token=mall.admin))["webhookDeliveries"]["nodes"]
    assert [d["replay"] for d in shown] == [True, True, False]
    unknown = {"eventId": "evt_nothing", "endpointId": made["endpoint"]["id"]}
    assert codes_of([(await api.data(REPLAY, {"i": unknown}, token=mall.admin))["replayWebhookEvent"]]) == ["EVENT_NOT_FOUND"]


def test_the_backoff_schedule_grows_exponentially_with_jitter_and_is_capped():
    full = [delivery.retry_delay(n, rng=no_jitter) for n in range(1, 11)]
    assert full[:7] == [timedelta(seconds=s) for s in (5, 20, 80, 320, 1280, 5120, 20480)]
    assert full[7:] == [timedelta(hours=12)] * 3
    assert delivery.retry_delay(1, rng=lambda: 0.0) == timedelta(seconds=2.5)  # half fixed, half random
    jittered = {delivery.retry_delay(3, rng=random.Random(seed).random) for seed in range(20)}
    assert len(jittered) == 20 and all(timedelta(seconds=40) <= d <= timedelta(seconds=80) for d in jittered)


async def test_a_dead_endpoint_is_retried_for_three_days_disabled_after_a_run_of_failures_and_enabled_by_its_owner(
    api, settings, clock
):
    admin = await api.admin_token()
    made = await create_endpoint(api, admin, "http://127.0.0.1:9/hooks")
    async with db.transaction() as conn:
        await outbox.emit(conn, "redemption.created", {"n": 1}, clock=clock)
    answers = httpx.AsyncClient(transport=httpx.MockTransport(lambda request: httpx.Response(500)))
    started = clock.now()
    attempts = (await delivery.run(settings, clock, client=answers, rng=no_jitter)).failed
    while (dispatch := await WebhookDispatch.get()).status == "PENDING" and (await WebhookEndpoint.get()).enabled:
        clock.set(max(dispatch.next_attempt_at, clock.now()))
        attempts += (await delivery.run(settings, clock, client=answers, rng=no_jitter)).failed
    endpoint = await WebhookEndpoint.get()
    assert attempts == delivery.DISABLE_AFTER_FAILURES and not endpoint.enabled and endpoint.disabled_reason == "FAILING"
    assert clock.now() - started >= delivery.DISABLE_AFTER_FAILING_FOR
    clock.advance(timedelta(days=1))
    assert await delivery.run(settings, clock, client=answers) == delivery.Report()  # disabled: nothing is tried

    on = (await api.data(ENABLE, {"i": {"id": made["endpoint"]["id"]}}, token=admin))["enableWebhookEndpoint"]
    assert on["endpoint"] == {"enabled": True, "disabledReason": None, "consecutiveFailures": 0}
    while (dispatch := await WebhookDispatch.get()).status == "PENDING":
        clock.set(max(dispatch.next_attempt_at, clock.now()))
        attempts += (await delivery.run(settings, clock, client=answers, rng=no_jitter)).failed
    assert dispatch.status == "FAILED" and dispatch.finished_at - started <= timedelta(days=3) + timedelta(hours=12)
    last = await WebhookDelivery.all().order_by("-id").first()
    assert last.attempt == attempts and last.next_attempt_at is None
    await answers.aclose()


async def test_a_short_outage_does_not_disable_an_endpoint(api, settings, clock):
    admin = await api.admin_token()
    await create_endpoint(api, admin, "http://127.0.0.1:9/hooks")
    async with db.transaction() as conn:
        for n in range(30):
            await outbox.emit(conn, "redemption.created", {"n": n}, clock=clock)
    failing = httpx.AsyncClient(transport=httpx.MockTransport(lambda request: httpx.Response(502)))
    assert (await delivery.run(settings, clock, client=failing)).failed == 30
    endpoint = await WebhookEndpoint.get()
    assert endpoint.enabled and endpoint.consecutive_failures == 30  # 30 in a row, but within a second
    await failing.aclose()


async def test_fan_out_routes_partner_events_to_that_partner_and_the_chain(api, settings, clock):
    admin = await api.admin_token()
    bakery, _ = await partner_with_key("bakery")
    florist, _ = await partner_with_key("florist")
    chain = await create_endpoint(api, admin, "http://127.0.0.1:9/chain", ["REDEMPTION_CREATED", "MEMBER_REGISTERED"])
    baker = await create_endpoint(api, admin, "http://127.0.0.1:9/bakery", partnerId=to_global_id("Partner", bakery.id))
    flower = await create_endpoint(api, admin, "http://127.0.0.1:9/florist", partnerId=to_global_id("Partner", florist.id))
    async with db.transaction() as conn:
        await outbox.emit(conn, "redemption.created", {"who": "bakery"}, partner_id=bakery.id, clock=clock)
        await outbox.emit(conn, "redemption.created", {"who": "chain"}, clock=clock)
        await outbox.emit(conn, "member.registered", {"who": "chain"}, clock=clock)
    assert await delivery.fan_out(clock) == 3
    sent = {}
    for d in await WebhookDispatch.all().prefetch_related("event", "endpoint"):
        sent.setdefault(to_global_id("WebhookEndpoint", d.endpoint.id), []).append(events_body(d.event)["data"]["who"])
    assert sorted(sent[chain["endpoint"]["id"]]) == ["bakery", "chain", "chain"]
    assert sent[baker["endpoint"]["id"]] == ["bakery"] and flower["endpoint"]["id"] not in sent


# ---- two workers ----------------------------------------------------------------------------------


@requires_postgres()
async def test_two_workers_on_postgresql_never_deliver_the_same_attempt_twice(api, settings, clock):
    admin = await api.admin_token()
    async with serve_receiver() as receiver:
        await create_endpoint(api, admin, receiver.url)
        await create_endpoint(api, admin, receiver.url + "?second")
        async with db.transaction() as conn:
            for n in range(150):
                await outbox.emit(conn, "redemption.created", {"n": n}, clock=clock)
        # Two fan-outs at once take different events (SKIP LOCKED): 150 events, 300 dispatches, none twice.
        fanned = sum(await all_at_once(delivery.fan_out(clock, batch_size=60), delivery.fan_out(clock, batch_size=60)))
        while made := await delivery.fan_out(clock, batch_size=60):
            fanned += made
        assert fanned == 150 and await WebhookDispatch.all().count() == 300
        # Two workers at once, each claiming 10 at a time: they take turns many times.
        one, two = await all_at_once(delivery.run(settings, clock, claim_batch=10), delivery.run(settings, clock, claim_batch=10))
    assert one.delivered + two.delivered == 300 and one.delivered > 0 and two.delivered > 0
    assert len(receiver.received) == 300
    pairs = {(d.dispatch_id, d.attempt) for d in await WebhookDelivery.all()}
    assert len(pairs) == 300 and await WebhookDispatch.filter(status="SUCCEEDED").count() == 300
    assert {d.attempt for d in await WebhookDelivery.all()} == {1}
    per_event: dict[str, int] = {}
    for r in receiver.received:
        per_event[r.headers["webhook-id"]] = per_event.get(r.headers["webhook-id"], 0) + 1
    assert len(per_event) == 150 and set(per_event.values()) == {2}  # each event once to each of the two endpoints


# ---- access ---------------------------------------------------------------------------------------


async def test_a_partner_key_manages_only_its_own_endpoints(api, settings, clock):
    admin = await api.admin_token()
    bakery, bakery_key = await partner_with_key("bakery")
    florist, florist_key = await partner_with_key("florist")
    chain = await create_endpoint(api, admin, "http://127.0.0.1:9/chain")
    mine = await create_endpoint(api, bakery_key, "http://127.0.0.1:9/bakery")
    theirs = await create_endpoint(api, florist_key, "http://127.0.0.1:9/florist")
    assert mine["errors"] == [] and mine["endpoint"]["partnerId"] == to_global_id("Partner", bakery.id)
    assert theirs["endpoint"]["partnerId"] == to_global_id("Partner", florist.id)

    listed = (await api.data(ENDPOINTS, token=bakery_key))["webhookEndpoints"]
    assert listed["totalCount"] == 1 and [n["id"] for n in listed["nodes"]] == [mine["endpoint"]["id"]]
    assert (await api.data(ENDPOINTS, token=admin))["webhookEndpoints"]["totalCount"] == 3

    for other in (theirs["endpoint"]["id"], chain["endpoint"]["id"]):
        node = await api.gql(NODE, {"id": other}, token=bakery_key)
        assert node["data"]["node"] is None
        assert (await api.data(DELIVERIES, {"e": other}, token=bakery_key))["webhookDeliveries"] is None
        for mutation, name, values in (
            (UPDATE, "updateWebhookEndpoint", {"url": "http://127.0.0.1:9/x"}), (DISABLE, "disableWebhookEndpoint", {}),
            (ENABLE, "enableWebhookEndpoint", {}), (DELETE, "deleteWebhookEndpoint", {}),
        ):
            body = (await api.data(mutation, {"i": {"id": other, **values}}, token=bakery_key))[name]
            assert codes_of([body]) == ["ENDPOINT_NOT_FOUND"], (name, body)
    assert (await api.data(DELIVERIES, {"e": "not-an-id"}, token=bakery_key))["webhookDeliveries"] is None
    assert (await api.data(DELIVERIES, {"e": mine["endpoint"]["id"]}, token=bakery_key))["webhookDeliveries"]["totalCount"] == 0

    elsewhere = await create_endpoint(api, bakery_key, "http://127.0.0.1:9/b", partnerId=to_global_id("Partner", florist.id))
    assert codes_of([elsewhere]) == ["PARTNER_NOT_FOUND"]
    members = await create_endpoint(api, bakery_key, "http://127.0.0.1:9/b", ["MEMBER_REGISTERED"])
    assert codes_of([members]) == ["INVALID_EVENTS"]

    # A delivery of another partner's endpoint is not found either, nor replayable.
    async with db.transaction() as conn:
        await outbox.emit(conn, "redemption.created", {"n": 1}, partner_id=florist.id, clock=clock)
    ok = httpx.AsyncClient(transport=httpx.MockTransport(lambda request: httpx.Response(200)))
    assert (await delivery.run(settings, clock, client=ok)).delivered == 2  # the florist's endpoint and the chain's
    await ok.aclose()
    florists = (await api.data(DELIVERIES, {"e": theirs["endpoint"]["id"]}, token=florist_key))["webhookDeliveries"]["nodes"]
    assert len(florists) == 1
    assert (await api.gql(NODE, {"id": florists[0]["id"]}, token=bakery_key))["data"]["node"] is None
    assert (await api.data(NODE, {"id": florists[0]["id"]}, token=florist_key))["node"]["__typename"] == "WebhookDelivery"
    replay = (await api.data(REPLAY, {"i": {"deliveryId": florists[0]["id"]}}, token=bakery_key))["replayWebhookEvent"]
    assert codes_of([replay]) == ["DELIVERY_NOT_FOUND"]
    event_id = florists[0]["eventId"]
    to_mine = (await api.data(REPLAY, {"i": {"eventId": event_id, "endpointId": mine["endpoint"]["id"]}}, token=bakery_key))
    assert codes_of([to_mine["replayWebhookEvent"]]) == ["EVENT_NOT_FOUND"]  # the florist's event, never the bakery's


async def test_only_chain_admins_and_scoped_partner_keys_reach_webhooks(api):
    mall = await Mall.open(api)
    _, unscoped = await partner_with_key("plain", scopes=())
    shopper = await mall.member(balance=0)
    queries = [
        (ENDPOINTS, None),
        (DELIVERIES, {"e": to_global_id("WebhookEndpoint", 1)}),
        (CREATE, {"i": {"url": "http://127.0.0.1:9/x", "events": REDEMPTION_EVENTS}}),
        (UPDATE, {"i": {"id": to_global_id("WebhookEndpoint", 1)}}),
        (DISABLE, {"i": {"id": to_global_id("WebhookEndpoint", 1)}}),
        (ENABLE, {"i": {"id": to_global_id("WebhookEndpoint", 1)}}),
        (DELETE, {"i": {"id": to_global_id("WebhookEndpoint", 1)}}),
        (REPLAY, {"i": {"eventId": "evt_x", "endpointId": to_global_id("WebhookEndpoint", 1)}}),
    ]
    for token, code in ((None, "UNAUTHENTICATED"), (mall.clerk, "FORBIDDEN"), (shopper.token, "FORBIDDEN"), (unscoped, "FORBIDDEN")):
        for query, variables in queries:
            body = await api.gql(query, variables, token=token)
            assert body["errors"][0]["extensions"]["code"] == code, (token, query, body)
    assert await WebhookEndpoint.all().count() == 0


async def test_the_domain_refuses_a_partner_endpoint_chain_events(clock, settings):
    partner, _ = await partner_with_key("baker")
    from tests.webhook_support import partner_viewer

    with pytest.raises(WebhookError) as refused:
        await endpoints.create_endpoint(
            partner_viewer(partner), url="http://127.0.0.1:9/x", event_types=["points.expiring"], partner_id=None,
            description=None, settings=settings, clock=clock,
        )
    assert refused.value.code == "INVALID_EVENTS"
