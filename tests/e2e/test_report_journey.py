"""The county official's 收益分配统计表: the form on screen at 1280 and 360 px, the villages still to
chase beside it, the signatures typed on the page carried into the downloads and the print view."""

import csv
import io
from pathlib import Path

from openpyxl import load_workbook

from .. import dashboard_data


def test_official_produces_the_county_report_and_downloads_it(journey, transactional_db, world, people, tmp_path):
    dashboard_data.build(world)
    trip = journey()
    trip.login("carol")
    page = trip.goto("/dashboards/")
    with page.expect_navigation():
        page.click("nav.dash-nav >> text=收益分配统计表")
    page.wait_for_load_state("networkidle")
    if "year=2021" not in page.url:
        trip.goto("/dashboards/report/?year=2021")
    assert "扬中市 2021年 村集体经济组织收益分配统计表" in page.locator("h1").inner_text()
    # 八桥镇's eight approved villages: 经营收入 and 发包及上交收入 898万 each, 补助收入 634万.
    assert page.locator(".form-table tr[data-code='1'] td.num").inner_text() == "898.00"
    assert page.locator(".form-table tr[data-code='2'] td.num").inner_text() == "898.00"
    assert page.locator(".form-table tr[data-code='8'] td.num").inner_text() == "634.00"
    assert page.locator(".form-table tr[data-code='22'] td.num").inner_text() == "8 个"
    assert "全部相符" in page.locator(".report-checks").inner_text()
    missing = page.locator(".report-missing").inner_text()
    assert "新坝村" in missing and "已提交" in missing
    trip.shot("county-report")

    page.fill("input[name=head]", "王主任")
    page.fill("input[name=preparer]", "李会计")
    page.fill("input[name=reported_on]", "2022-01-20")
    with page.expect_download() as xlsx:
        page.click("button[value=xlsx]")
    path = Path(tmp_path / "report.xlsx")
    xlsx.value.save_as(path)
    assert xlsx.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(path)["收益分配统计表"]
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert "单位负责人：王主任" in texts and "报出日期：2022年01月20日" in texts
    with page.expect_download() as csv_download:
        page.click("button[value=csv]")
    rows = list(csv.reader(io.StringIO(Path(csv_download.value.path()).read_text(encoding="utf-8"))))
    assert rows[0] == ["代码", "指标名称", "单位", "数值"] and ["1", "经营收入", "元", "8980000.00"] in rows

    with page.expect_navigation():
        page.click("text=打印版")
    page.wait_for_load_state("networkidle")
    sign = page.locator(".report-sign").inner_text()
    assert "王主任" in sign and "李会计" in sign and "2022年01月20日" in sign
    trip.shot("print-view")
