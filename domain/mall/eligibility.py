"""Who may redeem which item, when and where: availability window, retirement, tiers, collect stores."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.mall.errors import MallError, MallErrorCode
from domain.mall.models import MallItem


def is_available(item: MallItem, now: datetime) -> bool:
    if item.retired_at is not None or now < item.available_from:
        return False
    return item.available_until is None or now < item.available_until


def is_new(item: MallItem, now: datetime, new_days: int) -> bool:
    """New for `new_days` days after it becomes available."""
    return item.available_from <= now < item.available_from + timedelta(days=new_days)


def collectable_at(item: MallItem, store_id: int) -> bool:
    return not item.store_ids or store_id in item.store_ids


def tier_allowed(item: MallItem, tier_code: str) -> bool:
    return not item.eligible_tiers or tier_code in item.eligible_tiers


def check_available(item: MallItem, now: datetime, store_id: int | None) -> None:
    if not is_available(item, now):
        raise MallError(MallErrorCode.NOT_AVAILABLE, "This item is not available for redemption now.", field="itemId")
    if store_id is not None and not collectable_at(item, store_id):
        raise MallError(MallErrorCode.NOT_AVAILABLE, "This item cannot be collected at that store.", field="storeId")


def check_tier(item: MallItem, tier_code: str) -> None:
    if not tier_allowed(item, tier_code):
        raise MallError(
            MallErrorCode.NOT_ELIGIBLE, f"This item is for {', '.join(item.eligible_tiers)} members only.", field="itemId"
        )
