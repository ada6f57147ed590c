"""The import preview says what will change (old → new per line, drafts replaced, the form's warnings);
approved village-years can be left out explicitly; the problems come back as the file itself, marked."""

import io
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from ledger import services
from ledger.importing import planner
from ledger.importing import services as imports
from ledger.importing.error_workbook import BAD_CELL, error_workbook
from ledger.importing.problems import Problem
from ledger.models import ImportBatch, LedgerLine, LedgerYear

from .factories import item_for_year, make_ledger_year
from .importfiles import MESSY_WIDE_MERGES, csv_bytes, messy_wide_rows, xlsx


def messy_file(year=2023, rows=None):
    return xlsx(("收益分配", rows or messy_wide_rows(year)), merges=MESSY_WIDE_MERGES)


def checked(data, actor, **kwargs) -> ImportBatch:
    batch = imports.import_batch_create(data=data, filename="八桥镇2023.xlsx", actor=actor, **kwargs)
    return imports.import_batch_check(batch=batch)


def row_of(batch, village_name):
    return next(row for row in batch.preview if row["village"] == village_name)


@pytest.fixture
def staff_client(client, people):
    client.force_login(people["dave"])
    return client


def test_preview_lists_old_and_new_amount_of_every_changed_line(world, people):
    make_ledger_year(world["villages"]["长胜村"], 2023, {"operating_revenue": "1000000", "other_income": "5"})
    batch = checked(messy_file(), people["dave"])
    row = row_of(batch, "长胜村")
    assert row["action"] == "changed"
    changes = {(item_id, old, new) for item_id, _name, old, new, *_ in row["changes"]}
    revenue = item_for_year(2023, "operating_revenue").pk
    assert (revenue, "1000000.00", "1205000.00") in changes  # 100 万 → 120.5 万
    assert (item_for_year(2023, "other_income").pk, "5.00", None) in changes  # not in the file: deleted
    assert (item_for_year(2023, "subsidy_income").pk, None, "10000000.00") in changes  # new line
    assert len(row["changes"]) == row["lines_created"] + row["lines_changed"] + row["lines_deleted"]


def test_preview_marks_the_village_years_whose_draft_the_file_replaces(world, people):
    people["alice"].first_name = "李会计"
    people["alice"].save()
    make_ledger_year(world["villages"]["长胜村"], 2023, {"other_income": "5"}, actor=people["alice"])
    make_ledger_year(world["villages"]["幸福村"], 2023, {"other_income": "5"}, status="submitted")
    batch = checked(messy_file(), people["dave"])
    assert row_of(batch, "长胜村")["replaces_draft"] and row_of(batch, "长胜村")["draft_by"] == "李会计"
    assert batch.status == ImportBatch.Status.INVALID  # 幸福村 is in review and the file changes it
    assert not row_of(batch, "幸福村")["replaces_draft"]


def test_preview_runs_the_entry_forms_warnings_against_last_year(world, people):
    # Last year 长胜村 had 1 万 of 经营收入; the file says 120.5 万: the form would ask why.
    make_ledger_year(world["villages"]["长胜村"], 2022, {"operating_revenue": "10000"}, status="approved")
    batch = checked(messy_file(), people["dave"])
    warnings = row_of(batch, "长胜村")["warnings"]
    assert any("经营收入" in w["message"] and "上年" in w["message"] for w in warnings)
    assert row_of(batch, "幸福村")["warnings"] == []  # no last year: nothing to compare


def test_preview_keeps_a_bounded_number_of_changed_lines(world, people, monkeypatch):
    monkeypatch.setattr(planner, "MAX_CHANGES", 3)
    make_ledger_year(world["villages"]["长胜村"], 2023, {"other_income": "5"})
    make_ledger_year(world["villages"]["幸福村"], 2023, {"other_income": "5"})
    batch = checked(messy_file(), people["dave"])
    kept = sum(len(row["changes"]) for row in batch.preview)
    hidden = sum(row["changes_hidden"] for row in batch.preview)
    assert kept == 3 and hidden == batch.lines_created + batch.lines_changed + batch.lines_deleted - 3


def test_town_file_with_an_approved_village_imports_the_others_when_asked(world, people):
    changsheng = make_ledger_year(world["villages"]["长胜村"], 2023, {"other_income": "5"}, status="approved")
    batch = checked(messy_file(), people["dave"])
    assert batch.status == ImportBatch.Status.INVALID and imports.can_skip_refused(batch)
    assert [p["kind"] for p in batch.errors] == [Problem.LOCKED]
    assert batch.errors[0]["row"] == 5  # the row of 长胜 in the file
    imports.import_batch_skip_refused(batch=batch, actor=people["dave"])
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.READY and batch.years_created == 1
    imports.import_batch_apply(batch=batch, actor=people["dave"])
    assert batch.status == ImportBatch.Status.APPLIED
    assert LedgerYear.objects.get(village=world["villages"]["幸福村"], year=2023).total_income == Decimal("900000.00")
    assert [(line.item.code, line.amount) for line in changsheng.lines.all()] == [("other_income", Decimal("5.00"))]
    assert row_of(batch, "长胜村")["action"] == planner.SKIPPED
    assert batch.undo_data["skipped"] == [[world["villages"]["长胜村"].pk, 2023]]


