"""The steps a frontend takes against charity projects and donations, for the donations tests."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta

from domain.donations.check import check_projects
from domain.ledger.check import check_ledger
from tests.test_mall import Mall, Shopper, codes_of

_keys = itertools.count(1)

CREATE = """mutation($i: CreateCharityProjectInput!) { createCharityProject(input: $i) {
  project { id status goalPoints raisedPoints matchedPoints donorCount progress } errors { code field message } } }"""
MOVE = "mutation($i: CharityProjectInput!) {{ {name}(input: $i) {{ project {{ id status raisedPoints }} errors {{ code }} }} }}"
CANCEL = """mutation($i: CharityProjectInput!) { cancelCharityProject(input: $i) {
  project { id status raisedPoints matchedPoints } refundedDonations errors { code } } }"""
DONATE = """mutation($i: DonatePointsInput!) { donatePoints(input: $i) {
  donation { id points requestedPoints matchedPoints certificateCode anonymous }
  project { raisedPoints matchedPoints donorCount progress } member { pointsBalance } replayed errors { code field message } } }"""
PROJECT = """query($id: ID!) { charityProject(id: $id) { id name status goalPoints raisedPoints matchedPoints donorCount
  donationCount progress yuanEquivalent { amount currency } milestones { percent points reached }
  recentDonors { name points } } }"""


def new_key() -> str:
    return f"donation-key-{next(_keys)}"


@dataclass
class Charity:
    mall: Mall

    @classmethod
    async def open(cls, api) -> Charity:
        return cls(await Mall.open(api))

    @property
    def api(self):
        return self.mall.api

    @property
    def admin(self) -> str:
        return self.mall.admin

    async def member(self, balance: int) -> Shopper:
        return await self.mall.member(balance)

    async def project(self, *, open_it: bool = True, **fields) -> dict:
        now = self.api.clock.now()
        values = {
            "name": "Orchard school appeal", "goalPoints": 10_000, "opensAt": (now - timedelta(days=1)).isoformat(),
            "closesAt": (now + timedelta(days=30)).isoformat(), "minimumPoints": 10, **fields,
        }
        body = (await self.api.data(CREATE, {"i": values}, token=self.admin))["createCharityProject"]
        assert body["errors"] == [], body
        if open_it:
            assert (await self.move("openCharityProject", body["project"]["id"]))["errors"] == []
        return body["project"]

    async def move(self, name: str, project_id: str) -> dict:
        return (await self.api.data(MOVE.format(name=name), {"i": {"projectId": project_id}}, token=self.admin))[name]

    async def cancel(self, project_id: str) -> dict:
        return (await self.api.data(CANCEL, {"i": {"projectId": project_id}}, token=self.admin))["cancelCharityProject"]

    async def donate(self, shopper: Shopper, project: dict, points: int, *, key: str | None = None, token: str | None = None,
                     **fields) -> dict:
        values = {"projectId": project["id"], "points": points, "idempotencyKey": key or new_key(), **fields}
        return (await self.api.data(DONATE, {"i": values}, token=token or shopper.token))["donatePoints"]

    async def donate_retrying(self, shopper: Shopper, project: dict, points: int, *, key: str | None = None, **fields) -> dict:
        """As a client does: TRY_AGAIN or IN_PROGRESS is sent again with the same key."""
        key = key or new_key()
        for _ in range(10):
            result = await self.donate(shopper, project, points, key=key, **fields)
            if codes_of([result]) not in (["TRY_AGAIN"], ["IN_PROGRESS"]):
                return result
        return result

    async def read(self, project_id: str, token: str | None = None) -> dict:
        return (await self.api.data(PROJECT, {"id": project_id}, token=token))["charityProject"]


async def assert_books_clean() -> None:
    assert await check_ledger() == []
    assert await check_projects() == []
