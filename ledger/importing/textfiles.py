"""Text files people upload as ledgers: delimited text (.csv, Excel's "Unicode text" .txt) and web pages
saved with an .xls name (what many government systems export). Read with a bounded memory: rows,
columns and cells are counted while reading, and reading stops at the first limit passed.
"""

import codecs
import csv
import io
import re
from collections import Counter
from html.parser import HTMLParser

from .limits import MAX_CELLS, MAX_COLUMNS
from .problems import FileRejected
from .sheets import Sheet

DELIMITERS = ("\t", ",", ";", "，")  # in order of preference on a tie
SAMPLE_LINES = 60
MAX_DOUBTFUL_ROWS = 20  # rows listed one by one; the rest are counted
CHARSET_RE = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_-]+)""")


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), else
    GB18030 (a superset of the GBK that Excel on Chinese Windows writes)."""

    if data.startswith(codecs.BOM_UTF8):
        data, encoding = data[len(codecs.BOM_UTF8):], "utf-8"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            encoding = "gb18030"
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FileRejected(f"第 {line} 行有无法识别的文字（编码既不是 UTF-8 也不是 GBK/GB18030），"
                           "请用 Excel/WPS 另存为 xlsx 或 UTF-8 CSV 后再导入。") from exc


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the most sample lines into the same number of fields: headers and
    data agree on it, while a comma inside numbers ("1,234.5") or a title line does not."""
    lines = []
    for line in io.StringIO(text[:1 << 18]):
        if line.strip():
            lines.append(line)
            if len(lines) >= SAMPLE_LINES:
                break
    best, best_score = ",", (0, 0)
    for priority, delimiter in enumerate(reversed(DELIMITERS)):
        counts = Counter()
        for line in lines:
            try:
                fields = next(csv.reader([line], delimiter=delimiter), [])
            except csv.Error:
                continue
            if len(fields) > 1:
                counts[len(fields)] += 1
        if not counts:
            continue
        agreeing = counts.most_common(1)[0][1]
        score = (agreeing, priority)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_delimited(data: bytes, *, max_rows: int):
    """A csv/txt file as one sheet. Rows whose GBK decoding is doubtful carry a warning."""

    text, encoding = decode(data)
    del data
    delimiter = detect_delimiter(text)
    rows: list[list] = []
    cells = 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            if len(rows) >= max_rows:
                raise FileRejected(f"文件超过单次导入 {max_rows} 行的上限，请拆分后再导入。")
            if len(row) > MAX_COLUMNS:
                while row and not row[-1].strip():
                    row.pop()  # Excel pads every line to the widest one with empty fields
                if len(row) > MAX_COLUMNS:
                    raise FileRejected(f"第 {len(rows) + 1} 行有 {len(row)} 列，超过 {MAX_COLUMNS} 列的上限，"
                                       "请删除表格右侧多余的内容后再导入。")
            cells += len(row)
            if cells > MAX_CELLS:
                raise FileRejected(f"文件的单元格过多（超过 {MAX_CELLS:,} 个），请按乡镇或年度拆分后再导入。")
            rows.append(row)
    except csv.Error as exc:
        raise FileRejected(f"第 {reader.line_num} 行的格式有误（{exc}），请用 Excel/WPS 另存为 xlsx 后再导入。") from exc
    sheet = Sheet("CSV", rows)
    if encoding == "gb18030":
        sheet.warnings = doubtful_rows(rows)
    return sheet


def _outside_gb2312(text: str) -> str:
    """The characters of `text` that GB2312 (the common simplified characters) does not have."""
    if text.isascii():
        return ""
    try:
        text.encode("gb2312")
        return ""
    except UnicodeEncodeError:
        return "".join(dict.fromkeys(ch for ch in text if not ch.isascii() and not _in_gb2312(ch)))


def _in_gb2312(ch: str) -> bool:
    """Whether GBK writes `ch` with two bytes of GB2312's area (A1–F7, A1–FE): the byte rule, since
    Python's gb2312 codec maps a few of those codes (·, —) to other characters than GBK does."""
    encoded = ch.encode("gb18030")
    return len(encoded) == 2 and 0xA1 <= encoded[0] <= 0xF7 and 0xA1 <= encoded[1] <= 0xFE


