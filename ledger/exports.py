"""Ledgers out to files: long (one row per line, what `export_ledger` writes) and wide (one row per
village-year, one column per line of its system's statement in the form's order, with the derived rows
where the form has them), in 元 or 万元, plus the prefilled import template. Reads only; a fixed number
of queries whatever the size. Every file imports back as it is (`ledger.importing`): the long layout
names lines by their official 科目 (其中：干部报酬), 万元 keep six decimals so that no fen is lost."""

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
from .figures import DERIVED_ROWS, FIGURE_NAMES, STATEMENT_FIGURES
from .models import AccountingSystem, LedgerLine, LedgerYear, LineItem
from .money import MAX_LINE_AMOUNT, UNITS, WAN, YUAN
from .spreadsheets import neutralize, xlsx_bytes

# 备注 last: scripts that read the first seven columns keep working, and an exported file imports back
# with its notes (the importer reads 备注), so a round trip loses nothing.
LONG_HEADERS = ["区划代码", "乡镇", "村", "年度", "科目", "项目", "金额(元)", "备注"]
# Decimals that keep every fen: 2 in 元, 6 in 万元 (12,345.67 元 = 1.234567 万元).
EXPORT_PLACES = {YUAN: Decimal("0.01"), WAN: Decimal("0.000001")}


def unit_label(unit: str) -> str:
    return UNITS[unit][0]


def in_unit(amount: Decimal | None, unit: str) -> Decimal | None:
    """元 → the export's unit, exactly (万元 with six decimals)."""
    if amount is None or unit == YUAN:
        return amount
    return (Decimal(amount) / UNITS[unit][1]).quantize(EXPORT_PLACES[unit])


def long_headers(unit: str = YUAN) -> list[str]:
    return [*LONG_HEADERS[:6], f"金额({unit_label(unit)})", *LONG_HEADERS[7:]]


def ledger_years(*, villages: QuerySet, year: int | None = None, town: Town | None = None) -> QuerySet[LedgerYear]:
    years = LedgerYear.objects.filter(village__in=villages)
    if year is not None:
        years = years.filter(year=year)
    if town is not None:
        years = years.filter(town=town)
    return years


def long_rows(years: QuerySet[LedgerYear], unit: str = YUAN) -> Iterator[list]:
    """区划代码, 乡镇, 村, 年度, 科目, 项目, 金额, 备注 — one query, streamed; 科目 as the statement
    names it (其中：干部报酬), in the statement's order."""
    lines = (LedgerLine.objects.filter(ledger_year__in=years)
             .order_by("ledger_year__village__code", "ledger_year__year", "item__line_number", "name")
             .values_list("ledger_year__village__code", "ledger_year__town__name", "ledger_year__village__name",
                          "ledger_year__year", "item__name", "name", "amount", "note"))
    for code, town, village, year, item, name, amount, note in lines.iterator(chunk_size=CHUNK_SIZE):
        yield [code, town, village, year, item, name, in_unit(amount, unit), note]


def long_csv(years: QuerySet[LedgerYear], unit: str = YUAN) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(long_headers(unit))
    for row in long_rows(years, unit):
        row = [neutralize(value) if isinstance(value, str) else value for value in row]
        row[6] = f"{row[6]:f}"  # a number, written after the text is neutralised: a loss keeps its minus sign
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8")


def long_xlsx(years: QuerySet[LedgerYear], unit: str = YUAN, *, title: str = "村级集体经济台账明细") -> bytes:
    return xlsx_bytes([("台账明细", long_headers(unit), long_rows(years, unit))], title=title, unit=unit_label(unit))


def statement_columns(system_code: str, items: list[LineItem]) -> list[tuple[str, LineItem | None, str]]:
    """The columns of a system's statement in the form's order: (header, item or None, metric code).
    A derived row stands before the first item whose row is not before it (经营收益 7 before
    农业税附加返还收入, which sorts as 7), as on the entry page; then the policy figures the statement
    has no row for (总收入, 经营性收入)."""
    derived = list(DERIVED_ROWS[system_code])
    columns: list[tuple[str, LineItem | None, str]] = []
    for item in items:
        while derived and derived[0].line_number <= item.line_number:
            row = derived.pop(0)
            columns.append((row.name, None, row.metric))
        columns.append((item.name, item, ""))
    columns += [(row.name, None, row.metric) for row in derived]
    shown = {metric for _, _, metric in columns}
    columns += [(FIGURE_NAMES[code], None, code) for code in STATEMENT_FIGURES if code not in shown]
    return columns


