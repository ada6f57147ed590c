import pytest
from django.core.exceptions import ValidationError

from villages.validators import (
    validate_county_code,
    validate_credit_code,
    validate_town_code,
    validate_village_code,
    village_kind,
)


@pytest.mark.parametrize("code", ["321182000000", "410882000000"])
def test_good_county_codes_pass(code):
    validate_county_code(code)


@pytest.mark.parametrize("code", ["321182", "32118200000a", "321182103000", "３２１１８２０００００0", "320000000000"])
def test_bad_county_codes_are_refused(code):
    with pytest.raises(ValidationError):
        validate_county_code(code)


@pytest.mark.parametrize("code", ["321182103000", "410882105000", "410882001000", "410882201000", "321182450000"])
def test_good_town_codes_pass(code):
    validate_town_code(code)


@pytest.mark.parametrize("code,message", [
    ("321182000000", "001–599"),  # town number 000
    ("321182600000", "001–599"),
    ("321182103001", "后3位必须为000"),
    ("32118210300", "12位数字"),
])
def test_bad_town_codes_are_refused_with_a_reason(code, message):
    with pytest.raises(ValidationError, match=message):
        validate_town_code(code)


def test_village_codes_by_range():
    validate_village_code("410882105211")
    validate_village_code("321182103001")
    assert village_kind("410882105211") == "村委会"
    assert village_kind("410882105011") == "居委会/社区"
    # 410882105400 was refused here before; NBS publishes 400–599 (类似居委会/村委会), see test_division_codes.
    for bad in ("410882105000", "41088210521X"):
        with pytest.raises(ValidationError):
            validate_village_code(bad)


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110108551385082Q", ""])
def test_good_credit_codes_pass(code):
    validate_credit_code(code)


@pytest.mark.parametrize("code,message", [
    ("91350100M000100Y44", "校验位错误：最后一位应为 3"),
    ("91350100M000100Y4", "18位"),
    ("91350100M0001O0Y43", "不允许的字符：O"),
    ("91350100m000100y43", "不允许的字符"),
])
def test_bad_credit_codes_are_refused_with_a_reason(code, message):
    with pytest.raises(ValidationError, match=message):
        validate_credit_code(code)
