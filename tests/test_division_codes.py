"""Official identifiers: every real 统计用区划代码 passes, what cannot be one is refused (validators and
database); a credit code's 组织机构代码 part carries its own GB 11714 check; the demo's codes are valid."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ledger.demo import credit_code
from villages.models import County, Enterprise, Town, Village
from villages.validators import (
    credit_code_check_character,
    organization_code_check_character,
    validate_county_code,
    validate_credit_code,
    validate_town_code,
    validate_village_code,
    village_kind,
)


@pytest.mark.parametrize("code,kind", [
    ("522632210500", "类似村委会"),  # 榕江县 … 摆拉村委会, a real village-level code outside 001–399
    ("110101001001", "居委会/社区"),
    ("441900003401", "类似居委会"),  # 东莞市: a city without counties, county digits 00
    ("659001500501", "类似村委会"),
    ("321182103699", None),  # outside the published ranges, yet a code: kept, kind unknown
])
def test_real_village_codes_outside_001_399_are_accepted(code, kind):
    validate_village_code(code)
    assert village_kind(code) == kind


@pytest.mark.parametrize("code,message", [
    ("522632210000", "不能为000"),
    ("522632000201", "第7–9位"),
    ("992632210201", "不是省级代码"),
    ("002632210201", "不是省级代码"),
    ("520032210201", "第3–4位"),
    ("52263221050", "12位数字"),
])
def test_what_cannot_be_a_village_code_is_refused_with_a_reason(code, message):
    with pytest.raises(ValidationError, match=message):
        validate_village_code(code)


@pytest.mark.parametrize("code", ["441900000000", "429004000000", "659001000000", "810001000000"])
def test_county_codes_of_every_shape_pass(code):
    validate_county_code(code)


@pytest.mark.parametrize("code,message", [
    ("981182000000", "不是省级代码"),
    ("320082000000", "第3–4位"),
    ("721182000000", "不是省级代码"),
])
def test_county_codes_outside_gb_t_2260_are_refused(code, message):
    with pytest.raises(ValidationError, match=message):
        validate_county_code(code)


def test_town_codes_need_a_plausible_county_too():
    validate_town_code("522632210000")
    with pytest.raises(ValidationError, match="不是省级代码"):
        validate_town_code("992632210000")


def refused(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_the_database_takes_real_village_codes_and_refuses_impossible_ones(world):
    guizhou = County.objects.create(code="522632000000", name="榕江县")
    town = Town.objects.create(code="522632210000", name="兴华乡", county=guizhou)
    Village.objects.create(code="522632210500", name="摆拉村委会", town=town)
    assert Village.objects.filter(code="522632210500").exists()
    refused(lambda: County.objects.create(code="320082000000", name="坏县"))
    refused(lambda: Town.objects.create(code="522632600000", name="坏镇", county=guizhou))
    refused(lambda: Town.objects.create(code="522632000000", name="坏镇", county=guizhou))
    refused(lambda: Village.objects.create(code="522632000201", name="坏村", town=town))


def test_a_village_code_with_500_passes_the_admin_form_validation(world):
    guizhou = County.objects.create(code="522632000000", name="榕江县")
    town = Town.objects.create(code="522632210000", name="兴华乡", county=guizhou)
    Village(code="522632210500", name="摆拉村委会", town=town).full_clean()


def with_checks(first16: str) -> str:
    body = first16 + organization_code_check_character(first16[8:16])
    return body + credit_code_check_character(body)


def test_organization_code_check_digit_follows_gb_11714():
    # Published codes: 91350100M000100Y43 (M000100Y-4), 91110108551385082Q (55138508-2).
    assert organization_code_check_character("M000100Y") == "4"
    assert organization_code_check_character("55138508") == "2"
    # 11 − Σ mod 11 gives 10 → X and 11 → 0.
    assert {organization_code_check_character(f"{n:08d}") for n in range(200)} >= {"X", "0"}


def test_a_credit_code_whose_organization_code_check_is_wrong_is_refused():
    good = with_checks("9135010055138508")
    validate_credit_code(good)
    for wrong in "013456789X":
        body = good[:16] + wrong
        if wrong == good[16]:
            continue
        # The last character is right for the first 17, so only the organisation-code check can catch it.
        with pytest.raises(ValidationError, match="第17位应为 2"):
            validate_credit_code(body + credit_code_check_character(body))


@pytest.mark.parametrize("pattern", ["N2321182MA000001A", "N2321182MA000007A", "91410882MA000003Q",
                                     "91410882MA000004Q"])
def test_demo_credit_codes_are_valid_under_both_checks(pattern):
    validate_credit_code(credit_code(pattern))


@pytest.mark.parametrize("kind,prefix,warned", [
    ("joint_stock_coop", "N2", False),
    ("joint_stock_coop", "91", True),
    ("specialized_coop", "93", False),
    ("specialized_coop", "N2", True),
    ("strong_village_company", "91", False),
    ("strong_village_company", "93", True),
    ("other", "93", False),
])
def test_a_credit_code_type_that_does_not_fit_the_kind_is_a_warning(world, kind, prefix, warned):
    enterprise = Enterprise(name="某合作社", kind=kind, county=world["yangzhong"],
                            credit_code=with_checks(f"{prefix}321182MA000001"))
    enterprise.full_clean()  # a warning, never a refusal
    warning = enterprise.credit_code_warning()
    assert (warning is not None) == warned
    if warned:
        assert prefix in warning and enterprise.get_kind_display() in warning
