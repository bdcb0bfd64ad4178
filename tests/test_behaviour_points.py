"""Behaviour points through the API: check-in streaks, referral, reviews, the daily cap."""

from __future__ import annotations

from datetime import timedelta

from domain.programme import service as programme_settings
from tests.concurrently import all_at_once
from tests.conftest import requires_postgres
from tests.points_support import assert_ledger_clean, local, open_shop

CHECK_IN = "mutation { checkIn(input: {}) { pointsAwarded streakDays member { pointsBalance } errors { code } } }"
REQUEST_CODE = "mutation($p: String!) { requestLoginCode(input: {phone: $p}) { sent } }"
LOGIN = "mutation($p: String!, $c: String!) { loginWithCode(input: {phone: $p, code: $c}) { token errors { code } } }"


async def member_token(api, outbox, shop, **kw) -> tuple[dict, str]:
    import re

    member = await shop.member(**kw)
    phone = await _phone_of(member["code"])
    api.clock.advance(timedelta(seconds=61))
    await api.data(REQUEST_CODE, {"p": phone})
    code = re.search(r"\b(\d{6})\b", outbox.sent[-1][2]).group(1)
    login = (await api.data(LOGIN, {"p": phone, "c": code}))["loginWithCode"]
    assert login["errors"] == [], (login, outbox.sent, phone)
    return member, login["token"]


async def _phone_of(member_code: str) -> str:
    from domain import phones
    from domain.members.models import Member

    member = await Member.get(code=member_code)
    return phones.decrypt(member.phone_encrypted, "test-secret-key-that-is-long-enough-for-hs256")


async def test_check_in_once_a_day_with_a_bonus_on_the_7th_day(api, clock, outbox):
    clock.set(local(2026, 11, 1, 9))
    shop = await open_shop(api, clock)
    _, token = await member_token(api, outbox, shop)
    awarded = []
    for day in range(7):
        result = (await api.data(CHECK_IN, token=token))["checkIn"]
        assert result["errors"] == [] and result["streakDays"] == day + 1
        awarded.append(result["pointsAwarded"])
        twice = (await api.data(CHECK_IN, token=token))["checkIn"]
        assert twice["errors"] == [{"code": "ALREADY_CHECKED_IN"}]
        clock.advance(timedelta(days=1))
    assert awarded == [5, 5, 5, 5, 5, 5, 25]
    # Each refused second check-in took back what it had written: registration points and the awards only.
    assert (await api.data("{ me { pointsBalance } }", token=token))["me"]["pointsBalance"] == 50 + sum(awarded)
    clock.advance(timedelta(days=1))  # a day missed: the streak starts again
    assert (await api.data(CHECK_IN, token=token))["checkIn"]["streakDays"] == 1
    await assert_ledger_clean()


@requires_postgres()
async def test_check_ins_sent_at_once_award_the_day_once(api, clock, outbox):
    clock.set(local(2026, 11, 1, 9))
    shop = await open_shop(api, clock)
    _, token = await member_token(api, outbox, shop)
    results = await all_at_once(*(api.data(CHECK_IN, token=token) for _ in range(8)))
    answers = [r["checkIn"] for r in results]
    assert sorted(a["pointsAwarded"] or 0 for a in answers) == [0] * 7 + [5]
    assert sum(a["errors"] == [{"code": "ALREADY_CHECKED_IN"}] for a in answers) == 7
    assert (await api.data("{ me { pointsBalance } }", token=token))["me"]["pointsBalance"] == 50 + 5
    await assert_ledger_clean()


async def test_check_in_day_follows_the_store_time_zone(api, clock, outbox):
    clock.set(local(2026, 11, 1, 23))
    shop = await open_shop(api, clock)
    _, token = await member_token(api, outbox, shop)
    assert (await api.data(CHECK_IN, token=token))["checkIn"]["errors"] == []
    clock.advance(timedelta(hours=2))  # 01:00 the next day in Shanghai, still the 1st in UTC
    assert (await api.data(CHECK_IN, token=token))["checkIn"]["streakDays"] == 2


async def test_daily_cap_on_behaviour_points(api, clock, outbox):
    clock.set(local(2026, 11, 1, 9))
    await programme_settings.update({"behaviour_daily_cap": 3})
    shop = await open_shop(api, clock)
    _, token = await member_token(api, outbox, shop)
    assert (await api.data(CHECK_IN, token=token))["checkIn"]["pointsAwarded"] == 3


