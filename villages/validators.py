"""Validators for the official identifiers: 统计用区划代码 and 统一社会信用代码 (GB 32100-2015)."""

from django.core.exceptions import ValidationError

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Weight of position i (1-based) is 3^(i-1) mod 31, GB 32100-2015 §5.
CREDIT_CODE_WEIGHTS = [pow(3, i, 31) for i in range(17)]

# Digits 7–9 of a town code (DOMAIN.md): 001–099 街道, 100–199 镇, 200–399 乡, 400–599 开发区等.
TOWN_NUMBER_KINDS = [(1, 99, "街道"), (100, 199, "镇"), (200, 399, "乡"), (400, 599, "开发区等")]
# Digits 10–12 of a village code: 001–199 居委会/社区, 200–399 村委会.
VILLAGE_NUMBER_KINDS = [(1, 199, "居委会/社区"), (200, 399, "村委会")]


def _kind_of(number: int, kinds: list[tuple[int, int, str]]) -> str | None:
    for low, high, label in kinds:
        if low <= number <= high:
            return label
    return None


def _require_12_digits(code: str) -> None:
    if not isinstance(code, str) or len(code) != 12 or not code.isascii() or not code.isdigit():
        raise ValidationError("区划代码必须是12位数字。", code="division_code_format")


def validate_county_code(code: str) -> None:
    """A county: 6-digit GB/T 2260 code followed by six zeros, e.g. 321182000000."""
    _require_12_digits(code)
    if code[6:] != "000000":
        raise ValidationError("县级区划代码后6位必须为000000（例如 321182000000）。", code="county_code")
    if code[2:6] == "0000":
        raise ValidationError("县级区划代码第3–6位不能全为0。", code="county_code")


def validate_town_code(code: str) -> None:
    """A town: county's 6 digits, a 3-digit town number in 001–599, then 000."""
    _require_12_digits(code)
    if code[9:] != "000":
        raise ValidationError("乡镇级区划代码后3位必须为000（例如 321182103000）。", code="town_code")
    if _kind_of(int(code[6:9]), TOWN_NUMBER_KINDS) is None:
        raise ValidationError("乡镇代码第7–9位须在001–599之间。", code="town_code")


def validate_village_code(code: str) -> None:
    """A village: town's 9 digits and a 3-digit village number in 001–399."""
    _require_12_digits(code)
    if _kind_of(int(code[9:]), VILLAGE_NUMBER_KINDS) is None:
        raise ValidationError("村级代码第10–12位须在001–399之间（001–199 居委会/社区，200–399 村委会）。",
                              code="village_code")


def town_kind(code: str) -> str | None:
    return _kind_of(int(code[6:9]), TOWN_NUMBER_KINDS) if len(code) == 12 and code.isdigit() else None


def village_kind(code: str) -> str | None:
    return _kind_of(int(code[9:]), VILLAGE_NUMBER_KINDS) if len(code) == 12 and code.isdigit() else None


def credit_code_check_character(first17: str) -> str:
    total = sum(CREDIT_CODE_ALPHABET.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(code: str) -> None:
    """统一社会信用代码: 18 characters from the GB 32100 alphabet, the last one a check character."""
    if not code:
        return
    if len(code) != 18:
        raise ValidationError("统一社会信用代码必须是18位。", code="credit_code_length")
    bad = sorted({ch for ch in code if ch not in CREDIT_CODE_ALPHABET})
    if bad:
        raise ValidationError(
            "统一社会信用代码含有不允许的字符：%(chars)s（不使用 I、O、Z、S、V 及小写字母）。",
            params={"chars": "、".join(bad)},
            code="credit_code_alphabet",
        )
    expected = credit_code_check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            "统一社会信用代码校验位错误：最后一位应为 %(expected)s。",
            params={"expected": expected},
            code="credit_code_check",
        )
