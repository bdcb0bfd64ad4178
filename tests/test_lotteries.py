"""Lotteries through the API: the contract, the provably fair scheme, grants, caps and every error code."""

from __future__ import annotations

import hashlib
import itertools
import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta

from domain.coupons.models import CouponTemplate
from domain.ledger.check import check_ledger
from domain.lotteries.models import LotteryDraw
from domain.mall.check import check_stock
from domain.tiers import service as tiers
from schema.relay import to_global_id
from tests.conftest import REPO_ROOT
from tests.test_mall import Mall, Shopper, pk

_keys = itertools.count(1)

CREATE = """mutation($i: CreateLotteryInput!) { createLottery(input: $i) {
  lottery { id status } errors { code field message } } }"""
UPDATE = "mutation($i: UpdateLotteryInput!) { updateLottery(input: $i) { lottery { id name pointsPerDraw } errors { code field } } }"
OPEN = "mutation($i: OpenLotteryInput!) { openLottery(input: $i) { lottery { id status } errors { code } } }"
CLOSE = "mutation($i: CloseLotteryInput!) { closeLottery(input: $i) { lottery { id status } errors { code } } }"
DRAW = """mutation($i: DrawLotteryInput!) { drawLottery(input: $i) {
  draw { id nonce number clientSeed soldOut pointsWon prize { id name kind } drawnPrize { id } coupon { code }
         redemption { code } }
  member { pointsBalance } replayed errors { code field message } } }"""
LOTTERIES = """query($s: LotteryStatus) { lotteries(first: 20, filter: {status: $s}) { edges { node {
  id name pointsPerDraw status seedCommitment revealedSeed totalWeight
  prizes { id name kind weight } odds { prize { id name kind } probability stockRemaining } } } } }"""
DRAWS = """query($l: ID!, $after: String) { lotteryDraws(lotteryId: $l, first: 100, after: $after) {
  pageInfo { hasNextPage endCursor } edges { node { id memberId nonce clientSeed number soldOut prize { id } } } } }"""
REPORT = """query($l: ID!) { lotteryReport(lotteryId: $l) { draws pointsTaken pointsGiven prizesGiven { kind count }
  remainingStock { prize { name } remaining } } }"""


def new_key() -> str:
    return f"draw-{next(_keys)}"


def codes_of(body: dict) -> list[str]:
    return [e["code"] for e in body["errors"]]


