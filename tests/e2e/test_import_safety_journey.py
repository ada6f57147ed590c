"""Imports that never surprise, in a real browser (issue 13): a rejected file comes back as itself with
the bad cells marked; a town file with an approved village imports the others only when asked; undo
asks first on a page that lists what it changes; and on a phone the menu folds behind a button."""

import io
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from ledger.models import ImportBatch, LedgerYear

from .. import factories
from ..importfiles import MESSY_WIDE_MERGES, messy_wide_rows, xlsx


def baqiao():
    county = factories.make_county("321182000000", "扬中市")
    town = factories.make_town(county, 103, "八桥镇")
    villages = {"长胜村": factories.make_village(town, 201, "长胜村"),
                "幸福村": factories.make_village(town, 202, "幸福村")}
    staff = factories.make_user("staff", "staff", county=county, first_name="扬中市经管统计")
    return county, town, villages, staff


def upload(page, name: str, data: bytes) -> None:
    page.set_input_files("input[name=file]", files=[{
        "name": name, "buffer": data,
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    with page.expect_navigation():
        page.click("button:has-text('上传并预览')")
    page.wait_for_load_state("networkidle")


def click_and_wait(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)
    page.wait_for_load_state("networkidle")


def table_file(rows=None) -> bytes:
    return xlsx(("收益分配", rows or messy_wide_rows()), merges=MESSY_WIDE_MERGES)


def test_a_rejected_file_downloads_as_itself_with_the_bad_cells_marked(journey):
    baqiao()
    rows = messy_wide_rows()
    rows[4][2] = "12O.5"  # C5: a letter O for a zero
    rows[5][4] = "十"  # E6
    trip = journey("import-error-workbook")
    page = trip.page
    trip.login("staff")
    upload(page, "八桥镇2023（有错）.xlsx", table_file(rows))
    assert "发现 2 个问题，整个文件未导入" in page.content()
    assert "新建" not in page.locator("main").inner_text()  # a rejected file shows no counts
    assert page.locator("#import-format").inner_text() == "XLSX"
    trip.shot("problems")
    with page.expect_download() as download_info:
        page.click("#import-problems-workbook")
    download = download_info.value
    assert download.suggested_filename == "八桥镇2023（有错）-问题标注.xlsx"
    workbook = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    sheet = workbook["收益分配"]
    assert sheet["C5"].value == "12O.5" and "不是有效的数字" in sheet["C5"].comment.text
    assert sheet["E6"].comment is not None and sheet["E6"].fill.fill_type == "solid"
    assert sheet["D5"].comment is None and sheet["D5"].fill.fill_type is None
    assert sheet["A1"].value == "八桥镇2023年度村级集体经济收益分配情况表"  # the town's own file
    assert workbook["问题清单"].max_row == 3


def test_a_town_file_with_an_approved_village_imports_the_others_when_asked(journey):
    _county, _town, villages, _staff = baqiao()
    approved = factories.make_ledger_year(villages["长胜村"], 2023, {"other_income": "5"}, status="approved")
    trip = journey("import-skip-approved")
    page = trip.page
    trip.login("staff")
    upload(page, "八桥镇2023.xlsx", table_file())
    refused = page.locator("#import-refused")
    assert "长胜村" in refused.inner_text() and "已审核锁定" in refused.inner_text()
    assert refused.locator("tbody tr td").nth(4).inner_text() == "5"  # the row in the file
    assert page.locator("button:has-text('确认导入')").count() == 0
    assert not LedgerYear.objects.filter(village=villages["幸福村"]).exists()
    trip.shot("approved-village-refused")
    click_and_wait(page, "button:has-text('跳过已审核的 1 个村，导入其余')")
    assert page.locator("#import-status").inner_text() == "已导入"
    assert "已跳过 1 个村年度" in page.locator("#import-skipped").inner_text()
    trip.shot("others-imported")
    assert LedgerYear.objects.get(village=villages["幸福村"], year=2023).total_income == Decimal("900000.00")
    approved.refresh_from_db()
    assert approved.total_income == Decimal("5.00") and approved.status == "approved"


def test_undo_asks_on_a_page_that_lists_the_village_years(journey):
    _county, _town, villages, _staff = baqiao()
    factories.make_ledger_year(villages["长胜村"], 2023, {"other_income": "5"})
    trip = journey("import-undo-confirm")
    page = trip.page
    trip.login("staff")
    upload(page, "八桥镇2023.xlsx", table_file())
    # The preview shows old → new for the year that exists, and that it replaces a draft.
    assert "替换草稿" in page.content()
    changes = page.locator("details.line-changes").first
    assert changes.get_attribute("open") is not None  # a replaced draft's changes are shown unfolded
    assert "0.00" in changes.inner_text() and "（删除）" in changes.inner_text()
    trip.shot("preview-with-changes")
    click_and_wait(page, "button:has-text('确认导入')")
    click_and_wait(page, "#import-undo")
    assert "将改动 2 个村年度" in page.locator("#undo-summary").inner_text()
    assert page.locator("#undo-years tbody tr").count() == 2
    assert ImportBatch.objects.get().status == ImportBatch.Status.APPLIED  # asking changed nothing
    trip.shot("undo-confirmation")
    click_and_wait(page, "#undo-confirm")
    assert page.locator("#import-status").inner_text() == "已撤销"
    assert not LedgerYear.objects.filter(village=villages["幸福村"]).exists()


def test_on_a_phone_the_menu_folds_behind_a_button_and_importers_find_the_import(journey):
    county, town, _villages, _staff = baqiao()
    factories.make_user("cadre", "cadre", town=town)
    factories.make_user("official", "official", county=county)
    trip = journey("phone-menu")
    page = trip.page
    trip.login("cadre")
    page.set_viewport_size({"width": 360, "height": 800})
    dashboards = page.locator(".site-nav a:has-text('排行与看板')")
    assert not dashboards.is_visible() and page.locator(".menu-button").is_visible()
    page.click(".menu-button")
    assert dashboards.is_visible() and page.locator("#nav-import").is_visible()
    line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.site-nav a')).lineHeight)")
    assert dashboards.bounding_box()["height"] < 1.5 * line + 20  # one line (plus padding), not two
    trip.page.set_viewport_size({"width": 1280, "height": 900})
    assert page.locator(".menu-button").is_hidden() and dashboards.is_visible()
    trip.shot("menu")
    click_and_wait(page, "#nav-import")
    assert page.url.endswith("/ledger/imports/")
    trip.login("official")
    assert page.locator("#nav-import").count() == 0  # officials do not import
