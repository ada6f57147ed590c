"""Ledger files as towns send them, built in code for the import tests."""

from io import BytesIO

from openpyxl import Workbook


def xlsx(*sheets, merges: dict | None = None) -> bytes:
    """Sheets as (name, rows); `merges` = {sheet name: ["A1:D1", …]}."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets:
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
        for cell_range in (merges or {}).get(name, []):
            sheet.merge_cells(cell_range)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, encoding: str = "utf-8") -> bytes:
    text = "\r\n".join(",".join(str(cell) for cell in row) for row in rows) + "\r\n"
    return text.encode(encoding)


def messy_wide_rows(year: int = 2023):
    """八桥镇's yearly table: title, unit line, two-row header, derived columns, totals, footer."""
    return [
        [f"八桥镇{year}年度村级集体经济收益分配情况表", None, None, None, None, None, None, None],
        ["单位：万元", None, None, None, None, None, None, None],
        ["序号", "村名", "收入", None, None, "支出", "总收入", "本年收益"],
        [None, None, "经营收入", "发包及上交收入", "补助收入", "管理费", None, None],
        [1, "长胜", 120.5, "30", "１,０００.００", 20, 1150.5, 1130.5],
        [2, "幸福村", 80, None, 10, 5.25, 90, 84.75],
        [None, "合计", 200.5, 30, 1010, 25.25, 1240.5, 1215.25],
        ["填表人：张三", None, None, "审核人：李四", None, None, None, None],
    ]


MESSY_WIDE_MERGES = {"收益分配": ["A1:H1", "C3:E3", "A3:A4", "B3:B4", "G3:G4", "H3:H4"]}
