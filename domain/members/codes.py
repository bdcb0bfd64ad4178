"""Member and referral codes: short, unambiguous characters, with a check character."""

from __future__ import annotations

import secrets

# No 0/O, 1/I/L: a clerk can read the code aloud or type it from a card without confusion.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
N = len(ALPHABET)
MEMBER_CODE_BODY = 9
REFERRAL_CODE_LENGTH = 8
QR_PREFIX = "ORCHARD:M:"


def check_character(body: str) -> str:
    """Weighted sum modulo 31 (a prime, the alphabet's size), weights 1, 2, 3...

    A single wrong character changes the sum by weight x difference, never a multiple of 31;
    swapping two neighbours changes it by their difference: every such typo is caught.
    """
    total = sum((position + 1) * ALPHABET.index(char) for position, char in enumerate(body))
    return ALPHABET[total % N]


def new_member_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(MEMBER_CODE_BODY))
    return body + check_character(body)


def clean(code: str) -> str:
    return code.strip().upper().replace("-", "").replace(" ", "")


def is_valid_member_code(code: str) -> bool:
    code = clean(code)
    if len(code) != MEMBER_CODE_BODY + 1 or any(c not in ALPHABET for c in code):
        return False
    return check_character(code[:-1]) == code[-1]


def new_referral_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(REFERRAL_CODE_LENGTH))


def qr_payload(member_code: str) -> str:
    return QR_PREFIX + member_code


def code_from_scan(scanned: str) -> str:
    """A kiosk may send what it scanned (the QR payload) or what a person typed (the code)."""
    scanned = scanned.strip()
    return clean(scanned[len(QR_PREFIX):] if scanned.upper().startswith(QR_PREFIX) else scanned)
