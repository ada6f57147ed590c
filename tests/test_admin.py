"""The admin: every list shows its rows, only those the user's role covers; the reference data is shown
but cannot be changed there; edits of the accounts go through the service."""

import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib import admin
from django.urls import reverse

from ledger.export_formats import SafeCSV, SafeXLSX
from ledger.models import (
    AccountingSystem,
    LedgerLine,
    LedgerRules,
    LedgerYear,
    LedgerYearEvent,
    LineItem,
    Metric,
    MetricTerm,
    Share,
)
from ledger.roles import grant_role_permissions, sync_role_groups
from villages.models import County, Enterprise, PartyOrganization, PartyOrganizationMembership, Town, Village

from .factories import make_ledger_year

PROJECT_APPS = {"villages", "ledger", "dashboards"}


@pytest.fixture
def rows(world, people):
    """Rows of every kind on both sides of the county line, and of the town line inside 扬中市."""
    villages = world["villages"]
    for town in (world["baqiao"], world["xinba"], world["ziling"]):
        firm = Enterprise.objects.create(name=f"{town.name}强村公司", kind=Enterprise.Kind.STRONG_VILLAGE_COMPANY,
                                         county=town.county, town=town)
        PartyOrganization.objects.create(name=f"{town.name}党委", kind=PartyOrganization.Kind.FUNCTIONAL,
                                         county=town.county, town=town)
        holder = next(v for v in villages.values() if v.town_id == town.pk)
        Share.objects.create(holder=holder, enterprise=firm, amount=Decimal("100000"), start_year=2021)
        make_ledger_year(holder, 2023, {"operating_revenue": "100", "other_income": "5"})
    # County-wide organisations (no town): one over a village of 八桥镇, one over 新坝镇's only.
    for name, village in (("扬中市长胜联合党委", villages["长胜村"]), ("扬中市新坝联合党委", villages["新坝村"])):
        org = PartyOrganization.objects.create(name=name, kind=PartyOrganization.Kind.JOINT_COMMITTEE,
                                               county=world["yangzhong"])
        PartyOrganizationMembership.objects.create(organization=org, village=village)
    for county in (world["yangzhong"], world["qinyang"]):
        LedgerRules.objects.create(county=county, line_ratio=Decimal("4"))
    groups = sync_role_groups()
    for user in people.values():
        grant_role_permissions(user, groups=groups)
    return people


def shown_rows(client, model) -> set[str]:
    """The primary keys of the rows a changelist shows (each row links to its object)."""
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    response = client.get(changelist)
    assert response.status_code == 200
    return set(re.findall(re.escape(changelist) + r'([^/"]+)/change/', response.content.decode()))


def keys(objects) -> set[str]:
    return {str(obj.pk) for obj in objects}


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_administrator_sees_every_row_of_every_model(client, rows, model):
    client.force_login(rows["admin"])
    expected = keys(model._default_manager.all())
    if model._meta.app_label in PROJECT_APPS and model._meta.model_name != "tierscheme":
        assert expected, "the fixture should give this model rows"
    assert shown_rows(client, model) == expected


def county_of(obj) -> County:
    """The county an object belongs to, found by walking its relations (not through the admin's scope)."""
    for path in ("county", "town.county", "holder.town.county", "village.town.county",
                 "ledger_year.village.town.county"):
        target = obj
        try:
            for name in path.split("."):
                target = getattr(target, name)
        except AttributeError:
            continue
        if isinstance(target, County):
            return target
    assert isinstance(obj, County), obj
    return obj


SCOPED_MODELS = [County, Town, Village, PartyOrganization, Enterprise, Share, LedgerYear, LedgerLine,
                 LedgerYearEvent, LedgerRules]


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda m: m._meta.label)
def test_county_official_sees_only_their_countys_rows(client, rows, world, model):
    client.force_login(rows["carol"])
    mine = [obj for obj in model._default_manager.all() if county_of(obj) == world["yangzhong"]]
    others = [obj for obj in model._default_manager.all() if county_of(obj) != world["yangzhong"]]
    assert mine and others
    assert shown_rows(client, model) == keys(mine)


def in_baqiao(obj, world) -> bool:
    baqiao = world["baqiao"]
    if isinstance(obj, County):
        return obj == baqiao.county
    if isinstance(obj, Town):
        return obj == baqiao
    if isinstance(obj, Village):
        return obj.town == baqiao
    if isinstance(obj, Share):
        return obj.holder.town == baqiao
    if isinstance(obj, PartyOrganization):
        # Its own organisations, and those over any of its villages.
        return obj.town == baqiao or any(v.town == baqiao for v in obj.villages.all())
    return obj.town == baqiao


@pytest.mark.parametrize("model", [County, Town, Village, PartyOrganization, Enterprise, Share],
                         ids=lambda m: m._meta.label)
def test_town_cadre_sees_only_their_towns_rows(client, rows, world, model):
    client.force_login(rows["alice"])
    mine = [obj for obj in model._default_manager.all() if in_baqiao(obj, world)]
    assert mine and len(mine) < model._default_manager.count()
    assert shown_rows(client, model) == keys(mine)


