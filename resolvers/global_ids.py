"""Global IDs and cursors: what a client sends back to name an object or a page position.

Resolvers decode the IDs of their input here; schema/relay re-uses the codec for the IDs it shows.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import orjson

from domain.errors import DomainError


class InvalidGlobalId(ValueError):
    pass


class InvalidId(DomainError):
    """An input ID that names nothing of the expected type: a payload error of every context."""

    def __init__(self, field: str, message: str = "That ID is not valid here.") -> None:
        super().__init__("INVALID_ID", message, field=field)


def to_global_id(type_name: str, pk: int | str) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def from_global_id(global_id: str) -> tuple[str, str]:
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, pk = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        raise InvalidGlobalId(global_id) from None
    if not type_name or not pk:
        raise InvalidGlobalId(global_id)
    return type_name, pk


# Every primary key is an IntField: int4 on PostgreSQL, where a larger parameter fails the query.
MAX_PK = 2**31 - 1


def int_pk(pk: str) -> int | None:
    """The primary key a global ID's text names; None when it cannot name a row (not ASCII
    digits, or past the columns' range)."""
    if not (pk.isascii() and pk.isdigit()) or len(pk) > 10:
        return None
    value = int(pk)
    return value if value <= MAX_PK else None


def pk_of(global_id: str, expected_type: str) -> int:
    """The integer primary key inside a global ID of the expected type."""
    type_name, pk = from_global_id(global_id)
    value = int_pk(pk)
    if type_name != expected_type or value is None:
        raise InvalidGlobalId(global_id)
    return value


def input_pk(global_id: str, expected_type: str, field: str) -> int:
    """The primary key of an input's ID; a payload error (INVALID_ID at `field`) when it names nothing."""
    try:
        return pk_of(global_id, expected_type)
    except InvalidGlobalId:
        raise InvalidId(field) from None


def optional_input_pk(global_id: str | None, expected_type: str, field: str) -> int | None:
    return input_pk(global_id, expected_type, field) if global_id else None


def encode_cursor(key: list[Any]) -> str:
    # orjson: one cursor per edge of every page. Dates and decimals are written as str() writes
    # them, as json.dumps(default=str) did, so cursors handed out before still decode the same.
    return base64.urlsafe_b64encode(orjson.dumps(key, default=str, option=orjson.OPT_PASSTHROUGH_DATETIME)).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
    except (ValueError, UnicodeDecodeError):
        raise InvalidGlobalId(cursor) from None
    if not isinstance(key, list) or not key:
        raise InvalidGlobalId(cursor)
    return key
