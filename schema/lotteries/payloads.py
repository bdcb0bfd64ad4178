"""Lottery payloads and their error."""

from __future__ import annotations

import strawberry

from domain.lotteries.errors import LotteryErrorCode
from schema.errors import UserError, codes_listed
from schema.lotteries.types import Lottery, LotteryDraw
from schema.members.types import Member


@strawberry.type(description=codes_listed(LotteryErrorCode, "Why a lottery change or a draw was refused."))
class LotteryError(UserError):
    CODES = LotteryErrorCode


@strawberry.type(description="The result of createLottery, updateLottery, openLottery and closeLottery.")
class LotteryPayload:
    lottery: Lottery | None = strawberry.field(default=None, description="The lottery as it is now; null when refused.")
    errors: list[LotteryError] = strawberry.field(default_factory=list, description="Why the change was refused; empty on success.")


@strawberry.type(description="The result of drawLottery.")
class DrawLotteryPayload:
    draw: LotteryDraw | None = strawberry.field(default=None, description="The draw with its prize; null when refused.")
    member: Member | None = strawberry.field(default=None, description="The member after the draw, with the balance; null when refused.")
    replayed: bool = strawberry.field(default=False, description="True when this answers an earlier request with the same key.")
    errors: list[LotteryError] = strawberry.field(default_factory=list, description="Why the draw was refused; empty on success.")