@dataclass
class Lotteries:
    """The mall's shop (a store, a clerk, a chain admin), and the steps a frontend takes against lotteries."""

    mall: Mall

    @classmethod
    async def open_shop(cls, api) -> Lotteries:
        return cls(await Mall.open(api))

    @property
    def api(self):
        return self.mall.api

    @property
    def admin(self) -> str:
        return self.mall.admin

    async def template(self, kind: str = "AMOUNT_OFF", **fields) -> str:
        """A coupon template, made through the domain until the wallet's admin API lands; its global ID."""
        values = {"name": "20 yuan off", "kind": kind, "value_fen": 2000, "valid_days": 30, **fields}
        if kind in ("TASTING", "FREE_ITEM"):
            values.setdefault("item_name", "New pear")
        template = await CouponTemplate.create(created_at=self.api.clock.now(), **values)
        return to_global_id("CouponTemplate", template.id)

    def window(self) -> dict:
        now = self.api.clock.now()
        return {"opensAt": (now - timedelta(hours=1)).isoformat(), "closesAt": (now + timedelta(days=7)).isoformat()}

    async def create(self, prizes: list[dict], **fields) -> dict:
        values = {"name": "Member day draw", "pointsPerDraw": 10, **self.window(), "prizes": prizes, **fields}
        return (await self.api.data(CREATE, {"i": values}, token=self.admin))["createLottery"]

    async def lottery(self, prizes: list[dict] | None = None, *, opened: bool = True, **fields) -> str:
        """A lottery's global ID: by default a 20-yuan coupon (2 units, weight 1) and NO_PRIZE (weight 3), opened."""
        if prizes is None:
            prizes = [{"name": "20 yuan off", "kind": "COUPON", "weight": 1, "stock": 2, "couponTemplateId": await self.template()},
                      {"name": "Thanks", "kind": "NO_PRIZE", "weight": 3}]
        body = await self.create(prizes, **fields)
        assert body["errors"] == [], body
        gid = body["lottery"]["id"]
        if opened:
            assert (await self.open(gid))["errors"] == []
        return gid

    async def open(self, gid: str) -> dict:
        return (await self.api.data(OPEN, {"i": {"lotteryId": gid}}, token=self.admin))["openLottery"]

    async def close(self, gid: str) -> dict:
        return (await self.api.data(CLOSE, {"i": {"lotteryId": gid}}, token=self.admin))["closeLottery"]

    async def member(self, balance: int = 100) -> Shopper:
        return await self.mall.member(balance=balance)

    async def draw(self, shopper: Shopper | None, gid: str, *, key: str | None = None, token: str | None = None, **fields) -> dict:
        values = {"lotteryId": gid, "idempotencyKey": key or new_key(), **fields}
        return (await self.api.data(DRAW, {"i": values}, token=token or shopper.token))["drawLottery"]  # type: ignore[union-attr]

    async def listed(self, status: str | None = None, token: str | None = None) -> list[dict]:
        found = (await self.api.data(LOTTERIES, {"s": status}, token=token or self.admin))["lotteries"]["edges"]
        return [edge["node"] for edge in found]

    async def one(self, gid: str) -> dict:
        return next(node for node in await self.listed() if node["id"] == gid)

    async def draws(self, gid: str, token: str | None = None) -> list[dict]:
        found, after = [], None
        while True:
            page = (await self.api.data(DRAWS, {"l": gid, "after": after}, token=token))["lotteryDraws"]
            found += [edge["node"] for edge in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                return found
            after = page["pageInfo"]["endCursor"]


def verify_cli(settings, lottery_gid: str) -> subprocess.CompletedProcess:
    env = {"ORCHARD_DATABASE_URL": settings.database_url, "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "app", "lottery", "verify", lottery_gid], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
        timeout=60,
    )


# ---- the contract -------------------------------------------------------------------------------


async def test_a_lottery_from_draft_to_verified(api):
    shop = await Lotteries.open_shop(api)
    gid = await shop.lottery(opened=False)
    draft = await shop.one(gid)
    assert draft["status"] == "DRAFT" and draft["seedCommitment"] is None and draft["revealedSeed"] is None
    assert [o["probability"] for o in draft["odds"]] == [0.25, 0.75]
    shopper = await shop.member(balance=100)
    assert [node["id"] for node in await shop.listed(token=shopper.token)] == []  # drafts are for chain admins

    assert (await shop.open(gid))["lottery"]["status"] == "OPEN"
    opened = (await shop.listed("OPEN", token=shopper.token))[0]
    assert len(opened["seedCommitment"]) == 64 and opened["revealedSeed"] is None
    assert [(o["prize"]["kind"], o["probability"], o["stockRemaining"]) for o in opened["odds"]] == [
        ("COUPON", 0.25, 2), ("NO_PRIZE", 0.75, None)
    ]

    results = [await shop.draw(shopper, gid, clientSeed=f"seed-{i}") for i in range(6)]
    assert [r["errors"] for r in results] == [[]] * 6
    assert [r["draw"]["nonce"] for r in results] == list(range(6))
    assert results[-1]["member"]["pointsBalance"] == 40
    won = [r for r in results if r["draw"]["prize"]["kind"] == "COUPON"]
    assert all(len(r["draw"]["coupon"]["code"]) > 4 for r in won) and len(won) <= 2
    assert all(r["draw"]["coupon"] is None for r in results if r["draw"]["prize"]["kind"] == "NO_PRIZE")

    assert (await api.gql(DRAWS, {"l": gid}, token=shopper.token))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await shop.close(gid))["lottery"]["status"] == "CLOSED"
    closed = await shop.one(gid)
    assert hashlib.sha256(bytes.fromhex(closed["revealedSeed"])).hexdigest() == opened["seedCommitment"]
    published = await shop.draws(gid)  # anonymous: public once closed
    assert [d["id"] for d in published] == [r["draw"]["id"] for r in results]
    assert {d["memberId"] for d in published} == {to_global_id("Member", shopper.id)}
    assert [d["number"] for d in published] == [r["draw"]["number"] for r in results]
    assert (await shop.draw(shopper, gid))["errors"][0]["code"] == "LOTTERY_NOT_OPEN"
    assert await check_ledger() == []