def doubtful_rows(rows: list[list]) -> list[tuple[int, str]]:
    """Rows of a file read as GBK that hold characters outside GB2312: most often bytes of another
    encoding (Windows-1252 “curly quotes”, é) read as rare characters ("“Smart”" → "揝mart"). The
    decoded text is shown, so a person can see it before confirming."""
    found = []
    for index, row in enumerate(rows):
        odd = [(cell, _outside_gb2312(cell)) for cell in row if cell and not cell.isascii()]
        odd = [(cell, chars) for cell, chars in odd if chars]
        if odd:
            found.append((index, odd))
    warnings = []
    for index, odd in found[:MAX_DOUBTFUL_ROWS]:
        shown = " | ".join(cell if len(cell) <= 60 else cell[:60] + "…" for cell, _ in odd)
        chars = "".join(dict.fromkeys("".join(chars for _, chars in odd)))[:10]
        warnings.append((index, f"文字可能是乱码：按 GBK 编码读取为“{shown}”，其中“{chars}”不是常用汉字"
                                "（不在 GB2312 中）。请核对；如有误，请在 Excel/WPS 中另存为 xlsx 或 UTF-8 CSV 后再导入。"))
    if len(found) > MAX_DOUBTFUL_ROWS:
        first = found[MAX_DOUBTFUL_ROWS][0]
        warnings.append((first, f"另有 {len(found) - MAX_DOUBTFUL_ROWS} 行含有 GB2312 以外的字符，可能也是乱码，请一并核对。"))
    return warnings


# Web pages saved as .xls --------------------------------------------------------------------------

def _head(data: bytes) -> str:
    head = data[:4096]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="ignore").lstrip().lower()
    return head.removeprefix(codecs.BOM_UTF8).decode("latin-1").lstrip().lower()


def looks_like_markup(data: bytes) -> bool:
    """A web page (HTML), Excel 2003 XML or a single-file web page (.mht) — all saved as .xls by many
    systems, none of them a real workbook."""
    head = _head(data)
    return head.startswith(("<!doctype html", "<html", "<table", "<meta", "<head", "<body", "mime-version:")) or (
        head.startswith("<?xml") and ("<html" in head or "urn:schemas-microsoft-com:office:spreadsheet" in head))


