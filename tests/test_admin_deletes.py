"""Deletes in the admin respect the workflow and leave a trace: a draft village-year goes with the
history of its lines; a submitted or approved one is refused, alone or in 删除所选; a share or an
enterprise that lines name is refused (PROTECT) with how many lines and years refer to it."""

from decimal import Decimal

import pytest
from django.db.models import ProtectedError
from django.urls import reverse

from ledger.models import LedgerLine, LedgerYear, Share
from villages.models import Enterprise

from .factories import make_ledger_year


@pytest.fixture
def admin_client(client, people):
    client.force_login(people["admin"])
    return client


def _bulk_delete(client, queryset):
    return client.post(reverse("admin:ledger_ledgeryear_changelist"), {
        "action": "delete_selected", "_selected_action": [ly.pk for ly in queryset], "post": "yes"})


def test_deleting_a_draft_year_in_the_admin_keeps_the_history_of_its_lines(world, admin_client, people):
    ly = make_ledger_year(world["villages"]["长胜村"], 2024, {"operating_revenue": "100", "other_income": "5"})
    url = reverse("admin:ledger_ledgeryear_delete", args=[ly.pk])
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not LedgerYear.objects.filter(pk=ly.pk).exists() and not LedgerLine.objects.exists()
    gone = LedgerLine.history.filter(ledger_year_id=ly.pk, history_type="-")
    assert gone.count() == 2 and {h.history_user for h in gone} == {people["admin"]}
    assert {h.history_source for h in gone} == {"admin"}
    assert LedgerYear.history.filter(id=ly.pk, history_type="-").get().history_change_reason == "管理后台删除"


@pytest.mark.parametrize("status", ["submitted", "approved"])
def test_a_submitted_or_approved_year_cannot_be_deleted_alone_or_in_bulk(world, admin_client, status):
    closed = make_ledger_year(world["villages"]["长胜村"], 2024, {"operating_revenue": "100"}, status=status)
    draft = make_ledger_year(world["villages"]["幸福村"], 2024, {"other_income": "5"})
    assert admin_client.post(reverse("admin:ledger_ledgeryear_delete", args=[closed.pk]),
                             {"post": "yes"}).status_code == 403
    response = _bulk_delete(admin_client, [closed, draft])
    page = response.content.decode()
    assert response.status_code == 200 and "不能删除" in page  # the confirmation page, refusing
    assert LedgerYear.objects.filter(pk__in=[closed.pk, draft.pk]).count() == 2  # all or nothing
    assert LedgerLine.objects.count() == 2


def test_bulk_delete_of_drafts_goes_through_the_service(world, admin_client):
    years = [make_ledger_year(world["villages"][name], 2024, {"other_income": "5"}) for name in ("长胜村", "幸福村")]
    assert _bulk_delete(admin_client, years).status_code == 302
    assert not LedgerYear.objects.exists()
    assert LedgerLine.history.filter(history_type="-").count() == 2


@pytest.fixture
def sourced(world):
    village = world["villages"]["长胜村"]
    firm = Enterprise.objects.create(name="八桥工业园", kind="state", county=world["yangzhong"])
    share = Share.objects.create(holder=village, enterprise=firm, amount=Decimal("1000000"), start_year=2020)
    ly = make_ledger_year(village, 2024, {"investment_income": "5"}, status="approved")
    LedgerLine.objects.filter(ledger_year=ly).update(share=share, enterprise=firm)
    return {"share": share, "firm": firm, "ly": ly}


def test_share_named_by_lines_cannot_be_deleted_and_the_admin_says_how_many(sourced, admin_client):
    share = sourced["share"]
    url = reverse("admin:ledger_share_delete", args=[share.pk])
    page = admin_client.get(url).content.decode()
    assert "有 1 条台账明细（涉及 1 个村年度账）" in page
    admin_client.post(url, {"post": "yes"})
    assert Share.objects.filter(pk=share.pk).exists()
    assert LedgerLine.objects.get(ledger_year=sourced["ly"]).share_id == share.pk  # the approved line untouched
    with pytest.raises(ProtectedError):
        share.delete()  # not by any other path either


def test_enterprise_named_by_lines_cannot_be_deleted(sourced, admin_client):
    firm = sourced["firm"]
    sourced["share"].lines.update(share=None)
    Share.objects.filter(pk=sourced["share"].pk).delete()
    url = reverse("admin:villages_enterprise_delete", args=[firm.pk])
    page = admin_client.get(url).content.decode()
    assert "有 1 条台账明细（涉及 1 个村年度账）" in page
    admin_client.post(url, {"post": "yes"})
    assert Enterprise.objects.filter(pk=firm.pk).exists()
    assert LedgerLine.objects.get(ledger_year=sourced["ly"]).enterprise_id == firm.pk
