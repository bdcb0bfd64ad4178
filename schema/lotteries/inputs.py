"""Lottery inputs and filters."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.lotteries.types import LotteryStatus, PrizeKind


@strawberry.input(description="Narrows lotteries.")
class LotteryFilter:
    status: LotteryStatus | None = strawberry.field(default=None, description="Only this status; null: every status the viewer may see.")


@strawberry.input(description="One line of a prize table. The lines keep their order: it is the order of the cumulative weights.")
class LotteryPrizeInput:
    name: str = strawberry.field(description="What the member sees, at most 120 characters.")
    kind: PrizeKind = strawberry.field(description="What it gives.")
    weight: int = strawberry.field(description="1 to 1,000,000 (0 allowed for NO_PRIZE): probability = weight / total (INVALID_WEIGHT).")
    stock: int | None = strawberry.field(
        default=None, description="Units to give (required but for NO_PRIZE and POINTS); null: unlimited (INVALID_STOCK)."
    )
    points: int | None = strawberry.field(default=None, description="POINTS: the points it gives (INVALID_POINTS).")
    coupon_template_id: strawberry.ID | None = strawberry.field(
        default=None, description="COUPON and TASTING: the coupon template it grants; a TASTING template for TASTING (TEMPLATE_NOT_FOUND)."
    )
    mall_item_id: strawberry.ID | None = strawberry.field(
        default=None, description="MALL_ITEM: the mall item; its units leave the mall's stock when the lottery opens (ITEM_NOT_FOUND)."
    )


@strawberry.input(description="A new lottery, created as a DRAFT. Without a NO_PRIZE line, one of weight 0 is added.")
class CreateLotteryInput:
    name: str = strawberry.field(description="At most 120 characters (INVALID_NAME).")
    points_per_draw: int = strawberry.field(description="Points one draw costs, 0 to 10,000,000 (INVALID_POINTS).")
    opens_at: datetime = strawberry.field(description="Draws start then, with an offset (INVALID_WINDOW).")
    closes_at: datetime = strawberry.field(description="Draws stop then; after opensAt (INVALID_WINDOW).")
    prizes: list[LotteryPrizeInput] = strawberry.field(description="The prize table, 1 to 20 lines, at most one NO_PRIZE (INVALID_PRIZES).")
    description: str = strawberry.field(default="", description="The terms in words, at most 2,000 characters.")
    image_url: str | None = strawberry.field(default=None, description="An http(s) image (INVALID_IMAGE_URL).")
    eligible_tiers: list[str] = strawberry.field(default_factory=list, description="Tier codes that may draw; empty: all (INVALID_TIER).")
    per_member_limit: int | None = strawberry.field(default=None, description="Draws per member in all; null: no cap (INVALID_LIMIT).")
    per_day_limit: int | None = strawberry.field(
        default=None, description="Draws per member per store-local day; null: no cap (INVALID_LIMIT)."
    )
    stock_buckets: int = strawberry.field(default=4, description="Rows each limited prize's stock spreads over, 1 to 64 (INVALID_BUCKETS).")


@strawberry.input(description="Changes to a DRAFT lottery (LOTTERY_NOT_DRAFT once opened); a null field stays as it is.")
class UpdateLotteryInput:
    lottery_id: strawberry.ID = strawberry.field(description="The lottery's global ID.")
    name: str | None = strawberry.field(default=None, description="A new name.")
    description: str | None = strawberry.field(default=None, description="New terms in words.")
    image_url: str | None = strawberry.field(default=None, description="A new image; null clears it.")
    points_per_draw: int | None = strawberry.field(default=None, description="A new price per draw.")
    opens_at: datetime | None = strawberry.field(default=None, description="A new start.")
    closes_at: datetime | None = strawberry.field(default=None, description="A new end.")
    eligible_tiers: list[str] | None = strawberry.field(default=None, description="New tier codes; empty: every tier.")
    per_member_limit: int | None = strawberry.field(default=None, description="A new cap per lottery; null clears it.")
    per_day_limit: int | None = strawberry.field(default=None, description="A new cap per day; null clears it.")
    stock_buckets: int | None = strawberry.field(default=None, description="A new number of stock buckets.")
    prizes: list[LotteryPrizeInput] | None = strawberry.field(default=None, description="A whole new prize table.")


@strawberry.input(description="A lottery to open: the server seed is drawn and its commitment published.")
class OpenLotteryInput:
    lottery_id: strawberry.ID = strawberry.field(description="The DRAFT lottery's global ID (LOTTERY_NOT_DRAFT).")


@strawberry.input(description="A lottery to close: the seed is revealed and every draw published.")
class CloseLotteryInput:
    lottery_id: strawberry.ID = strawberry.field(description="The OPEN lottery's global ID (LOTTERY_NOT_OPEN).")


@strawberry.input(description="One draw. Idempotent: the same key answers the same draw.")
class DrawLotteryInput:
    lottery_id: strawberry.ID = strawberry.field(description="The lottery's global ID (LOTTERY_NOT_FOUND, LOTTERY_NOT_OPEN).")
    idempotency_key: str = strawberry.field(
        description="Made by the client, 1 to 255 characters: a retry with it answers the first draw again without a second effect."
    )
    client_seed: str | None = strawberry.field(
        default=None, description="Up to 64 characters mixed into the draw's HMAC; null: one is generated (INVALID_CLIENT_SEED)."
    )
    member_code: str | None = strawberry.field(default=None, description="Kiosks and clerks: the scanned code. Ignored for a member.")
    store_id: strawberry.ID | None = strawberry.field(
        default=None, description="The store drawn at (its local day counts for perDayLimit); staff and devices: their store."
    )
