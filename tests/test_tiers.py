"""Tiers: rules as pure functions, and the catalogue, review and floors through the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from domain.access import StaffRole
from domain.members.models import Member
from domain.tiers import rules
from domain.tiers import service as tiers
from domain.tiers.models import Tier, TierChange
from schema.relay import to_global_id

REGISTER = "mutation($i: RegisterMemberInput!) { registerMember(input: $i) { member { id code } errors { code } } }"
TIERS = "{ tiers { code name earnMultiplier benefits { code description } } }"
REVIEW = "mutation($i: ReviewTiersInput!) { reviewTiers(input: $i) { reviewed upgraded downgraded errors { code } } }"
FLOOR = (
    "mutation($i: SetMemberTierFloorInput!) { setMemberTierFloor(input: $i) { member { tier { code } tierFloor { code } } errors { "
    "code field } } }"
)


@dataclass
class T:
    id: int
    rank: int
    min_points: int
    min_purchases: int
    code: str = ""


LADDER = [T(1, 0, 0, 0, "R"), T(2, 1, 1000, 4, "S"), T(3, 2, 5000, 12, "G"), T(4, 3, 15000, 24, "D")]
R, S, G, D = LADDER


def test_qualifying_needs_points_and_purchases_together():
    assert rules.qualified_tier(LADDER, rules.Activity(20000, 3)) is R
    assert rules.qualified_tier(LADDER, rules.Activity(999, 50)) is R
    assert rules.qualified_tier(LADDER, rules.Activity(5000, 12)) is G


def test_activity_upgrades_at_once_and_never_downgrades():
    assert rules.after_activity(LADDER, R, None, rules.Activity(15000, 24)) is D
    assert rules.after_activity(LADDER, G, None, rules.Activity(0, 0)) is G


def test_review_drops_one_tier_at_most_and_respects_the_floor():
    assert rules.after_review(LADDER, D, None, rules.Activity(0, 0)) is G
    assert rules.after_review(LADDER, G, None, rules.Activity(1000, 4)) is S
    assert rules.after_review(LADDER, G, S, rules.Activity(0, 0)) is S
    assert rules.after_review(LADDER, S, S, rules.Activity(0, 0)) is S
    assert rules.after_review(LADDER, S, None, rules.Activity(15000, 24)) is D
    assert rules.after_review(LADDER, R, G, rules.Activity(0, 0)) is G


async def _member(api, clerk, phone="13812345678"):
    body = await api.data(REGISTER, {"i": {"phone": phone, "name": "M", "channel": "POS"}}, token=clerk)
    return body["registerMember"]["member"]


async def _set_tier(member_code: str, tier_code: str) -> None:
    await Member.filter(code=member_code).update(tier_id=(await Tier.get(code=tier_code)).id)


async def test_tiers_query_lists_the_default_set_for_anyone(api):
    data = await api.data(TIERS)
    assert [t["code"] for t in data["tiers"]] == ["REGULAR", "SILVER", "GOLD", "DIAMOND"]
    diamond = data["tiers"][3]
    assert diamond["earnMultiplier"] == "2.00"
    assert {"FREE_FRESH_CUT", "BIRTHDAY_GIFT_BOX", "FREE_DELIVERY", "PRIORITY_PURCHASE", "DEDICATED_SERVICE"} <= {
        b["code"] for b in diamond["benefits"]
    }


async def test_upgrade_applies_as_soon_as_the_member_qualifies(api, clock):
    store = await api.make_store()
    _, clerk = await api.make_staff(StaffRole.CLERK, store)
    created = await _member(api, clerk)
    member = await Member.get(code=created["code"])
    reached = await tiers.apply_activity(member, rules.Activity(5200, 13), actor="test", clock=clock)
    assert reached.code == "GOLD"
    change = await TierChange.filter(member_id=member.id, reason="QUALIFIED").first()
    assert change is not None
    history = await api.data(
        "query($c: String!) { member(code: $c) { tier { code } tierHistory { reason fromTier { code } toTier { code } } } }",
        {"c": created["code"]},
        token=clerk,
    )
    assert history["member"]["tier"] == {"code": "GOLD"}
    assert history["member"]["tierHistory"][0] == {"reason": "QUALIFIED", "fromTier": {"code": "REGULAR"}, "toTier": {"code": "GOLD"}}


async def test_review_downgrades_one_step_per_review(api):
    store = await api.make_store()
    _, clerk = await api.make_staff(StaffRole.CLERK, store)
    admin = await api.admin_token()
    created = await _member(api, clerk)
    await _set_tier(created["code"], "DIAMOND")
    first = (await api.data(REVIEW, {"i": {"memberId": created["id"]}}, token=admin))["reviewTiers"]
    assert first == {"reviewed": 1, "upgraded": 0, "downgraded": 1, "errors": []}
    assert (await Member.get(code=created["code"]).prefetch_related("tier")).tier.code == "GOLD"
    await api.data(REVIEW, {"i": {}}, token=admin)
    assert (await Member.get(code=created["code"]).prefetch_related("tier")).tier.code == "SILVER"


async def test_manual_floor_lifts_now_and_holds_at_review(api):
    store = await api.make_store()
    _, clerk = await api.make_staff(StaffRole.CLERK, store)
    admin = await api.admin_token()
    created = await _member(api, clerk)
    lifted = (await api.data(FLOOR, {"i": {"memberId": created["id"], "tierCode": "GOLD", "reason": "VIP customer"}}, token=admin))[
        "setMemberTierFloor"
    ]
    assert lifted == {"member": {"tier": {"code": "GOLD"}, "tierFloor": {"code": "GOLD"}}, "errors": []}
    await api.data(REVIEW, {"i": {}}, token=admin)
    assert (await Member.get(code=created["code"]).prefetch_related("tier")).tier.code == "GOLD"
    no_reason = (await api.data(FLOOR, {"i": {"memberId": created["id"], "tierCode": "GOLD", "reason": " "}}, token=admin))[
        "setMemberTierFloor"
    ]
    assert no_reason["errors"] == [{"code": "REASON_REQUIRED", "field": "reason"}]
    cleared = (await api.data(FLOOR, {"i": {"memberId": created["id"], "tierCode": None, "reason": "no longer VIP"}}, token=admin))[
        "setMemberTierFloor"
    ]
    assert cleared["member"]["tierFloor"] is None
    await api.data(REVIEW, {"i": {}}, token=admin)
    assert (await Member.get(code=created["code"]).prefetch_related("tier")).tier.code == "SILVER"
    clerk_try = await api.gql(FLOOR, {"i": {"memberId": created["id"], "tierCode": "GOLD", "reason": "x"}}, token=clerk)
    assert clerk_try["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_review_of_everyone_reports_counts(clock, api):
    store = await api.make_store()
    _, clerk = await api.make_staff(StaffRole.CLERK, store)
    a = await _member(api, clerk, "13812345671")
    b = await _member(api, clerk, "13812345672")
    await _set_tier(a["code"], "GOLD")
    activity = {(await Member.get(code=b["code"])).id: rules.Activity(16000, 30)}

    async def source(ids, since):
        return {i: activity.get(i, rules.Activity(0, 0)) for i in ids}

    seen = []
    report = await tiers.review_all(source, window_start=clock.now() - timedelta(days=365), actor="test", clock=clock, progress=seen.append)
    assert (report.reviewed, report.upgraded, report.downgraded) == (2, 1, 1) and sum(seen) == 2


async def test_admin_creates_and_edits_tiers_and_the_catalogue_follows(api):
    admin = await api.admin_token()
    await api.data(TIERS)
    create = (
        "mutation($i: CreateTierInput!) { createTier(input: $i) { tier { id code earnMultiplier benefits { code } } errors { code field } "
        "} }"
    )
    made = (
        await api.data(
            create,
            {
                "i": {
                    "code": "platinum",
                    "name": "Platinum",
                    "rank": 4,
                    "minPoints": 30000,
                    "minPurchases": 40,
                    "earnMultiplier": "2.5",
                    "benefits": [{"code": "butler", "description": "A fruit butler"}],
                }
            },
            token=admin,
        )
    )["createTier"]
    assert made["errors"] == [] and made["tier"]["code"] == "PLATINUM" and made["tier"]["benefits"] == [{"code": "BUTLER"}]
    assert [t["code"] for t in (await api.data(TIERS))["tiers"]][-1] == "PLATINUM"
    taken = (await api.data(create, {"i": {"code": "X", "name": "X", "rank": 4}}, token=admin))["createTier"]
    assert taken["errors"] == [{"code": "RANK_TAKEN", "field": "rank"}]
    bad = (await api.data(create, {"i": {"code": "Y", "name": "Y", "rank": 9, "earnMultiplier": "0"}}, token=admin))["createTier"]
    assert bad["errors"] == [{"code": "INVALID_MULTIPLIER", "field": "earnMultiplier"}]
    update = "mutation($i: UpdateTierInput!) { updateTier(input: $i) { tier { name minPoints } errors { code } } }"
    edited = (await api.data(update, {"i": {"id": made["tier"]["id"], "name": "Platinum+", "minPoints": 35000}}, token=admin))["updateTier"]
    assert edited == {"tier": {"name": "Platinum+", "minPoints": 35000}, "errors": []}
    assert (await api.data(TIERS))["tiers"][-1]["name"] == "Platinum+"
    store = await api.make_store()
    _, clerk = await api.make_staff(StaffRole.CLERK, store)
    denied = await api.gql(update, {"i": {"id": made["tier"]["id"], "name": "hack"}}, token=clerk)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_tier_is_a_node(api):
    tier_id = to_global_id("Tier", (await tiers.lowest_tier()).id)
    data = await api.data("query($id: ID!) { node(id: $id) { ... on Tier { code } } }", {"id": tier_id})
    assert data == {"node": {"code": "REGULAR"}}


async def test_programme_settings_change_through_the_api_within_limits(api):
    admin = await api.admin_token()
    query = "{ programmeSettings { tierWindowMonths loginCodeTtlMinutes } }"
    assert (await api.data(query, token=admin))["programmeSettings"] == {"tierWindowMonths": 12, "loginCodeTtlMinutes": 5}
    mutation = (
        "mutation($i: UpdateProgrammeSettingsInput!) { updateProgrammeSettings(input: $i) { settings { tierWindowMonths } errors { "
        "code field } } }"
    )
    ok = (await api.data(mutation, {"i": {"tierWindowMonths": 6}}, token=admin))["updateProgrammeSettings"]
    assert ok == {"settings": {"tierWindowMonths": 6}, "errors": []}
    bad = (await api.data(mutation, {"i": {"tierWindowMonths": 0}}, token=admin))["updateProgrammeSettings"]
    assert bad == {"settings": None, "errors": [{"code": "OUT_OF_RANGE", "field": "tierWindowMonths"}]}
    store = await api.make_store()
    _, clerk = await api.make_staff(StaffRole.CLERK, store)
    assert (await api.gql(mutation, {"i": {"tierWindowMonths": 3}}, token=clerk))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