async def test_the_sold_out_rule_moves_the_weight_to_no_prize(api):
    shop = await Lotteries.open_shop(api)
    template = await shop.template()
    gid = await shop.lottery([{"name": "Top", "kind": "COUPON", "weight": 1_000_000, "stock": 1, "couponTemplateId": template},
                              {"name": "Nothing", "kind": "NO_PRIZE", "weight": 1}])
    shopper = await shop.member(balance=100)
    first, second = await shop.draw(shopper, gid), await shop.draw(shopper, gid)
    assert first["draw"]["prize"]["name"] == "Top" and first["draw"]["soldOut"] == []
    top = first["draw"]["prize"]["id"]
    assert second["draw"]["prize"]["name"] == "Nothing" and second["draw"]["drawnPrize"]["id"] == top
    assert second["draw"]["soldOut"] == [top]
    odds = (await shop.one(gid))["odds"]
    assert [(o["probability"], o["stockRemaining"]) for o in odds] == [(1_000_000 / 1_000_001, 0), (1 / 1_000_001, None)]
    assert (await shop.close(gid))["errors"] == []
    assert verify_cli(api.settings, gid).returncode == 0


async def test_points_tasting_and_mall_item_prizes_are_granted(api):
    shop = await Lotteries.open_shop(api)
    item = await shop.mall.item(name="Durian", pointsPrice=500, stock=5)
    tasting = await shop.template("TASTING", name="Tasting")
    prizes = [{"name": "Points back", "kind": "POINTS", "weight": 1, "points": 7},
              {"name": "Tasting", "kind": "TASTING", "weight": 1, "stock": 50, "couponTemplateId": tasting},
              {"name": "Durian", "kind": "MALL_ITEM", "weight": 1, "stock": 3, "mallItemId": item["id"]}]
    gid = await shop.lottery(prizes, pointsPerDraw=1)
    assert await check_stock() == []
    shopper = await shop.member(balance=100)
    seen: dict[str, dict] = {}
    for i in range(40):
        result = await shop.draw(shopper, gid, clientSeed=f"s{i}")
        assert result["errors"] == [], result
        seen.setdefault(result["draw"]["prize"]["kind"], result)
    assert {"POINTS", "TASTING", "MALL_ITEM"} <= set(seen)  # NO_PRIZE once the durians are gone
    assert seen["POINTS"]["draw"]["pointsWon"] == 7
    assert seen["TASTING"]["draw"]["coupon"]["code"]
    assert seen["MALL_ITEM"]["draw"]["redemption"]["code"]
    assert await check_stock() == [] and await check_ledger() == []
    report = (await api.data(REPORT, {"l": gid}, token=shop.admin))["lotteryReport"]
    given = {row["kind"]: row["count"] for row in report["prizesGiven"]}
    assert report["draws"] == 40 and report["pointsTaken"] == 40 and sum(given.values()) == 40
    assert report["pointsGiven"] == 7 * given["POINTS"] and given["MALL_ITEM"] <= 3
    assert (await shop.close(gid))["errors"] == []
    assert await check_stock() == []  # the durians not won are back in the mall
    left = (await api.data("query($id: ID!) { mallItem(id: $id) { stockRemaining } }", {"id": item["id"]}))["mallItem"]
    assert left["stockRemaining"] == 5 - given["MALL_ITEM"]


