"""区划调整: moving, merging, renaming and recoding villages and towns keeps every copy true (the
village-years' town and county, with history) and the old codes known, so old ledgers still import."""

from decimal import Decimal

import pytest
from django.urls import reverse

from ledger import relocations, services
from ledger.importing import services as imports
from ledger.models import LedgerLine, LedgerYear, Share
from villages.models import Enterprise, FormerDivisionCode, Village

from .factories import make_ledger_year, make_town
from .importfiles import csv_bytes

HEADER = ["年度", "乡镇", "区划代码", "村", "科目", "项目", "金额(元)"]


def old_ledger(code, name, town="", year=2022, amount="100"):
    return csv_bytes([HEADER, [year, town, code, name, "经营收入", "", amount]])


def test_moving_a_village_moves_its_years_copies_with_history_and_keeps_the_old_code(world, people):
    village, xinba = world["villages"]["八桥村"], world["xinba"]
    old_code = village.code
    approved = make_ledger_year(village, 2022, {"operating_revenue": "5"}, status="approved")
    draft = make_ledger_year(village, 2023, {"operating_revenue": "7"})
    relocations.village_change(village=village, town=xinba, code=f"{xinba.prefix}260", actor=people["admin"],
                               reason="扬政复〔2024〕1号")
    for ly in (approved, draft):
        ly.refresh_from_db()
        assert (ly.town_id, ly.county_id) == (xinba.pk, xinba.county_id)
        assert LedgerYear.history.filter(id=ly.pk).latest("history_date").town_id == xinba.pk
    assert approved.status == "approved" and approved.total_income == Decimal("5.00")  # content untouched
    former = FormerDivisionCode.objects.get(village=village)
    assert (former.code, former.name, former.change) == (old_code, "八桥村", "move")

    # A ledger written before the move, with the old code and town, imports into the moved village.
    check, batch = imports.import_ledger_file(data=old_ledger(old_code, "八桥村", year=2021), filename="旧.csv")
    assert check.ok, [str(p) for p in check.problems]
    assert LedgerYear.objects.get(village=village, year=2021).town_id == xinba.pk


def test_a_move_needs_a_code_of_the_new_town(world):
    with pytest.raises(services.LedgerError, match="新区划代码"):
        relocations.village_change(village=world["villages"]["八桥村"], town=world["xinba"])


def test_renamed_and_recoded_village_imports_from_a_ledger_with_its_old_code_and_name(world):
    village = world["villages"]["长胜村"]
    old_code = village.code
    relocations.village_change(village=village, name="长胜社区", code=village.code[:9] + "150")
    check, _ = imports.import_ledger_file(data=old_ledger(old_code, "长胜村"), filename="旧.csv")
    assert check.ok, [str(p) for p in check.problems]
    assert LedgerYear.objects.filter(village=village, year=2022).exists()
    # Today's code with a name it never had is still a mismatch.
    check, _ = imports.import_ledger_file(data=old_ledger(village.code, "幸福村"), filename="旧.csv")
    assert not check.ok


def test_merging_villages_with_years_of_the_same_year_is_refused(world):
    a, b = world["villages"]["长胜村"], world["villages"]["幸福村"]
    make_ledger_year(a, 2023, {"operating_revenue": "5"})
    make_ledger_year(b, 2023, {"operating_revenue": "7"})
    with pytest.raises(services.LedgerError, match="2023 年"):
        relocations.village_merge(village=a, into=b)
    assert Village.objects.filter(pk=a.pk).exists()


def test_merging_a_village_moves_its_years_shares_and_enterprises_and_keeps_its_code(world, people):
    a, b = world["villages"]["长胜村"], world["villages"]["新坝村"]
    ly = make_ledger_year(a, 2022, {"operating_revenue": "5"}, status="approved")
    firm = Enterprise.objects.create(name="长胜股份经济合作社", kind="joint_stock_coop", county=world["yangzhong"],
                                     town=world["baqiao"], village=a)
    share = Share.objects.create(holder=a, enterprise=firm, amount=Decimal("100"), start_year=2020)
    old_code = a.code
    relocations.village_merge(village=a, into=b, actor=people["admin"])
    ly.refresh_from_db()
    firm.refresh_from_db()
    share.refresh_from_db()
    assert not Village.objects.filter(pk=a.pk).exists()
    assert (ly.village_id, ly.town_id) == (b.pk, world["xinba"].pk) and ly.status == "approved"
    assert (firm.village_id, firm.town_id, share.holder_id) == (b.pk, world["xinba"].pk, b.pk)
    assert LedgerLine.objects.filter(ledger_year=ly).count() == 1
    check, _ = imports.import_ledger_file(data=old_ledger(old_code, "长胜村", year=2021), filename="旧.csv")
    assert check.ok and LedgerYear.objects.filter(village=b, year=2021).exists()


