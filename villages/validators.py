"""Validators for the official identifiers (统计用区划代码, 统一社会信用代码 GB 32100-2015) and for free text
that must say something (a reason, an explanation)."""

import unicodedata

from django.core.exceptions import ValidationError

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Weight of position i (1-based) is 3^(i-1) mod 31, GB 32100-2015 §5.
CREDIT_CODE_WEIGHTS = [pow(3, i, 31) for i in range(17)]
# Positions 9–17 are the 组织机构代码 (GB 11714-1997): 8 characters, digits and capitals worth 0–35, and a
# check character over them with these weights.
ORGANIZATION_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
# Positions 1–2: the registering authority and the kind of body (GB 32100-2015, 附录 A).
CREDIT_CODE_TYPES = {
    "11": "机关", "12": "事业单位", "13": "群众团体", "19": "其他机构编制单位",
    "51": "社会团体", "52": "民办非企业单位", "53": "基金会", "59": "其他民政登记单位",
    "91": "企业", "92": "个体工商户", "93": "农民专业合作社",
    "N1": "组级集体经济组织", "N2": "村级集体经济组织", "N3": "乡镇级集体经济组织", "N9": "其他农业登记单位",
}

# GB/T 2260 province codes: the first two digits of every county code.
PROVINCE_CODES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43",
    "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
})


HONG_KONG_MACAO = ("81", "82")

# Digits 7–9 of a town code (统计用区划代码编制规则): 001–099 街道, 100–199 镇, 200–399 乡, 400–599 类似乡级单位
# (开发区等); nothing else is published, so a town number outside 001–599 is refused.
TOWN_NUMBER_KINDS = [(1, 99, "街道"), (100, 199, "镇"), (200, 399, "乡"), (400, 599, "开发区等")]
# Digits 10–12 of a village code: 001–199 居委会/社区, 200–399 村委会, 400–499 类似居委会, 500–599 类似村委会.
# Real codes use all of these (522632210500 摆拉村委会), and the ranges are hints, not rules: any number but
# 000 (the town itself) is a village.
VILLAGE_NUMBER_KINDS = [(1, 199, "居委会/社区"), (200, 399, "村委会"), (400, 499, "类似居委会"),
                        (500, 599, "类似村委会")]


def _kind_of(number: int, kinds: list[tuple[int, int, str]]) -> str | None:
    for low, high, label in kinds:
        if low <= number <= high:
            return label
    return None


def _require_12_digits(code: str) -> None:
    if not isinstance(code, str) or len(code) != 12 or not code.isascii() or not code.isdigit():
        raise ValidationError("区划代码必须是12位数字。", code="division_code_format")


def _require_plausible_county(code: str) -> None:
    """Digits 1–6 must be a GB/T 2260 county: a province, a city of it, a county of the city."""
    if code[:2] not in PROVINCE_CODES:
        raise ValidationError("区划代码前2位 %(province)s 不是省级代码（11–65、71、81、82）。",
                              params={"province": code[:2]}, code="division_code_province")
    # 00 is the province itself, except in 香港 and 澳门, whose districts sit straight under it (810001 中西区).
    if code[2:4] == "00" and code[:2] not in HONG_KONG_MACAO:
        raise ValidationError("区划代码第3–4位（地级）不能为00。", code="division_code_city")


def validate_county_code(code: str) -> None:
    """A county: 6-digit GB/T 2260 code followed by six zeros, e.g. 321182000000."""
    _require_12_digits(code)
    if code[6:] != "000000":
        raise ValidationError("县级区划代码后6位必须为000000（例如 321182000000）。", code="county_code")
    if code[2:6] == "0000":
        raise ValidationError("县级区划代码第3–6位不能全为0。", code="county_code")
    _require_plausible_county(code)


def validate_town_code(code: str) -> None:
    """A town: county's 6 digits, a 3-digit town number in 001–599, then 000."""
    _require_12_digits(code)
    if code[9:] != "000":
        raise ValidationError("乡镇级区划代码后3位必须为000（例如 321182103000）。", code="town_code")
    if _kind_of(int(code[6:9]), TOWN_NUMBER_KINDS) is None:
        raise ValidationError("乡镇代码第7–9位须在001–599之间。", code="town_code")
    _require_plausible_county(code)


def validate_village_code(code: str) -> None:
    """A village: a town's 9 digits and a 3-digit village number other than 000."""
    _require_12_digits(code)
    if code[9:] == "000":
        raise ValidationError("村级代码第10–12位不能为000（000 是乡镇本身的代码）。", code="village_code")
    if code[6:9] == "000":
        raise ValidationError("村级代码第7–9位（所属乡镇）不能为000。", code="village_code")
    _require_plausible_county(code)


def town_kind(code: str) -> str | None:
    return _kind_of(int(code[6:9]), TOWN_NUMBER_KINDS) if len(code) == 12 and code.isdigit() else None


def village_kind(code: str) -> str | None:
    """What the NBS ranges say the village is; None for a number outside them (such codes exist)."""
    return _kind_of(int(code[9:]), VILLAGE_NUMBER_KINDS) if len(code) == 12 and code.isdigit() else None


def organization_code_check_character(first8: str) -> str:
    """GB 11714 check character of an organisation code's 8 characters (digits 0–9, capitals 10–35)."""
    total = sum(int(ch, 36) * w for ch, w in zip(first8, ORGANIZATION_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def credit_code_check_character(first17: str) -> str:
    total = sum(CREDIT_CODE_ALPHABET.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(code: str) -> None:
    """统一社会信用代码: 18 characters from the GB 32100 alphabet; positions 9–17 an organisation code with its
    GB 11714 check character, position 18 the GB 32100 check character over the first 17."""
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
    expected = organization_code_check_character(code[8:16])
    if code[16] != expected:
        raise ValidationError(
            "统一社会信用代码第9–17位（组织机构代码）校验位错误：第17位应为 %(expected)s。",
            params={"expected": expected},
            code="organization_code_check",
        )
    expected = credit_code_check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            "统一社会信用代码校验位错误：最后一位应为 %(expected)s。",
            params={"expected": expected},
            code="credit_code_check",
        )


def credit_code_type(code: str) -> str | None:
    """The kind of body positions 1–2 name (N2 → 村级集体经济组织), None when unknown."""
    return CREDIT_CODE_TYPES.get(code[:2]) if code else None


# Letters and symbols that draw nothing (Hangul fillers, the blank Braille pattern).
_BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def has_visible_text(value) -> bool:
    """Does the text show anything? Spaces, zero-width and direction marks, control characters and lone
    combining marks do not count, so "\u200b" or "　" is no reason."""
    if not isinstance(value, str):
        return False
    return any(unicodedata.category(ch)[0] not in "CZM" and ch not in _BLANK_GLYPHS for ch in value)


def validate_visible_text(value) -> None:
    if not has_visible_text(value):
        raise ValidationError("请填写文字说明（只有空格或不可见字符不算）。", code="blank_text")