async def test_a_clerk_draws_for_a_scanned_member(api):
    shop = await Lotteries.open_shop(api)
    gid = await shop.lottery()
    shopper = await shop.member(balance=30)
    result = await shop.draw(None, gid, token=shop.mall.clerk, memberCode=shopper.code)
    assert result["errors"] == [] and result["member"]["pointsBalance"] == 20
    assert codes_of(await shop.draw(None, gid, token=shop.mall.clerk)) == ["MEMBER_CODE_REQUIRED"]
    assert codes_of(await shop.draw(None, gid, token=shop.mall.clerk, memberCode="12")) == ["INVALID_MEMBER_CODE"]
    body = await api.gql(DRAW, {"i": {"lotteryId": gid, "idempotencyKey": "k"}})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_retry_answers_the_same_draw(api):
    shop = await Lotteries.open_shop(api)
    gid = await shop.lottery()
    shopper = await shop.member(balance=100)
    first = await shop.draw(shopper, gid, key="same", clientSeed="abc")
    again = await shop.draw(shopper, gid, key="same", clientSeed="abc")
    assert again["replayed"] and again["draw"] == first["draw"] and again["member"]["pointsBalance"] == 90
    assert codes_of(await shop.draw(shopper, gid, key="same", clientSeed="other")) == ["IDEMPOTENCY_KEY_REUSED"]
    assert await LotteryDraw.all().count() == 1


# ---- caps and eligibility -------------------------------------------------------------------------


async def test_caps_per_lottery_and_per_day(api):
    shop = await Lotteries.open_shop(api)
    shopper = await shop.member(balance=1000)
    capped = await shop.lottery(perMemberLimit=2)
    assert [codes_of(await shop.draw(shopper, capped)) for _ in range(3)] == [[], [], ["DRAW_LIMIT_REACHED"]]
    daily = await shop.lottery(perDayLimit=1)
    assert [codes_of(await shop.draw(shopper, daily)) for _ in range(2)] == [[], ["DRAW_LIMIT_REACHED"]]
    api.clock.advance(timedelta(days=1))
    result = await shop.draw(shopper, daily)
    assert result["errors"] == [] and result["draw"]["nonce"] == 1


async def test_tiers_points_and_the_window(api):
    shop = await Lotteries.open_shop(api)
    await tiers.ensure_default_tiers()
    top = (await tiers.all_tiers())[-1].code
    shopper = await shop.member(balance=5)
    only_top = await shop.lottery(eligibleTiers=[top])
    assert codes_of(await shop.draw(shopper, only_top)) == ["NOT_ELIGIBLE"]
    gid = await shop.lottery()
    assert codes_of(await shop.draw(shopper, gid)) == ["INSUFFICIENT_POINTS"]
    now = api.clock.now()
    later = await shop.lottery(opensAt=(now + timedelta(days=1)).isoformat(), closesAt=(now + timedelta(days=2)).isoformat())
    assert codes_of(await shop.draw(shopper, later)) == ["LOTTERY_NOT_OPEN"]
    draft = await shop.lottery(opened=False)
    assert codes_of(await shop.draw(shopper, draft)) == ["LOTTERY_NOT_FOUND"]
    assert codes_of(await shop.draw(shopper, "bm90LWFuLWlk")) == ["INVALID_ID"]
    assert codes_of(await shop.draw(shopper, gid, clientSeed="")) == ["INVALID_CLIENT_SEED"]
    assert codes_of(await shop.draw(shopper, gid, clientSeed="x" * 65)) == ["INVALID_CLIENT_SEED"]
    assert codes_of(await shop.draw(shopper, gid, key=" ")) == ["INVALID_IDEMPOTENCY_KEY"]
    assert codes_of(await shop.draw(shopper, gid, storeId="U3RvcmU6OTk5OQ")) == ["STORE_NOT_FOUND"]  # Store:9999
    assert codes_of(await shop.draw(None, gid, token=shop.mall.clerk, memberCode="8" * 12)) in (
        ["MEMBER_NOT_FOUND"], ["INVALID_MEMBER_CODE"]
    )


# ---- administration ------------------------------------------------------------------------------