def test_recoding_a_town_recodes_its_villages_and_old_codes_still_import(world):
    baqiao = world["baqiao"]
    old_town_code = baqiao.code
    old_village_code = world["villages"]["幸福村"].code
    relocations.town_change(town=baqiao, code=f"{baqiao.county.prefix}110000")
    village = Village.objects.get(pk=world["villages"]["幸福村"].pk)
    assert village.code == f"{baqiao.county.prefix}110202"
    check, _ = imports.import_ledger_file(data=old_ledger(old_village_code, "幸福村", town=old_town_code),
                                          filename="旧.csv")
    assert check.ok, [str(p) for p in check.problems]


def test_moving_a_town_to_another_county_moves_every_county_copy(world, people):
    town, qinyang = world["xinba"], world["qinyang"]
    ly = make_ledger_year(world["villages"]["新坝村"], 2023, {"operating_revenue": "5"})
    relocations.town_change(town=town, county=qinyang, code=f"{qinyang.prefix}199000")
    ly.refresh_from_db()
    people["erin"].role.refresh_from_db()
    assert ly.county_id == qinyang.pk and people["erin"].role.county_id == qinyang.pk
    assert Village.objects.get(pk=world["villages"]["新坝村"].pk).code.startswith(f"{qinyang.prefix}199")


# The admin's Village and Town pages go through the services.

def _village_post(client, village, **changes):
    data = {"town": village.town_id, "code": village.code, "name": village.name, "merge_into": "",
            "change_reason": "", "former_codes-TOTAL_FORMS": 0, "former_codes-INITIAL_FORMS": 0,
            "former_codes-MIN_NUM_FORMS": 0, "former_codes-MAX_NUM_FORMS": 1000, **changes}
    return client.post(reverse("admin:villages_village_change", args=[village.pk]), data)


def test_admin_move_of_a_village_updates_its_years_and_records_the_old_code(world, people, client):
    village, xinba = world["villages"]["八桥村"], world["xinba"]
    ly = make_ledger_year(village, 2023, {"operating_revenue": "5"}, status="approved")
    client.force_login(people["admin"])
    response = _village_post(client, village, town=xinba.pk, code=f"{xinba.prefix}261", change_reason="撤并")
    assert response.status_code == 302, response.content.decode()[:3000]
    ly.refresh_from_db()
    assert ly.town_id == xinba.pk
    assert FormerDivisionCode.objects.get(village=village).reason == "撤并"


def test_admin_merge_with_years_of_the_same_year_is_refused_with_a_form_error(world, people, client):
    a, b = world["villages"]["长胜村"], world["villages"]["幸福村"]
    make_ledger_year(a, 2023, {"operating_revenue": "5"})
    make_ledger_year(b, 2023, {"operating_revenue": "7"})
    client.force_login(people["admin"])
    response = _village_post(client, a, merge_into=b.code)
    assert response.status_code == 200 and "不能直接合并" in response.content.decode()
    assert Village.objects.filter(pk=a.pk).exists()
    b_years = LedgerYear.objects.filter(village=b)
    assert b_years.count() == 1


def test_admin_merge_redirects_to_the_village_it_went_into(world, people, client):
    a, b = world["villages"]["长胜村"], world["villages"]["幸福村"]
    make_ledger_year(a, 2022, {"operating_revenue": "5"})
    client.force_login(people["admin"])
    response = _village_post(client, a, merge_into=b.code)
    assert response.status_code == 302 and response.url == reverse("admin:villages_village_change", args=[b.pk])
    assert LedgerYear.objects.get(year=2022).village_id == b.pk


def test_admin_town_move_goes_through_the_service(world, people, client):
    town = make_town(world["yangzhong"], 105, "油坊镇")
    village = Village.objects.create(town=town, code=f"{town.prefix}201", name="油坊村")
    ly = make_ledger_year(village, 2023, {"operating_revenue": "5"})
    client.force_login(people["admin"])
    qinyang = world["qinyang"]
    response = client.post(reverse("admin:villages_town_change", args=[town.pk]), {
        "county": qinyang.pk, "code": f"{qinyang.prefix}198000", "name": "油坊镇", "change_reason": "",
        "former_codes-TOTAL_FORMS": 0, "former_codes-INITIAL_FORMS": 0, "former_codes-MIN_NUM_FORMS": 0,
        "former_codes-MAX_NUM_FORMS": 1000})
    assert response.status_code == 302, response.content.decode()[:3000]
    ly.refresh_from_db()
    assert ly.county_id == qinyang.pk
