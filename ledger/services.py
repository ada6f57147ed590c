"""Every write to the village-years goes through here: forms, imports, the admin, demo data.

One path per write keeps three things true at once: the lines, their history (who, when, from what
to what, which action), and the figures on `LedgerYear` that rankings read. The statement's values
and its diff are `ledger.statements`; the SQL of bulk writes is `ledger.bulk`; imports of files
(`ledger.importing.services`) call the bulk writers here.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from villages.models import Village
from villages.validators import has_visible_text

from .bulk import (
    chunked,
    delete_rows,
    fast_create,
    field_defaults,
    history_copy,
    history_create,
    insert_values,
    unsaved,
    update_rows,
)
from .metrics import figures_for
from .models import AccountingSystem, LedgerLine, LedgerYear, LedgerYearEvent
from .statements import LINE_FIELDS, LineChanges, LineInput, diff_lines, item_rules, line_problems
from .systems import year_problem
from .text import clean_text

__all__ = [  # the statement's types are part of these services' signatures
    "BULK_ACTIONS", "REASON_REQUIRED", "TRANSITIONS", "ConcurrentWrite", "LedgerError", "LedgerLocked", "LineChanges",
    "LineInput", "OpenedYears", "StaleVersion", "YearStatement", "apply_changes", "ledger_year_delete",
    "ledger_year_open", "ledger_year_recompute", "ledger_years_delete",
    "ledger_year_replace_lines", "ledger_year_save_statement", "ledger_year_transition", "ledger_years_bulk_replace",
    "ledger_years_open_many", "ledger_years_transition", "replace_statements", "set_figures", "town_year_candidates",
    "town_year_transition",
]

# How many locked village-years a refusal names before it says 等.
LOCKED_NAMES_SHOWN = 20



class LedgerError(Exception):
    """A write that the rules refuse; the message is shown to the user as it is (Chinese)."""


class LedgerLocked(LedgerError):
    pass


class StaleVersion(LedgerError):
    """Somebody else saved this village-year after the form was opened (version 0: the form was
    opened before the year existed, and somebody has written it since, by hand or by an import)."""

    def __init__(self, ledger_year: LedgerYear, expected_version: int):
        self.ledger_year = ledger_year
        self.expected_version = expected_version
        opened = (f"您打开的是第 {expected_version} 版" if expected_version else "您打开页面时这一年的账还不存在")
        super().__init__(
            f"{ledger_year} 已被他人修改（{opened}，现在是第 {ledger_year.version} 版），"
            "本次保存未写入。请查看对方的修改后再保存。"
        )


class ConcurrentWrite(LedgerError):
    """Another write (an import) created or changed the same village-years at the same moment."""

    MESSAGE = "同一村年度账正被另一批次导入或刚被修改，本批次未写入任何数据，请稍后重新导入。"

    def __init__(self, detail: str = ""):
        super().__init__(f"{detail}：{self.MESSAGE}" if detail else self.MESSAGE)


def closed_reason(ledger_year: LedgerYear) -> str:
    """Why the amounts of a village-year may not be written now ("" if they may): approved years are
    locked, submitted ones are under review (the reviewer approves what was submitted)."""
    if ledger_year.status == LedgerYear.Status.APPROVED:
        return f"{ledger_year} 已审核锁定，不能修改；如需更正请先由审核人重新打开。"
    if ledger_year.status == LedgerYear.Status.SUBMITTED:
        return f"{ledger_year} 已提交审核，不能修改；如需修改，请在审核前撤回，或由审核人退回。"
    return ""


def apply_changes(changes: LineChanges, *, actor, source: str, reason: str = "", batch_id: int | None = None,
                  when=None) -> None:
    """Write one or many village-years' line changes and their history in a few bulk statements
    (`ledger.bulk`). Deletes bypass the history signal; the history rows written here are the one
    record of every change.
    """
    when = when or timezone.now()
    user_id = getattr(actor, "pk", None)
    if changes.deleted:
        delete_rows(LedgerLine, [line.pk for line in changes.deleted])
    if changes.created:
        fast_create(LedgerLine, changes.created, when=when)
    if changes.changed:
        update_rows(LedgerLine, [line for line, _ in changes.changed], LINE_FIELDS)
    extra = {"history_source": source, "history_batch_id": batch_id}
    history_copy(LedgerLine, [line.pk for line in changes.created], history_type="+", user_id=user_id,
                 reason=reason, when=when, extra=extra)
    for history_type, lines in (("~", [line for line, _ in changes.changed]), ("-", changes.deleted)):
        history_create(LedgerLine, lines, history_type=history_type, user_id=user_id, reason=reason, when=when,
                       extra=extra)


def _insert_statements(statements: Sequence[tuple[int, Sequence[LineInput]]], *, actor, source: str, reason: str,
                       batch_id: int | None, when) -> None:
    """Write the whole statements of village-years that have no lines yet (inserted by this same
    write) and their history, column by column from the statements: an import's 100,000 new lines
    need no model instance each, nor their ids back (the history is copied by village-year)."""
    if not statements:
        return
    lines = [line for _, year_lines in statements for line in year_lines]
    each = {"ledger_year_id": [pk for pk, year_lines in statements for _ in year_lines]}
    each.update({name: list(map(attrgetter(name), lines)) for name in LineInput._fields})
    insert_values(LedgerLine, count=len(lines), each=each, when=when)
    history_copy(LedgerLine, [pk for pk, _ in statements], by="ledger_year_id", history_type="+",
                 user_id=getattr(actor, "pk", None), reason=reason, when=when,
                 extra={"history_source": source, "history_batch_id": batch_id})


def _refresh(ledger_year: LedgerYear, *, row: LedgerYear) -> None:
    """Give the caller's instance the values of the row a service locked and wrote: the single-year
    services leave the object they were given up to date (forms and the admin go on using it)."""
    for f in LedgerYear._meta.concrete_fields:
        setattr(ledger_year, f.attname, getattr(row, f.attname))


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
    if problem := year_problem(year):
        raise LedgerError(problem)
    system = AccountingSystem.for_year(year)
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
    drafts_only: bool = False,
) -> LineChanges:
    """Make `lines` the complete statement of the village-year.

    Refuses approved years (`LedgerLocked`), submitted ones too with `drafts_only` (what the form
    and the admin may edit), and saves that started from another version (`StaleVersion`):
    `expected_version` 0 means "there was no year when I looked", which holds only while the year
    is still empty and unwritten (version 1, no lines). Records the history of every changed
    amount, recomputes the figures and bumps the version when anything changed. `ledger_year` is
    brought up to date.
    """
    lines = list(lines)
    with transaction.atomic():
        current = LedgerYear.objects.select_for_update().get(pk=ledger_year.pk)
        closed = closed_reason(current)
        if closed and (drafts_only or current.is_locked):
            raise LedgerLocked(closed)
        if expected_version is not None and not _still_as_seen(current, expected_version):
            raise StaleVersion(current, expected_version)
        changes = replace_statements(statements=[(current, lines)], actor=actor, source=source, reason=reason,
                                     batch_id=batch_id)[current.pk]
        _refresh(ledger_year, row=current)
    return changes


def _still_as_seen(current: LedgerYear, expected_version: int) -> bool:
    if expected_version == 0:  # opened before the year existed: only an empty, unwritten year is as seen
        return current.version == 1 and not current.lines.exists()
    return current.version == expected_version


def replace_statements(
    *,
    statements: Sequence[tuple[LedgerYear, Sequence[LineInput]]],
    actor=None,
    source: str = "system",
    reason: str = "",
    batch_id: int | None = None,
    event_action: str | None = None,
    when=None,
    dry_run: bool = False,
    inserted: Mapping[int, Sequence[LineInput] | None] | None = None,
) -> dict[int, LineChanges]:
    """Make each statement the complete set of lines of its village-year, for one or many years at once.

    The shared core of every write of lines (a form's one year, an import's thousands): it checks the
    lines, loads the stored lines of all the years in one query, diffs, writes lines and their history
    in bulk, recomputes the figures and bumps the version of the years that changed (with their own
    history), and records `event_action` for them. The caller has locked the `LedgerYear` rows and
    checked their status and version, and holds the transaction. With `dry_run` nothing is written:
    the result says what would change.

    `inserted` is `OpenedYears.inserted` when the years were opened by `ledger_years_open_many` in
    this same write: those years have no lines yet, so they are neither read nor diffed, and a year
    inserted with the figures of these very lines needs no second write.
    """
    when = when or timezone.now()
    user = actor if getattr(actor, "pk", None) else None
    allowed = item_rules({ledger_year.system_id for ledger_year, _ in statements})
    problems = []
    for ledger_year, lines in statements:
        problems += [f"{ledger_year}：{p}" for p in line_problems(ledger_year, lines, allowed[ledger_year.system_id])]
    if problems:
        raise LedgerError("；".join(problems))

    inserted = inserted or {}
    ids = [ledger_year.pk for ledger_year, _ in statements if ledger_year.pk not in inserted]
    existing: dict[int, list[LedgerLine]] = {pk: [] for pk in ids}
    for part in chunked(ids):
        for line in LedgerLine.objects.filter(ledger_year_id__in=part):
            existing[line.ledger_year_id].append(line)

    result: dict[int, LineChanges] = {}
    combined = LineChanges()
    touched: list[LedgerYear] = []  # lines changed
    updated: list[LedgerYear] = []  # figures/version to write
    for ledger_year, lines in statements:
        stored = existing.get(ledger_year.pk)
        changes = diff_lines(stored, lines, ledger_year.pk) if stored is not None else LineChanges(inserted=lines)
        result[ledger_year.pk] = changes
        if not changes.any:
            continue
        combined.created += changes.created
        combined.changed += changes.changed
        combined.deleted += changes.deleted
        if not dry_run:
            touched.append(ledger_year)
            # A village-year inserted by this same write with the figures of these lines (this very
            # sequence, or one with the same figures) stays at version 1 and needs no second write.
            carried = inserted.get(ledger_year.pk)
            if carried is lines or (not set_figures(ledger_year, lines) and carried is not None):
                continue
            ledger_year.version += 1
            ledger_year.updated_by = user
            ledger_year.updated_at = when
            updated.append(ledger_year)
    if dry_run or not touched:
        return result
    apply_changes(combined, actor=actor, source=source, reason=reason, batch_id=batch_id, when=when)
    # Years without lines yet: their lines as given.
    fresh = [(pk, changes.inserted) for pk, changes in result.items() if changes.inserted]
    _insert_statements(fresh, actor=actor, source=source, reason=reason, batch_id=batch_id, when=when)
    update_rows(LedgerYear, updated, [*LedgerYear.FIGURES, "version", "updated_by_id", "updated_at"])
    history_create(LedgerYear, updated, history_type="~", user_id=getattr(user, "pk", None), reason=reason,
                   when=when)
    if event_action:
        statuses = [ledger_year.status for ledger_year in touched]
        insert_values(LedgerYearEvent, count=len(touched), when=when,
                      each={"ledger_year_id": [ledger_year.pk for ledger_year in touched], "from_status": statuses,
                            "to_status": statuses},
                      same={"action": event_action, "actor_id": getattr(user, "pk", None), "reason": reason})
    return result


@dataclass
class OpenedYears:
    """The village-years a bulk write works on (`ledger_years_open_many`)."""

    years: dict[tuple[int, int], LedgerYear]  # by (village id, year); rows locked
    created: set[tuple[int, int]]  # the keys of the years inserted by this call
    # The inserted years by id → the lines whose figures they were given (None: no figures yet), for
    # `replace_statements(inserted=…)`.
    inserted: dict[int, Sequence[LineInput] | None]


def ledger_years_open_many(
    *, keys: Iterable[tuple[Village, int]], actor=None, when=None, initial_status: str = LedgerYear.Status.DRAFT,
    lines_by_key: dict[tuple[int, int], Sequence[LineInput]] | None = None,
    figures_by_key: dict[tuple[int, int], dict] | None = None,
) -> OpenedYears:
    """The village-years for (village, year) pairs, locked for update, and which of them were created
    here (as drafts under their year's accounting system, with a 新建 event). With `lines_by_key`
    the new years get the figures of the lines the caller is about to write (see `replace_statements`).

    For bulk writers (imports): a few queries whatever the number of years. Call inside a transaction.
    """
    when = when or timezone.now()
    user = actor if getattr(actor, "pk", None) else None
    wanted = {(village.pk, year): village for village, year in keys}
    found = _locked_years(wanted)
    missing = [key for key in wanted if key not in found]
    inserted: dict[int, Sequence[LineInput] | None] = {}
    if missing:
        systems = {}
        for _, year in missing:
            if year not in systems:
                if problem := year_problem(year):
                    raise LedgerError(problem)
                systems[year] = AccountingSystem.for_year(year)
        submitted = when if initial_status != LedgerYear.Status.DRAFT else None
        approved = initial_status == LedgerYear.Status.APPROVED
        defaults = field_defaults(LedgerYear)
        defaults.update(updated_by_id=getattr(user, "pk", None), status=initial_status, submitted_at=submitted,
                        approved_at=when if approved else None,
                        approved_by_id=getattr(user, "pk", None) if approved else None)
        new, carried = [], []
        for key in missing:
            village_id, year = key
            # The figures of the lines about to be written, so that the insert is the only write;
            # `figures_by_key` when the caller has them already (an import's plan: the same lines).
            lines = lines_by_key[key] if lines_by_key is not None else None
            given = figures_by_key[key] if lines is not None and figures_by_key is not None else {}
            ledger_year = unsaved(LedgerYear, defaults, village_id=village_id, year=year, system_id=systems[year].pk,
                                  town_id=wanted[key].town_id, county_id=wanted[key].town.county_id, **given)
            if lines is not None and not given:
                set_figures(ledger_year, lines)
            new.append(ledger_year)
            carried.append(lines)
        _insert_new_years(new, when=when)
        inserted = {ledger_year.pk: lines for ledger_year, lines in zip(new, carried, strict=True)}
        history_copy(LedgerYear, [ledger_year.pk for ledger_year in new], history_type="+",
                     user_id=getattr(user, "pk", None), reason="", when=when)
        insert_values(LedgerYearEvent, count=len(new), when=when,
                      each={"ledger_year_id": [ledger_year.pk for ledger_year in new],
                            "to_status": [ledger_year.status for ledger_year in new]},
                      same={"action": LedgerYearEvent.Action.CREATE, "actor_id": getattr(user, "pk", None)})
        found.update({(ledger_year.village_id, ledger_year.year): ledger_year for ledger_year in new})
    return OpenedYears(years=found, created=set(missing), inserted=inserted)


def _insert_new_years(new: list[LedgerYear], *, when) -> None:
    """Insert the village-years a bulk write found missing. Another import may be inserting the same
    ones: its rows were invisible to our locking read, so the unique index (village, year) is what
    finds out. That is a conflict for the caller to report, not a crash: the savepoint keeps the
    caller's transaction usable so that it can roll back cleanly and say so."""
    try:
        with transaction.atomic():
            fast_create(LedgerYear, new, when=when)
    except IntegrityError as exc:
        if "ledger_year_unique" in str(exc) or "ledger_ledgeryear.village_id" in str(exc):
            raise ConcurrentWrite() from exc
        raise


def _locked_years(keys) -> dict[tuple[int, int], LedgerYear]:
    """Existing village-years for (village id, year) keys, one query per year and chunk, rows locked."""
    by_year: dict[int, list[int]] = {}
    for village_id, year in keys:
        by_year.setdefault(year, []).append(village_id)
    found = {}
    for year, village_ids in by_year.items():
        for part in chunked(village_ids):
            for ledger_year in LedgerYear.objects.select_for_update().filter(year=year, village_id__in=part):
                found[(ledger_year.village_id, year)] = ledger_year
    return found


def ledger_year_save_statement(
    *,
    village: Village,
    year: int,
    lines: Sequence[LineInput],
    actor,
    expected_version: int,
    reason: str = "",
    warnings: Sequence[str] = (),
    confirmed: Sequence[str] = (),
    source: str = "form",
) -> tuple[LedgerYear, LineChanges]:
    """Save a statement typed on the village-year page (creating the year on its first save).

    `expected_version` is the version the page was opened at, 0 if the year did not exist yet; a
    save from another version raises `StaleVersion` (0 included: a year written since by an import
    or another user is not overwritten). Only drafts are edited (`LedgerLocked` otherwise), as the
    page offers. `reason` is the user's explanation, kept on
    every history row of the save (first 100 characters); a save that changed something is also
    logged as a 保存 event with the whole explanation and the `warnings` it answered, and the unit
    questions (`confirmed`) the user answered with 按原值保存.
    """
    reason = clean_text(reason)
    if warnings and not has_visible_text(reason):
        raise LedgerError("本次填报有核对提示，请填写说明。")
    event_reason = reason
    if warnings:
        event_reason = f"{reason}（核对提示：{''.join(warnings)}）"
    if confirmed:
        event_reason = f"{event_reason}（按原值保存：{''.join(confirmed)}）"
    lines = list(lines)
    with transaction.atomic():
        key = (village.pk, year)
        opened = ledger_years_open_many(keys=[(village, year)], actor=actor, lines_by_key={key: lines})
        ledger_year = opened.years[key]
        if key in opened.created:
            # The first save creates the year with these lines: one write, version 1 (第 1 版).
            if expected_version:
                raise StaleVersion(ledger_year, expected_version)
            changes = replace_statements(statements=[(ledger_year, lines)], actor=actor, source=source,
                                         reason=reason, inserted=opened.inserted)[ledger_year.pk]
        else:
            changes = ledger_year_replace_lines(
                ledger_year=ledger_year, lines=lines, actor=actor, source=source, reason=reason,
                expected_version=expected_version, drafts_only=True,
            )
        if changes.any:
            LedgerYearEvent.objects.create(ledger_year=ledger_year, action=LedgerYearEvent.Action.SAVE,
                                           from_status=ledger_year.status, to_status=ledger_year.status,
                                           actor=actor, reason=event_reason)
    return ledger_year, changes


def ledger_year_recompute(*, ledger_year: LedgerYear) -> bool:
    """Recompute the figures from the stored lines; True if they had drifted and were corrected.
    `ledger_year` is brought up to date."""
    with transaction.atomic():
        current = LedgerYear.objects.select_for_update().get(pk=ledger_year.pk)
        changed = set_figures(current, current.lines.only("item_id", "amount"))
        if changed:
            current.save(update_fields=[*changed, "updated_at"])
        _refresh(ledger_year, row=current)
    return bool(changed)


# Allowed workflow steps: action → (from statuses, to status). 退回 leaves the year 已退回 (its own
# state, so that the town list and the cadre see that a reviewer wants something changed); it is then
# entered like a draft and submitted again. 撤回 is the cadre taking back a submission nobody has
# reviewed yet.
TRANSITIONS = {
    LedgerYearEvent.Action.SUBMIT: (set(LedgerYear.OPEN_STATUSES), LedgerYear.Status.SUBMITTED),
    LedgerYearEvent.Action.WITHDRAW: ({LedgerYear.Status.SUBMITTED}, LedgerYear.Status.DRAFT),
    LedgerYearEvent.Action.APPROVE: ({LedgerYear.Status.SUBMITTED}, LedgerYear.Status.APPROVED),
    LedgerYearEvent.Action.REJECT: ({LedgerYear.Status.SUBMITTED}, LedgerYear.Status.RETURNED),
    LedgerYearEvent.Action.REOPEN: ({LedgerYear.Status.APPROVED}, LedgerYear.Status.DRAFT),
}
REASON_REQUIRED = {LedgerYearEvent.Action.REJECT, LedgerYearEvent.Action.REOPEN}


def ledger_year_transition(*, ledger_year: LedgerYear, action: str, actor=None, reason: str = "",
                           when=None) -> LedgerYear:
    """Move a village-year through 草稿 → 已提交 → 已审核 (or back), recording who, when and why.

    Role checks belong to the caller (`ledger.access`); this enforces the order of steps.
    `ledger_year` is brought up to date and returned.
    """
    allowed_from, _ = TRANSITIONS[action]
    with transaction.atomic():
        current = LedgerYear.objects.select_for_update().get(pk=ledger_year.pk)
        if current.status not in allowed_from:
            raise LedgerError(
                f"{current} 当前状态为“{current.get_status_display()}”，不能执行“{LedgerYearEvent.Action(action).label}”。"
            )
        ledger_years_transition(ledger_years=[current], action=action, actor=actor, reason=reason, when=when)
        _refresh(ledger_year, row=current)
    return ledger_year


def ledger_years_transition(*, ledger_years: Sequence[LedgerYear], action: str, actor=None, reason: str = "",
                            when=None, event_action: str | None = None) -> list[LedgerYear]:
    """The same step for many village-years at once (a town's 全部提交 / 全部审核通过, an import that
    submits what it wrote), in a fixed number of statements: status, version, their history and a
    workflow event each. Years not in a state the step starts from are left as they are; the ones
    moved are returned. The caller has locked the rows (select_for_update) and holds the transaction.
    `event_action` records the events under another action (撤销导入 putting years back to 草稿).
    """
    allowed_from, to_status = TRANSITIONS[action]
    reason = clean_text(reason)
    if action in REASON_REQUIRED and not has_visible_text(reason):
        raise LedgerError("退回或重新打开必须填写原因。")
    when = when or timezone.now()
    user = actor if getattr(actor, "pk", None) else None
    moving = [ledger_year for ledger_year in ledger_years if ledger_year.status in allowed_from]
    if not moving:
        return []
    from_statuses = [ledger_year.status for ledger_year in moving]
    fields = ["status", "version", "updated_at"]
    fields += ["submitted_at"] if to_status == LedgerYear.Status.SUBMITTED else ["approved_at", "approved_by_id"]
    for ledger_year in moving:
        ledger_year.status = to_status
        ledger_year.version += 1
        ledger_year.updated_at = when
        if to_status == LedgerYear.Status.SUBMITTED:
            ledger_year.submitted_at = when
        elif to_status == LedgerYear.Status.APPROVED:
            ledger_year.approved_at, ledger_year.approved_by = when, user
        else:  # back to 草稿: no longer approved by anyone
            ledger_year.approved_at, ledger_year.approved_by = None, None
    update_rows(LedgerYear, moving, fields)
    history_create(LedgerYear, moving, history_type="~", user_id=getattr(user, "pk", None), reason=reason, when=when)
    insert_values(LedgerYearEvent, count=len(moving), when=when,
                  each={"ledger_year_id": [ledger_year.pk for ledger_year in moving], "from_status": from_statuses},
                  same={"action": event_action or action, "to_status": to_status, "actor_id": getattr(user, "pk", None),
                        "reason": reason})
    return moving


BULK_ACTIONS = (LedgerYearEvent.Action.SUBMIT, LedgerYearEvent.Action.APPROVE)


def town_year_candidates(*, town, year: int, action: str) -> models.QuerySet:
    """The village-years of the town and year that 全部提交 / 全部审核通过 would move: open years with
    at least one amount, or submitted years."""
    allowed_from, _ = TRANSITIONS[action]
    years = LedgerYear.objects.filter(town=town, year=year, status__in=allowed_from)
    if action == LedgerYearEvent.Action.SUBMIT:
        years = years.filter(models.Exists(LedgerLine.objects.filter(ledger_year=models.OuterRef("pk"))))
    return years


def town_year_transition(*, town, year: int, action: str, actor=None,
                         ledger_year_ids: Iterable[int] | None = None) -> list[LedgerYear]:
    """全部提交 / 全部审核通过: the step for the village-years of the town and year that can take it
    (`town_year_candidates`), limited to `ledger_year_ids` when given: the ones the confirmation page
    listed, so that a year submitted after the page was shown is not approved unseen. Returns the
    years moved. Role checks belong to the caller; 退回 and 重新打开 need a reason per year and are not
    offered in bulk."""
    if action not in BULK_ACTIONS:
        raise LedgerError("只能批量提交或批量审核通过。")
    with transaction.atomic():
        years = town_year_candidates(town=town, year=year, action=action).select_for_update()
        if ledger_year_ids is not None:
            years = years.filter(pk__in=list(ledger_year_ids))
        return ledger_years_transition(ledger_years=list(years.order_by("pk")), action=action, actor=actor)


@dataclass
class YearStatement:
    """The complete statement of one village-year, for bulk writes."""

    village: Village
    year: int
    lines: list[LineInput]


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

    Same rules and the same core (`ledger_years_open_many` + `replace_statements`: diff, history,
    figures, version); all or nothing: one locked year or one bad line refuses the whole call.
    `initial_status` applies only to village-years this call creates; it exists for loading
    already-approved history (demo and synthetic worlds), and is recorded in their 新建 event.
    Returns the changes keyed by (village id, year).
    """
    if not statements:
        return {}
    keys = [(s.village.pk, s.year) for s in statements]
    twice = {key for key in keys if keys.count(key) > 1} if len(set(keys)) != len(keys) else set()
    if twice:
        by_key = {(s.village.pk, s.year): s for s in statements}
        raise LedgerError("；".join(f"{by_key[key].village} {key[1]} 年出现了两次。" for key in sorted(twice)))
    when = timezone.now()
    with transaction.atomic():
        opened = ledger_years_open_many(keys=[(s.village, s.year) for s in statements], actor=actor, when=when,
                                        initial_status=initial_status,
                                        lines_by_key={(s.village.pk, s.year): s.lines for s in statements})
        years = opened.years
        locked = [ly for key, ly in years.items() if ly.is_locked and key not in opened.created]
        if locked:
            names = "、".join(str(ly) for ly in locked[:LOCKED_NAMES_SHOWN])
            raise LedgerLocked(f"以下村年度账已审核锁定，不能修改：{names}"
                               + (" 等" if len(locked) > LOCKED_NAMES_SHOWN else ""))
        results = replace_statements(
            statements=[(years[(s.village.pk, s.year)], s.lines) for s in statements], actor=actor, source=source,
            reason=reason, batch_id=batch_id, when=when, inserted=opened.inserted,
        )
    return {key: results[years[key].pk] for key in keys}



def ledger_years_delete(*, ledger_years: Sequence[LedgerYear], actor=None, reason: str = "") -> int:
    """Delete village-years and their lines, all or nothing, with the history of every line and year.

    Refuses (`LedgerLocked`, naming them) if any of them is approved or submitted: what has been
    reported is not removed without a trace, it is sent back (退回 / 重新打开) first. The lines get a
    deletion row in their history (source 管理后台 when `actor` is given), the years too; their
    workflow events go with them (the history rows stay). Returns how many years were deleted.
    """
    when = timezone.now()
    user_id = getattr(actor, "pk", None)
    reason = reason or "删除村年度账"
    with transaction.atomic():
        current = list(LedgerYear.objects.select_for_update().filter(pk__in=[ly.pk for ly in ledger_years])
                       .select_related("village").order_by("pk"))
        closed = [ly for ly in current if not ly.is_open]
        if closed:
            names = "、".join(f"{ly}（{ly.get_status_display()}）" for ly in closed[:LOCKED_NAMES_SHOWN])
            raise LedgerLocked(f"以下村年度账已提交或已审核，不能删除：{names}"
                               + (" 等" if len(closed) > LOCKED_NAMES_SHOWN else "")
                               + "。如确需删除，请先由审核人退回或重新打开。")
        ids = [ly.pk for ly in current]
        lines = [line for part in chunked(ids) for line in LedgerLine.objects.filter(ledger_year_id__in=part)]
        source = "admin" if user_id else "system"
        history_create(LedgerLine, lines, history_type="-", user_id=user_id, reason=reason, when=when,
                       extra={"history_source": source, "history_batch_id": None})
        history_create(LedgerYear, current, history_type="-", user_id=user_id, reason=reason, when=when)
        delete_rows(LedgerLine, [line.pk for line in lines])
        for part in chunked(ids):
            LedgerYearEvent.objects.filter(ledger_year_id__in=part).delete()
        delete_rows(LedgerYear, ids)
    return len(current)


def ledger_year_delete(*, ledger_year: LedgerYear, actor=None, reason: str = "") -> None:
    """Delete one draft village-year (see `ledger_years_delete`)."""
    ledger_years_delete(ledger_years=[ledger_year], actor=actor, reason=reason)
