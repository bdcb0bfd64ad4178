"""Members through the API: registration from every channel, sign-in codes, lookups, privacy."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from domain.access import StaffRole
from domain.members import codes
from domain.members.models import Member
from domain.notifications.models import OutboxMessage
from domain.stores import api_keys
from infra import db
from schema.relay import to_global_id
from tests.concurrently import all_at_once
from tests.conftest import requires_postgres

REGISTER = """mutation($i: RegisterMemberInput!) { registerMember(input: $i) {
  member { id code qrPayload phone tier { code } pointsBalance homeStore { code } } token refreshToken
  errors { code field message } } }"""
REQUEST_CODE = "mutation($p: String!) { requestLoginCode(input: {phone: $p}) { sent expiresAt errors { code field } } }"
LOGIN = "mutation($p: String!, $c: String!) { loginWithCode(input: {phone: $p, code: $c}) { token member { code } errors { code field } } }"
ME = (
    "{ me { code name phone birthday tier { code } pointsBalance referralCode homeStore { code } nextTier { code } progressToNextTier { "
    "pointsNeeded purchasesNeeded } tierHistory { reason toTier { code } } } }"
)
BY_CODE = "query($c: String!) { member(code: $c) { id code name tier { code name } pointsBalance } }"
BY_PHONE = "query($p: String!) { member(phone: $p) { code name } }"

PHONE = "13812345678"
E164 = "+8613812345678"


def last_code(outbox) -> str:
    return re.search(r"\b(\d{6})\b", outbox.sent[-1][2]).group(1)


async def self_register(api, outbox, phone=PHONE, channel="APP", name="Lin", **extra):
    api.clock.advance(timedelta(seconds=61))  # past the per-phone minimum interval
    sent = (await api.data(REQUEST_CODE, {"p": phone}))["requestLoginCode"]
    assert sent["sent"], sent
    inp = {"phone": phone, "name": name, "channel": channel, "loginCode": last_code(outbox), **extra}
    return (await api.data(REGISTER, {"i": inp}))["registerMember"]


async def test_self_registration_with_a_valid_code(api, outbox):
    result = await self_register(api, outbox)
    assert result["errors"] == []
    member = result["member"]
    assert codes.is_valid_member_code(member["code"]) and member["qrPayload"] == f"ORCHARD:M:{member['code']}"
    assert member["tier"] == {"code": "REGULAR"} and member["pointsBalance"] == 50  # the welcome points
    assert member["phone"] == "+86 138****5678"
    me = (await api.data(ME, token=result["token"]))["me"]
    assert me["code"] == member["code"] and me["tierHistory"] == [{"reason": "REGISTRATION", "toTier": {"code": "REGULAR"}}]
    assert me["nextTier"] == {"code": "SILVER"} and me["progressToNextTier"] == {"pointsNeeded": 1000, "purchasesNeeded": 4}


async def test_self_registration_without_or_with_a_wrong_code_is_refused(api, outbox):
    missing = (await api.data(REGISTER, {"i": {"phone": PHONE, "name": "Lin", "channel": "APP"}}))["registerMember"]
    assert missing["errors"] == [{"code": "LOGIN_CODE_REQUIRED", "field": "loginCode", "message": missing["errors"][0]["message"]}]
    await api.data(REQUEST_CODE, {"p": PHONE})
    wrong = "000000" if last_code(outbox) != "000000" else "111111"
    bad = (await api.data(REGISTER, {"i": {"phone": PHONE, "name": "Lin", "channel": "APP", "loginCode": wrong}}))["registerMember"]
    assert bad["member"] is None and bad["errors"][0]["code"] == "INVALID_LOGIN_CODE"
    assert await Member.all().count() == 0


async def test_anonymous_caller_cannot_register_through_pos(api):
    body = (await api.data(REGISTER, {"i": {"phone": PHONE, "name": "Lin", "channel": "POS"}}))["registerMember"]
    assert body["errors"][0]["code"] == "INVALID_CHANNEL"


async def test_same_phone_from_two_channels_is_one_member(api, outbox):
    store = await api.make_store()
    _, clerk = await api.make_staff(StaffRole.CLERK, store)
    first = await self_register(api, outbox, phone="138 1234 5678", channel="MINI_PROGRAM")
    by_staff = (await api.data(REGISTER, {"i": {"phone": E164, "name": "Someone", "channel": "POS"}}, token=clerk))["registerMember"]
    assert by_staff["errors"][0]["code"] == "PHONE_ALREADY_REGISTERED"
    assert by_staff["member"]["code"] == first["member"]["code"]
    again = await self_register(api, outbox, phone=PHONE, channel="WEB", name="Other name")
    assert again["errors"] == [] and again["member"]["code"] == first["member"]["code"] and again["token"]
    assert await Member.all().count() == 1


async def test_staff_register_in_person_for_their_store(api):
    store = await api.make_store("HOME-1")
    _, clerk = await api.make_staff(StaffRole.CLERK, store)
    body = (await api.data(REGISTER, {"i": {"phone": PHONE, "name": "Wang", "channel": "POS"}}, token=clerk))["registerMember"]
    assert body["errors"] == [] and body["token"] is None and body["member"]["homeStore"] == {"code": "HOME-1"}


async def test_kiosk_registers_and_looks_up_by_code_only(api):
    store = await api.make_store()
    issued = await api_keys.create_device_key(store, api_keys.DeviceType.KIOSK, "kiosk")
    body = (await api.data(REGISTER, {"i": {"phone": PHONE, "name": "Zhao", "channel": "KIOSK"}}, token=issued.secret))["registerMember"]
    code = body["member"]["code"]
    found = await api.data(BY_CODE, {"c": f"ORCHARD:M:{code}"}, token=issued.secret)
    assert found["member"]["code"] == code
    by_phone = await api.gql(BY_PHONE, {"p": PHONE}, token=issued.secret)
    assert by_phone["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    listing = await api.gql("{ members { totalCount } }", token=issued.secret)
    assert listing["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_clerk_cannot_read_another_stores_member(api):
    store_a, store_b = await api.make_store(), await api.make_store()
    _, clerk_a = await api.make_staff(StaffRole.CLERK, store_a)
    _, clerk_b = await api.make_staff(StaffRole.CLERK, store_b)
    created = (await api.data(REGISTER, {"i": {"phone": PHONE, "name": "Li", "channel": "POS"}}, token=clerk_a))["registerMember"]["member"]
    assert (await api.data(BY_CODE, {"c": created["code"]}, token=clerk_a))["member"]["code"] == created["code"]
    denied = await api.gql(BY_CODE, {"c": created["code"]}, token=clerk_b)
    assert denied["data"] == {"member": None} and denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await api.gql(BY_PHONE, {"p": PHONE}, token=clerk_b))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await api.data("{ members { totalCount } }", token=clerk_b))["members"]["totalCount"] == 0
    node = await api.gql("query($id: ID!) { node(id: $id) { id } }", {"id": created["id"]}, token=clerk_b)
    assert node["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    admin = await api.admin_token()
    assert (await api.data("{ members { totalCount } }", token=admin))["members"]["totalCount"] == 1


async def test_member_code_check_digit_rejects_typos(api):
    store = await api.make_store()
    _, clerk = await api.make_staff(StaffRole.CLERK, store)
    code = (await api.data(REGISTER, {"i": {"phone": PHONE, "name": "Li", "channel": "POS"}}, token=clerk))["registerMember"]["member"][
        "code"
    ]
    position = 3
    typo_char = next(c for c in codes.ALPHABET if c != code[position])
    typo = code[:position] + typo_char + code[position + 1:]
    body = await api.gql(BY_CODE, {"c": typo}, token=clerk)
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "reason": "INVALID_MEMBER_CODE"}
    swapped = code[:4] + code[5] + code[4] + code[6:]
    if swapped != code:
        assert not codes.is_valid_member_code(swapped)


def test_check_character_catches_every_substitution_and_neighbour_swap():
    for _ in range(50):
        code = codes.new_member_code()
        assert codes.is_valid_member_code(code)
        for i in range(len(code)):
            for c in codes.ALPHABET:
                if c != code[i]:
                    assert not codes.is_valid_member_code(code[:i] + c + code[i + 1:])
        for i in range(len(code) - 2):
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
            if swapped != code:
                assert not codes.is_valid_member_code(swapped)


async def test_login_codes_are_single_use_and_expire(api, outbox, clock):
    await self_register(api, outbox)
    clock.advance(timedelta(minutes=2))
    await api.data(REQUEST_CODE, {"p": PHONE})
    code = last_code(outbox)
    first = (await api.data(LOGIN, {"p": PHONE, "c": code}))["loginWithCode"]
    assert first["errors"] == [] and first["token"]
    reuse = (await api.data(LOGIN, {"p": PHONE, "c": code}))["loginWithCode"]
    assert reuse["errors"] == [{"code": "INVALID_LOGIN_CODE", "field": "code"}]
    clock.advance(timedelta(minutes=2))
    await api.data(REQUEST_CODE, {"p": PHONE})
    stale = last_code(outbox)
    clock.advance(timedelta(minutes=6))
    expired = (await api.data(LOGIN, {"p": PHONE, "c": stale}))["loginWithCode"]
    assert expired["errors"] == [{"code": "INVALID_LOGIN_CODE", "field": "code"}]


async def test_login_codes_are_rate_limited_per_phone_and_per_client(api, outbox, clock):
    assert (await api.data(REQUEST_CODE, {"p": PHONE}))["requestLoginCode"]["sent"]
    too_soon = (await api.data(REQUEST_CODE, {"p": PHONE}))["requestLoginCode"]
    assert too_soon == {"sent": False, "expiresAt": None, "errors": [{"code": "RATE_LIMITED", "field": "phone"}]}
    for _ in range(4):
        clock.advance(timedelta(seconds=61))
        assert (await api.data(REQUEST_CODE, {"p": PHONE}))["requestLoginCode"]["sent"]
    clock.advance(timedelta(seconds=61))
    assert (await api.data(REQUEST_CODE, {"p": PHONE}))["requestLoginCode"]["errors"][0]["code"] == "RATE_LIMITED"
    clock.advance(timedelta(hours=1))
    assert (await api.data(REQUEST_CODE, {"p": PHONE}))["requestLoginCode"]["sent"]
    # Per client address: many phones from one address.
    from domain.programme import service as programme_settings

    await programme_settings.update({"login_codes_per_client_per_hour": 3})
    answers = [(await api.data(REQUEST_CODE, {"p": f"1391234{i:04d}"}))["requestLoginCode"]["sent"] for i in range(4)]
    assert answers[-1] is False


async def test_wrong_guesses_kill_a_code(api, outbox, clock):
    await self_register(api, outbox)
    clock.advance(timedelta(minutes=2))
    await api.data(REQUEST_CODE, {"p": PHONE})
    code = last_code(outbox)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        await api.data(LOGIN, {"p": PHONE, "c": wrong})
    dead = (await api.data(LOGIN, {"p": PHONE, "c": code}))["loginWithCode"]
    assert dead["errors"][0]["code"] == "INVALID_LOGIN_CODE"


async def test_phone_never_stored_or_logged_in_plain_text(api, outbox, caplog):
    caplog.set_level(logging.DEBUG)
    result = await self_register(api, outbox)
    store = await api.make_store()
    _, clerk = await api.make_staff(StaffRole.CLERK, store)
    await api.data(REGISTER, {"i": {"phone": "13912345678", "name": "B", "channel": "POS"}}, token=clerk)
    assert result["member"]
    digits = ("13812345678", "13912345678")
    for table in ("member", "login_code", "outbox_message"):
        rows = await db.fetch(f'SELECT * FROM "{table}"')
        text = " ".join(str(v) for row in rows for v in row.values())
        assert rows and not any(d in text for d in digits), table
    assert not any(d in caplog.text for d in digits)
    # The delivered login code is blanked in the outbox.
    assert await OutboxMessage.filter(status="SENT", body__contains="code is").count() == 0


async def test_update_my_profile_and_birthday_lock(api, outbox):
    token = (await self_register(api, outbox))["token"]
    mutation = (
        "mutation($i: UpdateMyProfileInput!) { updateMyProfile(input: $i) { member { name birthday region } errors { code field } } }"
    )
    ok = (await api.data(mutation, {"i": {"name": "Lin Mei", "birthday": "1990-05-04", "region": "Shanghai"}}, token=token))[
        "updateMyProfile"
    ]
    assert ok == {"member": {"name": "Lin Mei", "birthday": "1990-05-04", "region": "Shanghai"}, "errors": []}
    locked = (await api.data(mutation, {"i": {"birthday": "1991-05-04"}}, token=token))["updateMyProfile"]
    assert locked["errors"] == [{"code": "BIRTHDAY_LOCKED", "field": "birthday"}]
    staff_try = await api.gql(mutation, {"i": {"name": "x"}}, token=await api.admin_token())
    assert staff_try["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_referral_code_links_the_friend(api, outbox):
    referrer = await self_register(api, outbox)
    me = (await api.data(ME, token=referrer["token"]))["me"]
    bad = await self_register(api, outbox, phone="13912345678", referralCode="NOPE2345")
    assert bad["errors"][0]["code"] == "INVALID_REFERRAL_CODE"
    friend = await self_register(api, outbox, phone="13912345679", referralCode=me["referralCode"])
    assert friend["errors"] == []
    friend_row = await Member.get(code=friend["member"]["code"])
    assert friend_row.referred_by_id == (await Member.get(code=me["code"])).id


async def test_invalid_phone_is_a_payload_error(api):
    body = (await api.data(REQUEST_CODE, {"p": "12"}))["requestLoginCode"]
    assert body["errors"] == [{"code": "INVALID_PHONE", "field": "phone"}]


@requires_postgres()
async def test_concurrent_registrations_of_one_phone_make_one_member(api):
    store = await api.make_store()
    _, clerk = await api.make_staff(StaffRole.CLERK, store)
    results = await all_at_once(*[
        api.data(REGISTER, {"i": {"phone": PHONE, "name": "Race", "channel": "POS"}}, token=clerk) for _ in range(10)
    ])
    codes_seen = {r["registerMember"]["member"]["code"] for r in results}
    assert len(codes_seen) == 1 and await Member.all().count() == 1
    assert sum(r["registerMember"]["errors"] == [] for r in results) == 1


async def test_members_connection_filters(api):
    store = await api.make_store()
    _, clerk = await api.make_staff(StaffRole.CLERK, store)
    for i, name in enumerate(["Amy", "Bob", "Ann"]):
        await api.data(REGISTER, {"i": {"phone": f"1371234000{i}", "name": name, "channel": "POS"}}, token=clerk)
    page = (
        await api.data(
            '{ members(filter: {namePrefix: "a"}, first: 1) { totalCount edges { node { name } } pageInfo { hasNextPage } } }', token=clerk
        )
    )["members"]
    assert page["totalCount"] == 2 and page["edges"][0]["node"]["name"] == "Amy" and page["pageInfo"]["hasNextPage"]
    by_store = (
        await api.data(
            'query($s: ID!) { members(filter: {homeStoreId: $s, tierCode: "REGULAR"}) { totalCount } }',
            {"s": to_global_id("Store", store.id)},
            token=clerk,
        )
    )["members"]
    assert by_store["totalCount"] == 3



async def test_reusing_a_member_refresh_token_ends_that_sign_in(api, outbox):
    refresh = "mutation($t: String!) { refreshMemberSession(input: {refreshToken: $t}) { token refreshToken errors { code } } }"
    registered = await self_register(api, outbox)
    rotated = (await api.data(refresh, {"t": registered["refreshToken"]}))["refreshMemberSession"]
    assert rotated["errors"] == [] and (await api.data("{ me { code } }", token=rotated["token"]))["me"]
    reused = (await api.data(refresh, {"t": registered["refreshToken"]}))["refreshMemberSession"]
    assert reused["errors"] == [{"code": "INVALID_REFRESH_TOKEN"}]
    assert (await api.data(refresh, {"t": rotated["refreshToken"]}))["refreshMemberSession"]["errors"] == [
        {"code": "INVALID_REFRESH_TOKEN"}
    ]
    assert (await api.post("{ me { code } }", token=rotated["token"])).status_code == 401
