"""A look inside an xlsx or ods before anyone builds it: every member inflated for real, in bounded
chunks (what the zip's headers claim is checked, never trusted), and each sheet's XML streamed to find
how far its cells really reach and which formulas were saved without their results.

python-calamine builds a sheet as a dense block from A1 to its last cell, 32 bytes a cell: one cell at
XFD1048576 in a 5 KB file asks for 549 GB. The extent found here is refused before calamine sees the
file; the `<dimension ref>` a sheet declares is not used at all, neither by calamine nor here.
"""

import html
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from django.conf import settings

from .limits import MAX_CELLS, MAX_COLUMNS, MAX_COMPRESSION_RATIO, MAX_ZIP_MEMBERS
from .problems import FileRejected, Problem
from .sheets import XLSX

CORRUPT = "文件已损坏或不完整（压缩包无法打开），请重新从 Excel/WPS 另存后上传。"
CHUNK = 1 << 16  # compressed bytes fed to zlib at a time
OUT_CHUNK = 1 << 20  # the most zlib may produce from one feed
MAX_PENDING = 16 << 20  # XML kept between chunks while waiting for a row to end
_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
_ATTR_RE = re.compile(rb'([\w:.-]+)\s*=\s*"([^"]*)"')
_XLSX_TOKEN_RE = re.compile(
    rb"<" + _PREFIX + rb"(?:(row)\b([^>]*?)/?>|c\b([^>]*?)(?:/>|>(.*?)</" + _PREFIX + rb"c>))", re.DOTALL)
# Safe places to cut the XML between two pieces: before a row starts or where the sheet's data ends
# (never inside a cell); the same with a namespace prefix (<x:row …>).
_XLSX_CUTS = (b"<row", b"</sheetData", b":row", b":sheetData")
_REF_RE = re.compile(rb"\br\s*=\s*\"([A-Z]{1,3})([0-9]{1,7})\"")
_ROW_NUMBER_RE = re.compile(rb"\br\s*=\s*\"([0-9]{1,7})\"")
_TEXT_RE = re.compile(rb">\s*[^<\s]")
_VALUE_RE = re.compile(rb"<" + _PREFIX + rb"v>\s*[^<\s]")
_FORMULA_RE = re.compile(rb"<" + _PREFIX + rb"f[\s/>]")
# A cell with something in it: a value, an inline string (after a formula, if any).
_VALUED_CELL_RE = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*>\s*(?:<f\b[^>]*(?:/>|>[^<]*</f>)\s*)?<(?:v>\s*[^<\s]|is\b)')
# A cell with a formula and no cached value: <c r="B4"><f>B2*2</f></c> or <f/>…<v></v>.
_FORMULA_NO_VALUE_RE = re.compile(
    rb'<(?:[A-Za-z_][\w.-]*:)?c\b[^>]*?\br="([A-Z]+[0-9]+)"[^>]*>\s*<(?:[A-Za-z_][\w.-]*:)?f\b[^>]*?(?:/>|>[^<]*</'
    rb'(?:[A-Za-z_][\w.-]*:)?f>)\s*(?:<(?:[A-Za-z_][\w.-]*:)?v\s*/>|<(?:[A-Za-z_][\w.-]*:)?v>\s*</(?:[A-Za-z_][\w.-]*:)?v>)?'
    rb'\s*</(?:[A-Za-z_][\w.-]*:)?c>')
_ODS_TOKEN_RE = re.compile(
    rb"<(?:(table:table)(?=[\s>])([^>]*)>|(table:table-row)(?=[\s>/])([^>]*?)/?>|table:(?:covered-)?table-cell\b([^>]*?)/?>)")
_ODS_CUTS = (b"<table:table-row", b"</table:table>")


class _Refused(Exception):
    def __init__(self, message: str, problems: list | None = None):
        super().__init__(message)
        self.message, self.problems = message, problems


def column_letters(number: int) -> str:
    """1 → A, 16384 → XFD."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: bytes) -> int:
    number = 0
    for byte in letters:
        number = number * 26 + byte - 64
    return number


@dataclass
class SheetExtent:
    """How far a sheet's cells with something in them reach (1-based; 0 = empty)."""

    name: str
    rows: int = 0
    columns: int = 0
    visible: bool = True
    last_cell: tuple[int, int] = (0, 0)  # (row, column) of a cell in the last row with content
    formula_problems: list = field(default_factory=list)


