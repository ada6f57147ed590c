"""Database constraints: no path (admin, bulk write, shell) can store nonsense."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ledger.models import LedgerLine, LedgerYear, Share
from villages.models import County, Enterprise, Town, UserRole, Village

from .factories import item_for_year, make_ledger_year


def refused(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_negative_line_amount_is_refused_by_the_database(world):
    ly = make_ledger_year(world["villages"]["长胜村"], 2023, {"operating_revenue": "10"})
    line = ly.lines.get()
    refused(lambda: LedgerLine.objects.filter(pk=line.pk).update(amount=Decimal("-1")))
    refused(lambda: LedgerLine.objects.bulk_create([
        LedgerLine(ledger_year=ly, item=item_for_year(2023, "other_income"), amount=Decimal("-0.01"))]))
    assert ly.lines.get().amount == Decimal("10.00")


def test_duplicate_line_for_the_same_item_and_project_is_refused(world):
    ly = make_ledger_year(world["villages"]["长胜村"], 2023, {("contract_remittance", "厂房租金"): "10"})
    refused(lambda: LedgerLine.objects.create(ledger_year=ly, item=item_for_year(2023, "contract_remittance"),
                                              name="厂房租金", amount=Decimal(5)))


def test_year_outside_the_sensible_range_is_refused(world):
    ly = make_ledger_year(world["villages"]["长胜村"], 2023)
    refused(lambda: LedgerYear.objects.filter(pk=ly.pk).update(year=1899))
    refused(lambda: LedgerYear.objects.filter(pk=ly.pk).update(status="published"))


def test_one_ledger_year_per_village_and_year(world):
    ly = make_ledger_year(world["villages"]["长胜村"], 2023)
    refused(lambda: LedgerYear.objects.create(village=ly.village, year=2023, system=ly.system, town=ly.town,
                                              county=ly.county))


def test_division_codes_are_checked_by_the_database(world):
    refused(lambda: County.objects.create(code="32118X000000", name="坏县"))
    refused(lambda: Town.objects.create(code="321182103001", name="坏镇", county=world["yangzhong"]))
    refused(lambda: Village.objects.create(code="321182103000", name="坏村", town=world["baqiao"]))
    refused(lambda: Village.objects.create(code="321182103201", name="重复代码村", town=world["baqiao"]))


def test_village_code_must_start_with_its_towns_code(world):
    village = Village(code="321182101299", name="错镇村", town=world["baqiao"])
    with pytest.raises(ValidationError, match="321182103"):
        village.full_clean()
    town = Town(code="410882109000", name="错县镇", county=world["yangzhong"])
    with pytest.raises(ValidationError, match="321182"):
        town.full_clean()


def test_share_percentage_and_years_are_checked(world):
    enterprise = Enterprise.objects.create(name="强村公司", kind="strong_village_company", county=world["yangzhong"])
    holder = world["villages"]["长胜村"]
    refused(lambda: Share.objects.create(holder=holder, enterprise=enterprise, percentage=Decimal("100.01"),
                                         start_year=2022))
    refused(lambda: Share.objects.create(holder=holder, enterprise=enterprise, start_year=2022))
    refused(lambda: Share.objects.create(holder=holder, enterprise=enterprise, amount=1, start_year=2022,
                                         end_year=2021))
    refused(lambda: Share.objects.create(holder=holder, enterprise=enterprise, amount=-5, start_year=2022))
    share = Share.objects.create(holder=holder, enterprise=enterprise, percentage=Decimal("25"), start_year=2022)
    assert share.covers(2024) and not share.covers(2021)


def test_credit_code_unique_and_well_formed_in_the_database(world):
    Enterprise.objects.create(name="甲", kind="private", county=world["yangzhong"], credit_code="91350100M000100Y43")
    refused(lambda: Enterprise.objects.create(name="乙", kind="private", county=world["yangzhong"],
                                              credit_code="91350100M000100Y43"))
    refused(lambda: Enterprise.objects.create(name="丙", kind="private", county=world["yangzhong"],
                                              credit_code="91350100M000100YI3"))
    # Several enterprises without a code are fine.
    Enterprise.objects.create(name="丁", kind="private", county=world["yangzhong"])
    Enterprise.objects.create(name="戊", kind="private", county=world["yangzhong"])


def test_town_roles_need_a_town(world, django_user_model):
    user = django_user_model.objects.create_user("x")
    refused(lambda: UserRole.objects.create(user=user, role="cadre", county=world["yangzhong"]))
    refused(lambda: UserRole.objects.create(user=user, role="official"))