def wide_xlsx(years: QuerySet[LedgerYear], unit: str = YUAN, *,
              title: str = "村级集体经济收益及收益分配（宽表）") -> bytes:
    """One sheet per year: a row per village, a column per line of that year's system in the form's
    order with its derived rows (经营收益 … 年末未分配收益), then 总收入 and 经营性收入."""
    items_by_system: dict[int, list[LineItem]] = {}
    for item in LineItem.objects.select_related("system").order_by("line_number"):
        items_by_system.setdefault(item.system_id, []).append(item)
    amounts: dict[int, dict[int, Decimal]] = {}
    for ledger_year_id, item_id, amount in LedgerLine.objects.filter(ledger_year__in=years).values_list(
            "ledger_year_id", "item_id", "amount").iterator(chunk_size=CHUNK_SIZE):
        per_year = amounts.setdefault(ledger_year_id, {})
        per_year[item_id] = per_year.get(item_id, Decimal(0)) + amount
    sheets: dict[int, tuple[list[str], list[list]]] = {}
    label = unit_label(unit)
    columns_by_year: dict[int, list] = {}
    for ly in years.select_related("village", "town", "system").order_by("year", "village__code"):
        if ly.year not in sheets:
            columns_by_year[ly.year] = statement_columns(ly.system.code, items_by_system[ly.system_id])
            headers = ["区划代码", "乡镇", "村", "年度", *[f"{name}({label})" for name, _, _ in columns_by_year[ly.year]],
                       "状态"]
            sheets[ly.year] = (headers, [])
        values = amounts.get(ly.pk, {})
        sheets[ly.year][1].append([
            ly.village.code, ly.town.name, ly.village.name, ly.year,
            *[in_unit(values.get(item.pk) if item is not None else getattr(ly, metric), unit)
              for _, item, metric in columns_by_year[ly.year]],
            ly.get_status_display(),
        ])
    if not sheets:
        sheets[0] = (["区划代码", "乡镇", "村", "年度"], [])
    return xlsx_bytes([(f"{year}年" if year else "无数据", headers, rows) for year, (headers, rows) in sheets.items()],
                      title=title, unit=label)


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
    last_row = 3 + max(len(villages), 1)
    limit = str(int(MAX_LINE_AMOUNT / 10000))  # 100亿元 in 万元
    # ≥ 0 on every line but those that may hold a loss (投资收益, 年初未分配收益), which take a minus sign.
    amount_check = DataValidation(type="decimal", operator="between", formula1="0", formula2=limit, allow_blank=True,
                                  showErrorMessage=True, errorTitle="金额", error="请填写不小于 0 的数字（万元）")
    loss_check = DataValidation(type="decimal", operator="between", formula1=f"-{limit}", formula2=limit,
                                allow_blank=True, showErrorMessage=True, errorTitle="金额",
                                error="请填写数字（万元），亏损填负数")
    for validation in (amount_check, loss_check):
        wide.add_data_validation(validation)
    for index, item in enumerate(items):
        letter = get_column_letter(3 + index)
        (loss_check if item.may_be_negative else amount_check).add(f"{letter}4:{letter}{last_row}")
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
    # One column for every line: a loss is allowed here, the import refuses it on the other lines by name.
    long_amount = DataValidation(type="decimal", operator="between", formula1=f"-{limit}", formula2=limit,
                                 allow_blank=True, showErrorMessage=True, errorTitle="金额",
                                 error="请填写数字（万元）；只有投资收益、年初未分配收益可以填负数")
    for validation, column in ((village_list, "A"), (item_list, "B"), (long_amount, "D")):
        long.add_data_validation(validation)
        validation.add(f"{column}4:{column}2000")
    for column, width in (("A", 12), ("B", 16), ("C", 24), ("D", 14), ("E", 24)):
        long.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