class _Limits:
    def __init__(self):
        self.max_rows = settings.IMPORT_MAX_ROWS
        self.max_columns = MAX_COLUMNS
        self.stop_rows = self.max_rows + max(self.max_rows, 100_000)  # far past the limit: stop reading

    def check(self, extent: SheetExtent, row: int, column: int) -> None:
        """Called for each cell with content, while the XML streams: a cell too far right ends the
        reading; rows are summed over the sheets at the end."""
        if column > self.max_columns:
            raise _Refused(f"工作表“{extent.name}”的 {column_letters(column)} 列（单元格 {column_letters(column)}{row}）"
                           f"还有内容，超过 {self.max_columns} 列的上限：请删除表格右侧多余的内容后再导入。")
        if row > extent.rows:
            extent.rows = row
            extent.last_cell = (row, column)
            if row > self.stop_rows and extent.visible:
                # Far past the limit: stop here rather than read the rest (the exact count is not needed).
                raise _Refused(f"文件超过 {self.stop_rows} 行，超过单次导入 {self.max_rows} 行的上限，请拆分后再导入。"
                               f"（工作表“{extent.name}”的 {column_letters(column)}{row} 单元格还有内容。）")
        if column > extent.columns:
            extent.columns = column


class _ChunkedScanner:
    """Fed a sheet's XML in pieces: scans up to the last place where a row may start (`cuts`) and keeps
    the unfinished rest for the next piece."""

    cuts: tuple[bytes, ...] = ()
    pending = b""

    def feed(self, chunk: bytes, final: bool = False) -> None:
        data = self.pending + chunk
        if final:
            cut = len(data)
        else:
            cut = _last_cut(self.cuts, data, len(chunk))
            if cut == 0 and len(data) > MAX_PENDING:
                raise _Refused("文件内部结构异常（单行数据过大），拒绝打开。")
        self._scan(data[:cut])
        self.pending = data[cut:]

    def _scan(self, data: bytes) -> None:
        raise NotImplementedError


class _XlsxSheetScanner(_ChunkedScanner):
    """Fed the sheet XML in pieces; keeps only the unfinished last row between pieces."""

    cuts = _XLSX_CUTS

    def __init__(self, extent: SheetExtent, limits: _Limits):
        self.extent, self.limits = extent, limits
        self.pending = b""
        self.row = 0
        self.column = 0

    def _scan(self, data: bytes) -> None:
        if not data:
            return
        if b"<f" in data:
            self._formulas(data)
        plain = data.count(b'<c r="')
        if b":c " in data or b":row" in data or plain != data.count(b"<c ") + data.count(b"<c>"):
            self._scan_every_cell(data)  # prefixed names, or cells without r first: the slow, general way
            return
        # Every cell says where it is: per row only its last cell with content matters (the cells of a
        # row come in order), so the XML is walked row by row from each row's end, not cell by cell.
        extent, check = self.extent, self.limits.check
        for row in data.split(b"</row>"):
            end = len(row)
            while True:
                position = row.rfind(b'<c r="', 0, end)
                if position < 0:
                    break
                match = _VALUED_CELL_RE.match(row, position)
                if match:
                    check(extent, int(match.group(2)), _column_number(match.group(1)))
                    break
                end = position

    def _formulas(self, data: bytes) -> None:
        problems = self.extent.formula_problems
        for match in _FORMULA_NO_VALUE_RE.finditer(data):
            if len(problems) >= 200:
                return
            ref = match.group(1)
            column = ref.rstrip(b"0123456789")
            problems.append((int(ref[len(column):]), column.decode()))

    def _scan_every_cell(self, data: bytes) -> None:
        extent, check = self.extent, self.limits.check
        for match in _XLSX_TOKEN_RE.finditer(data):
            if match.group(1):  # <row …>
                number = _ROW_NUMBER_RE.search(match.group(2))
                self.row = int(number.group(1)) if number else self.row + 1
                self.column = 0
                continue
            attributes, content = match.group(3), match.group(4)
            ref = _REF_RE.search(attributes)
            if ref:
                self.column, row = _column_number(ref.group(1)), int(ref.group(2))
                self.row = row
            else:
                self.column += 1
                row = self.row
            if not content:
                continue
            if _FORMULA_RE.search(content) and not _VALUE_RE.search(content):
                continue  # reported by _formulas
            if not _TEXT_RE.search(content):
                continue  # an empty (perhaps only formatted) cell: calamine leaves it out
            check(extent, row or 1, self.column)


