"""What a read file is made of, shared by the reader and its helpers: the format names and a sheet of cells."""

from dataclasses import dataclass, field

XLSX, XLS, ODS, CSV, HTML = "xlsx", "xls", "ods", "csv", "html"


@dataclass
class Sheet:
    name: str
    rows: list[list]  # cell values as calamine/csv give them: str, int, float, bool, date or ""
    # (row index, what to check): text whose decoding is doubtful, shown on the preview as a warning
    warnings: list[tuple[int, str]] = field(default_factory=list)
