"""Certificate numbers and verification codes: the one form, for issued certificates and demo data.

Numbers read IQTC-SSSSSSSSSC: a 9-digit serial and its Luhn check digit (python-stdnum's
luhn), so a mistyped number is caught before any look-up: any single mistyped digit and
most swaps of neighbouring digits. The serial's two leading digits are the issuing site's
block (docs/sync.md, "Numbers"): 00 at headquarters and in databases that are no site,
01-99 at field sites, so two sites issuing offline never make the same number; numbers
issued before are block 00 and stay valid. Verification codes are ten characters from an alphabet
without 0/O and 1/I, read aloud and typed back.
"""

from __future__ import annotations

import secrets

from stdnum import luhn

PREFIX, SERIAL_DIGITS = "IQTC-", 9
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
CODE_LENGTH = 10
BLOCK_DIGITS = 2
BLOCK_SIZE = 10 ** (SERIAL_DIGITS - BLOCK_DIGITS)  # serials per site: 10,000,000


def check_digit(serial: str) -> int:
    """The Luhn check digit of the serial's digits."""
    return int(luhn.calc_check_digit(serial))


def format_number(serial: int) -> str:
    """IQTC- + the serial as 9 digits + its check digit, e.g. 1 -> IQTC-0000000018."""
    if not 0 < serial < 10**SERIAL_DIGITS:
        raise ValueError(f"certificate serial {serial} out of range (1 to {10**SERIAL_DIGITS - 1})")
    body = f"{serial:0{SERIAL_DIGITS}d}"
    return f"{PREFIX}{body}{check_digit(body)}"


def valid_number(number: str) -> bool:
    """IQTC- and ten digits whose last is the Luhn check digit of the nine before (any case, spaces around)."""
    text = number.strip().upper()
    digits = text.removeprefix(PREFIX)
    return text.startswith(PREFIX) and len(digits) == SERIAL_DIGITS + 1 and digits.isdigit() and luhn.is_valid(digits)


def serial_of(number: str) -> int:
    return int(number[len(PREFIX) : len(PREFIX) + SERIAL_DIGITS])


def block_prefix(block: int) -> str:
    """What every number issued from the block starts with, e.g. 7 -> IQTC-07."""
    if not 0 <= block < 10**BLOCK_DIGITS:
        raise ValueError(f"number block {block} out of range (0 to {10**BLOCK_DIGITS - 1})")
    return f"{PREFIX}{block:0{BLOCK_DIGITS}d}"


def next_in_block(block: int, last: str | None) -> str:
    """The number after `last` (the block's highest so far, or None) within the block."""
    serial = serial_of(last) + 1 if last else block * BLOCK_SIZE + 1
    if serial >= (block + 1) * BLOCK_SIZE:
        raise ValueError(f"number block {block} is used up ({BLOCK_SIZE - 1:,} certificates)")
    return format_number(serial)


def verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
