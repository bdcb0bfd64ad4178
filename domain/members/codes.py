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


# Bijections of a member id onto code bodies, for bulk writes (the seed, the legacy import) that
# cannot afford a random draw and a uniqueness check per row: strides prime to 31 (irrational
# fractions of the space, so neighbours differ from the first character on). Codes drawn at
# random (registration) may still equal one: a bulk writer checks its codes against the table.
MEMBER_CODE_SPACE = N**MEMBER_CODE_BODY
REFERRAL_CODE_SPACE = N**REFERRAL_CODE_LENGTH
MEMBER_CODE_STRIDE, MEMBER_CODE_OFFSET = 16_340_585_143_680, 1_000_003
REFERRAL_CODE_STRIDE, REFERRAL_CODE_OFFSET = 353_279_032_910, 77_777


def _digits31(value: int, width: int) -> list[int]:
    digits = [0] * width
    for position in range(width - 1, -1, -1):
        value, digits[position] = divmod(value, N)
    return digits


def _base31(value: int, width: int) -> str:
    return "".join([ALPHABET[d] for d in _digits31(value, width)])


def member_code_for_id(member_id: int) -> str:
    digits = _digits31((member_id * MEMBER_CODE_STRIDE + MEMBER_CODE_OFFSET) % MEMBER_CODE_SPACE, MEMBER_CODE_BODY)
    check = sum((position + 1) * digit for position, digit in enumerate(digits)) % N  # check_character, from the digits
    return "".join([ALPHABET[d] for d in digits]) + ALPHABET[check]


def referral_code_for_id(member_id: int) -> str:
    return _base31((member_id * REFERRAL_CODE_STRIDE + REFERRAL_CODE_OFFSET) % REFERRAL_CODE_SPACE, REFERRAL_CODE_LENGTH)


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
