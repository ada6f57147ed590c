"""A village-year's statement as forms and files state it, and how two statements differ.

Plain values and arithmetic, no writes: the import's parser and planner use them as they are, and
`ledger.services` writes what `diff_lines` says.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .bulk import unsaved
from .models import LedgerLine, LedgerYear, LineItem

CENT = Decimal("0.01")
# The fields of a line that a new statement can change (item and name are its key).
LINE_FIELDS = ("amount", "note", "share_id", "enterprise_id")


@dataclass(frozen=True)
class LineInput:
    """One line as a form or a file states it: amounts in 元."""

    item_id: int
    amount: Decimal
    name: str = ""
    note: str = ""
    share_id: int | None = None
    enterprise_id: int | None = None

    @property
    def key(self) -> tuple[int, str]:
        return (self.item_id, self.name)


@dataclass
class LineChanges:
    """What a replace did (or, dry, would do) to one village-year."""

    created: list[LedgerLine] = field(default_factory=list)
    changed: list[tuple[LedgerLine, dict[str, tuple]]] = field(default_factory=list)
    deleted: list[LedgerLine] = field(default_factory=list)
    unchanged: int = 0

    @property
    def any(self) -> bool:
        return bool(self.created or self.changed or self.deleted)


def to_cents(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def line_problems(ledger_year: LedgerYear, lines: Sequence[LineInput], allowed: set[int] | None = None) -> list[str]:
    """What is wrong with a statement of the village-year (empty when it can be written)."""
    if allowed is None:
        allowed = set(LineItem.objects.filter(system_id=ledger_year.system_id).values_list("pk", flat=True))
    # The common case in one pass per check (an import checks 100,000 lines); line by line only when
    # something is wrong, to say what.
    keys = {(line.item_id, line.name) for line in lines}
    if (len(keys) == len(lines) and {item_id for item_id, _ in keys} <= allowed
            and all(line.amount >= 0 and to_cents(line.amount) == line.amount for line in lines)):
        return []
    problems = []
    seen = set()
    for line in lines:
        if line.item_id not in allowed:
            problems.append(f"科目（编号 {line.item_id}）不属于 {ledger_year.year} 年适用的会计制度"
                            f"（{ledger_year.system.document}）。")
        if line.key in seen:
            problems.append(f"同一科目下项目“{line.name or '（不分项目）'}”重复。")
        seen.add(line.key)
        if line.amount < 0:
            problems.append("金额不能为负数。")
        if to_cents(line.amount) != line.amount:
            problems.append(f"金额 {line.amount} 超过两位小数（元以下只记到分）。")
    return problems


def diff_lines(existing: Iterable[LedgerLine], incoming: Sequence[LineInput], ledger_year_id: int) -> LineChanges:
    """Compare stored lines with the complete new statement of the same village-year."""
    changes = LineChanges()
    by_key = {(line.item_id, line.name): line for line in existing}
    for new in incoming:
        old = by_key.pop(new.key, None)
        if old is None:
            changes.created.append(new_line(ledger_year_id, new))
            continue
        delta = {f: (getattr(old, f), getattr(new, f)) for f in LINE_FIELDS if getattr(old, f) != getattr(new, f)}
        if delta:
            for f, (_, value) in delta.items():
                setattr(old, f, value)
            changes.changed.append((old, delta))
        else:
            changes.unchanged += 1
    changes.deleted = list(by_key.values())
    return changes


_LINE_ATTNAMES = frozenset(f.attname for f in LedgerLine._meta.concrete_fields)


def new_line(ledger_year_id: int, new: LineInput) -> LedgerLine:
    """An unsaved LedgerLine for `new` (see `unsaved`): every concrete field is set, so the object
    behaves like any other unsaved instance."""
    return unsaved(LedgerLine, {}, id=None, ledger_year_id=ledger_year_id, item_id=new.item_id, name=new.name,
                   amount=new.amount, note=new.note, share_id=new.share_id, enterprise_id=new.enterprise_id)


assert set(new_line(0, LineInput(item_id=0, amount=Decimal(0))).__dict__) - {"_state"} == _LINE_ATTNAMES, (
    "new_line must set every field of LedgerLine")
