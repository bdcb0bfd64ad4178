"""Partner bundles payloads and their error."""

from __future__ import annotations

import strawberry

from domain.partners.errors import PartnerErrorCode
from schema.errors import UserError, codes_listed
from schema.mall.types import Redemption
from schema.partners.types import Bundle, Partner, PartnerSettlement
from schema.stores.types import ApiKey


@strawberry.type(description=codes_listed(PartnerErrorCode, "Why a partner, bundle, verification or settlement change was refused."))
class PartnerError(UserError):
    CODES = PartnerErrorCode


@strawberry.type(description="The result of createPartner and updatePartner.")
class PartnerPayload:
    partner: Partner | None = strawberry.field(default=None, description="The partner as it is now; null when refused.")
    errors: list[PartnerError] = strawberry.field(default_factory=list, description="Why it was refused; empty on success.")


@strawberry.type(description="The result of createPartnerKey.")
class CreatePartnerKeyPayload:
    key: strawberry.ID | None = strawberry.field(default=None, description="The new key's ID (revokeApiKey takes it); null when refused.")
    api_key: ApiKey | None = strawberry.field(default=None, description="The key, its name, prefix and scopes; null when refused.")
    secret: str | None = strawberry.field(default=None, description="The secret (orch_partner_...): shown only now.")
    errors: list[PartnerError] = strawberry.field(default_factory=list, description="Why it was refused; empty on success.")


@strawberry.type(description="The result of createBundle.")
class CreateBundlePayload:
    bundle: Bundle | None = strawberry.field(default=None, description="The new bundle; null when refused.")
    errors: list[PartnerError] = strawberry.field(default_factory=list, description="Why it was refused; empty on success.")


@strawberry.type(description="The result of verifyPartnerRedemption.")
class VerifyPartnerRedemptionPayload:
    redemption: Redemption | None = strawberry.field(default=None, description="The redemption, now FULFILLED; null when refused.")
    errors: list[PartnerError] = strawberry.field(default_factory=list, description="Why it was refused; empty on success.")


@strawberry.type(description="The result of closeSettlementPeriod.")
class CloseSettlementPeriodPayload:
    settlement: PartnerSettlement | None = strawberry.field(default=None, description="The frozen statement; null when refused.")
    errors: list[PartnerError] = strawberry.field(default_factory=list, description="Why it was refused; empty on success.")
