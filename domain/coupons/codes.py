"""Coupon codes: the member shows a QR code or reads the code aloud; a check character catches typos."""

from __future__ import annotations

import secrets

from domain.members.codes import ALPHABET, check_character, clean

BODY_LENGTH = 11
QR_PREFIX = "ORCHARD:C:"


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + check_character(body)


def qr_payload(code: str) -> str:
    return QR_PREFIX + code


def code_from_scan(scanned: str) -> str:
    """What a till scanned (the QR payload) or what the clerk typed (the code), as stored."""
    scanned = scanned.strip()
    return clean(scanned[len(QR_PREFIX):] if scanned.upper().startswith(QR_PREFIX) else scanned)


def is_well_formed(code: str) -> bool:
    return len(code) == BODY_LENGTH + 1 and all(c in ALPHABET for c in code) and check_character(code[:-1]) == code[-1]
