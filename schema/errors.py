"""Payload errors: every mutation's `errors: [XError!]!` is built the same way."""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeVar

from domain.errors import DomainError

E = TypeVar("E")


def camel_path(field: str | None) -> str | None:
    """Domain services name fields the way the input does already; keep None as None."""
    return field


def errors_from(exc: DomainError, error_type: type[E], code_enum: type[Enum]) -> list[E]:
    return [error_type(code=code_enum(exc.code), field=camel_path(exc.field), message=exc.message)]  # type: ignore[call-arg]


def invalid_id_error(error_type: type[E], code_enum: type[Enum], field: str) -> list[E]:
    return [error_type(code=code_enum("INVALID_ID"), field=field, message="That ID is not valid here.")]  # type: ignore[call-arg]


def payload(payload_type: type[Any], **values: Any) -> Any:
    values.setdefault("errors", [])
    return payload_type(**values)