class _TableParser(HTMLParser):
    """`<table>` → rows of cell texts, with colspan/rowspan filled like merged cells."""

    def __init__(self, *, max_rows: int):
        super().__init__(convert_charrefs=True)
        self.max_rows = max_rows
        self.tables: list[list[list]] = []
        self.stack: list[dict] = []
        self.rows_seen = 0
        self.cells_seen = 0

    def _refuse(self, message: str):

        raise FileRejected(message)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.stack.append({"rows": [], "row": None, "cell": None, "spans": {}})
        elif not self.stack:
            return
        elif tag == "tr":
            self._end_row()
            table = self.stack[-1]
            self.rows_seen += 1
            if self.rows_seen > self.max_rows:
                self._refuse(f"网页表格超过单次导入 {self.max_rows} 行的上限，请拆分后再导入。")
            table["row"] = []
        elif tag in ("td", "th"):
            self._end_cell()
            table = self.stack[-1]
            if table["row"] is None:
                table["row"] = []
            values = dict(attrs)
            table["cell"] = {"parts": [], "colspan": _span(values.get("colspan"), MAX_COLUMNS),
                             "rowspan": _span(values.get("rowspan"), self.max_rows), "number": values.get("x:num")}
        elif tag == "br" and self.stack[-1]["cell"] is not None:
            self.stack[-1]["cell"]["parts"].append(" ")

    def handle_endtag(self, tag):
        if not self.stack:
            return
        if tag in ("td", "th"):
            self._end_cell()
        elif tag == "tr":
            self._end_row()
        elif tag == "table":
            self._end_row()
            table = self.stack.pop()
            if table["rows"]:
                self.tables.append(table["rows"])

    def handle_data(self, data):
        if self.stack and self.stack[-1]["cell"] is not None:
            self.stack[-1]["cell"]["parts"].append(data)

    def _place(self, table, row):
        """Fill in the cells that rowspans from the rows above reach into, up to the next free column."""
        spans = table["spans"]
        while len(row) in spans:
            column = len(row)
            left, value = spans[column]
            row.append(value)
            if left <= 1:
                del spans[column]
            else:
                spans[column] = (left - 1, value)

    def _end_cell(self):
        table = self.stack[-1]
        cell = table["cell"]
        if cell is None:
            return
        table["cell"] = None
        row = table["row"]
        text = " ".join("".join(cell["parts"]).split())
        number = (cell["number"] or "").strip()
        if number and re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", number):
            text = number  # the value Excel kept, not the rounded display
        self._place(table, row)
        for _ in range(cell["colspan"]):
            if cell["rowspan"] > 1:
                table["spans"][len(row)] = (cell["rowspan"] - 1, text)
            row.append(text)
        self.cells_seen += cell["colspan"]
        if len(row) > MAX_COLUMNS:
            self._refuse(f"网页表格有超过 {MAX_COLUMNS} 列，请删除多余的列后再导入。")
        if self.cells_seen > MAX_CELLS:
            self._refuse(f"网页表格的单元格过多（超过 {MAX_CELLS:,} 个），请拆分后再导入。")

    def _end_row(self):
        table = self.stack[-1]
        self._end_cell()
        if table["row"] is None:
            return
        row = table["row"]
        self._place(table, row)
        for column in [c for c in table["spans"] if c > len(row)]:
            # A rowspan further right than this row reaches: keep the columns aligned.
            while len(row) < column:
                row.append("")
            self._place(table, row)
        table["rows"].append(row)
        table["row"] = None


def _span(value, most: int) -> int:
    try:
        return max(1, min(int(str(value).strip()), most))
    except (TypeError, ValueError):
        return 1


def read_html_tables(data: bytes, *, max_rows: int):
    """A web page saved as .xls: each of its tables is a sheet, as Excel/WPS would open it."""

    head = _head(data)
    if head.startswith("mime-version:"):
        raise FileRejected("这是另存为 .xls 的单个网页文件（.mht）：请在 Excel/WPS 中打开并另存为 .xlsx 后再导入。")
    if "urn:schemas-microsoft-com:office:spreadsheet" in head and "<html" not in head:
        raise FileRejected("这是另存为 .xls 的 Excel 2003 XML 表格：请在 Excel/WPS 中打开并另存为 .xlsx 后再导入。")
    text = _decode_page(data)
    parser = _TableParser(max_rows=max_rows)
    parser.feed(text)
    parser.close()
    while parser.stack:  # a page cut short: keep the tables it opened
        parser.handle_endtag("table")
    if not parser.tables:
        raise FileRejected("这是另存为 .xls 的网页文件，里面没有表格：请在 Excel/WPS 中打开并另存为 .xlsx 后再导入。")
    return [Sheet(f"网页表格{index}" if len(parser.tables) > 1 else "网页表格", rows)
            for index, rows in enumerate(parser.tables, start=1)]


def _decode_page(data: bytes) -> str:
    if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        match = CHARSET_RE.search(data[:4096])
        if match:
            name = match.group(1).decode("ascii").lower()
            name = "gb18030" if name in ("gb2312", "gbk", "gb18030", "x-gbk") else name
            try:
                return data.decode(name)
            except (LookupError, UnicodeDecodeError):
                pass
    return decode(data)[0]