async def test_admin_input_is_checked(api):
    shop = await Lotteries.open_shop(api)
    template = await shop.template()
    coupon = {"name": "Coupon", "kind": "COUPON", "weight": 1, "stock": 1, "couponTemplateId": template}
    cases = [
        ([{**coupon, "weight": 0}], {}, "INVALID_WEIGHT", "prizes.0.weight"),
        ([{**coupon, "stock": None}], {}, "INVALID_STOCK", "prizes.0.stock"),
        ([{"name": "None", "kind": "NO_PRIZE", "weight": 1, "stock": 3}], {}, "INVALID_STOCK", "prizes.0.stock"),
        ([{"name": "Pts", "kind": "POINTS", "weight": 1}], {}, "INVALID_POINTS", "prizes.0.points"),
        ([{**coupon, "points": 3}], {}, "INVALID_POINTS", "prizes.0.points"),
        ([{**coupon, "couponTemplateId": None}], {}, "TEMPLATE_NOT_FOUND", "prizes.0.couponTemplateId"),
        ([{**coupon, "kind": "TASTING"}], {}, "INVALID_KIND", "prizes.0.couponTemplateId"),
        ([{"name": "Box", "kind": "MALL_ITEM", "weight": 1, "stock": 1}], {}, "ITEM_NOT_FOUND", "prizes.0.mallItemId"),
        ([], {}, "INVALID_PRIZES", "prizes"),
        ([coupon, {"name": "A", "kind": "NO_PRIZE", "weight": 1}, {"name": "B", "kind": "NO_PRIZE", "weight": 1}], {},
         "INVALID_PRIZES", "prizes"),
        ([coupon], {"name": " "}, "INVALID_NAME", "name"),
        ([coupon], {"name": "x" * 121}, "TOO_LONG", "name"),
        ([coupon], {"pointsPerDraw": -1}, "INVALID_POINTS", "pointsPerDraw"),
        ([coupon], {"perDayLimit": 0}, "INVALID_LIMIT", "perDayLimit"),
        ([coupon], {"stockBuckets": 65}, "INVALID_BUCKETS", "stockBuckets"),
        ([coupon], {"imageUrl": "ftp://x"}, "INVALID_IMAGE_URL", "imageUrl"),
        ([coupon], {"eligibleTiers": ["NOPE"]}, "INVALID_TIER", "eligibleTiers"),
        ([coupon], {"closesAt": "2020-01-01T00:00:00+08:00"}, "INVALID_WINDOW", "closesAt"),
        ([coupon], {"description": "bad\u202etext"}, "INVALID_TEXT", "description"),
    ]
    for prizes, fields, code, field in cases:
        body = await shop.create(prizes, **fields)
        assert [(e["code"], e["field"]) for e in body["errors"]] == [(code, field)], (prizes, fields, body)

    gid = await shop.lottery(opened=False)
    renamed = (await api.data(UPDATE, {"i": {"lotteryId": gid, "name": "Renamed", "pointsPerDraw": 5}}, token=shop.admin))
    assert renamed["updateLottery"] == {"lottery": {"id": gid, "name": "Renamed", "pointsPerDraw": 5}, "errors": []}
    assert (await shop.open(gid))["errors"] == []
    assert codes_of((await api.data(UPDATE, {"i": {"lotteryId": gid, "name": "Late"}}, token=shop.admin))["updateLottery"]) == [
        "LOTTERY_NOT_DRAFT"
    ]
    assert codes_of(await shop.open(gid)) == ["LOTTERY_NOT_DRAFT"]
    assert (await shop.close(gid))["errors"] == []
    assert codes_of(await shop.close(gid)) == ["LOTTERY_NOT_OPEN"]
    assert codes_of(await shop.open("TG90dGVyeTo5OTk5")) == ["LOTTERY_NOT_FOUND"]  # Lottery:9999

    item = await shop.mall.item(name="Rare", stock=1)
    short = await shop.lottery([{"name": "Rare", "kind": "MALL_ITEM", "weight": 1, "stock": 2, "mallItemId": item["id"]}],
                               opened=False)
    assert codes_of(await shop.open(short)) == ["MALL_STOCK_SHORT"]
    assert await check_stock() == []

    member = await shop.member()
    body = await api.gql(CREATE, {"i": {"name": "x", "pointsPerDraw": 1, **shop.window(), "prizes": [coupon]}}, token=member.token)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_seed_is_never_readable_before_close(api):
    shop = await Lotteries.open_shop(api)
    gid = await shop.lottery()
    from domain import phones
    from domain.lotteries.catalogue import SEED_PURPOSE
    from domain.lotteries.models import Lottery

    stored = await Lottery.get(id=pk(gid))
    seed = phones.unseal(stored.seed_encrypted, api.settings.personal_data_key, SEED_PURPOSE).hex()
    assert stored.revealed_seed is None and seed not in stored.seed_encrypted
    fields = (await api.data('{ __type(name: "Lottery") { fields { name } } }', token=shop.admin))["__type"]["fields"]
    assert {f["name"] for f in fields if "seed" in f["name"].lower()} == {"seedCommitment", "revealedSeed"}
    seen = json.dumps([await shop.listed(token=shop.admin), await shop.draw(await shop.member(), gid)])
    assert seed not in seen and hashlib.sha256(bytes.fromhex(seed)).hexdigest() in seen
    assert (await shop.close(gid))["errors"] == []
    assert (await shop.one(gid))["revealedSeed"] == seed


