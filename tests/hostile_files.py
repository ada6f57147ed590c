"""Hostile and odd ledger files, built in code (never committed as blobs) for the reader's tests and for
bench/hostile_files_bench.py: files that lie about their size, reach far-away cells, hide zip bombs,
or are text in the encodings and layouts people's software really writes.

Each builder returns bytes; sizes are parameters so that tests build small ones and the benchmark the
full-size ones of issue #12.
"""

import codecs
import io
import struct
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

FILES = Path(__file__).parent / "files"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<workbook xmlns="{MAIN_NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>')
SHEET_PATH = "xl/worksheets/sheet1.xml"
PARTS = {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": ROOT_RELS, "xl/workbook.xml": WORKBOOK,
         "xl/_rels/workbook.xml.rels": WORKBOOK_RELS}


def _cell(ref: str, value) -> str:
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def sheet_xml(cells: Iterable[tuple[str, object]], *, dimension: str | None = None) -> str:
    """A worksheet from (ref, value) pairs, rows in order."""
    rows: dict[int, list[str]] = {}
    for ref, value in cells:
        number = int("".join(ch for ch in ref if ch.isdigit()))
        rows.setdefault(number, []).append(_cell(ref, value))
    body = "".join(f'<row r="{number}">{"".join(row)}</row>' for number, row in sorted(rows.items()))
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}">{declared}<sheetData>{body}</sheetData></worksheet>'


def xlsx_with_sheet(sheet: str | bytes | Iterable[bytes]) -> bytes:
    """A minimal xlsx around one sheet's XML (pieces of bytes are streamed into the zip)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        if isinstance(sheet, (str, bytes)):
            archive.writestr(SHEET_PATH, sheet)
        else:
            with archive.open(SHEET_PATH, "w", force_zip64=True) as member:
                for piece in sheet:
                    member.write(piece)
    return buffer.getvalue()


LEDGER_HEADER = [("A1", "村名"), ("B1", "年度"), ("C1", "经营收入")]


def far_cell_xlsx(ref: str = "XFD1048576") -> bytes:
    """A 2 KB ledger with one more cell far away: python-calamine builds every cell up to it."""
    return xlsx_with_sheet(sheet_xml([*LEDGER_HEADER, ("A2", "长胜村"), ("B2", 2023), ("C2", 100), (ref, "x")]))


def lying_dimension_xlsx() -> bytes:
    """A sheet that declares A1:XFD1048576 and holds four cells: harmless once the declaration is not trusted."""
    return xlsx_with_sheet(sheet_xml([*LEDGER_HEADER, ("A2", "长胜村"), ("B2", 2023), ("C2", 100)],
                                     dimension="A1:XFD1048576"))


def _row_pieces(rows: int, *, start: int = 1, per_piece: int = 20000) -> Iterable[bytes]:
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'.encode()
    for first in range(start, start + rows, per_piece):
        last = min(first + per_piece, start + rows)
        yield "".join(f'<row r="{n}"><c r="A{n}"><v>1</v></c><c r="B{n}"><v>1</v></c></row>'
                      for n in range(first, last)).encode()
    yield b"</sheetData></worksheet>"


def many_rows_xlsx(rows: int = 2_500_000) -> bytes:
    """A sheet of `rows` real rows (2.5 M rows is about 13 MB: under the upload limit)."""
    return xlsx_with_sheet(_row_pieces(rows))


def _raw_zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip written by hand: (name, data as stored, size claimed, CRC claimed, method) — so that the
    headers can say what the data is not."""
    out = io.BytesIO()
    central = []
    for name, stored, claimed_size, claimed_crc, method in members:
        offset = out.tell()
        encoded = name.encode()
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, method, 0, 0x21, claimed_crc, len(stored),
                              claimed_size, len(encoded), 0) + encoded + stored)
        central.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, claimed_crc,
                                   len(stored), claimed_size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    for record in central:
        out.write(record)
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


def _deflate(pieces: Iterable[bytes]) -> tuple[bytes, int, int]:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    out, size, crc = [], 0, 0
    for piece in pieces:
        out.append(compressor.compress(piece))
        size += len(piece)
        crc = zlib.crc32(piece, crc)
    out.append(compressor.flush())
    return b"".join(out), size, crc


