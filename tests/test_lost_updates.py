"""No lost update, no rewrite under review: a write holds only against what its writer saw.

- A page opened before the year existed (version 0) does not overwrite a year an import wrote since.
- An import does not rewrite a 已提交 year (listed with village, year and row), nor a year written
  between its preview and its confirmation.
"""

from decimal import Decimal

import pytest
from django.test import Client

from ledger import services
from ledger.importing import services as imports
from ledger.models import ImportBatch, LedgerLine, LedgerYear

from .entry_helpers import statement_data, village_year_url
from .factories import item_for_year, make_ledger_year
from .importfiles import MESSY_WIDE_MERGES, messy_wide_rows, xlsx


def messy_file(year=2023):
    return xlsx(("收益分配", messy_wide_rows(year)), merges=MESSY_WIDE_MERGES)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _lines(ledger_year):
    return sorted(ledger_year.lines.values_list("item__code", "name", "amount"))


def test_page_opened_before_an_import_created_the_year_gets_the_conflict_not_the_import_replaced(world, people):
    changsheng = world["villages"]["长胜村"]
    alice = client_for(people["alice"])
    url = village_year_url(changsheng, 2023)
    assert 'name="version" value="0"' in alice.get(url).content.decode()  # no year yet
    check, batch = imports.import_ledger_file(data=messy_file(), filename="八桥镇.xlsx", actor=people["dave"])
    imported = LedgerYear.objects.get(village=changsheng, year=2023)
    assert batch.status == ImportBatch.Status.APPLIED and imported.version == 1  # inserted with its figures
    before = _lines(imported)

    response = alice.post(url, statement_data(2023, {"operating_revenue": "9"}, version=0))
    page = response.content.decode()
    assert response.status_code == 409
    assert "已被他人修改" in page and "还不存在" in page
    assert 'value="9"' in page  # the typing stays on screen
    imported.refresh_from_db()
    assert _lines(imported) == before and imported.version == 1
    assert f'name="version" value="{imported.version}"' in page  # saving again is now a deliberate choice


@pytest.mark.parametrize("content", [{}, {"other_income": "5"}])
def test_version_zero_holds_only_for_a_year_still_empty_and_unwritten(world, people, content):
    village = world["villages"]["长胜村"]
    existing = services.ledger_year_open(village=village, year=2024)
    if content:
        # Written by a bulk writer without a version bump of its own (as an import's new years are).
        services.ledger_years_bulk_replace(statements=[services.YearStatement(
            village=village, year=2024, lines=[services.LineInput(item_id=item_for_year(2024, "other_income").pk,
                                                                  amount=Decimal("5"))])])
    line = services.LineInput(item_id=item_for_year(2024, "operating_revenue").pk, amount=Decimal("7"))
    if content:
        with pytest.raises(services.StaleVersion):
            services.ledger_year_save_statement(village=village, year=2024, lines=[line], actor=people["alice"],
                                                expected_version=0)
        assert _lines(existing) == [("other_income", "", Decimal("5.00"))]
    else:  # a year opened empty holds nothing to lose
        services.ledger_year_save_statement(village=village, year=2024, lines=[line], actor=people["alice"],
                                            expected_version=0)
        assert _lines(existing) == [("operating_revenue", "", Decimal("7.00"))]


def test_the_save_service_refuses_a_submitted_year_like_the_page(world, people):
    village = world["villages"]["长胜村"]
    make_ledger_year(village, 2024, {"other_income": "5"}, status="submitted")
    ly = LedgerYear.objects.get(village=village, year=2024)
    line = services.LineInput(item_id=item_for_year(2024, "other_income").pk, amount=Decimal("6"))
    with pytest.raises(services.LedgerLocked, match="已提交审核"):
        services.ledger_year_save_statement(village=village, year=2024, lines=[line], actor=people["admin"],
                                            expected_version=ly.version)
    assert _lines(ly) == [("other_income", "", Decimal("5.00"))]


def test_import_refuses_to_change_a_submitted_year_and_lists_it_with_village_year_and_row(world, people):
    changsheng = world["villages"]["长胜村"]
    submitted = make_ledger_year(changsheng, 2023, {"other_income": "5"}, status="submitted")
    check, batch = imports.import_ledger_file(data=messy_file(), filename="八桥镇.xlsx", actor=people["dave"])
    assert batch is None
    [problem] = check.problems
    assert "八桥镇长胜村 2023 年" in problem.reason and "已提交审核" in problem.reason
    assert (problem.sheet, problem.row) == ("收益分配", 5)  # where 长胜 is in the file
    assert _lines(submitted) == [("other_income", "", Decimal("5.00"))]
    assert not LedgerYear.objects.filter(village=world["villages"]["幸福村"]).exists()  # all or nothing


def test_import_leaves_a_submitted_year_it_would_not_change_alone(world):
    imports.import_ledger_file(data=messy_file(), filename="八桥镇.xlsx", submit=True)
    check, batch = imports.import_ledger_file(data=messy_file(), filename="八桥镇.xlsx")
    assert check.ok and batch.status == ImportBatch.Status.APPLIED
    assert set(LedgerYear.objects.values_list("status", flat=True)) == {"submitted"}


def test_year_submitted_between_preview_and_confirm_is_refused_at_confirm(world, people):
    changsheng = world["villages"]["长胜村"]
    draft = make_ledger_year(changsheng, 2023, {"other_income": "5"})
    batch = imports.import_batch_create(data=messy_file(), filename="a.xlsx", actor=people["dave"])
    imports.import_batch_check(batch=batch)
    assert batch.status == ImportBatch.Status.READY
    services.ledger_year_transition(ledger_year=draft, action="submit", actor=people["alice"])
    imports.import_batch_apply(batch=batch, actor=people["dave"])
    assert batch.status == ImportBatch.Status.INVALID
    assert any("已提交审核" in error["reason"] for error in batch.errors)
    assert _lines(draft) == [("other_income", "", Decimal("5.00"))]


