"""Payload errors, made once: the `UserError` interface, the one `ErrorCode` enum, and `payload_of`.

Every context's domain keeps its codes in one enum (domain/<context>/errors.py). `ErrorCode` is
generated from those enums, so a code is never copied by hand; each XError type implements
`UserError`, names the domain enum it reports (`CODES`) and lists those codes in its description.
GraphQL needs an implementing field to have the interface's type exactly, hence one shared enum.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from enum import Enum
from functools import cache
from typing import Any, TypeVar

import strawberry

from domain.coupons.errors import CouponErrorCode
from domain.donations.errors import DonationErrorCode
from domain.earning.errors import PointsErrorCode
from domain.errors import DomainError
from domain.lotteries.errors import LotteryErrorCode
from domain.mall.errors import MallErrorCode
from domain.members.errors import MemberErrorCode
from domain.metrics.errors import MetricsErrorCode
from domain.partners.errors import PartnerErrorCode
from domain.privacy.errors import PrivacyErrorCode
from domain.programme.errors import ProgrammeErrorCode
from domain.stores.errors import AuthErrorCode, StaffErrorCode, StoreErrorCode
from domain.tiers.errors import TierErrorCode
from domain.webhooks.errors import WebhookErrorCode
from schema.error_codes import CODE_DESCRIPTIONS

T = TypeVar("T")

# The domain enums behind the payload errors of the schema; a new context adds its enum here and
# names it as its XError's CODES.
CONTEXT_CODES: tuple[type[Enum], ...] = (
    AuthErrorCode, StoreErrorCode, StaffErrorCode, MemberErrorCode, TierErrorCode, ProgrammeErrorCode,
    PointsErrorCode, MallErrorCode, CouponErrorCode, LotteryErrorCode, WebhookErrorCode, DonationErrorCode,
    MetricsErrorCode, PrivacyErrorCode, PartnerErrorCode,
)

_CODES = sorted({code.value for codes in CONTEXT_CODES for code in codes})
if _undescribed := [value for value in _CODES if value not in CODE_DESCRIPTIONS]:
    raise RuntimeError(f"Describe these error codes in schema/error_codes.py: {', '.join(_undescribed)}")

ErrorCode = strawberry.enum(
    Enum("ErrorCode", {value: strawberry.enum_value(value, description=CODE_DESCRIPTIONS[value]) for value in _CODES}),
    name="ErrorCode",
    description="The code of a payload error. Each error type's description lists the codes its mutations return.",
)


@strawberry.interface(description="An expected business outcome a mutation reports in its payload's `errors`.")
class UserError:
    code: ErrorCode = strawberry.field(description="What went wrong, as a code to branch on.")  # type: ignore[valid-type]
    field: str | None = strawberry.field(description="The input path of the field at fault; null when no one field is.")
    message: str = strawberry.field(description="A sentence a clerk can read.")


def codes_listed(codes: type[Enum], about: str) -> str:
    """An error type's description: what it is about, and every code it may carry."""
    return f"{about} Codes: {', '.join(code.value for code in codes)}."


def errors_of(error_type: type[Any], exc: DomainError) -> list[Any]:
    # The context's own enum first: a code it does not list is a bug, never sent to a client.
    code = error_type.CODES(exc.code)
    return [error_type(code=ErrorCode(code.value), field=exc.field, message=exc.message)]


@cache
def error_type_of(payload_type: type[Any]) -> type[Any]:
    """The XError type of a payload's `errors: [XError!]!`."""
    return payload_type.__strawberry_definition__.get_field("errors").type.of_type


async def payload_of(
    payload_type: type[Any],
    work: Awaitable[T],
    convert: Callable[[T], dict[str, Any] | Awaitable[dict[str, Any]]] | None = None,
    *,
    failed: Callable[[DomainError], dict[str, Any]] | None = None,
) -> Any:
    """The payload of a mutation: `convert`'s fields for the result, or the DomainError as errors.

    `failed` gives the fields a failure still shows (a redemption already fulfilled, a lock's end);
    every other field keeps the payload's default.
    """
    try:
        result = await work
    except DomainError as exc:
        return payload_type(errors=errors_of(error_type_of(payload_type), exc), **(failed(exc) if failed else {}))
    values = convert(result) if convert is not None else {}
    if inspect.isawaitable(values):
        values = await values
    return payload_type(**values)