def lying_zip_xlsx(real_mb: int = 1000) -> bytes:
    """An xlsx whose sheet's headers claim 1 KB while its data inflates to `real_mb` MB of cells
    (1,000 MB packs into about 1 MB); the CRC claimed is that of the first kilobyte, so a reader that
    trusts the claimed size finds nothing wrong."""
    filler = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 20000
    header = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'.encode()
    pieces = [header] + [filler] * max(1, real_mb * 1024 * 1024 // len(filler))
    stored, _size, _crc = _deflate(pieces)
    first_kb = (header + filler)[:1024]
    members = []
    for name, text in PARTS.items():
        data, size, crc = _deflate([text.encode()])
        members.append((name, data, size, crc, zipfile.ZIP_DEFLATED))
    members.append((SHEET_PATH, stored, len(first_kb), zlib.crc32(first_kb), zipfile.ZIP_DEFLATED))
    return _raw_zip(members)


def bomb_xlsx(real_mb: int = 400) -> bytes:
    """An honest zip bomb: the headers tell the truth, the sheet inflates to `real_mb` MB."""
    filler = b"<row/>" * 100000
    return xlsx_with_sheet(iter([f'<?xml version="1.0"?><worksheet xmlns="{MAIN_NS}"><sheetData>'.encode()]
                                + [filler] * (real_mb * 1024 * 1024 // len(filler)) + [b"</sheetData></worksheet>"]))


def truncated_xlsx() -> bytes:
    data = xlsx_with_sheet(sheet_xml([*LEDGER_HEADER, ("A2", "长胜村"), ("B2", 2023), ("C2", 100)]))
    return data[: len(data) * 2 // 3]


def corrupted_member_xlsx() -> bytes:
    """One flipped byte in the compressed sheet: the CRC no longer matches."""
    data = bytearray(xlsx_with_sheet(sheet_xml([*LEDGER_HEADER, ("A2", "长胜村"), ("B2", 2023), ("C2", 100)])))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(SHEET_PATH)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0x55
    return bytes(data)


def zip_of_zips() -> bytes:
    """A zip of workbooks (a town sending all its files in one): not itself a workbook."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(3):
            archive.writestr(f"八桥镇{n}.xlsx", far_cell_xlsx())
    return buffer.getvalue()


def sheet_is_a_zip_xlsx() -> bytes:
    """An xlsx whose sheet part holds another zip instead of XML."""
    return xlsx_with_sheet(zip_of_zips())


def far_cell_ods(columns: int = 16384, rows: int = 1_048_576) -> bytes:
    """An .ods whose last row repeats a value cell `columns` times, `rows` times over (a few hundred bytes)."""
    from .importfiles import ods

    data = ods("台账", [["村名", "年度", "经营收入"], ["长胜村", 2023, 100]])
    far = (f'<table:table-row table:number-rows-repeated="{rows}"><table:table-cell table:number-columns-repeated='
           f'"{columns}" office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'
           '</table:table-row></table:table>')
    return _replace_member(data, "content.xml", lambda xml: xml.replace(b"</table:table>", far.encode(), 1))


def _replace_member(data: bytes, name: str, change) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            content = source.read(info)
            out.writestr(info, change(content) if info.filename == name else content)
    return buffer.getvalue()


def far_cell_xls() -> bytes:
    """tests/files/baqiao_2022.xls with its last text cell moved to row 65536, column IV (the most BIFF8
    holds): 16.7 M cells once built."""
    data = bytearray((FILES / "baqiao_2022.xls").read_bytes())
    # The last LABELSST record (a text cell, "合计"): id 0x00FD, length 10, then row (2 bytes), column (2 bytes), …
    position = data.rfind(b"\xfd\x00\x0a\x00")
    assert position > 0, "no LABELSST record found"
    data[position + 4:position + 8] = struct.pack("<HH", 0xFFFF, 0xFF)
    return bytes(data)


def blank_lines_csv(mb: int = 19) -> bytes:
    return b"\r\n" * (mb * 1024 * 1024 // 2)


def wide_csv(columns: int = 100_000, *, value_at_end: bool = True) -> bytes:
    line = "村名,年度,经营收入" + "," * columns + ("x" if value_at_end else "")
    return (line + "\r\n长胜村,2023,100\r\n").encode()


# Text as people's software writes it --------------------------------------------------------------------

def unicode_text(rows, *, title: str | None = None) -> bytes:
    """Excel's "Unicode text" (.txt): UTF-16 LE with BOM, tab-separated, CRLF, a title line if given."""
    lines = ([title] if title else []) + ["\t".join(str(cell) for cell in row) for row in rows]
    return codecs.BOM_UTF16_LE + ("\r\n".join(lines) + "\r\n").encode("utf-16-le")


def utf8_tsv(rows, *, title: str | None = None) -> bytes:
    lines = ([title] if title else []) + ["\t".join(str(cell) for cell in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def html_as_xls(rows, *, title: str = "八桥镇2023年村级集体经济收益分配表", charset: str = "gb2312") -> bytes:
    """What many government systems export as ".xls": a web page with a table, in GBK, title spanning
    the columns, numbers formatted for display with the exact value in x:num."""
    width = max(len(row) for row in rows)
    cells = []
    for row in rows:
        tds = []
        for value in row:
            if isinstance(value, (int, float)):
                tds.append(f'<td x:num="{value}">{value:,.2f}</td>')
            else:
                tds.append(f"<td>{value}</td>")
        cells.append("<tr>" + "".join(tds) + "</tr>")
    page = (
        '<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head>'
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}"><style>td {{ mso-number-format: "0.00"; }}</style>'
        f'</head><body><table border="1"><tr><td colspan="{width}">{title}</td></tr>{"".join(cells)}</table></body></html>')
    return page.encode("gb18030" if charset.lower() in ("gb2312", "gbk") else charset)


def gbk_csv_with_windows_1252(rows_gbk, rows_1252) -> bytes:
    """A GBK csv into which some lines were pasted from a Western program (Windows-1252 bytes)."""
    lines = [",".join(row).encode("gbk") for row in rows_gbk]
    lines += [",".join(row).encode("cp1252") if isinstance(row, list) else row for row in rows_1252]
    return b"\r\n".join(lines) + b"\r\n"
