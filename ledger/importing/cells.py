"""A cell's value as the text that the parser and the place matcher compare, and as an amount."""

import unicodedata
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal

from ..money import CENT, MAX_LINE_AMOUNT, UNITS, AmountError, parse_amount
from ..text import clean_text as clean_free_text
from ..text import strip_controls


def clean_text(value) -> str:
    """NFKC-normalised and trimmed (full-width digits and letters become ASCII), control characters
    dropped; 12.0 reads as 12."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", strip_controls(str(value))).strip()


def stored_text(value) -> str:
    """Free text to keep (项目 names, notes): as written, without control characters, trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_free_text(value)


FACTORS = {unit: factor for unit, (_, factor) in UNITS.items()}
_FAST_BOUND = Decimal(10) ** 12  # below it, a number with 8 decimals times any unit stays exact in 28 digits
_EXACT_FLOATS = 1e7  # below it a float's 8-decimal rounding has at most 15 digits: repr gives it back as is
_EIGHT_PLACES = Decimal("1e-8")


def cell_amount(value, unit: str, *, allow_negative: bool = False, limit: Decimal = MAX_LINE_AMOUNT) -> Decimal | None:
    """A cell as 元 in `unit` (None for a blank), exact to the fen or refused with a Chinese message
    (`AmountError`): numbers directly, text through `parse_amount` (a unit written in the cell wins)."""
    kind = type(value)
    if kind is float and -_EXACT_FLOATS < value < _EXACT_FLOATS:
        # round(value, 8) done on the float's exact value in one conversion instead of two (below
        # 10⁷ both give the same number); what the checks refuse goes the long way for its message.
        cents = _whole_fen(Decimal(value).quantize(_EIGHT_PLACES, rounding=ROUND_HALF_EVEN), unit, limit,
                           allow_negative)
        if cents is not None:
            return cents
    if kind is float or kind is int:
        # The common cell, a number, converted here without the text checks of `parse_amount`; anything
        # it would refuse (too large, finer than a fen, negative, not finite) goes there for its message.
        # Excel keeps binary floats (12.3 → 12.300000000000001); a ledger never has more than 6
        # decimals in 万元, so round off the binary noise before the exact Decimal check.
        number = Decimal(repr(round(value, 8))) if kind is float else Decimal(value)
        if number.is_finite() and -_FAST_BOUND < number < _FAST_BOUND:
            cents = _whole_fen(number, unit, limit, allow_negative)
            if cents is not None:
                return cents
        value = number if number.is_finite() else value
    elif isinstance(value, (bool, date, datetime)):
        raise AmountError("不是金额")
    # A unit written in the cell wins over the column's.
    return parse_amount(value, unit, allow_negative=allow_negative, limit=limit)


def _whole_fen(number: Decimal, unit: str, limit: Decimal, allow_negative: bool) -> Decimal | None:
    """`number` in `unit` as 元 when that is a whole number of fen within the limits and sign, else None."""
    yuan = number * FACTORS[unit]
    cents = yuan.quantize(CENT)
    if cents == yuan and -limit <= cents <= limit and (cents >= 0 or allow_negative):
        return cents + 0  # -0.00 → 0.00
    return None