def test_year_saved_between_preview_and_confirm_is_not_overwritten(world, people):
    """The preview the user confirmed was made against version N: a cadre's save since is a conflict."""
    changsheng = world["villages"]["长胜村"]
    draft = make_ledger_year(changsheng, 2023, {"other_income": "5"})
    batch = imports.import_batch_create(data=messy_file(), filename="a.xlsx", actor=people["dave"])
    imports.import_batch_check(batch=batch)
    line = services.LineInput(item_id=item_for_year(2023, "other_income").pk, amount=Decimal("6"))
    services.ledger_year_save_statement(village=changsheng, year=2023, lines=[line], actor=people["alice"],
                                        expected_version=draft.version)
    imports.import_batch_apply(batch=batch, actor=people["dave"])
    assert batch.status == ImportBatch.Status.FAILED
    assert "长胜村 2023年" in batch.message and "请稍后重新导入" in batch.message
    assert _lines(draft) == [("other_income", "", Decimal("6.00"))]
    assert not LedgerYear.objects.filter(village=world["villages"]["幸福村"]).exists()
    assert not LedgerLine.history.filter(history_batch_id=batch.pk).exists()

    # 重新导入: checked again against what is there now, then confirmed as usual.
    imports.import_batch_rerun(batch=batch)
    imports.import_batch_check(batch=batch)
    assert batch.status == ImportBatch.Status.READY and batch.years_changed == 1
    imports.import_batch_apply(batch=batch, actor=people["dave"])
    assert batch.status == ImportBatch.Status.APPLIED
    draft.refresh_from_db()
    assert draft.total_income == Decimal("11505000.00")


# The admin's village-year page: the same service and the same version check as the entry page.

def _admin_post(client, ly, amount, *, opened_version):
    from django.urls import reverse

    line = ly.lines.get()
    data = {
        "village": ly.village_id, "year": ly.year, "opened_version": opened_version,
        "lines-TOTAL_FORMS": 1, "lines-INITIAL_FORMS": 1, "lines-MIN_NUM_FORMS": 0, "lines-MAX_NUM_FORMS": 1000,
        "lines-0-id": line.pk, "lines-0-ledger_year": ly.pk, "lines-0-item": line.item_id, "lines-0-name": "",
        "lines-0-amount": amount, "lines-0-note": "",
        "events-TOTAL_FORMS": 0, "events-INITIAL_FORMS": 0, "events-MIN_NUM_FORMS": 0, "events-MAX_NUM_FORMS": 1000,
    }
    return client.post(reverse("admin:ledger_ledgeryear_change", args=[ly.pk]), data)


def test_stale_admin_page_is_refused_with_a_form_error_and_the_cadres_save_stays(world, people, client):
    from django.urls import reverse

    village = world["villages"]["长胜村"]
    ly = make_ledger_year(village, 2024, {"operating_revenue": "100"})
    client.force_login(people["admin"])
    page = client.get(reverse("admin:ledger_ledgeryear_change", args=[ly.pk])).content.decode()
    assert f'name="opened_version" value="{ly.version}"' in page
    opened = ly.version
    line = services.LineInput(item_id=item_for_year(2024, "operating_revenue").pk, amount=Decimal("300"))
    services.ledger_year_save_statement(village=village, year=2024, lines=[line], actor=people["alice"],
                                        expected_version=opened)
    response = _admin_post(client, ly, "250.00", opened_version=opened)
    assert response.status_code == 200  # the form again, with the error
    assert "已被他人修改" in response.content.decode()
    ly.refresh_from_db()
    assert ly.operating_income == Decimal("300.00")  # the cadre's save stands
    assert not LedgerLine.history.filter(ledger_year_id=ly.pk, history_source="admin").exists()

    current = ly.version
    assert _admin_post(client, ly, "250.00", opened_version=current).status_code == 302
    ly.refresh_from_db()
    assert ly.operating_income == Decimal("250.00") and ly.version == current + 1
    assert ly.events.last().action == "save"  # the entry page's service: a 保存 event too


def test_admin_page_does_not_edit_a_submitted_year(world, people, client):
    ly = make_ledger_year(world["villages"]["长胜村"], 2024, {"operating_revenue": "100"}, status="submitted")
    client.force_login(people["admin"])
    _admin_post(client, ly, "250.00", opened_version=ly.version)
    ly.refresh_from_db()
    assert ly.operating_income == Decimal("100.00") and ly.lines.count() == 1


def test_admin_add_creates_the_year_through_the_service(world, people, client):
    from django.urls import reverse

    client.force_login(people["admin"])
    village = world["villages"]["幸福村"]
    data = {"village": village.pk, "year": 2024, "opened_version": 0,
            "lines-TOTAL_FORMS": 1, "lines-INITIAL_FORMS": 0, "lines-MIN_NUM_FORMS": 0, "lines-MAX_NUM_FORMS": 1000,
            "lines-0-item": item_for_year(2024, "other_income").pk, "lines-0-name": "", "lines-0-amount": "12.00",
            "lines-0-note": "",
            "events-TOTAL_FORMS": 0, "events-INITIAL_FORMS": 0, "events-MIN_NUM_FORMS": 0, "events-MAX_NUM_FORMS": 1000}
    response = client.post(reverse("admin:ledger_ledgeryear_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    ly = LedgerYear.objects.get(village=village, year=2024)
    assert ly.total_income == Decimal("12.00") and ly.town_id == village.town_id
    assert list(ly.events.values_list("action", flat=True)) == ["create", "save"]