class _OdsScanner(_ChunkedScanner):
    """content.xml of an .ods: rows and cells may say "repeated N times"; only cells with a value count,
    so LibreOffice's usual million empty rows at the end of a sheet cost nothing."""

    cuts = _ODS_CUTS

    def __init__(self, extents: list[SheetExtent], limits: _Limits):
        self.extents, self.limits = extents, limits
        self.pending = b""
        self.extent: SheetExtent | None = None
        self.row = 0  # rows before the current one
        self.row_repeat = 0  # how many times the current row repeats
        self.column = 0

    def _scan(self, data: bytes) -> None:
        for match in _ODS_TOKEN_RE.finditer(data):
            if match.group(1):
                name = dict(_ATTR_RE.findall(match.group(2))).get(b"table:name", b"")
                self.extent = SheetExtent(html.unescape(name.decode("utf-8", "replace")))
                self.extents.append(self.extent)
                self.row, self.row_repeat, self.column = 0, 0, 0
            elif match.group(3):
                self.row += self.row_repeat
                attributes = dict(_ATTR_RE.findall(match.group(4)))
                self.row_repeat = _count(attributes.get(b"table:number-rows-repeated"))
                self.column = 0
            elif self.extent is not None:
                attributes = dict(_ATTR_RE.findall(match.group(5)))
                repeat = _count(attributes.get(b"table:number-columns-repeated"))
                self.column += repeat
                if b"office:value-type" in attributes:
                    self.limits.check(self.extent, self.row + self.row_repeat, self.column)


def _last_cut(markers: tuple[bytes, ...], data: bytes, new: int) -> int:
    """Where the last safe cut in `data` is, looking only at its newest `new` bytes (0 if none): the
    `<` that starts the last of the markers found."""
    low = max(0, len(data) - new - 32)
    cut = 0
    for marker in markers:
        position = data.rfind(marker, low)
        if position > 0 and marker[0] != 0x3C:  # b":row": back to the "<" of its prefix
            position = data.rfind(b"<", low, position)
        cut = max(cut, position)
    return cut


def _count(value: bytes | None) -> int:
    if not value or not value.isdigit():
        return 1
    return max(1, min(int(value), 1 << 24))


def _sheet_parts(archive: zipfile.ZipFile, names: set[str]) -> dict[str, tuple[str, bool]]:
    """xlsx: the XML part of each sheet → (sheet name, visible)."""
    parts: dict[str, tuple[str, bool]] = {}
    try:
        rels = archive.read("xl/_rels/workbook.xml.rels")
        workbook = archive.read("xl/workbook.xml")
    except KeyError:
        rels, workbook = b"", b""
    targets = {}
    for match in re.finditer(rb"<" + _PREFIX + rb"Relationship\b([^>]*)>", rels):
        attributes = dict(_ATTR_RE.findall(match.group(1)))
        target = attributes.get(b"Target", b"").decode("utf-8", "replace").lstrip("/")
        targets[attributes.get(b"Id", b"")] = target if target.startswith("xl/") else f"xl/{target}"
    for match in re.finditer(rb"<" + _PREFIX + rb"sheet\b([^>]*)>", workbook):
        attributes = dict(_ATTR_RE.findall(match.group(1)))
        rel_id = next((value for key, value in attributes.items() if key.endswith(b":id")), b"")
        path = targets.get(rel_id, "")
        name = html.unescape(attributes.get(b"name", b"").decode("utf-8", "replace"))
        parts[path] = (name, attributes.get(b"state", b"visible") == b"visible")
    for path in names:  # a sheet the workbook does not list is still read by some readers
        if path.startswith("xl/worksheets/") and path.endswith(".xml") and path not in parts:
            parts[path] = (path, True)
    return parts


def _inflate(data: bytes, info: zipfile.ZipInfo, budget: int, consume) -> int:
    """Inflate one member from its raw bytes, counting what really comes out (not the header's claim)
    and checking its CRC; `consume` gets the pieces. Returns the real size."""
    header = info.header_offset
    if data[header:header + 4] != b"PK\x03\x04":
        raise _Refused(CORRUPT)
    start = header + 30 + int.from_bytes(data[header + 26:header + 28], "little") + \
        int.from_bytes(data[header + 28:header + 30], "little")
    end = start + info.compress_size
    if end > len(data):
        raise _Refused(CORRUPT)
    raw = memoryview(data)[start:end]
    size = 0
    crc = 0
    if info.compress_type == zipfile.ZIP_STORED:
        for offset in range(0, len(raw), OUT_CHUNK):
            piece = bytes(raw[offset:offset + OUT_CHUNK])
            size += len(piece)
            if size > budget:
                raise _Refused(_too_big())
            crc = zlib.crc32(piece, crc)
            consume(piece)
    else:
        inflater = zlib.decompressobj(-15)
        try:
            for offset in range(0, len(raw), CHUNK):
                pending = bytes(raw[offset:offset + CHUNK])
                while pending and not inflater.eof:
                    piece = inflater.decompress(pending, OUT_CHUNK)
                    pending = inflater.unconsumed_tail
                    size += len(piece)
                    if size > info.file_size:
                        raise _Refused(CORRUPT)  # more comes out than the headers say: they lie
                    if size > budget:
                        raise _Refused(_too_big())
                    crc = zlib.crc32(piece, crc)
                    consume(piece)
                if inflater.eof:
                    break
        except zlib.error as exc:
            raise _Refused(CORRUPT) from exc
        if not inflater.eof:
            raise _Refused(CORRUPT)  # truncated: the stream stops before its end
    if size != info.file_size or crc != info.CRC:
        raise _Refused(CORRUPT)  # the headers lie about the member
    return size


