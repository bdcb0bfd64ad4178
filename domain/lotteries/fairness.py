"""The provably fair scheme, as pure functions: the commitment, a draw's number, and its prize.

Everything here is what docs/lotteries.md publishes and its stdlib-only script repeats:

- the server seed is 32 random bytes, drawn when the lottery opens; `seedCommitment` is the
  SHA-256 of those bytes in lowercase hex, `revealedSeed` (at close) the bytes in lowercase hex;
- a draw's message is "<lottery id>:<member id>:<nonce>:<client seed>" in UTF-8, where both ids
  are the GraphQL global IDs (as `Lottery.id` and `LotteryDraw.memberId` show them), the nonce is
  the member's 0-based count of earlier draws in that lottery, in decimal, and the client seed
  is the text the member sent (or the one generated for them);
- the number is HMAC-SHA256(key = the seed bytes, message), shown as 64 lowercase hex digits;
- the ticket is int(number, 16) mod the total weight of the prize table; walking the prizes in
  ascending prize id, the draw falls on the first prize whose running total of weights exceeds
  the ticket;
- when the prize it falls on is in the draw's `soldOut` list, the draw gives the lottery's
  NO_PRIZE prize instead (the published rule: a sold-out prize's weight moves to NO_PRIZE).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

SEED_BYTES = 32


@dataclass(frozen=True)
class TableLine:
    """What the mapping needs of a prize: its id, weight, and whether it is the NO_PRIZE line."""

    prize_id: int
    weight: int
    no_prize: bool = False


def global_id(type_name: str, pk: int) -> str:
    """The GraphQL global ID of a row: unpadded URL-safe base64 of "Type:pk" (as resolvers/global_ids.py makes it)."""
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def new_seed() -> bytes:
    return secrets.token_bytes(SEED_BYTES)


def new_client_seed() -> str:
    """The client seed of a member who sends none: 16 random hex digits, published with the draw."""
    return secrets.token_hex(8)


def commitment(seed: bytes) -> str:
    return hashlib.sha256(seed).hexdigest()


def message(lottery_id: int, member_id: int, nonce: int, client_seed: str) -> bytes:
    return f"{global_id('Lottery', lottery_id)}:{global_id('Member', member_id)}:{nonce}:{client_seed}".encode()


def number(seed: bytes, lottery_id: int, member_id: int, nonce: int, client_seed: str) -> str:
    return hmac.new(seed, message(lottery_id, member_id, nonce, client_seed), hashlib.sha256).hexdigest()


def total_weight(table: Sequence[TableLine]) -> int:
    return sum(line.weight for line in table)


def fall(table: Sequence[TableLine], number_hex: str) -> int:
    """The id of the prize a number falls on (before the sold-out rule)."""
    ordered = sorted(table, key=lambda line: line.prize_id)
    ticket = int(number_hex, 16) % total_weight(ordered)
    running = 0
    for line in ordered:
        running += line.weight
        if ticket < running:
            return line.prize_id
    raise AssertionError("the ticket is below the total weight")


def no_prize_id(table: Sequence[TableLine]) -> int:
    return next(line.prize_id for line in table if line.no_prize)


def outcome(table: Sequence[TableLine], number_hex: str, sold_out: Sequence[int]) -> tuple[int, int]:
    """(the prize the number fell on, the prize given) under the sold-out rule."""
    drawn = fall(table, number_hex)
    return drawn, no_prize_id(table) if drawn in set(sold_out) else drawn


def odds(table: Sequence[TableLine]) -> dict[int, Fraction]:
    """Each prize's published probability: its weight over the total (stock does not change it;
    the chance of a sold-out prize is then the NO_PRIZE line's on top of its own)."""
    total = total_weight(table)
    return {line.prize_id: Fraction(line.weight, total) for line in table}
