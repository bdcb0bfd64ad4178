"""Recomputing a closed lottery from its public data: what `orchard lottery verify` runs.

The checks are the ones docs/lotteries.md's script makes: the revealed seed hashes to the
commitment published at open; each member's nonces run 0, 1, 2, ... without gaps or repeats;
each draw's number is the HMAC of its inputs; the number falls on the draw's drawn prize, and
the prize given is that one, or NO_PRIZE when the draw lists it as sold out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from domain.lotteries import fairness
from domain.lotteries.draws import sold_out_ids
from domain.lotteries.models import Lottery, LotteryDraw, LotteryPrize, LotteryStatus, PrizeKind
from infra import db


@dataclass(frozen=True)
class Verdict:
    checked: int
    mismatch: str | None  # the first problem found; None when every draw recomputes


async def verify(lottery_id: int) -> Verdict:
    lottery = await db.by_id(Lottery, lottery_id)
    if lottery is None:
        return Verdict(0, f"no lottery {lottery_id}")
    if lottery.status != LotteryStatus.CLOSED or lottery.revealed_seed is None:
        return Verdict(0, f"lottery {lottery_id} is {lottery.status}: draws are verifiable once it closes")
    seed = bytes.fromhex(lottery.revealed_seed)
    if fairness.commitment(seed) != lottery.seed_commitment:
        return Verdict(0, "the revealed seed does not hash to the published commitment")
    prizes = list(await LotteryPrize.filter(lottery_id=lottery_id).order_by("id"))
    table = [fairness.TableLine(p.id, p.weight, p.kind == PrizeKind.NO_PRIZE) for p in prizes]
    nonces: dict[int, int] = defaultdict(int)
    checked = 0
    for draw in await LotteryDraw.filter(lottery_id=lottery_id).order_by("id"):
        member_id: int = draw.member_id  # type: ignore[attr-defined]
        where = f"draw {fairness.global_id('LotteryDraw', draw.id)} (id {draw.id})"
        if draw.nonce != nonces[member_id]:
            return Verdict(checked, f"{where}: nonce {draw.nonce}, expected {nonces[member_id]} for its member")
        nonces[member_id] += 1
        number = fairness.number(seed, lottery_id, member_id, draw.nonce, draw.client_seed)
        if number != draw.number:
            return Verdict(checked, f"{where}: number {draw.number} does not recompute (expected {number})")
        drawn, given = fairness.outcome(table, number, sold_out_ids(draw.sold_out))
        if drawn != draw.drawn_prize_id or given != draw.prize_id:  # type: ignore[attr-defined]
            return Verdict(
                checked,
                f"{where}: prize {draw.prize_id} (drawn {draw.drawn_prize_id}), expected {given} (drawn {drawn})",  # type: ignore[attr-defined]
            )
        checked += 1
    return Verdict(checked, None)
