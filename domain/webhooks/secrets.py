"""Endpoint signing secrets: Standard Webhooks' `whsec_<base64 of 32 random bytes>`, shown once.

The worker needs the secret itself to sign, so it is stored encrypted (AES-GCM under the
personal-data key, the helper that encrypts members' phones), never hashed. Changing
ORCHARD_DATA_KEY therefore needs the endpoints' secrets re-encrypted, as the phones do.
"""

from __future__ import annotations

import base64
import os

from domain import phones

PREFIX = "whsec_"
HINT_LENGTH = 10  # "whsec_" and four characters: enough to tell two secrets apart, useless to sign


def new_secret() -> str:
    return PREFIX + base64.b64encode(os.urandom(32)).decode()


def seal(secret: str, data_key: str) -> str:
    return phones.encrypt(secret, data_key)


def unseal(sealed: str, data_key: str) -> str:
    return phones.decrypt(sealed, data_key)


def hint(secret: str) -> str:
    return secret[:HINT_LENGTH]