@pytest.mark.parametrize("model", [LedgerYear, LedgerLine, AccountingSystem], ids=lambda m: m._meta.label)
def test_town_cadre_has_no_admin_list_of_the_accounts(client, rows, model):
    client.force_login(rows["alice"])
    opts = model._meta
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == 403


REFERENCE = [
    pytest.param(AccountingSystem, {"code": "2023"}, "农村集体经济组织会计制度", id="AccountingSystem"),
    pytest.param(LineItem, {"system__code": "2004", "code": "contract_remittance"}, "发包及上交收入", id="LineItem"),
    pytest.param(Metric, {"code": "operating_income"}, "经营性收入", id="Metric"),
]


@pytest.mark.parametrize(("model", "lookup", "text"), REFERENCE)
@pytest.mark.parametrize("who", ["admin", "carol"])
def test_reference_data_is_shown_but_cannot_be_added_changed_or_deleted(client, rows, model, lookup, text, who):
    obj = model.objects.get(**lookup)
    opts = model._meta
    url = f"admin:{opts.app_label}_{opts.model_name}"
    before = (list(AccountingSystem.objects.values()), list(LineItem.objects.values()),
              list(Metric.objects.values()), list(MetricTerm.objects.values()))
    client.force_login(rows[who])

    listing = client.get(reverse(f"{url}_changelist")).content.decode()
    assert text in listing
    assert reverse(f"{url}_add") not in listing and 'value="delete_selected"' not in listing
    page = client.get(reverse(f"{url}_change", args=[obj.pk]))
    assert page.status_code == 200 and text in page.content.decode()
    html = page.content.decode()
    # Read-only: no save button, no field to type in, not even in the inlines.
    assert 'name="_save"' not in html
    assert 'name="name"' not in html and 'name="items-0-name"' not in html and 'name="terms-0-sign"' not in html

    assert client.get(reverse(f"{url}_add")).status_code == 403
    assert client.post(reverse(f"{url}_add"), {"name": "新制度", "code": "x"}).status_code == 403
    assert client.post(reverse(f"{url}_change", args=[obj.pk]), {"name": "改过的名字"}).status_code == 403
    assert client.post(reverse(f"{url}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
    client.post(reverse(f"{url}_changelist"), {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"})
    assert before == (list(AccountingSystem.objects.values()), list(LineItem.objects.values()),
                      list(Metric.objects.values()), list(MetricTerm.objects.values()))


def test_admin_edit_of_a_ledger_year_goes_through_the_service(client, people, world):
    ly = make_ledger_year(world["villages"]["长胜村"], 2023, {"operating_revenue": "100"})
    line = ly.lines.get()
    client.force_login(people["admin"])
    url = reverse("admin:ledger_ledgeryear_change", args=[ly.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "village": ly.village_id, "year": 2023, "opened_version": ly.version,  # the page's hidden field
        "lines-TOTAL_FORMS": 1, "lines-INITIAL_FORMS": 1, "lines-MIN_NUM_FORMS": 0, "lines-MAX_NUM_FORMS": 1000,
        "lines-0-id": line.pk, "lines-0-ledger_year": ly.pk, "lines-0-item": line.item_id, "lines-0-name": "",
        "lines-0-amount": "250.00", "lines-0-note": "",
        "events-TOTAL_FORMS": 1, "events-INITIAL_FORMS": 1, "events-MIN_NUM_FORMS": 0, "events-MAX_NUM_FORMS": 1000,
        "events-0-id": ly.events.get().pk, "events-0-ledger_year": ly.pk,
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    ly.refresh_from_db()
    assert ly.operating_income == 250
    latest = LedgerLine.history.filter(ledger_year_id=ly.pk).latest("history_date")
    assert (latest.history_source, latest.amount, latest.history_user) == ("admin", 250, people["admin"])


def test_pages_are_chinese_even_for_an_english_browser(client, people):
    client.force_login(people["admin"])
    response = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    client.post(reverse("set_language"), {"language": "en", "next": "/admin/"})
    response = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response["Content-Language"] == "en"


def test_admin_exports_offer_only_the_formats_that_neutralise_formulas(client, rows):
    for model in (Village, Share):
        assert admin.site._registry[model].get_export_formats() == [SafeXLSX, SafeCSV]
    client.force_login(rows["admin"])
    page = client.get(reverse("admin:villages_village_export")).content.decode()
    assert "xlsx" in page and "csv" in page and "json" not in page


@pytest.mark.parametrize("module", ["config.settings.base", "config.settings.test", "config.settings.production"])
def test_settings_import_no_app_code(module):
    probe = ("import importlib, sys; importlib.import_module(sys.argv[1]); "
             "print(' '.join(sorted({name.split('.')[0] for name in sys.modules})))")
    env = {**os.environ, "SECRET_KEY": "probe-" + "abcdefghij" * 5, "DATABASE_URL": "postgres://x@127.0.0.1:9/x"}
    result = subprocess.run([sys.executable, "-c", probe, module], env=env, capture_output=True, text=True, timeout=60,
                            cwd=Path(__file__).resolve().parents[1])
    assert result.returncode == 0, result.stderr
    loaded = set(result.stdout.split())
    assert "django" in loaded  # the probe saw the modules settings need
    assert not loaded & PROJECT_APPS
