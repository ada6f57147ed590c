"""What a ledger file states once parsed: the statements per village-year and the problems found."""

from dataclasses import dataclass, field

from villages.models import Village

from ..statements import LineInput
from .problems import Problem

MAX_PROBLEMS = 1000


@dataclass
class ParsedFile:
    """What the file states: lines per (village id, year), plus the problems that stop the import."""

    statements: dict[tuple[int, int], dict[tuple[int, str], LineInput]] = field(default_factory=dict)
    villages: dict[int, Village] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how each sheet was read, shown on the preview
    # What a person should look at before confirming (text whose decoding is doubtful); also in notes.
    warnings: list[Problem] = field(default_factory=list)
    unreadable: set = field(default_factory=set)  # village-years with a bad amount: totals not checked
    # Where each village-year first appears (sheet, row number), for problems about the whole year.
    origins: dict[tuple[int, int], tuple[str, int]] = field(default_factory=dict)
    rows_read: int = 0
    # Columns with numbers that are not lines of the statement (人口, 户数 …): (sheet, column letter,
    # header), not imported; also said in `notes`.
    skipped_columns: list[tuple[str, str, str]] = field(default_factory=list)
    # Rows of the 附报 (代码 22–28: counts of villages, which the system counts itself): not imported.
    appendix_rows: int = 0
    with_parts: set = field(default_factory=set)  # village-years with a 其中 line, checked against its line

    @property
    def line_count(self) -> int:
        return sum(len(lines) for lines in self.statements.values())

    def add(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
