"""The 收益分配统计表 (ledger.annual_report): approved statements summed to the fen, the form's codes and
relations under both systems, the villages left out, its files, the command and the page."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from django.urls import reverse
from openpyxl import load_workbook

from ledger.annual_report import statement_report
from ledger.annual_report_files import Signature, report_csv, report_xlsx
from ledger.models import LedgerLine, LedgerYear
from villages.models import Village
from villages.selectors import CountyNotFound, county_by_code_or_name

from .factories import item_for_year, make_ledger_year, make_village

# Amounts whose sum a float would get wrong in the last fen.
AWKWARD = ["0.01", "0.07", "1234567.89", "0.10", "99999999.99", "0.20", "3.33"]


def _statement(n: int) -> dict:
    return {
        "operating_revenue": AWKWARD[n % 7], "contract_remittance": AWKWARD[(n + 1) % 7],
        "investment_income": f"-{AWKWARD[(n + 2) % 7]}" if n % 3 == 0 else AWKWARD[(n + 2) % 7],
        "operating_expense": "0.03", "admin_expense": "10.01", "cadre_pay": "5.05",
        "agricultural_tax_rebate": "0.11", "subsidy_income": AWKWARD[(n + 3) % 7], "other_income": "7.77",
        "other_expense": "1.01", "opening_undistributed": "-0.09", "other_transfer_in": "0.01",
        "reserve_fund": "1.11", "welfare_fund": "0.01", "investor_dividend": "0.02",
        "household_distribution": AWKWARD[(n + 4) % 7], "other_distribution": "0.05",
    }


@pytest.fixture
def baqiao_2021(world):
    """Seven approved 八桥镇 village-years, one submitted, one draft, one village without a 2021 account."""
    town = world["baqiao"]
    approved = [make_ledger_year(make_village(town, 220 + n), 2021, _statement(n), status="approved")
                for n in range(7)]
    make_ledger_year(world["villages"]["长胜村"], 2021, _statement(8), status="submitted")
    make_ledger_year(world["villages"]["幸福村"], 2021, _statement(9))
    return approved


def _sum_of_lines(ledger_years, code: str, year: int = 2021) -> Decimal:
    amounts = LedgerLine.objects.filter(ledger_year__in=ledger_years, item=item_for_year(year, code))
    return sum((line.amount for line in amounts), Decimal("0.00"))


def test_totals_equal_the_approved_statements_to_the_fen(world, baqiao_2021):
    report = statement_report(villages=Village.objects.filter(town=world["baqiao"]), year=2021)
    codes = {"operating_revenue": 1, "contract_remittance": 2, "investment_income": 3, "operating_expense": 4,
             "admin_expense": 5, "cadre_pay": 6, "other_income": 9, "other_expense": 10,
             "opening_undistributed": 12, "other_transfer_in": 13, "reserve_fund": 16, "welfare_fund": 17,
             "investor_dividend": 18, "household_distribution": 19, "other_distribution": 20}
    for code, form_code in codes.items():
        assert report.line(form_code).value == _sum_of_lines(baqiao_2021, code), code
    # 8 补助收入 carries 农业税附加返还收入, which has no 代码 of its own on the form.
    assert report.line(8).value == (_sum_of_lines(baqiao_2021, "subsidy_income")
                                    + _sum_of_lines(baqiao_2021, "agricultural_tax_rebate"))
    assert "农业税附加返还收入" in report.line(8).note
    for form_code, figure in ((7, "operating_profit"), (11, "net_income"), (14, "distributable"),
                              (15, "distributions"), (21, "closing_undistributed")):
        assert report.line(form_code).value == sum(getattr(ly, figure) for ly in baqiao_2021)
    assert report.line(22).value == 7 and report.villages_reported == 7
    assert report.balanced, [c for c in report.checks if not c.ok]
    assert [c.text for c in report.checks][:5] == ["7=1+2+3−4−5", "11=7+8+9−10", "14=11+12+13",
                                                   "15=16+17+18+19+20", "21=14−15"]


def test_villages_not_approved_are_listed_with_their_status_and_not_summed(world, baqiao_2021):
    report = statement_report(villages=Village.objects.filter(town=world["baqiao"]), year=2021)
    missing = {v.name: v.status_label for v in report.missing}
    assert missing == {"长胜村": "已提交", "幸福村": "草稿", "八桥村": "未建账"}
    assert report.villages_in_scope == 10
    submitted = LedgerYear.objects.get(village__name="长胜村", year=2021)
    assert report.line(1).value == _sum_of_lines(baqiao_2021, "operating_revenue")
    assert report.line(1).value != _sum_of_lines([*baqiao_2021, submitted], "operating_revenue")


def test_a_figure_that_does_not_follow_from_its_lines_shows_as_a_difference(world, baqiao_2021):
    LedgerYear.objects.filter(pk=baqiao_2021[0].pk).update(net_income=F("net_income") + Decimal("0.01"))
    report = statement_report(villages=Village.objects.filter(town=world["baqiao"]), year=2021)
    broken = [c for c in report.checks if not c.ok]
    assert [c.text for c in broken] == ["11=7+8+9−10", "14=11+12+13"]
    assert broken[0].difference == Decimal("0.01")


def test_the_2023_system_has_its_own_lines_and_relations(world):
    make_ledger_year(world["villages"]["长胜村"], 2024, {
        "operating_revenue": "1000.50", "operating_expense": "100", "taxes_surcharges": "20.25",
        "admin_expense": "80", "investment_income": "-50", "subsidy_income": "300", "other_income": "10",
        "public_welfare_expense": "40", "other_expense": "5", "income_tax": "12.5",
        "opening_undistributed": "200", "other_transfer_in": "3", "reserve_fund": "100",
        "member_distribution": "300", "other_distribution": "1"}, status="approved")
    report = statement_report(villages=Village.objects.filter(town=world["baqiao"]), year=2024)
    assert report.system_code == "2023" and "财会〔2023〕14号" in report.basis
    assert [line.code for line in report.lines] == [*range(1, 21), *range(22, 29)]
    assert (report.line(6).name, report.line(6).value) == ("经营收益", Decimal("750.25"))
    assert (report.line(11).name, report.line(11).value) == ("收益总额", Decimal("1015.25"))
    assert (report.line(13).value, report.line(20).value) == (Decimal("1002.75"), Decimal("804.75"))
    assert report.balanced
    assert [c.text for c in report.checks][:5] == ["6=1−2−3−4+5", "11=6+7+8−9−10", "13=11−12", "16=13+14+15",
                                                   "20=16−17−18−19"]


def test_the_report_takes_three_queries_whatever_the_size(world, baqiao_2021, django_assert_num_queries):
    with django_assert_num_queries(3):
        statement_report(villages=Village.objects.filter(town__county=world["yangzhong"]), year=2021)
    with django_assert_num_queries(3):
        statement_report(villages=Village.objects.filter(pk=baqiao_2021[0].village_id), year=2021)


def test_csv_has_every_line_with_its_code_in_yuan_and_counts(world, baqiao_2021):
    report = statement_report(villages=Village.objects.filter(town=world["baqiao"]), year=2021)
    rows = list(csv.reader(io.StringIO(report_csv(report).decode("utf-8"))))
    assert rows[0] == ["代码", "指标名称", "单位", "数值"]
    assert [int(r[0]) for r in rows[1:]] == list(range(1, 29))
    by_code = {int(r[0]): r for r in rows[1:]}
    assert by_code[1] == ["1", "经营收入", "元", f"{_sum_of_lines(baqiao_2021, 'operating_revenue'):.2f}"]
    assert by_code[22] == ["22", "汇入本表村数", "个", "7"]
    assert by_code[6][1] == "其中：干部报酬"


def test_xlsx_is_the_form_on_an_a4_page(world, baqiao_2021):
    report = statement_report(villages=Village.objects.filter(town=world["baqiao"]), year=2021)
    data = report_xlsx(report, Signature(unit="扬中市八桥镇", head="王主任", preparer="李会计"))
    book = load_workbook(io.BytesIO(data))
    sheet = book["收益分配统计表"]
    assert sheet["A1"].value == "村集体经济组织收益分配统计表"
    assert "A1:F1" in {str(r) for r in sheet.merged_cells.ranges}
    assert [c.value for c in sheet[4]] == ["指标名称", "代码", "金额"] * 2
    assert sheet["A5"].value == "经营收入" and sheet["B5"].value == 1
    assert Decimal(str(sheet["C5"].value)) == report.line(1).wan
    assert sheet["D5"].value == "各项分配" and sheet["E5"].value == 15  # the right half starts at 15
    assert sheet["E3"].value == "单位：万元" and "扬中市八桥镇" in sheet["A3"].value
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)  # A4
    assert sheet.print_area and "$A$1:$F$" in sheet.print_area
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert "单位负责人：王主任" in texts and "填表人：李会计" in texts
    assert {row[2].value for row in book["未汇入村"].iter_rows(min_row=3)} == {"长胜村", "幸福村", "八桥村"}


def test_export_report_command_writes_csv_and_xlsx(world, baqiao_2021, tmp_path):
    out = io.StringIO()
    call_command("export_report", year=2021, town="八桥", output=str(tmp_path / "r.csv"), stdout=out,
                 stderr=io.StringIO())
    assert "汇入 7 个村" in out.getvalue()
    assert (tmp_path / "r.csv").read_text(encoding="utf-8").startswith("代码,指标名称,单位,数值")
    call_command("export_report", year=2021, county="321182", output=str(tmp_path / "r.xlsx"),
                 stdout=io.StringIO(), stderr=io.StringIO())
    assert load_workbook(tmp_path / "r.xlsx")["收益分配统计表"]["A1"].value == "村集体经济组织收益分配统计表"


@pytest.mark.parametrize(("kwargs", "message", "code"), [
    ({"year": 2021, "output": "r.pdf", "town": "八桥镇"}, ".xlsx 或 .csv", 1),
    ({"year": 2021, "output": "r.csv"}, "二者选一", 1),
    ({"year": 2021, "output": "r.csv", "town": "八桥镇", "county": "扬中市"}, "二者选一", 1),
    ({"year": 2021, "output": "r.csv", "town": "不存在镇"}, "找不到乡镇", 1),
    ({"year": 2021, "output": "r.csv", "county": "999999"}, "没有代码为 999999 的县", 1),
    ({"year": 2003, "output": "r.csv", "county": "扬中"}, "2005 年以前", 1),
    ({"year": 2021, "output": "r.csv", "town": "八桥镇", "complete": True}, "未导出", 3),
])
def test_export_report_refuses_in_chinese_with_exit_codes(world, baqiao_2021, tmp_path, kwargs, message, code):
    kwargs["output"] = str(tmp_path / kwargs["output"])
    with pytest.raises(CommandError) as refused:
        call_command("export_report", **kwargs, stdout=io.StringIO(), stderr=io.StringIO())
    assert message in str(refused.value) and refused.value.returncode == code
    assert not (tmp_path / "r.csv").exists()


def test_county_found_by_code_or_name(world):
    assert county_by_code_or_name("扬中") == world["yangzhong"]
    assert county_by_code_or_name("扬中市") == world["yangzhong"]
    assert county_by_code_or_name("410882") == world["qinyang"]
    assert county_by_code_or_name("410882000000") == world["qinyang"]
    with pytest.raises(CountyNotFound, match="找不到"):
        county_by_code_or_name("扬州")


def test_official_reads_the_county_report_and_downloads_it(client, world, people, baqiao_2021):
    client.force_login(people["carol"])
    response = client.get(reverse("dashboards:report"), {"year": 2021})
    body = response.content.decode()
    assert response.status_code == 200
    assert "村集体经济组织收益分配统计表" in body and "扬中市" in body
    assert "长胜村" in body and "已提交" in body and "未建账" in body  # the villages to chase
    assert "7=1+2+3−4−5" in body and "全部相符" in body
    xlsx = client.get(reverse("dashboards:report"), {"year": 2021, "export": "xlsx", "head": "王主任"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content))["收益分配统计表"]
    assert "填报单位：扬中市" in sheet["A3"].value
    csv_response = client.get(reverse("dashboards:report"), {"year": 2021, "export": "csv"})
    assert csv_response["Content-Type"].startswith("text/csv")
    assert "filename*=UTF-8''" in csv_response["Content-Disposition"]
    printed = client.get(reverse("dashboards:report_print"), {"year": 2021, "head": "王主任", "preparer": "李会计",
                                                              "reported_on": "2022-01-15"}).content.decode()
    assert "王主任" in printed and "李会计" in printed and "2022年01月15日" in printed


def test_report_page_is_404_outside_the_users_scope(client, world, people, baqiao_2021):
    client.force_login(people["oscar"])
    assert client.get(reverse("dashboards:report"), {"county": world["yangzhong"].pk}).status_code == 404
    assert client.get(reverse("dashboards:report"), {"town": world["baqiao"].pk, "export": "csv"}).status_code == 404
    client.force_login(people["alice"])  # a town user reads her town only
    body = client.get(reverse("dashboards:report"), {"year": 2021}).content.decode()
    assert "扬中市八桥镇" in body and "新坝镇" not in body


def test_plain_data_for_an_api(world, baqiao_2021):
    import json

    report = statement_report(villages=Village.objects.filter(town=world["baqiao"]), year=2021)
    data = json.loads(json.dumps(report.as_dict(), ensure_ascii=False))
    assert data["year"] == 2021 and data["balanced"] is True
    first = data["lines"][0]
    assert (first["code"], first["name"], first["unit"]) == (1, "经营收入", "元")
    assert Decimal(first["value"]) == report.line(1).value
    assert {v["name"] for v in data["missing"]} == {"长胜村", "幸福村", "八桥村"}
