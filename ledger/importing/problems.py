"""What is wrong with a file: plain values that every stage of an import reports and the pages show."""

from dataclasses import asdict, dataclass
from typing import ClassVar


@dataclass
class Problem:
    """One thing wrong with the file, where it is, and why, in Chinese."""

    sheet: str
    row: int | None
    column: str
    value: str
    reason: str
    # What kind of problem: "" (the file must be corrected), or LOCKED / IN_REVIEW for a village-year
    # the import may not write now (approved, or submitted and changed), which the user may choose to
    # skip (`import_batch_skip_refused`) instead of correcting the file.
    kind: str = ""

    LOCKED: ClassVar[str] = "locked"
    IN_REVIEW: ClassVar[str] = "in_review"

    @property
    def skippable(self) -> bool:
        return self.kind in (self.LOCKED, self.IN_REVIEW)

    @classmethod
    def general(cls, reason: str) -> "Problem":
        """A problem of the whole file (or of the write), not of one cell."""
        return cls("", None, "", "", reason)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Problem":
        """A stored problem (batches kept before `kind` existed have none)."""
        return cls(data.get("sheet", ""), data.get("row"), data.get("column", ""), data.get("value", ""),
                   data.get("reason", ""), data.get("kind", ""))

    def __str__(self) -> str:
        where = [f"工作表“{self.sheet}”"] if self.sheet else []
        if self.row:
            where.append(f"第 {self.row} 行")
        if self.column:
            where.append(f"{self.column} 列")
        value = f"“{self.value}”" if self.value not in ("", None) else ""
        return f"{' '.join(where)} {value}：{self.reason}".strip()


class FileRejected(Exception):
    """The file cannot be read as a ledger at all; the message says why, in Chinese."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []
