"""Redemption codes: short, read aloud or typed at the counter, with a check character."""

from __future__ import annotations

import secrets

from domain.mall.models import Redemption
from domain.members.codes import ALPHABET, check_character, clean
from domain.text import max_length

BODY_LENGTH = 7
QR_PREFIX = "ORCHARD:R:"


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + check_character(body)


def qr_payload(code: str) -> str:
    return QR_PREFIX + code


def code_from_scan(scanned: str) -> str:
    """The counter sends what it scanned (the QR payload) or what the clerk typed (the code)."""
    scanned = scanned.strip()
    return clean(scanned[len(QR_PREFIX):] if scanned.upper().startswith(QR_PREFIX) else scanned)


def lookup_code(scanned: str) -> str | None:
    """The code to look a scan up by; None when no stored code could match it (too long for the
    column, or not letters and digits), so the lookup is answered without asking the database."""
    code = code_from_scan(scanned)
    if not code or len(code) > max_length(Redemption, "code") or not (code.isascii() and code.isalnum()):
        return None
    return code
