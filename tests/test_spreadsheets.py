"""Every xlsx export reads like a table made by hand: title row with scope, year, unit and 制表时间,
frozen bold headers, sized columns, amounts as numbers with thousands separators."""

import io
from datetime import datetime
from decimal import Decimal
from urllib.parse import unquote

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ledger.spreadsheets import MONEY_FORMAT, xlsx_bytes

from .factories import make_ledger_year


def test_export_has_title_unit_time_frozen_header_widths_and_money_format():
    made = timezone.make_aware(datetime(2026, 3, 1, 9, 30))
    data = xlsx_bytes([("村排名", ["名次", "村", "经营性收入（万元）"],
                        [[1, "长胜村", Decimal("1234567.5")], [2, "=cmd|x", Decimal("2.00")]])],
                      title="扬中市 2025年 村经营性收入排名", unit="万元", made_at=made)
    sheet = load_workbook(io.BytesIO(data))["村排名"]
    assert sheet["A1"].value == "扬中市 2025年 村经营性收入排名　单位：万元　制表时间：2026-03-01 09:30"
    assert [c.value for c in sheet[2]] == ["名次", "村", "经营性收入（万元）"] and sheet["A2"].font.b
    assert sheet.freeze_panes == "A3"
    assert sheet["C3"].value == Decimal("1234567.5") or sheet["C3"].value == 1234567.5
    assert sheet["C3"].number_format == MONEY_FORMAT and sheet["A3"].number_format == "General"
    assert sheet["B4"].value == "'=cmd|x"  # never a formula
    assert sheet.column_dimensions["C"].width >= 18  # as wide as its header


def test_ledger_export_is_named_and_titled_after_its_scope_and_year(client, world, people):
    make_ledger_year(world["villages"]["长胜村"], 2023, {"other_income": "1234.5"})
    client.force_login(people["dave"])
    response = client.get(reverse("ledger:ledger_export"), {"year": 2023, "town": world["baqiao"].pk})
    name = unquote(response["Content-Disposition"].split("filename*=UTF-8''")[1])
    assert name.startswith("台账明细-扬中市八桥镇-2023年-") and name.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet["A1"].value.startswith("扬中市八桥镇 2023年 村级集体经济台账明细　单位：元　制表时间：")
    amount = next(row for row in sheet.iter_rows(min_row=3) if row[2].value == "长胜村")[6]
    assert amount.value == 1234.5 and amount.number_format == MONEY_FORMAT
