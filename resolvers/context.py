"""What every resolver gets as `info.context`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.access import Viewer
from infra.clock import Clock
from infra.settings import Settings
from resolvers.coupons.loaders import CouponLoaders
from resolvers.donations.loaders import DonationLoaders
from resolvers.earning.loaders import EarningLoaders
from resolvers.ledger.loaders import LedgerLoaders
from resolvers.lotteries.loaders import LotteryLoaders
from resolvers.mall.loaders import MallLoaders
from resolvers.members.loaders import MemberLoaders
from resolvers.stores.loaders import StoreLoaders
from resolvers.tiers.loaders import TierLoaders
from resolvers.webhooks.loaders import WebhookLoaders


class Loaders(
    StoreLoaders, MemberLoaders, TierLoaders, LedgerLoaders, EarningLoaders, MallLoaders, CouponLoaders, LotteryLoaders,
    WebhookLoaders, DonationLoaders,
):
    """Every context's loaders, made lazily, once per request."""


@dataclass
class RequestContext:
    viewer: Viewer
    settings: Settings
    clock: Clock
    request_id: str
    client_address: str | None = None
    loaders: Loaders = field(init=False)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.viewer, self.clock)

    def finish(self) -> None:
        """Called once the operation has run: drop the loaders and everything they hold.

        graphql-core's executor keeps itself, and so this context, in a reference cycle; without
        this the loaders, their futures and the objects loaded would wait for the cyclic garbage
        collector instead of being freed as soon as the response is built.
        """
        self.loaders.clear()