def _too_big() -> str:
    return f"文件解压后超过 {settings.IMPORT_MAX_UNCOMPRESSED_MB} MB，疑似压缩炸弹，拒绝打开。"


def scan_workbook_zip(data: bytes, file_format: str) -> None:
    """Refuse an xlsx/ods that is corrupt, lies about its members, unzips to too much, or whose sheets
    reach further than an import may read; and an xlsx with formulas saved without their results.
    Raises FileRejected."""

    try:
        _scan(data, file_format)
    except _Refused as exc:
        raise FileRejected(exc.message, exc.problems) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError, KeyError,
            OSError) as exc:
        raise FileRejected(CORRUPT) from exc


def _scan(data: bytes, file_format: str) -> None:
    import io


    budget = settings.IMPORT_MAX_UNCOMPRESSED_MB * 1024 * 1024
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise _Refused("文件内部结构异常（包含的部件过多），拒绝打开。")
        names = [member.filename for member in members]
        if len(set(names)) != len(names):
            raise _Refused("文件内部结构异常（有重名的部件），拒绝打开。")
        if sum(member.file_size for member in members) > budget:
            raise _Refused(_too_big())
        spans = []
        for member in members:
            if member.flag_bits & 0x1:
                raise _Refused("文件已加密，请先在 Excel/WPS 中取消密码后另存为 .xlsx 再上传。")
            if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise _Refused("文件使用了不支持的压缩方式，请在 Excel/WPS 中另存为 .xlsx 后再上传。")
            if member.file_size > 1024 * 1024 and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1):
                raise _Refused("文件压缩比异常（疑似压缩炸弹），拒绝打开。")
            spans.append((member.header_offset, member.header_offset + 30 + member.compress_size))
        spans.sort()
        if any(later[0] < earlier[1] for earlier, later in zip(spans, spans[1:], strict=False)):
            raise _Refused("文件内部结构异常（部件相互重叠，疑似压缩炸弹），拒绝打开。")
        limits = _Limits()
        extents: list[SheetExtent] = []
        visible: list[SheetExtent] = []
        parts = _sheet_parts(archive, set(names)) if file_format == XLSX else {}
        for member in members:
            scanner = None
            if file_format == XLSX and member.filename in parts:
                name, shown = parts[member.filename]
                extent = SheetExtent(name, visible=shown)
                extents.append(extent)
                if shown:
                    visible.append(extent)
                scanner = _XlsxSheetScanner(extent, limits)
            elif file_format != XLSX and member.filename == "content.xml":
                scanner = _OdsScanner(extents, limits)
            budget -= _inflate(data, member, budget, scanner.feed if scanner else _discard)
            if scanner:
                scanner.feed(b"", final=True)
        if file_format != XLSX:
            visible = extents
    _check_totals(visible, extents)


def _discard(piece: bytes) -> None:
    pass


def _check_totals(visible: list[SheetExtent], extents: list[SheetExtent]) -> None:
    max_rows = settings.IMPORT_MAX_ROWS
    rows = sum(extent.rows for extent in visible)
    if rows > max_rows:
        far = max(visible, key=lambda extent: extent.rows)
        raise _Refused(f"文件共有 {rows} 行，超过单次导入 {max_rows} 行的上限，请拆分后再导入。"
                       f"（最后有内容的单元格是工作表“{far.name}”的 {column_letters(far.last_cell[1])}{far.last_cell[0]}；表格下方如有多余的内容，请删除后再导入。）")
    cells = sum(extent.rows * extent.columns for extent in visible)
    if cells > MAX_CELLS:
        raise _Refused(f"文件的表格范围共 {cells:,} 个单元格，超过 {MAX_CELLS:,} 个的上限：请删除多余的行列，"
                       "或按乡镇、年度拆分后再导入。")
    problems = [Problem(sheet=extent.name, row=row, column=column, value="（公式）",
                        reason="公式没有保存计算结果，请在 Excel/WPS 中打开并保存后再导入")
                for extent in extents for row, column in extent.formula_problems][:200]
    if problems:
        raise _Refused("文件中有公式没有保存计算结果。", problems)
