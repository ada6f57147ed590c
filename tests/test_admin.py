"""The admin works for every model (the foundation's user interface until the pages land)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from .factories import make_ledger_year


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_admin_changelist_loads_for_every_model(client, people, world, model):
    make_ledger_year(world["villages"]["长胜村"], 2023, {"operating_revenue": "100"})
    client.force_login(people["admin"])
    opts = model._meta
    response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), {"q": "长胜"})
    assert response.status_code == 200
    assert "管理后台" in response.content.decode() or "村级集体经济" in response.content.decode()


def test_admin_edit_of_a_ledger_year_goes_through_the_service(client, people, world):
    from ledger.models import LedgerLine

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
