"""Money at the edges: people type and read 万元 (or 元); the database keeps 元 with 2 decimals.

An amount is exact or refused, never guessed: `parse_amount` reads ASCII or full-width digits, commas
that group thousands by three, one decimal point and an optional unit written after the number, and
refuses anything else with a Chinese message that names what was typed. A unit written after the
number (元, 万元 or 万, 千元, 亿元 or 亿) is honoured, converted exactly, instead of the page's or the
column's unit; any other word is refused. Exponents (1e5, 1.2E+07 as Excel shows narrow columns) are
refused: the digits they stand for may already be lost.
"""

import re
import unicodedata
from decimal import ROUND_HALF_UP, Context, Decimal, Inexact, InvalidOperation

# The two units people type and read amounts in (their codes in forms and URLs), and the two more
# that statistical tables head their columns with (千元, 亿元), which files are read in too.
YUAN = "yuan"
WAN = "wan"
QIAN = "qian"
YI = "yi"
YUAN_PER_WAN = Decimal(10000)
UNITS = {YUAN: ("元", Decimal(1)), WAN: ("万元", YUAN_PER_WAN), QIAN: ("千元", Decimal(1000)),
         YI: ("亿元", Decimal(10) ** 8)}
UNIT_CODES = {label: code for code, (label, _) in UNITS.items()}  # "万元" → WAN
CENT = Decimal("0.01")

# The largest amount one line of a statement holds: a village's line above 100亿元 is a typo (a wrong
# unit, a digit too many), not an account.
MAX_LINE_AMOUNT = Decimal("10000000000.00")  # 100亿元
# The most lines (named sub-lines included) one village-year's statement can have.
MAX_STATEMENT_LINES = 1000
# The largest figure (总收入, 本年收益 …) in magnitude: the most lines at their largest, 10万亿元. Up to it
# every amount in fen has at most 15 significant digits, which is what SQLite keeps exactly (it stores
# decimals as 8-byte floats and Django reads them back with 15 digits); PostgreSQL's numeric(16, 2)
# holds it too.
MAX_FIGURE = MAX_LINE_AMOUNT * MAX_STATEMENT_LINES

# Units written after the number in a cell or an input (“1500元”, “1.5万”); they win over the column's
# or the page's unit. The longer names first, so that “万元” is not read as “元”.
CELL_UNITS: dict[str, Decimal] = {
    **dict(sorted(UNITS.values(), key=lambda unit: -len(unit[0]))),
    "万": YUAN_PER_WAN, "亿": UNITS[YI][1],
}
UNIT_NAMES = {factor: label for label, factor in UNITS.values()}

# Full-width digits and signs (what Chinese input methods type) to ASCII; other spaces to a space.
# Only these: NFKC would also turn superscripts, circled and mathematical digits into ASCII ones.
_TO_ASCII = {**{0xFF10 + n: str(n) for n in range(10)},
             ord("．"): ".", ord("，"): ",", ord("＋"): "+", ord("－"): "-", ord("−"): "-",
             ord("Ｅ"): "E", ord("ｅ"): "e",
             **dict.fromkeys(map(ord, "\u3000\u00a0\u202f\u2009\t"), " ")}
_BLANKS = {"", "-", "—", "--", "——"}
_EXPONENT = re.compile(r"[+-]?[0-9.,]*[0-9][eE][+-]?[0-9]*", re.ASCII)
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,3}(?: [0-9]{3})+", re.ASCII)
# Whole 元 digits beyond which nothing is looked at further: far above any limit, small enough that
# no arithmetic on what is left can be slow or inexact.
_MAX_WHOLE_DIGITS = 20
# Enough for any amount that got past the digit checks, and every rounding is an error, not a guess.
_EXACT = Context(prec=60, rounding=ROUND_HALF_UP, traps=[InvalidOperation, Inexact])


class AmountError(ValueError):
    """The text is not an amount; the message says why, in Chinese, and names what was typed."""


def chinese_amount(yuan: Decimal) -> str:
    """10000000000 → '100亿元', 10000000000000 → '10万亿元' (for messages about limits)."""
    for factor, name in ((Decimal(10) ** 12, "万亿元"), (Decimal(10) ** 8, "亿元"), (YUAN_PER_WAN, "万元")):
        if yuan >= factor:
            return f"{(yuan / factor).normalize():,f}{name}"
    return f"{Decimal(yuan).normalize():,f}元"


def _split_unit(text: str) -> tuple[str, Decimal | None]:
    for suffix, factor in CELL_UNITS.items():
        if text.endswith(suffix):
            return text[: -len(suffix)].rstrip(), factor
    return text, None


