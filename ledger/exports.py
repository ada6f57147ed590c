"""Ledgers out to files: long (one row per line, what `export_ledger` writes) and wide (one row per
village-year, one column per item), plus the prefilled import template. Reads only; a fixed number of
queries whatever the size."""

import csv
import io
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from villages.models import Town

from .bulk import CHUNK_SIZE
from .figures import FIGURE_NAMES, STATEMENT_FIGURES
from .models import AccountingSystem, LedgerLine, LedgerYear, LineItem
from .spreadsheets import neutralize, xlsx_bytes

# 备注 last: scripts that read the first seven columns keep working, and an exported file imports back
# with its notes (the importer reads 备注), so a round trip loses nothing.
LONG_HEADERS = ["区划代码", "乡镇", "村", "年度", "科目", "项目", "金额(元)", "备注"]


def ledger_years(*, villages: QuerySet, year: int | None = None, town: Town | None = None) -> QuerySet[LedgerYear]:
    years = LedgerYear.objects.filter(village__in=villages)
    if year is not None:
        years = years.filter(year=year)
    if town is not None:
        years = years.filter(town=town)
    return years


def long_rows(years: QuerySet[LedgerYear]) -> Iterator[list]:
    """区划代码, 乡镇, 村, 年度, 科目, 项目, 金额(元), 备注 — one query, streamed."""
    lines = (LedgerLine.objects.filter(ledger_year__in=years)
             .order_by("ledger_year__village__code", "ledger_year__year", "item__line_number", "name")
             .values_list("ledger_year__village__code", "ledger_year__town__name", "ledger_year__village__name",
                          "ledger_year__year", "item__name", "name", "amount", "note"))
    for code, town, village, year, item, name, amount, note in lines.iterator(chunk_size=CHUNK_SIZE):
        yield [code, town, village, year, item, name, amount, note]


def long_csv(years: QuerySet[LedgerYear]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(LONG_HEADERS)
    for row in long_rows(years):
        row[6] = f"{row[6]:.2f}"
        writer.writerow([neutralize(value) if isinstance(value, str) else value for value in row])
    return buffer.getvalue().encode("utf-8")


def long_xlsx(years: QuerySet[LedgerYear], *, title: str = "村级集体经济台账明细") -> bytes:
    return xlsx_bytes([("台账明细", LONG_HEADERS, long_rows(years))], title=title, unit="元")


def wide_xlsx(years: QuerySet[LedgerYear], *, title: str = "村级集体经济收益分配（宽表）") -> bytes:
    """One sheet per year: a row per village, a column per item of that year's system, then the figures."""
    items_by_system: dict[int, list[LineItem]] = {}
    for item in LineItem.objects.order_by("line_number"):
        items_by_system.setdefault(item.system_id, []).append(item)
    amounts: dict[int, dict[int, Decimal]] = {}
    for ledger_year_id, item_id, amount in LedgerLine.objects.filter(ledger_year__in=years).values_list(
            "ledger_year_id", "item_id", "amount").iterator(chunk_size=CHUNK_SIZE):
        per_year = amounts.setdefault(ledger_year_id, {})
        per_year[item_id] = per_year.get(item_id, Decimal(0)) + amount
    sheets: dict[int, tuple[list[str], list[list]]] = {}
    # The statement's own totals, as the entry page shows them.
    figures = [(code, FIGURE_NAMES[code]) for code in STATEMENT_FIGURES]
    for ly in years.select_related("village", "town").order_by("year", "village__code"):
        items = items_by_system[ly.system_id]
        if ly.year not in sheets:
            headers = ["区划代码", "乡镇", "村", *[f"{item.name}(元)" for item in items],
                       *[f"{name}(元)" for _, name in figures], "状态"]
            sheets[ly.year] = (headers, [])
        values = amounts.get(ly.pk, {})
        sheets[ly.year][1].append([
            ly.village.code, ly.town.name, ly.village.name, *[values.get(item.pk) for item in items],
            *[getattr(ly, code) for code, _ in figures], ly.get_status_display(),
        ])
    if not sheets:
        sheets[0] = (["区划代码", "乡镇", "村"], [])
    return xlsx_bytes([(f"{year}年" if year else "无数据", headers, rows) for year, (headers, rows) in sheets.items()],
                      title=title, unit="元")


def template_xlsx(*, town: Town, year: int) -> bytes:
    """The import template for a town and year: its villages and that year's items, in 万元.

    Sheet 1 is the wide table (one row per village, prefilled); sheet 2 the long layout for items with
    named sub-lines (项目), with drop-downs for village and item. Both import as they are.
    """
    system = AccountingSystem.for_year(year)
    items = list(system.items.order_by("line_number"))
    villages = list(town.villages.order_by("code"))
    workbook = Workbook()
    bold = Font(bold=True)

    wide = workbook.active
    wide.title = "收益分配表"
    wide.append([neutralize(f"{town.name}{year}年度村级集体经济收益分配表")])
    wide.append([f"年度：{year}", None, "单位：万元", None, f"会计制度：{system}"])
    wide.append(["区划代码", "村名", *[item.name for item in items]])
    for cell in wide[3]:
        cell.font = bold
    for village in villages:
        wide.append([village.code, neutralize(village.name)])
    amount_check = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                                  showErrorMessage=True, errorTitle="金额", error="请填写不小于 0 的数字（万元）")
    wide.add_data_validation(amount_check)
    last_row = 3 + max(len(villages), 1)
    amount_check.add(f"C4:{get_column_letter(2 + len(items))}{last_row}")
    wide.column_dimensions["A"].width = 16
    wide.column_dimensions["B"].width = 12
    for index in range(len(items)):
        wide.column_dimensions[get_column_letter(3 + index)].width = 14
    wide.freeze_panes = "C4"

    choices = workbook.create_sheet("选项")
    for row, village in enumerate(villages, start=1):
        choices.cell(row=row, column=1, value=neutralize(village.name))
    for row, item in enumerate(items, start=1):
        choices.cell(row=row, column=2, value=item.name)
    choices.sheet_state = "hidden"

    long = workbook.create_sheet("明细（长表）")
    long.append([neutralize(f"{town.name}{year}年度村级集体经济收益明细")])
    long.append([f"年度：{year}", None, "单位：万元"])
    long.append(["村名", "科目", "项目", "金额(万元)", "备注"])
    for cell in long[3]:
        cell.font = bold
    village_list = DataValidation(type="list", formula1=f"=选项!$A$1:$A${max(len(villages), 1)}", allow_blank=True)
    item_list = DataValidation(type="list", formula1=f"=选项!$B$1:$B${len(items)}", allow_blank=True)
    long_amount = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    for validation, column in ((village_list, "A"), (item_list, "B"), (long_amount, "D")):
        long.add_data_validation(validation)
        validation.add(f"{column}4:{column}2000")
    for column, width in (("A", 12), ("B", 16), ("C", 24), ("D", 14), ("E", 24)):
        long.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
