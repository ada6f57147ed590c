"""A village-year's statement as forms and files state it, and how two statements differ.

Plain values and arithmetic, no writes: the import's parser and planner use them as they are, and
`ledger.services` writes what `diff_lines` says.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from .bulk import unsaved
from .models import LedgerLine, LedgerYear, LineItem
from .money import format_yuan

CENT = Decimal("0.01")
# The fields of a line that a new statement can change (item and name are its key).
LINE_FIELDS = ("amount", "note", "share_id", "enterprise_id")


class LineInput(NamedTuple):
    """One line as a form or a file states it: amounts in 元. Immutable; a named tuple rather than a
    frozen dataclass because an import makes 100,000 of them (twice as fast to build)."""

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
    # The lines of a village-year that had none (inserted by the same write), as the statement gave
    # them: their rows are written straight from these, with no model instance per line.
    inserted: Sequence[LineInput] = ()

    @property
    def any(self) -> bool:
        return bool(self.created or self.inserted or self.changed or self.deleted)

    @property
    def added(self) -> int:
        """How many lines were (or would be) added."""
        return len(self.created) + len(self.inserted)


def to_cents(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ItemRule:
    """What a statement check needs to know of one line item."""

    name: str
    may_be_negative: bool = False
    part_of_id: int | None = None  # a 其中 line: the item it is part of
    part_of_name: str = ""


def item_rules(system_ids: Iterable[int]) -> dict[int, dict[int, ItemRule]]:
    """The items of each system, by id, with their rules (one query)."""
    rules: dict[int, dict[int, ItemRule]] = {system_id: {} for system_id in system_ids}
    for pk, system_id, name, negative, part_of_id, part_of_name in LineItem.objects.filter(
            system_id__in=rules).values_list("pk", "system_id", "name", "may_be_negative", "part_of_id",
                                             "part_of__name"):
        rules[system_id][pk] = ItemRule(name, negative, part_of_id, part_of_name or "")
    return rules


def negative_message(item_name: str) -> str:
    return f"“{item_name}”不能为负数（只有投资收益、年初未分配收益可以填负数）。"


def part_problems(totals: Mapping[int, Decimal], items: Mapping[int, ItemRule]) -> list[str]:
    """其中 lines larger than the line they are part of (干部报酬 > 管理费用), from item totals."""
    problems = []
    for item_id, amount in totals.items():
        rule = items.get(item_id)
        if rule is not None and rule.part_of_id is not None and amount > totals.get(rule.part_of_id, 0):
            problems.append(f"{rule.name}（{format_yuan(amount)} 元）不能大于{rule.part_of_name}"
                            f"（{format_yuan(totals.get(rule.part_of_id, Decimal(0)))} 元）。")
    return problems


def _part_totals(lines: Sequence[LineInput], parts: set[int], items: Mapping[int, ItemRule]) -> dict[int, Decimal]:
    """The totals of the 其中 lines and of the lines they are part of, only (the fast path's check)."""
    wanted = parts | {items[pk].part_of_id for pk in parts}
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        if line.item_id in wanted:
            totals[line.item_id] += line.amount
    return totals


def line_problems(ledger_year: LedgerYear, lines: Sequence[LineInput],
                  items: Mapping[int, ItemRule] | None = None) -> list[str]:
    """What is wrong with a statement of the village-year (empty when it can be written): items of
    another system, repeated lines, negative amounts where the item cannot be negative, fractions of a
    fen, and 其中 lines above the line they are part of."""
    if items is None:
        items = item_rules([ledger_year.system_id])[ledger_year.system_id]
    # The common case in one pass per check (an import checks 100,000 lines); line by line only when
    # something is wrong, to say what.
    keys = {(line.item_id, line.name) for line in lines}
    parts = {pk for pk, rule in items.items() if rule.part_of_id is not None}
    has_parts = bool(parts) and any(line.item_id in parts for line in lines)
    if (len(keys) == len(lines) and {item_id for item_id, _ in keys} <= items.keys()
            and all((line.amount >= 0 or items[line.item_id].may_be_negative) and to_cents(line.amount) == line.amount
                    for line in lines)
            and not (has_parts and part_problems(_part_totals(lines, parts, items), items))):
        return []
    problems = []
    seen = set()
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        rule = items.get(line.item_id)
        if rule is None:
            problems.append(f"科目（编号 {line.item_id}）不属于 {ledger_year.year} 年适用的会计制度"
                            f"（{ledger_year.system.document}）。")
        if line.key in seen:
            problems.append(f"同一科目下项目“{line.name or '（不分项目）'}”重复。")
        seen.add(line.key)
        if line.amount < 0 and not (rule is not None and rule.may_be_negative):
            problems.append(negative_message(rule.name if rule else "金额"))
        if to_cents(line.amount) != line.amount:
            problems.append(f"金额 {line.amount} 超过两位小数（元以下只记到分）。")
        totals[line.item_id] += line.amount
    if has_parts:
        problems += part_problems(totals, items)
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