def _number_from_text(text: str, shown: str, limit: Decimal) -> Decimal:
    """Well-formed number text (already in ASCII, unit removed) → Decimal, or AmountError saying what is wrong."""
    if _EXPONENT.fullmatch(text):
        raise AmountError(f"请填写完整的数字，不要用科学计数法：“{shown}”。")
    odd = [c for c in text if c not in "0123456789+-., "]
    if odd:
        foreign = next((c for c in odd if _is_digit(c)), None)
        if foreign:
            raise AmountError(f"金额只能用数字 0–9（全角数字也可以）填写，“{foreign}”不是：“{shown}”。")
        raise AmountError(f"“{shown}”不是有效的数字。")
    sign, body = ("-", text[1:].lstrip()) if text[:1] == "-" else ("", text[1:].lstrip() if text[:1] == "+" else text)
    whole, point, fraction = body.partition(".")
    if not (whole or fraction) or "+" in body or "-" in body or "." in fraction:
        raise AmountError(f"“{shown}”不是有效的数字。")
    if "," in fraction or " " in fraction or (("," in whole or " " in whole) and not _GROUPED.fullmatch(whole)):
        what = "逗号" if "," in body else "空格"
        raise AmountError(f"千分位{what}位置不对：“{shown}”（应每三位一个，如 1,234,567.89）。")
    digits = whole.replace(",", "").replace(" ", "").lstrip("0")
    if len(digits) > _MAX_WHOLE_DIGITS:
        raise _too_large(shown, limit)
    return Decimal(f"{sign}{digits or '0'}.{fraction.rstrip('0') or '0'}")


def _shown(value) -> str:
    """The value as messages quote it: as typed, cut short when long (a 5,000-digit cell)."""
    text = str(Decimal(value)) if isinstance(value, int) and not isinstance(value, bool) else str(value).strip()
    return text if len(text) <= 40 else f"{text[:30]}…（共 {len(text)} 个字符）"


def _is_digit(char: str) -> bool:
    return unicodedata.digit(char, None) is not None


def _too_large(shown: str, limit: Decimal) -> AmountError:
    return AmountError(f"金额过大：“{shown}”超过上限 {chinese_amount(limit)}，请检查数字和单位是否填错。")


def parse_amount(text, unit: str = YUAN, *, allow_negative: bool = False,
                 limit: Decimal = MAX_LINE_AMOUNT) -> Decimal | None:
    """Parse an amount typed or read in `unit` and return 元 (2 places), or None for blank.

    A unit written after the number (“1500元”, “1.5万”, CELL_UNITS) is honoured instead of `unit`.
    Raises AmountError, with a message naming the value, for text that is not a well-formed number
    (digits other than ASCII or full-width ones, commas not grouping by three, exponents, words), a
    negative amount unless `allow_negative`, more precision than a fen (1.234567 万元 is 12345.67 元
    and fine; 1.2345678 万元 is not), and magnitudes above `limit` (one line's by default;
    pass `limit=MAX_FIGURE` for a figure or a threshold on one).
    """
    if text is None:
        return None
    shown = _shown(text)
    factor = UNITS[unit][1]
    if isinstance(text, bool):
        raise AmountError(f"“{shown}”不是有效的数字。")
    if isinstance(text, (int, Decimal, float)):
        value = Decimal(repr(text)) if isinstance(text, float) else Decimal(text)
        if not value.is_finite():
            raise AmountError(f"“{shown}”不是有效的数字。")
    else:
        cleaned = str(text).translate(_TO_ASCII).strip()
        if cleaned in _BLANKS:
            return None
        cleaned, written = _split_unit(cleaned)
        if cleaned == "":
            raise AmountError(f"只有单位没有数字：“{shown}”。")
        factor = written if written is not None else factor
        value = _number_from_text(cleaned, shown, limit)
    # Looked at before any arithmetic, so that 1e+999999999 is never multiplied, rounded or printed.
    if value and value.adjusted() + len(str(factor)) > _MAX_WHOLE_DIGITS:
        raise _too_large(shown, limit)
    try:
        yuan = _EXACT.multiply(value, factor)
        cents = yuan.quantize(CENT, context=_EXACT)
    except (Inexact, InvalidOperation):
        places = len(str(factor)) + 1  # decimals that make a fen: 2 in 元, 6 in 万元
        raise AmountError(f"金额最多精确到分（以{UNIT_NAMES.get(factor, '元')}填写时最多 {places} 位小数）："
                          f"“{shown}”。") from None
    if abs(cents) > limit:
        raise _too_large(shown, limit)
    if cents < 0 and not allow_negative:
        raise AmountError(f"金额不能为负数：“{shown}”。")
    return cents + 0  # -0.00 → 0.00


def amount_step(text, unit: str = YUAN) -> Decimal:
    """What one unit in the last place typed is worth in 元: “12.35” 万元 → 100, “12.35元” → 0.01.

    For comparing a stated total with its lines at the precision the file shows. Floats and whole
    numbers count as 2 decimals.
    """
    factor = UNITS[unit][1]
    places = 2
    if isinstance(text, str):
        cleaned, written = _split_unit(text.translate(_TO_ASCII).strip())
        factor = written if written is not None else factor
        fraction = cleaned.partition(".")[2]
        if fraction.isdigit():
            places = len(fraction)
    return factor * Decimal(1).scaleb(-places)


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