async def test_staff_cannot_check_in(api, clock):
    shop = await open_shop(api, clock)
    body = await api.gql(CHECK_IN, token=shop.clerk)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_referral_pays_both_on_registration_and_the_referrer_on_the_first_order(api, clock, outbox):
    clock.set(local(2026, 11, 2))
    shop = await open_shop(api, clock)
    referrer, token = await member_token(api, outbox, shop)
    me = (await api.data("{ me { referralCode pointsBalance } }", token=token))["me"]
    assert me["pointsBalance"] == 50
    friend = await shop.member(referral_code=me["referralCode"])
    assert friend["pointsBalance"] == 50 + 50
    assert (await shop.balance(referrer["code"]))["pointsBalance"] == 50 + 50
    clock.advance(timedelta(days=1))  # referral points count towards the daily behaviour cap (100)
    await shop.buy(friend["code"], [("DOMESTIC_FRUIT", 1, "10.00")])
    assert (await shop.balance(referrer["code"]))["pointsBalance"] == 50 + 50 + 100
    await shop.buy(friend["code"], [("DOMESTIC_FRUIT", 1, "10.00")])
    assert (await shop.balance(referrer["code"]))["pointsBalance"] == 200
    await assert_ledger_clean()


async def test_review_once_per_purchased_line(api, clock, outbox):
    clock.set(local(2026, 11, 2))
    shop = await open_shop(api, clock)
    member, token = await member_token(api, outbox, shop)
    await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "10.00"), ("GIFT_BOX", 1, "10.00")])
    mine = await api.data("{ me { purchases(first: 1) { edges { node { lines { id lineNo } } } } } }", token=token)
    line = mine["me"]["purchases"]["edges"][0]["node"]["lines"][0]  # the line's id, as the app reads it
    assert line["lineNo"] == 0
    review = "mutation($i: SubmitReviewInput!) { submitReview(input: $i) { pointsAwarded errors { code field } } }"
    inp = {"purchaseLineId": line["id"], "rating": 5, "text": "Sweet mangoes"}
    assert (await api.data(review, {"i": inp}, token=token))["submitReview"] == {"pointsAwarded": 10, "errors": []}
    again = (await api.data(review, {"i": inp}, token=token))["submitReview"]
    assert again["errors"] == [{"code": "ALREADY_REVIEWED", "field": "purchaseLineId"}]
    bad = (await api.data(review, {"i": dict(inp, rating=9)}, token=token))["submitReview"]
    assert bad["errors"][0]["code"] == "INVALID_RATING"
    _other, other_token = await member_token(api, outbox, shop)
    stranger = (await api.data(review, {"i": inp}, token=other_token))["submitReview"]
    assert stranger["errors"][0]["code"] == "LINE_NOT_FOUND"
    await assert_ledger_clean()


async def _referral_code(member_code: str) -> str:
    from domain.members.models import Member

    return (await Member.get(code=member_code)).referral_code


async def test_a_held_referral_bonus_waits_for_the_friends_first_purchase(api, clock):
    clock.set(local(2026, 11, 2))
    shop = await open_shop(api, clock)
    await programme_settings.update({"referral_held_until_first_purchase": 1, "behaviour_daily_cap": 1000})
    referrer = await shop.member()
    friend = await shop.member(referral_code=await _referral_code(referrer["code"]))
    assert friend["pointsBalance"] == 50  # the welcome only: a farmed sign-up earns its referrer nothing
    assert (await shop.balance(referrer["code"]))["pointsBalance"] == 50
    await shop.buy(friend["code"], [("DOMESTIC_FRUIT", 1, "10.00")])
    assert (await shop.balance(referrer["code"]))["pointsBalance"] == 50 + 50 + 100  # held bonus and first-order bonus
    await shop.buy(friend["code"], [("DOMESTIC_FRUIT", 1, "10.00")])
    assert (await shop.balance(referrer["code"]))["pointsBalance"] == 200  # paid once
    await assert_ledger_clean()


async def test_a_referrer_is_rewarded_for_a_few_sign_ups_a_day_not_a_farm(api, clock):
    clock.set(local(2026, 11, 2))
    shop = await open_shop(api, clock)
    await programme_settings.update({"referrals_rewarded_per_referrer_per_day": 2, "behaviour_daily_cap": 1000})
    referrer = await shop.member()
    code = await _referral_code(referrer["code"])
    friends = [await shop.member(referral_code=code) for _ in range(3)]
    assert [f["pointsBalance"] for f in friends] == [100, 100, 50]  # the third still registers, without the bonus
    assert (await shop.balance(referrer["code"]))["pointsBalance"] == 50 + 2 * 50
    clock.advance(timedelta(hours=25))
    assert (await shop.member(referral_code=code))["pointsBalance"] == 100  # a new day, a new allowance
    await assert_ledger_clean()
