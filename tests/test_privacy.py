"""Members' data rights: a member exports their data; a chain admin erases a member, the books stay."""

from __future__ import annotations

import json

from domain.audit.models import AuditRecord
from domain.members.models import Member
from tests.points_support import REGISTER, assert_ledger_clean, open_shop
from tests.test_mall import member_token, pk

EXPORT = "{ exportMyData { document } }"
ERASE = "mutation($i: EraseMemberInput!) { eraseMember(input: $i) { member { name pointsBalance } errors { code field } } }"
BY_PHONE = "query($p: String!) { member(phone: $p) { code } }"


async def _registered(api, shop, phone: str) -> dict:
    body = await api.data(REGISTER, {"i": {"phone": phone, "name": "Li Wei", "channel": "POS", "birthday": "1990-05-01"}},
                          token=shop.clerk)
    assert body["registerMember"]["errors"] == [], body
    return body["registerMember"]["member"]


async def test_a_member_exports_their_own_data_as_json(api, clock):
    shop = await open_shop(api, clock)
    member = await _registered(api, shop, "13700099001")
    await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "88.00")])
    document = json.loads((await api.data(EXPORT, token=member_token(api, pk(member["id"]))))["exportMyData"]["document"])
    assert document["profile"]["phone"] == "+8613700099001"
    assert (document["profile"]["name"], document["profile"]["birthday"]) == ("Li Wei", "1990-05-01")
    assert [p["total_fen"] for p in document["purchases"]] == [8800]
    assert sum(e["amount"] for e in document["points_entries"]) == (await shop.balance(member["code"]))["pointsBalance"]
    assert "phone_hash" not in json.dumps(document)
    assert (await api.data(EXPORT, token=shop.clerk))["exportMyData"] is None  # staff have no "my data"
    assert (await api.gql(EXPORT))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_erasure_removes_the_person_keeps_the_books_and_frees_the_phone(api, clock):
    shop = await open_shop(api, clock)
    admin = await api.admin_token()
    member = await _registered(api, shop, "13700099002")
    await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "100.00")])
    erase = {"memberId": member["id"], "reason": "Member's request by phone", "idempotencyKey": "erase-1"}

    denied = await api.gql(ERASE, {"i": erase}, token=shop.clerk)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    done = (await api.data(ERASE, {"i": erase}, token=admin))["eraseMember"]
    assert done == {"member": {"name": "Erased member", "pointsBalance": 0}, "errors": []}
    again = (await api.data(ERASE, {"i": erase}, token=admin))["eraseMember"]  # a retry: the same answer, no second effect
    assert again["errors"] == []
    twice = (await api.data(ERASE, {"i": dict(erase, idempotencyKey="erase-2")}, token=admin))["eraseMember"]
    assert twice["errors"] == [{"code": "ALREADY_ERASED", "field": "memberId"}]

    row = await Member.get(id=pk(member["id"]))
    assert (row.phone_encrypted, row.phone_masked, row.birthday, row.marketing_consent) == ("", "", None, False)
    assert (await api.data(BY_PHONE, {"p": "13700099002"}, token=admin))["member"] is None
    again_member = await _registered(api, shop, "13700099002")  # the same phone registers anew
    assert again_member["code"] != member["code"]
    audited = [r.result for r in await AuditRecord.filter(operation="eraseMember").order_by("id")]
    assert audited[-3:] == ["ok", "ok", "ALREADY_ERASED"], audited  # the erasure, its retry, the second try
    await assert_ledger_clean()


async def test_erasure_needs_a_reason_and_a_known_member(api, clock):
    shop = await open_shop(api, clock)
    admin = await api.admin_token()
    member = await _registered(api, shop, "13700099003")
    no_reason = (await api.data(ERASE, {"i": {"memberId": member["id"], "reason": " ", "idempotencyKey": "e-1"}}, token=admin))
    assert no_reason["eraseMember"]["errors"] == [{"code": "REASON_REQUIRED", "field": "reason"}]
    unknown = {"memberId": "TWVtYmVyOjk5OTk5OQ==", "reason": "request", "idempotencyKey": "e-2"}
    assert (await api.data(ERASE, {"i": unknown}, token=admin))["eraseMember"]["errors"][0]["code"] == "MEMBER_NOT_FOUND"
    assert (await Member.get(id=pk(member["id"]))).name == "Li Wei"


async def test_the_export_shows_when_and_where_marketing_consent_was_given_and_withdrawn(api, clock):
    shop = await open_shop(api, clock)
    body = await api.data(REGISTER, {"i": {"phone": "13700099004", "name": "Wang", "channel": "POS", "marketingConsent": True}},
                          token=shop.clerk)
    member = body["registerMember"]["member"]
    token = member_token(api, pk(member["id"]))
    update = "mutation($i: UpdateMyProfileInput!) { updateMyProfile(input: $i) { errors { code } } }"
    assert (await api.data(update, {"i": {"marketingConsent": False}}, token=token))["updateMyProfile"]["errors"] == []
    assert (await api.data(update, {"i": {"name": "Wang Fang"}}, token=token))["updateMyProfile"]["errors"] == []  # no change
    document = json.loads((await api.data(EXPORT, token=token))["exportMyData"]["document"])
    history = [(c["purpose"], c["given"], c["channel"]) for c in document["consent_history"]]
    assert history == [("MARKETING", True, "POS"), ("MARKETING", False, "SELF_SERVICE")]
    assert document["consents"] == {"marketing": False}
