"""Every write to the yearly accounts goes through here: forms, imports, the admin, demo data.

One path per write keeps three things true at once: the lines, their history (who, when, from what
to what, which action), and the figures on `LedgerYear` that rankings read.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from villages.models import Village

from .metrics import figures_for
from .models import AccountingSystem, LedgerLine, LedgerYear, LedgerYearEvent, LineItem

CENT = Decimal("0.01")
LINE_FIELDS = ("amount", "note", "share_id", "enterprise_id")


class LedgerError(Exception):
    """A write that the rules refuse; the message is shown to the user as it is (Chinese)."""


class LedgerLocked(LedgerError):
    pass


class StaleVersion(LedgerError):
    """Somebody else saved this village-year after the form was opened."""

    def __init__(self, ledger_year: LedgerYear, expected_version: int):
        self.ledger_year = ledger_year
        self.expected_version = expected_version
        super().__init__(
            f"{ledger_year} 已被他人修改（您打开的是第 {expected_version} 版，现在是第 {ledger_year.version} 版），"
            "本次保存未写入。请查看对方的修改后再保存。"
        )


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


def _validate_lines(ledger_year: LedgerYear, lines: Sequence[LineInput]) -> None:
    problems = []
    allowed = set(LineItem.objects.filter(system_id=ledger_year.system_id).values_list("pk", flat=True))
    seen = set()
    for line in lines:
        if line.item_id not in allowed:
            problems.append(f"科目（编号 {line.item_id}）不属于 {ledger_year.year} 年适用的会计制度。")
        if line.key in seen:
            problems.append(f"同一科目下项目“{line.name or '（不分项目）'}”重复。")
        seen.add(line.key)
        if line.amount < 0:
            problems.append("金额不能为负数。")
        if to_cents(line.amount) != line.amount:
            problems.append(f"金额 {line.amount} 超过两位小数（元以下只记到分）。")
    if problems:
        raise LedgerError("；".join(problems))


def diff_lines(existing: Iterable[LedgerLine], incoming: Sequence[LineInput], ledger_year_id: int) -> LineChanges:
    """Compare stored lines with the complete new statement of the same village-year."""
    changes = LineChanges()
    by_key = {(line.item_id, line.name): line for line in existing}
    for new in incoming:
        old = by_key.pop(new.key, None)
        if old is None:
            changes.created.append(LedgerLine(
                ledger_year_id=ledger_year_id, item_id=new.item_id, name=new.name, amount=new.amount,
                note=new.note, share_id=new.share_id, enterprise_id=new.enterprise_id,
            ))
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


def history_rows(lines_by_type: dict[str, Iterable[LedgerLine]], *, actor, source: str, reason: str,
                 batch_id: int | None, when=None) -> list:
    """Historical rows for lines written in bulk (bulk writes bypass django-simple-history's signals)."""
    Historical = LedgerLine.history.model
    when = when or timezone.now()
    tracked = [f.attname for f in LedgerLine._meta.concrete_fields]
    rows = []
    for history_type, lines in lines_by_type.items():
        for line in lines:
            rows.append(Historical(
                **{name: getattr(line, name) for name in tracked},
                history_date=when, history_type=history_type, history_user_id=getattr(actor, "pk", None),
                history_change_reason=reason[:100] if reason else None,
                history_source=source, history_batch_id=batch_id,
            ))
    return rows


def apply_changes(changes: LineChanges, *, actor, source: str, reason: str = "", batch_id: int | None = None,
                  when=None) -> None:
    """Write one or many village-years' line changes and their history in a few bulk statements."""
    if changes.deleted:
        # A raw delete: QuerySet.delete() would send post_delete per row and django-simple-history
        # would add a second, source-less '-' record beside ours. Nothing references a line.
        doomed = LedgerLine.objects.filter(pk__in=[line.pk for line in changes.deleted])
        doomed._raw_delete(doomed.db)
    if changes.created:
        LedgerLine.objects.bulk_create(changes.created, batch_size=2000)
    if changes.changed:
        LedgerLine.objects.bulk_update([line for line, _ in changes.changed], list(LINE_FIELDS), batch_size=2000)
    rows = history_rows(
        {"+": changes.created, "~": [line for line, _ in changes.changed], "-": changes.deleted},
        actor=actor, source=source, reason=reason, batch_id=batch_id, when=when,
    )
    LedgerLine.history.model.objects.bulk_create(rows, batch_size=2000)


def set_figures(ledger_year: LedgerYear, lines: Iterable) -> list[str]:
    """Put the figures of `lines` (anything with item_id and amount) on the village-year.

    Returns the names of the fields that changed.
    """
    changed = []
    for name, value in figures_for((line.item_id, line.amount) for line in lines).items():
        if getattr(ledger_year, name) != value:
            setattr(ledger_year, name, value)
            changed.append(name)
    return changed


def ledger_year_open(*, village: Village, year: int, actor=None) -> LedgerYear:
    """The village-year, created as a draft under the accounting system of its year if it is new."""
    ledger_year = LedgerYear.objects.filter(village=village, year=year).first()
    if ledger_year is not None:
        return ledger_year
    try:
        system = AccountingSystem.for_year(year)
    except AccountingSystem.DoesNotExist as exc:
        raise LedgerError(f"{year} 年没有适用的会计制度。") from exc
    with transaction.atomic():
        ledger_year, created = LedgerYear.objects.get_or_create(
            village=village, year=year,
            defaults={"system": system, "town_id": village.town_id, "county_id": village.town.county_id,
                      "updated_by": actor},
        )
        if created:
            LedgerYearEvent.objects.create(ledger_year=ledger_year, action=LedgerYearEvent.Action.CREATE,
                                           to_status=ledger_year.status, actor=actor)
    return ledger_year


def ledger_year_replace_lines(
    *,
    ledger_year: LedgerYear,
    lines: Sequence[LineInput],
    actor=None,
    source: str = "system",
    reason: str = "",
    expected_version: int | None = None,
    batch_id: int | None = None,
) -> LineChanges:
    """Make `lines` the complete statement of the village-year.

    Refuses approved years (`LedgerLocked`) and saves that started from an older version
    (`StaleVersion`). Records the history of every changed amount, recomputes the figures and
    bumps the version when anything changed.
    """
    lines = list(lines)
    with transaction.atomic():
        current = LedgerYear.objects.select_for_update().get(pk=ledger_year.pk)
        if current.is_locked:
            raise LedgerLocked(f"{current} 已审核锁定，不能修改；如需更正请先由审核人重新打开。")
        if expected_version is not None and expected_version != current.version:
            raise StaleVersion(current, expected_version)
        _validate_lines(current, lines)
        existing = list(current.lines.all())
        changes = diff_lines(existing, lines, current.pk)
        if changes.any:
            apply_changes(changes, actor=actor, source=source, reason=reason, batch_id=batch_id)
            set_figures(current, lines)
            current.version += 1
            current.updated_by = actor if getattr(actor, "pk", None) else None
            current._change_reason = reason[:100] if reason else None
            current._history_user = actor if getattr(actor, "pk", None) else None
            current.save()
        ledger_year.__dict__.update(current.__dict__)
    return changes


def ledger_year_save_statement(
    *,
    village: Village,
    year: int,
    lines: Sequence[LineInput],
    actor,
    expected_version: int,
    reason: str = "",
    warnings: Sequence[str] = (),
    source: str = "form",
) -> tuple[LedgerYear, LineChanges]:
    """Save a statement typed on the village-year page (creating the year on its first save).

    `expected_version` is the version the page was opened at, 0 if the year did not exist yet; a
    save from an older version raises `StaleVersion`. `reason` is the user's explanation, kept on
    every history row of the save (first 100 characters); a save that changed something is also
    logged as a 保存 event with the whole explanation and the `warnings` it answered.
    """
    event_reason = reason
    if warnings:
        event_reason = f"{reason}（核对提示：{''.join(warnings)}）"
    with transaction.atomic():
        ledger_year = ledger_year_open(village=village, year=year, actor=actor)
        # A year created empty by someone else since the page was opened (version 1) holds nothing to lose.
        changes = ledger_year_replace_lines(
            ledger_year=ledger_year, lines=lines, actor=actor, source=source, reason=reason,
            expected_version=max(expected_version, 1),
        )
        if changes.any:
            LedgerYearEvent.objects.create(ledger_year=ledger_year, action=LedgerYearEvent.Action.SAVE,
                                           from_status=ledger_year.status, to_status=ledger_year.status,
                                           actor=actor, reason=event_reason)
    return ledger_year, changes


def ledger_year_recompute(*, ledger_year: LedgerYear) -> bool:
    """Recompute the figures from the stored lines; True if they had drifted and were corrected."""
    with transaction.atomic():
        current = LedgerYear.objects.select_for_update().get(pk=ledger_year.pk)
        changed = set_figures(current, current.lines.only("item_id", "amount"))
        if changed:
            current.save(update_fields=[*changed, "updated_at"])
        ledger_year.__dict__.update(current.__dict__)
    return bool(changed)


# Allowed workflow steps: action → (from statuses, to status).
TRANSITIONS = {
    LedgerYearEvent.Action.SUBMIT: ({LedgerYear.Status.DRAFT}, LedgerYear.Status.SUBMITTED),
    LedgerYearEvent.Action.APPROVE: ({LedgerYear.Status.SUBMITTED}, LedgerYear.Status.APPROVED),
    LedgerYearEvent.Action.REJECT: ({LedgerYear.Status.SUBMITTED}, LedgerYear.Status.DRAFT),
    LedgerYearEvent.Action.REOPEN: ({LedgerYear.Status.APPROVED}, LedgerYear.Status.DRAFT),
}
REASON_REQUIRED = {LedgerYearEvent.Action.REJECT, LedgerYearEvent.Action.REOPEN}


def ledger_year_transition(*, ledger_year: LedgerYear, action: str, actor=None, reason: str = "",
                           when=None) -> LedgerYear:
    """Move a village-year through 草稿 → 已提交 → 已审核 (or back), recording who, when and why.

    Role checks belong to the caller (`ledger.access`); this enforces the order of steps.
    """
    allowed_from, to_status = TRANSITIONS[action]
    reason = reason.strip()
    if action in REASON_REQUIRED and not reason:
        raise LedgerError("退回或重新打开必须填写原因。")
    when = when or timezone.now()
    with transaction.atomic():
        current = LedgerYear.objects.select_for_update().get(pk=ledger_year.pk)
        if current.status not in allowed_from:
            raise LedgerError(
                f"{current} 当前状态为“{current.get_status_display()}”，不能执行“{LedgerYearEvent.Action(action).label}”。"
            )
        from_status = current.status
        current.status = to_status
        current.version += 1
        if action == LedgerYearEvent.Action.SUBMIT:
            current.submitted_at = when
        elif action == LedgerYearEvent.Action.APPROVE:
            current.approved_at, current.approved_by = when, actor
        elif action == LedgerYearEvent.Action.REOPEN:
            current.approved_at, current.approved_by = None, None
        current._change_reason = reason[:100] or None
        current._history_user = actor if getattr(actor, "pk", None) else None
        current.save()
        LedgerYearEvent.objects.create(ledger_year=current, action=action, from_status=from_status,
                                       to_status=to_status, actor=actor, reason=reason)
        ledger_year.__dict__.update(current.__dict__)
    return ledger_year


@dataclass
class YearStatement:
    """The complete statement of one village-year, for bulk writes."""

    village: Village
    year: int
    lines: list[LineInput]


def _systems_by_year(years: Iterable[int]) -> dict[int, AccountingSystem]:
    systems = list(AccountingSystem.objects.all())
    found = {}
    for year in set(years):
        for system in systems:
            if system.first_year <= year and (system.last_year is None or year <= system.last_year):
                found[year] = system
                break
        else:
            raise LedgerError(f"{year} 年没有适用的会计制度。")
    return found


def ledger_years_bulk_replace(
    *,
    statements: Sequence[YearStatement],
    actor=None,
    source: str = "system",
    reason: str = "",
    batch_id: int | None = None,
    initial_status: str = LedgerYear.Status.DRAFT,
) -> dict[tuple[int, int], LineChanges]:
    """`ledger_year_replace_lines` for many village-years at once, in a fixed number of statements.

    Same rules and the same helpers (diff, history, figures, version); all or nothing: one locked
    year or one bad line refuses the whole call. `initial_status` applies only to village-years this
    call creates; it exists for loading already-approved history (demo and synthetic worlds), and
    the step is recorded as an event like any other.
    Returns the changes keyed by (village id, year).
    """
    if not statements:
        return {}
    systems = _systems_by_year(s.year for s in statements)
    allowed = {}
    for item_id, system_id in LineItem.objects.values_list("pk", "system_id"):
        allowed.setdefault(system_id, set()).add(item_id)
    problems = []
    seen_years = set()
    for statement in statements:
        key = (statement.village.pk, statement.year)
        if key in seen_years:
            problems.append(f"{statement.village} {statement.year} 年出现了两次。")
        seen_years.add(key)
        system = systems[statement.year]
        seen = set()
        for line in statement.lines:
            if line.item_id not in allowed.get(system.pk, ()):
                problems.append(f"{statement.village} {statement.year} 年：科目不属于 {system.document}。")
            if line.key in seen:
                problems.append(f"{statement.village} {statement.year} 年：项目“{line.name or '（不分项目）'}”重复。")
            seen.add(line.key)
            if line.amount < 0 or to_cents(line.amount) != line.amount:
                problems.append(f"{statement.village} {statement.year} 年：金额 {line.amount} 无效。")
    if problems:
        raise LedgerError("；".join(problems[:50]))

    when = timezone.now()
    actor_or_none = actor if getattr(actor, "pk", None) else None
    village_ids = {s.village.pk for s in statements}
    years = {s.year for s in statements}
    with transaction.atomic():
        existing = {
            (ly.village_id, ly.year): ly
            for ly in LedgerYear.objects.select_for_update().filter(village_id__in=village_ids, year__in=years)
            if (ly.village_id, ly.year) in seen_years
        }
        locked = [ly for ly in existing.values() if ly.is_locked]
        if locked:
            names = "、".join(str(ly) for ly in locked[:20])
            raise LedgerLocked(f"以下村年度账已审核锁定，不能修改：{names}" + (" 等" if len(locked) > 20 else ""))

        new_years = [
            LedgerYear(village=s.village, year=s.year, system=systems[s.year], town_id=s.village.town_id,
                       county_id=s.village.town.county_id, status=initial_status, updated_by=actor_or_none,
                       submitted_at=when if initial_status != LedgerYear.Status.DRAFT else None,
                       approved_at=when if initial_status == LedgerYear.Status.APPROVED else None,
                       approved_by=actor_or_none if initial_status == LedgerYear.Status.APPROVED else None)
            for s in statements if (s.village.pk, s.year) not in existing
        ]
        # Figures are set before the insert so that new years need no second write.
        by_key = {(s.village.pk, s.year): s for s in statements}
        for ly in new_years:
            set_figures(ly, by_key[(ly.village_id, ly.year)].lines)
        if new_years:
            from simple_history.utils import bulk_create_with_history

            bulk_create_with_history(new_years, LedgerYear, batch_size=1000, default_user=actor_or_none,
                                     default_change_reason=reason[:100] or None, default_date=when)
            created_keys = {(ly.village_id, ly.year) for ly in new_years}
            created = {(ly.village_id, ly.year): ly for ly in LedgerYear.objects.filter(
                village_id__in={k[0] for k in created_keys}, year__in={k[1] for k in created_keys})
                if (ly.village_id, ly.year) in created_keys}
            LedgerYearEvent.objects.bulk_create([
                LedgerYearEvent(ledger_year=ly, action=LedgerYearEvent.Action.CREATE, to_status=initial_status,
                                actor=actor_or_none, reason=reason)
                for ly in created.values()
            ], batch_size=2000)
        else:
            created = {}

        old_lines: dict[int, list[LedgerLine]] = {}
        if existing:
            for line in LedgerLine.objects.filter(ledger_year_id__in=[ly.pk for ly in existing.values()]):
                old_lines.setdefault(line.ledger_year_id, []).append(line)

        total = LineChanges()
        results: dict[tuple[int, int], LineChanges] = {}
        touched: list[LedgerYear] = []
        for key, statement in by_key.items():
            ly = existing.get(key) or created[key]
            changes = diff_lines(old_lines.get(ly.pk, ()), statement.lines, ly.pk)
            results[key] = changes
            total.created += changes.created
            total.changed += changes.changed
            total.deleted += changes.deleted
            total.unchanged += changes.unchanged
            if key in existing and changes.any:
                set_figures(ly, statement.lines)
                ly.version += 1
                ly.updated_by = actor_or_none
                ly.updated_at = when
                touched.append(ly)
        apply_changes(total, actor=actor, source=source, reason=reason, batch_id=batch_id, when=when)
        if touched:
            from simple_history.utils import bulk_update_with_history

            bulk_update_with_history(touched, LedgerYear, [*LedgerYear.FIGURES, "version", "updated_by", "updated_at"],
                                     batch_size=1000, default_user=actor_or_none,
                                     default_change_reason=reason[:100] or None, default_date=when)
    return results
