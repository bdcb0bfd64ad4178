"""The coupon wallet's loaders: coupons the viewer may see, and their templates."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from domain.coupons import visibility
from resolvers.loading import LoaderSet


class CouponLoaders(LoaderSet):
    @property
    def coupon(self) -> DataLoader:
        return self._get("coupon", lambda ids: visibility.coupons_by_ids(self.viewer, ids))

    @property
    def coupon_template(self) -> DataLoader:
        return self._get("coupon_template", lambda ids: visibility.templates_by_ids(self.viewer, ids))