# ---- verification ---------------------------------------------------------------------------------


async def _closed_lottery_with_draws(shop: Lotteries, draws: int = 12) -> str:
    gid = await shop.lottery()
    for n in range(3):
        shopper = await shop.member(balance=1000)
        for i in range(draws // 3):
            seed = None if i % 2 else f"member-{n}-{i}"
            assert (await shop.draw(shopper, gid, **({"clientSeed": seed} if seed else {})))["errors"] == []
    assert (await shop.close(gid))["errors"] == []
    return gid


async def test_verify_passes_then_fails_on_a_tampered_draw(api):
    shop = await Lotteries.open_shop(api)
    gid = await _closed_lottery_with_draws(shop)
    clean = verify_cli(api.settings, gid)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "12 draws" in clean.stdout

    draw = await LotteryDraw.filter(lottery_id=pk(gid)).order_by("id").offset(4).first()
    assert draw is not None
    await LotteryDraw.filter(id=draw.id).update(client_seed=draw.client_seed + "x")
    tampered = verify_cli(api.settings, gid)
    assert tampered.returncode == 1 and "does not recompute" in tampered.stdout

    await LotteryDraw.filter(id=draw.id).update(client_seed=draw.client_seed)
    others = [p for p in (await shop.one(gid))["prizes"] if p["id"] != (await shop.draws(gid))[4]["prize"]["id"]]
    await LotteryDraw.filter(id=draw.id).update(prize_id=pk(others[0]["id"]), drawn_prize_id=pk(others[0]["id"]))
    swapped = verify_cli(api.settings, gid)
    assert swapped.returncode == 1 and "expected" in swapped.stdout


async def test_the_documented_script_recomputes_every_draw(api, tmp_path):
    shop = await Lotteries.open_shop(api)
    gid = await _closed_lottery_with_draws(shop)
    lottery = await shop.one(gid)
    record = {"lottery": lottery, "draws": await shop.draws(gid)}
    script = _script_from_docs()
    path = tmp_path / "verify_lottery.py"
    path.write_text(script)
    data = tmp_path / "lottery.json"
    data.write_text(json.dumps(record))
    done = subprocess.run([sys.executable, "-I", str(path), "--json", str(data)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "12 draws recomputed" in done.stdout

    record["draws"][3]["number"] = "0" * 64
    data.write_text(json.dumps(record))
    broken = subprocess.run([sys.executable, "-I", str(path), "--json", str(data)], capture_output=True, text=True, timeout=60)
    assert broken.returncode == 1 and "mismatch" in broken.stdout


def _script_from_docs() -> str:
    text = (REPO_ROOT / "docs" / "lotteries.md").read_text()
    start = text.index("```python\n") + len("```python\n")
    return text[start:text.index("```", start)]


async def test_a_member_sees_their_own_draw_as_a_node(api):
    shop = await Lotteries.open_shop(api)
    gid = await shop.lottery()
    shopper, other = await shop.member(), await shop.member()
    drawn = (await shop.draw(shopper, gid))["draw"]["id"]
    node = "query($id: ID!) { node(id: $id) { id ... on LotteryDraw { nonce } } }"
    assert (await api.data(node, {"id": drawn}, token=shopper.token))["node"] == {"id": drawn, "nonce": 0}
    assert (await api.gql(node, {"id": drawn}, token=other.token))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await api.data(node, {"id": gid}, token=other.token))["node"] == {"id": gid}