def test_a_skipped_year_reopened_before_the_write_is_still_left_out(world, people):
    changsheng = make_ledger_year(world["villages"]["长胜村"], 2023, {"other_income": "5"}, status="approved")
    batch = checked(messy_file(), people["dave"])
    imports.import_batch_skip_refused(batch=batch, actor=people["dave"])
    services.ledger_year_transition(ledger_year=changsheng, action="reopen", actor=people["bob"], reason="更正")
    batch.refresh_from_db()
    imports.import_batch_apply(batch=batch, actor=people["dave"])
    assert batch.status == ImportBatch.Status.APPLIED
    assert LedgerLine.objects.filter(ledger_year=changsheng).count() == 1


def test_nothing_is_skipped_while_the_file_has_other_problems(world, people):
    make_ledger_year(world["villages"]["长胜村"], 2023, {"other_income": "5"}, status="approved")
    rows = messy_wide_rows()
    rows[5][2] = "八十"  # 幸福村's 经营收入 is not a number
    batch = checked(messy_file(rows=rows), people["dave"])
    assert batch.status == ImportBatch.Status.INVALID and not imports.can_skip_refused(batch)
    with pytest.raises(services.LedgerError):
        imports.import_batch_skip_refused(batch=batch, actor=people["dave"])


def test_import_ledger_file_can_skip_approved_years_and_says_which(world, people):
    make_ledger_year(world["villages"]["长胜村"], 2023, {"other_income": "5"}, status="approved")
    check, batch = imports.import_ledger_file(data=messy_file(), filename="a.xlsx", skip_refused=True)
    assert batch.status == ImportBatch.Status.APPLIED and batch.years_created == 1
    assert [row["village"] for row in check.plan.rows if row["action"] == "skipped"] == ["长胜村"]


def test_page_lists_approved_villages_with_rows_and_offers_to_import_the_rest(staff_client, world, people):
    make_ledger_year(world["villages"]["长胜村"], 2023, {"other_income": "5"}, status="approved")
    staff_client.post(reverse("ledger:import_upload"), {"file": SimpleUploadedFile("a.xlsx", messy_file())})
    batch = ImportBatch.objects.get()
    page = staff_client.get(reverse("ledger:import_detail", args=[batch.pk])).content.decode()
    assert "跳过已审核的 1 个村，导入其余" in page and "已审核锁定" in page
    assert "整个文件未导入" not in page  # the lock is not a problem of the file
    response = staff_client.post(reverse("ledger:import_skip_refused", args=[batch.pk]))
    batch.refresh_from_db()
    assert response.status_code == 302 and batch.status == ImportBatch.Status.APPLIED
    page = staff_client.get(reverse("ledger:import_detail", args=[batch.pk])).content.decode()
    assert "已跳过 1 个村年度" in page and "长胜村" in page


def test_rejected_file_shows_no_counts_and_a_queued_one_its_type(staff_client, world, settings):
    rows = messy_wide_rows()
    rows[5][2] = "八十"
    staff_client.post(reverse("ledger:import_upload"), {"file": SimpleUploadedFile("bad.xlsx", messy_file(rows=rows))})
    listing = staff_client.get(reverse("ledger:import_list")).content.decode()
    assert "未导入" in listing
    detail = staff_client.get(reverse("ledger:import_detail", args=[ImportBatch.objects.get().pk])).content.decode()
    assert "新建 " not in detail and "整个文件未导入" in detail
    settings.IMPORT_BACKGROUND_MIN_KB = 0  # queued for the worker, which does not run here
    staff_client.post(reverse("ledger:import_upload"), {"file": SimpleUploadedFile("q.xlsx", messy_file())})
    queued = ImportBatch.objects.get(filename="q.xlsx")
    assert queued.status == ImportBatch.Status.QUEUED and queued.file_format == "xlsx"
    page = staff_client.get(reverse("ledger:import_detail", args=[queued.pk])).content.decode()
    assert 'id="import-format">XLSX<' in page


