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


def ods(name: str, rows) -> bytes:
    """A minimal OpenDocument spreadsheet (what LibreOffice/WPS save as .ods), written by hand: no
    library in the project writes .ods, and the format is a zip of three small XML files."""
    import zipfile
    from xml.sax.saxutils import escape

    def cell(value):
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, (int, float)):
            return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{escape(name)}">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet",
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return buffer.getvalue()
