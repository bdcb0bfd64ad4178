"""The root Query and Mutation, merged from the per-context pieces; `build_schema` makes the schema."""

from __future__ import annotations

import strawberry
from strawberry.tools import merge_types

from schema.audit.queries import AuditQuery
from schema.audit.wrapping import audit_mutations
from schema.coupons.mutations import CouponMutation
from schema.coupons.queries import CouponQuery
from schema.donations.mutations import DonationMutation
from schema.donations.queries import DonationQuery
from schema.earning.mutations import EarningMutation
from schema.earning.queries import EarningQuery
from schema.lotteries.mutations import LotteryMutation
from schema.lotteries.queries import LotteryQuery
from schema.mall.mutations import MallMutation
from schema.mall.queries import MallQuery
from schema.members.mutations import MemberMutation
from schema.members.queries import MemberQuery
from schema.metrics.mutations import MetricsMutation
from schema.metrics.queries import MetricsQuery
from schema.nodes import NODE_TYPES, NodeQuery
from schema.partners.mutations import PartnerMutation
from schema.partners.queries import PartnerQuery
from schema.privacy.root import PrivacyMutation, PrivacyQuery
from schema.programme.mutations import ProgrammeMutation
from schema.programme.queries import ProgrammeQuery
from schema.scalars import SCALAR_OVERRIDES
from schema.stores.mutations import StoreMutation
from schema.stores.queries import StoreQuery
from schema.tiers.mutations import TierMutation
from schema.tiers.queries import TierQuery
from schema.webhooks.mutations import WebhookMutation
from schema.webhooks.queries import WebhookQuery

# Fields are printed in this order, each context's together.
Query = merge_types(
    "Query", (NodeQuery, StoreQuery, MemberQuery, ProgrammeQuery, EarningQuery, TierQuery, MallQuery, CouponQuery, LotteryQuery,
     WebhookQuery, DonationQuery, PartnerQuery, MetricsQuery, AuditQuery, PrivacyQuery)
)
Mutation = merge_types(
    "Mutation",
    (StoreMutation, MemberMutation, ProgrammeMutation, TierMutation, EarningMutation, MallMutation, CouponMutation, LotteryMutation,
     WebhookMutation, DonationMutation, PartnerMutation, MetricsMutation, PrivacyMutation),
)
# merge_types takes no description.
Query.__strawberry_definition__.description = "Everything a caller may read; what each field shows depends on who calls."
Mutation.__strawberry_definition__.description = (
    "Every change: each takes `input:` and answers a payload whose `errors` list the expected business outcomes."
)


def build_schema() -> strawberry.Schema:
    """The schema: types and resolvers. Running operations against it is schema/execution.py's."""
    schema = strawberry.Schema(
        query=Query, mutation=Mutation, types=[node_type for node_type, _, _ in NODE_TYPES.values()],
        scalar_overrides=SCALAR_OVERRIDES,
    )
    audit_mutations(schema._schema)
    return schema