def test_problems_come_back_as_the_uploaded_workbook_with_the_bad_cell_marked(staff_client, world):
    rows = messy_wide_rows()
    rows[5][2] = "八十"  # C6
    staff_client.post(reverse("ledger:import_upload"), {"file": SimpleUploadedFile("八桥镇.xlsx", messy_file(rows=rows))})
    batch = ImportBatch.objects.get()
    response = staff_client.get(reverse("ledger:import_problems_workbook", args=[batch.pk]))
    assert response.status_code == 200 and "问题标注" in unquote(response["Content-Disposition"])
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["收益分配"]
    assert sheet["C6"].value == "八十" and sheet["C6"].fill.fgColor.rgb.endswith(BAD_CELL.fgColor.rgb[-6:])
    assert "金额" in sheet["C6"].comment.text or "数字" in sheet["C6"].comment.text
    assert sheet["C5"].comment is None and sheet["B5"].value == "长胜"  # the rest as it was
    assert ("C3:E3" in {str(r) for r in sheet.merged_cells.ranges})  # its own layout kept
    assert [c.value for c in workbook["问题清单"][2]][:2] == ["收益分配", 6]


def test_a_csv_file_comes_back_as_an_xlsx_copy_with_the_same_marks(world, people):
    data = csv_bytes([["村名", "年度", "经营收入"], ["长胜村", 2023, "12x"], ["幸福村", 2023, "5"]])
    batch = checked(data, people["dave"])
    assert batch.status == ImportBatch.Status.INVALID
    problems = [Problem.from_dict(error) for error in batch.errors]
    workbook = load_workbook(io.BytesIO(error_workbook(data=data, file_format="csv", problems=problems)))
    sheet = workbook.worksheets[0]
    assert [sheet.cell(row=2, column=c).value for c in (1, 3)] == ["长胜村", "12x"]
    assert sheet["C2"].comment is not None and sheet["C3"].comment is None


def test_undo_asks_first_on_a_page_that_lists_the_village_years(staff_client, world, people):
    make_ledger_year(world["villages"]["长胜村"], 2023, {"other_income": "5"})
    staff_client.post(reverse("ledger:import_upload"), {"file": SimpleUploadedFile("a.xlsx", messy_file())})
    batch = ImportBatch.objects.get()
    staff_client.post(reverse("ledger:import_confirm", args=[batch.pk]))
    page = staff_client.get(reverse("ledger:import_undo", args=[batch.pk])).content.decode()
    assert "将改动 2 个村年度" in page and "1 个恢复为导入前的数据，1 个" in page and "幸福村" in page
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED  # asking changed nothing
    staff_client.post(reverse("ledger:import_undo", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UNDONE
    assert not LedgerYear.objects.filter(village=world["villages"]["幸福村"]).exists()


def test_a_large_xlsx_is_marked_on_a_copy_of_its_cells(world, people, monkeypatch):
    from ledger.importing import error_workbook as workbooks

    monkeypatch.setattr(workbooks, "IN_PLACE_MAX_BYTES", 0)  # as if too large to open whole
    rows = messy_wide_rows()
    rows[5][2] = "八十"
    data = messy_file(rows=rows)
    batch = checked(data, people["dave"])
    problems = [Problem.from_dict(error) for error in batch.errors]
    sheet = load_workbook(io.BytesIO(error_workbook(data=data, file_format="xlsx", problems=problems)))["收益分配"]
    assert sheet["C6"].value == "八十" and sheet["C6"].comment is not None
    assert sheet["B5"].value == "长胜" and sheet["B5"].comment is None


def test_whatever_a_warning_carries_is_shown_on_the_preview(staff_client, world, people, monkeypatch):
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class UnitSlip:
        key: str
        message: str
        kind: str
        suggested: Decimal

    monkeypatch.setattr(planner, "statement_warnings", lambda **kwargs: [
        UnitSlip("operating_revenue", "经营收入 120.50 万元，是上年的 12050 倍：是否按元填写？", "unit", Decimal("0.01205"))])
    make_ledger_year(world["villages"]["长胜村"], 2022, {"operating_revenue": "100"}, status="approved")
    staff_client.post(reverse("ledger:import_upload"), {"file": SimpleUploadedFile("a.xlsx", messy_file())})
    batch = ImportBatch.objects.get()
    assert row_of(batch, "长胜村")["warnings"] == [{"key": "operating_revenue", "kind": "unit", "suggested": "0.01205",
                                                    "message": "经营收入 120.50 万元，是上年的 12050 倍：是否按元填写？"}]
    page = staff_client.get(reverse("ledger:import_detail", args=[batch.pk])).content.decode()
    assert "是否按元填写？" in page and "建议值：0.01205" in page and "1 个村年度有与上年相比需要核对的数值" in page


def test_a_file_whose_every_village_is_approved_offers_no_skip_and_lists_the_problems(staff_client, world):
    for name in ("长胜村", "幸福村"):
        make_ledger_year(world["villages"][name], 2023, {"other_income": "5"}, status="approved")
    staff_client.post(reverse("ledger:import_upload"), {"file": SimpleUploadedFile("a.xlsx", messy_file())})
    batch = ImportBatch.objects.get()
    assert not imports.can_skip_refused(batch)  # nothing would be left to import
    page = staff_client.get(reverse("ledger:import_detail", args=[batch.pk])).content.decode()
    assert "导入其余" not in page and "发现 2 个问题，整个文件未导入" in page and "已审核锁定" in page
