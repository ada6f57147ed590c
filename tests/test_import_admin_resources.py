"""The admin's django-import-export resources (villages, organisations, enterprises, shares) work,
refuse bad rows, and their export buttons neutralise formula-like text."""

import tablib
from django.core.files.uploadedfile import SimpleUploadedFile

from ledger.admin import ShareResource
from ledger.export_formats import SafeCSV, SafeXLSX
from ledger.models import Share
from tests.factories import make_ledger_year
from villages.admin import EnterpriseResource, PartyOrganizationResource, TownResource, VillageResource
from villages.models import Enterprise, FormerDivisionCode, PartyOrganization, Town, Village


def test_village_resource_imports_new_villages_by_code(world):
    dataset = tablib.Dataset(headers=["code", "name", "town"])
    dataset.append(["321182103230", "红光村", world["baqiao"].pk])
    result = VillageResource().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Village.objects.get(code="321182103230").town == world["baqiao"]


def test_village_resource_trims_the_spaces_around_a_new_villages_cells(world):
    dataset = tablib.Dataset(headers=["code", "name", "town"])
    dataset.append([" 321182103232", " 红星村 ", world["baqiao"].pk])
    result = VillageResource().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Village.objects.get(code="321182103232").name == "红星村"


def test_village_resource_refuses_a_code_outside_its_town(world):
    dataset = tablib.Dataset(headers=["code", "name", "town"])
    dataset.append(["410882105230", "错村", world["baqiao"].pk])  # 紫陵镇's prefix under 八桥镇
    result = VillageResource().import_data(dataset, dry_run=False)
    assert result.has_errors() or result.has_validation_errors()
    assert not Village.objects.filter(code="410882105230").exists()


def test_village_resource_refuses_to_rename_an_existing_village_and_keeps_it_as_it_was(world):
    # A rename is a 区划调整: done on the village's page, which records the former name.
    village = world["villages"]["长胜村"]
    make_ledger_year(village, 2024, {"operating_revenue": 100000})
    dataset = tablib.Dataset(headers=["code", "name", "town"])
    dataset.append([village.code, "长胜新村", world["baqiao"].pk])
    dataset.append(["321182103231", "红旗村", world["baqiao"].pk])
    # As the admin's import page does: a file with refused rows is not written at all.
    result = VillageResource().import_data(dataset, dry_run=False, rollback_on_validation_errors=True)
    assert result.has_validation_errors()
    messages = [str(error) for row in result.invalid_rows for errors in row.error_dict.values() for error in errors]
    assert any("区划调整" in message and village.code in message for message in messages), messages
    village.refresh_from_db()
    assert village.name == "长胜村"
    assert not FormerDivisionCode.objects.filter(village=village).exists()
    assert not Village.objects.filter(code="321182103231").exists()  # the file is refused whole


def test_village_resource_takes_back_its_own_export_unchanged(world):
    exported = VillageResource().export()
    exported.append([world["villages"]["幸福村"].code, " 幸福村 ", world["baqiao"].pk])  # spaces around: the same name
    result = VillageResource().import_data(exported, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert sorted(Village.objects.values_list("code", "name")) == sorted(
        (v.code, v.name) for v in world["villages"].values())


def test_town_resource_refuses_to_rename_an_existing_town(world):
    dataset = tablib.Dataset(headers=["code", "name", "county"])
    dataset.append([world["baqiao"].code, "八桥街道", world["yangzhong"].pk])
    result = TownResource().import_data(dataset, dry_run=False)
    assert result.has_validation_errors()
    assert Town.objects.get(pk=world["baqiao"].pk).name == "八桥镇"


def test_enterprise_organisation_and_share_resources_round_trip(world):
    village = world["villages"]["长胜村"]
    enterprise = Enterprise.objects.create(name="八桥强村公司", kind=Enterprise.Kind.choices[0][0],
                                           county=world["yangzhong"], town=world["baqiao"])
    Share.objects.create(holder=village, enterprise=enterprise, amount=100000, start_year=2021)
    PartyOrganization.objects.create(name="八桥镇联合党委", kind=PartyOrganization.Kind.choices[0][0],
                                     county=world["yangzhong"])
    for resource, model in ((EnterpriseResource(), Enterprise), (PartyOrganizationResource(), PartyOrganization),
                            (ShareResource(), Share)):
        exported = resource.export()
        assert len(exported) == model.objects.count() == 1
        result = resource.import_data(exported, dry_run=True)
        assert not result.has_errors() and not result.has_validation_errors()


def test_admin_export_formats_neutralise_formula_like_text():
    dataset = tablib.Dataset(headers=["name", "note"])
    dataset.append(["=HYPERLINK(\"http://x\")", "@SUM(1)"])
    dataset.append(["长胜村", "-1+1"])
    text = SafeCSV().export_data(tablib.Dataset(*dataset, headers=dataset.headers))
    assert "'=HYPERLINK" in text and "'@SUM(1)" in text and "'-1+1" in text
    from io import BytesIO

    from openpyxl import load_workbook

    data = SafeXLSX().export_data(tablib.Dataset(*dataset, headers=dataset.headers))
    values = [c for row in load_workbook(BytesIO(data)).active.iter_rows(values_only=True) for c in row]
    assert not any(isinstance(v, str) and v.startswith(("=", "@", "-", "+")) for v in values)


def test_the_admins_import_page_shows_the_refused_rename_and_offers_no_confirmation(client, world, people):
    village = world["villages"]["长胜村"]
    client.force_login(people["admin"])
    page = client.get("/admin/villages/village/import/")
    choices = page.context["form"].fields["format"].choices
    csv_choice = next(value for value, label in choices if "csv" in str(label).lower())
    upload = SimpleUploadedFile("villages.csv", f"code,name,town\n{village.code},长胜新村,{world['baqiao'].pk}\n"
                                .encode(), content_type="text/csv")
    response = client.post("/admin/villages/village/import/", {"import_file": upload, "format": csv_choice})
    text = response.content.decode()
    assert response.status_code == 200 and "区划调整" in text
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    village.refresh_from_db()
    assert village.name == "长胜村"
