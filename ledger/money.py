"""Money at the edges: people type and read 万元 (or 元); the database keeps 元 with 2 decimals."""

import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# The two units people type and read amounts in (their codes in forms and URLs).
YUAN = "yuan"
WAN = "wan"
YUAN_PER_WAN = Decimal(10000)
UNITS = {YUAN: ("元", Decimal(1)), WAN: ("万元", YUAN_PER_WAN)}
CENT = Decimal("0.01")


class AmountError(ValueError):
    """The text is not an amount; the message says why, in Chinese."""


def normalize_number_text(text: str) -> str:
    """Full-width digits and signs to ASCII; drop thousands separators and spaces."""
    text = unicodedata.normalize("NFKC", str(text)).strip()
    for sep in (",", "，", " ", "\u00a0", "'", "_"):
        text = text.replace(sep, "")
    return text


def parse_amount(text, unit: str = YUAN, *, allow_negative: bool = False) -> Decimal | None:
    """Parse a typed amount in `unit` and return 元, or None for blank.

    Raises AmountError for text that is not a number, a negative amount, or more precision than
    a fen (0.01 元): 1.234567 万元 is 12345.67 元 and fine; 1.2345678 万元 is not.
    """
    if text is None:
        return None
    if isinstance(text, (int, Decimal)) and not isinstance(text, bool):
        value = Decimal(text)
    elif isinstance(text, float):
        value = Decimal(repr(text))
    else:
        cleaned = normalize_number_text(text)
        for suffix in ("万元", "元", "万"):
            if cleaned.endswith(suffix):
                cleaned = cleaned[: -len(suffix)]
                break
        if cleaned == "":
            return None
        if cleaned in {"-", "—", "－"}:
            return None
        try:
            value = Decimal(cleaned)
        except InvalidOperation as exc:
            raise AmountError(f"“{text}”不是有效的数字。") from exc
        if not value.is_finite():
            raise AmountError(f"“{text}”不是有效的数字。")
    label, factor = UNITS[unit]
    yuan = value * factor
    if yuan < 0 and not allow_negative:
        raise AmountError("金额不能为负数。")
    cents = yuan.quantize(CENT, rounding=ROUND_HALF_UP)
    if yuan != cents:
        places = 6 if unit == WAN else 2
        raise AmountError(f"金额最多精确到分：以{label}填写时最多 {places} 位小数。")
    return cents


def yuan_to_wan(amount: Decimal | None, places: int = 2) -> Decimal | None:
    if amount is None:
        return None
    return (Decimal(amount) / 10000).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_wan(amount: Decimal | None, places: int = 2) -> str:
    """12345678.90 元 → '1,234.57' (万元), for display."""
    if amount is None:
        return "—"
    return f"{yuan_to_wan(amount, places):,.{places}f}"


def format_yuan(amount: Decimal | None) -> str:
    if amount is None:
        return "—"
    return f"{Decimal(amount):,.2f}"
