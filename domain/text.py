"""The one rule for text a caller sends and Orchard stores: stripped, at most the column's length,
and free of control and format characters (NUL, bidi overrides and isolates, BOM, line separators),
which a clerk's screen, a receipt or a log would show as something else or not at all."""

from __future__ import annotations

import unicodedata

from tortoise.models import Model

from domain.errors import DomainError

INVALID_TEXT = "INVALID_TEXT"
TOO_LONG = "TOO_LONG"

# Cc controls, Cf format characters (bidi U+202A-U+202E, U+2066-U+2069, BOM, ...), lone surrogates,
# and the line and paragraph separators.
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# The zero-width joiner and non-joiner are Cf too, but emoji sequences and several scripts need them.
_ALLOWED_FORMAT = frozenset({"\u200c", "\u200d"})
_MULTILINE_WHITESPACE = frozenset({"\n", "\r", "\t"})


class TextError(DomainError):
    pass


def _forbidden(char: str, multiline: bool) -> bool:
    if char.isprintable() or char == " ":  # the common case, answered without a category lookup
        return False
    if multiline and char in _MULTILINE_WHITESPACE:
        return False
    return char not in _ALLOWED_FORMAT and unicodedata.category(char) in _FORBIDDEN_CATEGORIES


def _check(value: str, field: str, max_length: int, multiline: bool, code: str | None) -> None:
    if len(value) > max_length:
        raise TextError(code or TOO_LONG, f"This text has at most {max_length:,} characters.", field=field)
    bad = next((c for c in value if _forbidden(c, multiline)), None)
    if bad is not None:
        raise TextError(
            code or INVALID_TEXT, f"This text contains an invisible or control character (U+{ord(bad):04X}).", field=field
        )


def clean_text(value: str, field: str, max_length: int, *, multiline: bool = False, code: str | None = None) -> str:
    """The text stripped, or TextError (TOO_LONG, INVALID_TEXT, or `code`) naming `field`.

    Emptiness is the caller's rule: an empty name and an empty note mean different things."""
    value = value.strip()
    _check(value, field, max_length, multiline, code)
    return value


def clean_key(value: str, field: str, max_length: int, *, code: str | None = None) -> str:
    """A client-made identifier (an idempotency key), kept exactly as sent: not blank, at most
    `max_length`, no control or format characters. `code` replaces every failure's code."""
    if not value.strip():
        raise TextError(code or INVALID_TEXT, "This key must not be empty or only spaces.", field=field)
    _check(value, field, max_length, False, code)
    return value


def max_length(model: type[Model], attribute: str) -> int:
    return model._meta.fields_map[attribute].max_length  # type: ignore[attr-defined]


def column_text(
    model: type[Model], attribute: str, value: str, field: str | None = None, *, multiline: bool = False
) -> str:
    """clean_text with the length limit of the column the text is written to; the field is the
    attribute in camelCase unless the input names it otherwise."""
    return clean_text(value, field or _camel(attribute), max_length(model, attribute), multiline=multiline)


def _camel(attribute: str) -> str:
    head, *rest = attribute.split("_")
    return head + "".join(part.capitalize() for part in rest)


def masked_name(name: str | None) -> str:
    """The first character and stars: "Wang Fang" -> "W***", "王芳" -> "王*"."""
    name = (name or "").strip()
    if not name:
        return "Member"
    return name[0] + "*" * (3 if name.isascii() else max(1, min(len(name) - 1, 2)))
