"""The admin's django-import-export resources (villages, organisations, enterprises, shares) work,
refuse bad rows, and their export buttons neutralise formula-like text."""

import tablib

from ledger.admin import ShareResource
from ledger.export_formats import SafeCSV, SafeXLSX
from ledger.models import Share
from villages.admin import EnterpriseResource, PartyOrganizationResource, VillageResource
from villages.models import Enterprise, PartyOrganization, Village


def test_village_resource_imports_new_villages_by_code(world):
    dataset = tablib.Dataset(headers=["code", "name", "town"])
    dataset.append(["321182103230", "红光村", world["baqiao"].pk])
    result = VillageResource().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Village.objects.get(code="321182103230").town == world["baqiao"]


def test_village_resource_refuses_a_code_outside_its_town(world):
    dataset = tablib.Dataset(headers=["code", "name", "town"])
    dataset.append(["410882105230", "错村", world["baqiao"].pk])  # 紫陵镇's prefix under 八桥镇
    result = VillageResource().import_data(dataset, dry_run=False)
    assert result.has_errors() or result.has_validation_errors()
    assert not Village.objects.filter(code="410882105230").exists()


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
