"""The 收益分配统计表 (`ledger.annual_report.StatementReport`) as files: xlsx in the form's layout, csv
for the next level's system. Writers only; what they write is computed by `ledger.annual_report`."""

import csv
import io
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from .annual_report import COUNT, StatementReport
from .spreadsheets import neutralize

CSV_HEADERS = ["代码", "指标名称", "单位", "数值"]
AMOUNT_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"


@dataclass(frozen=True)
class Signature:
    """What the form's foot carries: 填报单位 (the unit the report is for) and what people fill in."""

    unit: str
    head: str = ""  # 单位负责人
    preparer: str = ""  # 填表人
    reported_on: date | None = None  # 报出日期

    @property
    def reported_on_text(self) -> str:
        return f"{self.reported_on:%Y年%m月%d日}" if self.reported_on else ""


def report_csv(report: StatementReport) -> bytes:
    """代码,指标名称,单位,数值: one row per line of the form (附报 included); amounts in 元 with 2
    decimals, counts in 个. UTF-8, CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    for line in report.lines:
        value = line.value if line.is_count else f"{line.value:.2f}"
        writer.writerow([line.code, line.name, line.unit, value])
    return buffer.getvalue().encode("utf-8")


def _line_name(line) -> str:
    name = f"{'　' if line.level else ''}{line.name}"
    if line.is_count:
        name += "（个）"
    if line.note:
        name += f"（{line.note}）"
    return name


def report_xlsx(report: StatementReport, signature: Signature) -> bytes:
    """The form on an A4 sheet: title, 填报单位 and 单位：万元, the two columns of 指标名称 / 代码 / 金额,
    the balance relations checked, the signatures; a second sheet lists the villages not in the sum."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "收益分配统计表"
    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    bold = Font(bold=True)

    sheet.merge_cells("A1:F1")
    sheet["A1"] = report.title
    sheet["A1"].font = Font(bold=True, size=16)
    sheet["A1"].alignment = center
    sheet.merge_cells("A2:F2")
    sheet["A2"] = f"{report.year}年度　（{report.basis}）"
    sheet["A2"].alignment = center
    sheet["A2"].font = Font(size=9)
    sheet.merge_cells("A3:D3")
    sheet["A3"] = neutralize(f"填报单位：{signature.unit}")
    sheet.merge_cells("E3:F3")
    sheet["E3"] = "单位：万元"
    sheet["E3"].alignment = Alignment(horizontal="right")
    for column, header in enumerate(["指标名称", "代码", "金额"] * 2, start=1):
        cell = sheet.cell(row=4, column=column, value=header)
        cell.font, cell.alignment, cell.border = bold, center, box
    left, right = report.halves
    for offset, half in ((0, left), (3, right)):
        for index, line in enumerate(half):
            row = 5 + index
            name = sheet.cell(row=row, column=1 + offset, value=_line_name(line))
            code = sheet.cell(row=row, column=2 + offset, value=line.code)
            value = sheet.cell(row=row, column=3 + offset, value=line.wan)
            value.number_format = COUNT_FORMAT if line.unit == COUNT else AMOUNT_FORMAT
            code.alignment = Alignment(horizontal="center")
            if line.derived:
                name.font = value.font = bold
            for cell in (name, code, value):
                cell.border = box
    last = 5 + len(left) - 1
    for offset in (0, 3):  # a shorter right half still has its boxes
        for row in range(5 + len(right), last + 1):
            for column in range(1 + offset, 4 + offset):
                sheet.cell(row=row, column=column).border = box
    checks = "；".join(f"{c.text} {'相符' if c.ok else f'不符（差 {c.difference}）'}" for c in report.checks)
    row = last + 1
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=6)
    sheet.cell(row=row, column=1, value=f"平衡关系：{checks}").alignment = Alignment(wrap_text=True, vertical="top")
    sheet.cell(row=row, column=1).font = Font(size=9)
    sheet.row_dimensions[row].height = 42
    row += 1
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=6)
    sheet.cell(row=row, column=1, value=(
        f"汇入本表 {report.villages_reported} 个村（已审核）；范围内共 {report.villages_in_scope} 个村，"
        f"未汇入 {len(report.missing)} 个（见“未汇入村”表）。")).font = Font(size=9)
    row += 1
    sheet.cell(row=row, column=1, value=neutralize(f"单位负责人：{signature.head}"))
    sheet.cell(row=row, column=3, value=neutralize(f"填表人：{signature.preparer}"))
    sheet.cell(row=row, column=5, value=f"报出日期：{signature.reported_on_text}")
    for column, width in zip("ABCDEF", (30, 7, 14, 30, 7, 14), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.print_area = f"A1:F{row}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.print_title_rows = "4:4"

    missing = workbook.create_sheet("未汇入村")
    missing.append([neutralize(f"{signature.unit} {report.year}年 未汇入本表的村（账目未审核或未建账）")])
    missing.append(["区划代码", "乡镇", "村", "状态"])
    for village in report.missing:
        missing.append([village.code, neutralize(village.town), neutralize(village.name), village.status_label])
    for column, width in zip("ABCD", (16, 16, 16, 10), strict=True):
        missing.column_dimensions[column].width = width
    missing.print_title_rows = "2:2"
    missing.page_setup.paperSize = missing.PAPERSIZE_A4
    for column in range(1, 5):
        missing.cell(row=2, column=column).font = bold
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
