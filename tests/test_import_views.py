"""The browser flow: upload → preview → confirm → result; templates, exports, and who may do it."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from ledger.importing import services as import_services
from ledger.models import ImportBatch, LedgerYear
from villages.models import Village

from .factories import make_ledger_year
from .importfiles import MESSY_WIDE_MERGES, messy_wide_rows, xlsx


def upload(client, data, name="八桥镇2023.xlsx", **extra):
    return client.post(reverse("ledger:import_upload"), {"file": SimpleUploadedFile(name, data), **extra})


@pytest.fixture
def staff_client(client, people):
    client.force_login(people["dave"])
    return client


def test_staff_uploads_sees_preview_confirms_and_totals_match(staff_client, world):
    response = upload(staff_client, xlsx(("收益分配", messy_wide_rows()), merges=MESSY_WIDE_MERGES))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and batch.status == ImportBatch.Status.READY
    page = staff_client.get(reverse("ledger:import_detail", args=[batch.pk])).content.decode()
    assert "确认导入" in page and "长胜村" in page and "1,150.50" in page  # 总收入 in 万元
    assert not LedgerYear.objects.exists()
    staff_client.post(reverse("ledger:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED
    assert str(LedgerYear.objects.get(village__name="长胜村").total_income) == "11505000.00"
    assert "撤销这次导入" in staff_client.get(reverse("ledger:import_detail", args=[batch.pk])).content.decode()


def test_large_file_runs_in_the_background_and_status_survives_reload(staff_client, world, settings,
                                                                      django_capture_on_commit_callbacks):
    settings.IMPORT_BACKGROUND_MIN_KB = 0  # every file counts as large; tests run tasks at once
    with django_capture_on_commit_callbacks(execute=True):
        upload(staff_client, xlsx(("收益分配", messy_wide_rows()), merges=MESSY_WIDE_MERGES))
    batch = ImportBatch.objects.get()
    status = json.loads(staff_client.get(reverse("ledger:import_status", args=[batch.pk])).content)
    assert status["status"] == "ready" and status["finished"]
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("ledger:import_confirm", args=[batch.pk]))
    status = json.loads(staff_client.get(reverse("ledger:import_status", args=[batch.pk])).content)
    assert status == {**status, "status": "applied", "progress": 100, "finished": True}


def test_a_worker_that_fails_mid_write_marks_the_batch_failed_and_writes_nothing(
        staff_client, world, settings, django_capture_on_commit_callbacks, monkeypatch):
    settings.IMPORT_BACKGROUND_MIN_KB = 0
    with django_capture_on_commit_callbacks(execute=True):
        upload(staff_client, xlsx(("收益分配", messy_wide_rows()), merges=MESSY_WIDE_MERGES))
    batch = ImportBatch.objects.get()

    def disk_full(**kwargs):
        raise OSError("磁盘已满")

    monkeypatch.setattr(import_services, "replace_statements", disk_full)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("ledger:import_confirm", args=[batch.pk]))
    status = json.loads(staff_client.get(reverse("ledger:import_status", args=[batch.pk])).content)
    assert status == {**status, "status": "failed", "progress": 100, "finished": True}
    batch.refresh_from_db()
    assert batch.message == "导入过程中出错，未写入任何数据（OSError: 磁盘已满）"
    assert not LedgerYear.objects.exists()


def test_broken_file_lists_every_problem_and_writes_nothing(staff_client, world):
    rows = messy_wide_rows()
    rows[4][2], rows[5][3] = "abc", "x"
    upload(staff_client, xlsx(("收益分配", rows), merges=MESSY_WIDE_MERGES))
    batch = ImportBatch.objects.get()
    page = staff_client.get(reverse("ledger:import_detail", args=[batch.pk])).content.decode()
    assert batch.status == ImportBatch.Status.INVALID and len(batch.errors) == 2
    assert "发现 2 个问题" in page and "“abc”不是有效的数字" in page
    assert staff_client.post(reverse("ledger:import_confirm", args=[batch.pk])).status_code == 302
    assert not LedgerYear.objects.exists()


@pytest.mark.parametrize("who", ["nobody", "carol", "bob"])
def test_people_without_import_rights_get_404(client, people, who):
    client.force_login(people[who])
    assert client.get(reverse("ledger:import_list")).status_code == 404


def test_other_users_batches_and_other_towns_are_404(client, people, world):
    client.force_login(people["alice"])
    upload(client, xlsx(("收益分配", messy_wide_rows()), merges=MESSY_WIDE_MERGES))
    batch = ImportBatch.objects.get()
    client.force_login(people["erin"])  # cadre of another town
    assert client.get(reverse("ledger:import_detail", args=[batch.pk])).status_code == 404
    assert client.get(reverse("ledger:import_template"), {"town": world["baqiao"].pk, "year": 2023}).status_code == 404
    client.force_login(people["dave"])  # staff of the county sees it
    assert client.get(reverse("ledger:import_detail", args=[batch.pk])).status_code == 200


def test_cadre_import_cannot_reach_villages_of_another_town(client, people, world):
    client.force_login(people["erin"])  # 新坝镇
    upload(client, xlsx(("收益分配", messy_wide_rows()), merges=MESSY_WIDE_MERGES))
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.INVALID


def test_template_is_prefilled_with_the_towns_villages_and_the_years_items_and_imports_back(staff_client, world):
    response = staff_client.get(reverse("ledger:import_template"), {"town": world["baqiao"].pk, "year": 2025})
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["收益分配表"]
    header = [cell.value for cell in sheet[3]]
    assert header[:3] == ["区划代码", "村名", "经营收入"] and "发包及上交收入" not in header
    assert [row[1] for row in sheet.iter_rows(min_row=4, values_only=True)] == ["长胜村", "幸福村", "八桥村"]
    assert workbook["明细（长表）"].data_validations.dataValidation  # drop-downs for village and item
    sheet["C4"] = 12.5  # 长胜村 经营收入 12.5 万元
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload(staff_client, buffer.getvalue())
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.READY, batch.errors
    assert [(row["village"], row["year"], row["total_income"]) for row in batch.preview] == [("长胜村", 2025, "125000.00")]


def test_exports_neutralise_formula_like_names_and_state_units(staff_client, world):
    village = Village.objects.create(town=world["baqiao"], code="321182103250", name="=HYPERLINK(1)村")
    make_ledger_year(village, 2023, {("operating_revenue", "+SUM(A1)"): "100"})
    for layout in ("long", "wide"):
        response = staff_client.get(reverse("ledger:ledger_export"), {"layout": layout, "year": 2023})
        sheet = load_workbook(io.BytesIO(response.content)).active
        values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if isinstance(cell, str)]
        assert "'=HYPERLINK(1)村" in values
        assert not any(v.startswith(("=", "+", "@")) for v in values)
        assert any("元" in v for v in values[:12])


def test_import_pages_use_a_fixed_number_of_queries(staff_client, world, django_assert_max_num_queries):
    for _ in range(3):
        upload(staff_client, xlsx(("收益分配", messy_wide_rows()), merges=MESSY_WIDE_MERGES))
    batch = ImportBatch.objects.first()
    with django_assert_max_num_queries(8):
        assert staff_client.get(reverse("ledger:import_list")).status_code == 200
    with django_assert_max_num_queries(8):
        assert staff_client.get(reverse("ledger:import_detail", args=[batch.pk])).status_code == 200


def test_undo_through_the_page(staff_client, world):
    upload(staff_client, xlsx(("收益分配", messy_wide_rows()), merges=MESSY_WIDE_MERGES))
    batch = ImportBatch.objects.get()
    staff_client.post(reverse("ledger:import_confirm", args=[batch.pk]))
    response = staff_client.post(reverse("ledger:import_undo", args=[batch.pk]), follow=True)
    assert "已撤销这次导入" in response.content.decode()
    assert not LedgerYear.objects.exists()


def test_original_file_is_kept_and_downloadable(staff_client, world):
    data = xlsx(("收益分配", messy_wide_rows()), merges=MESSY_WIDE_MERGES)
    upload(staff_client, data)
    batch = ImportBatch.objects.get()
    response = staff_client.get(reverse("ledger:import_file", args=[batch.pk]))
    assert b"".join(response.streaming_content) == data
    import hashlib

    assert batch.sha256 == hashlib.sha256(data).hexdigest() and batch.size == len(data)


def test_upload_with_submit_ticked_lands_submitted_and_links_to_the_ranking(staff_client, world):
    upload(staff_client, xlsx(("收益分配", messy_wide_rows()), merges=MESSY_WIDE_MERGES), submit="1")
    batch = ImportBatch.objects.get()
    assert batch.submit
    page = staff_client.get(reverse("ledger:import_detail", args=[batch.pk])).content.decode()
    assert "提交审核（已提交，待审核）" in page
    staff_client.post(reverse("ledger:import_confirm", args=[batch.pk]))
    assert set(LedgerYear.objects.values_list("status", flat=True)) == {"submitted"}
    page = staff_client.get(reverse("ledger:import_detail", args=[batch.pk])).content.decode()
    link = f'{reverse("dashboards:villages")}?year=2023&amp;submitted=1'
    assert link in page
    ranking = staff_client.get(f'{reverse("dashboards:villages")}?year=2023&submitted=1').content.decode()
    assert "长胜村" in ranking


def test_upload_form_offers_submit_ticked_and_unticked_keeps_drafts(staff_client, world):
    form = staff_client.get(reverse("ledger:import_list")).content.decode()
    assert 'name="submit" value="1" checked' in form
    upload(staff_client, xlsx(("收益分配", messy_wide_rows()), merges=MESSY_WIDE_MERGES))
    batch = ImportBatch.objects.get()
    staff_client.post(reverse("ledger:import_confirm", args=[batch.pk]))
    assert not batch.submit and set(LedgerYear.objects.values_list("status", flat=True)) == {"draft"}
