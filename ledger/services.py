"""Every write to the yearly accounts goes through here: forms, imports, the admin, demo data.

One path per write keeps three things true at once: the lines, their history (who, when, from what
to what, which action), and the figures on `LedgerYear` that rankings read.
"""

import gc
import io
import operator
import re
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, models, transaction
from django.db.models.base import ModelState
from django.utils import timezone

from villages.models import Village

from .metrics import figures_for
from .models import AccountingSystem, ImportBatch, LedgerLine, LedgerYear, LedgerYearEvent, LineItem

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
            changes.created.append(_new_line(ledger_year_id, new))
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


def _new_line(ledger_year_id: int, new: LineInput) -> LedgerLine:
    """An unsaved LedgerLine for `new` (see `_unsaved`): every concrete field is set, so the object
    behaves like any other unsaved instance."""
    return _unsaved(LedgerLine, {}, id=None, ledger_year_id=ledger_year_id, item_id=new.item_id, name=new.name,
                    amount=new.amount, note=new.note, share_id=new.share_id, enterprise_id=new.enterprise_id)


def _field_defaults(model) -> dict:
    """Every concrete field's default by attname (None where there is none), for `_unsaved`."""
    return {f.attname: f.get_default() for f in model._meta.concrete_fields}


def _unsaved(model, defaults: dict, **values):
    """An unsaved instance built without Model.__init__, for bulk writers that make thousands (its field
    loop and descriptors were a tenth of an import: 100,000 lines, 12,500 village-years). `defaults`
    (from `_field_defaults`, once per batch) and `values` must set every concrete field between them."""
    obj = model.__new__(model)
    obj._state = ModelState()
    obj.__dict__.update(defaults)
    obj.__dict__.update(values)
    return obj


assert set(_new_line(0, LineInput(item_id=0, amount=Decimal(0))).__dict__) - {"_state"} == _LINE_ATTNAMES, (
    "_new_line must set every field of LedgerLine")


def apply_changes(changes: LineChanges, *, actor, source: str, reason: str = "", batch_id: int | None = None,
                  when=None) -> None:
    """Write one or many village-years' line changes and their history in a few bulk statements.

    The statements are plain multi-row SQL (`fast_create`, `_update_rows`, `_delete_rows`) rather than
    `bulk_create`/`bulk_update`: those spend ~0.2 ms per row in Python and build CASE chains, which made
    an import of 100,000 lines take minutes (bench/import_bench.py). Deletes bypass the history signal;
    the history rows written here are the one record of every change.
    """
    when = when or timezone.now()
    user_id = getattr(actor, "pk", None)
    if changes.deleted:
        _delete_rows(LedgerLine, [line.pk for line in changes.deleted])
    if changes.created:
        fast_create(LedgerLine, changes.created, when=when)
    if changes.changed:
        _update_rows(LedgerLine, [line for line, _ in changes.changed], LINE_FIELDS)
    extra = {"history_source": source, "history_batch_id": batch_id}
    history_copy(LedgerLine, [line.pk for line in changes.created], history_type="+", user_id=user_id,
                 reason=reason, when=when, extra=extra)
    for history_type, lines in (("~", [line for line, _ in changes.changed]), ("-", changes.deleted)):
        history_create(LedgerLine, lines, history_type=history_type, user_id=user_id, reason=reason, when=when,
                       extra=extra)


def _db_value(field, value, _cache={}):  # noqa: B006 - a per-process cache of adapted datetimes
    # Only dates need the backend's own format (SQLite keeps naive UTC text); numbers and text pass as
    # they are, which is what keeps these inserts fast. A bulk write stamps one `when` on every row,
    # so its adapted form is remembered.
    if value is None or not isinstance(field, (models.DateTimeField, models.DateField)):
        return value
    key = (connection.vendor, type(field), value)
    if key not in _cache:
        if len(_cache) > 1000:
            _cache.clear()
        _cache[key] = field.get_db_prep_save(value, connection)
    return _cache[key]


def _chunk_size(columns: int) -> int:
    limit = 30000 if connection.vendor == "sqlite" else 60000  # parameters per statement
    return max(1, min(2000, limit // max(columns, 1)))


def fast_create(model, objs: Sequence, *, when=None) -> None:
    """Insert model instances with multi-row INSERT … RETURNING id (COPY on PostgreSQL), setting their
    primary keys.

    For bulk writers only: no signals, no `save()`; auto_now/auto_now_add fields get `when`.
    """
    if not objs:
        return
    when = when or timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for obj in objs:
                setattr(obj, f.attname, when)
    ids = _insert(model, _columns(objs, fields), {}, len(objs), returning=True)
    pk_name = model._meta.pk.attname  # set in the instance dicts: the `pk` property costs 1 µs a row
    for obj, pk in zip(objs, ids, strict=True):
        obj.__dict__[pk_name] = pk
        obj._state.adding = False


def insert_values(model, *, count: int, each: dict[str, Sequence], same: dict | None = None, when=None) -> None:
    """Insert `count` rows of `model` given column by column, for bulk writers that need no instances
    back (an import's 导入 events: building 12,500 model instances only to read them again cost more
    than writing them).

    `each` maps attnames to one value per row, `same` to one value for every row; other fields get
    their default, auto_now/auto_now_add fields `when`. No signals, no `save()`.
    """
    if not count:
        return
    when = when or timezone.now()
    same = dict(same or {})
    for f in model._meta.concrete_fields:
        if f.primary_key or f.attname in each or f.attname in same:
            continue
        auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        same[f.attname] = when if auto else f.get_default()
    _insert(model, each, same, count)


def _history_fixed(history_type: str, user_id: int | None, reason: str, when, extra: dict | None) -> dict:
    """The history columns every row of one bulk write shares, by attname."""
    return {"history_date": when, "history_type": history_type, "history_user_id": user_id,
            "history_change_reason": reason[:100] if reason else None, **(extra or {})}


def history_create(model, objs: Sequence, *, history_type: str, user_id: int | None, reason: str, when,
                   extra: dict | None = None) -> None:
    """django-simple-history rows for objects written in bulk (bulk writes bypass its signals)."""
    if not objs:
        return
    Historical = model.history.model
    fixed = _history_fixed(history_type, user_id, reason, when, extra)
    tracked = [f for f in Historical._meta.concrete_fields if not f.primary_key and f.attname not in fixed]
    _insert(Historical, _columns(objs, tracked), fixed, len(objs))


def history_copy(model, pks: Sequence[int], *, history_type: str, user_id: int | None, reason: str, when,
                 extra: dict | None = None) -> None:
    """History rows for rows this transaction has just inserted, copied by the database itself
    (INSERT … SELECT): an import's 100,000 new lines are not sent a second time as history rows."""
    if not pks:
        return
    Historical = model.history.model
    fixed = _history_fixed(history_type, user_id, reason, when, extra)
    fields = {f.attname: f for f in Historical._meta.concrete_fields}
    source = {f.attname: f.column for f in model._meta.concrete_fields}
    tracked = [name for name, f in fields.items() if not f.primary_key and name not in fixed]
    quote = connection.ops.quote_name
    head = (f"INSERT INTO {quote(Historical._meta.db_table)} "
            f"({', '.join(quote(fields[name].column) for name in [*tracked, *fixed])}) "
            f"SELECT {', '.join(quote(source[name]) for name in tracked)}, {', '.join(['%s'] * len(fixed))} "
            f"FROM {quote(model._meta.db_table)} WHERE ")
    params = [_db_value(fields[name], value) for name, value in fixed.items()]
    pk = quote(model._meta.pk.column)
    ranges = _id_ranges(pks)
    with connection.cursor() as cursor:
        # Ids drawn in one go are one run of numbers; a few hundred runs per statement otherwise.
        for start in range(0, len(ranges), 200):
            part = ranges[start:start + 200]
            cursor.execute(head + " OR ".join([f"{pk} BETWEEN %s AND %s"] * len(part)),
                           params + [bound for run in part for bound in run])


def _id_ranges(pks: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted ids as runs of consecutive numbers: [1, 2, 3, 7, 8] → [(1, 3), (7, 8)]."""
    ordered = sorted(pks)
    runs = []
    low = previous = ordered[0]
    for pk in ordered[1:]:
        if pk != previous + 1:
            runs.append((low, previous))
            low = pk
        previous = pk
    runs.append((low, previous))
    return runs


def _columns(objs: Sequence, fields: Sequence) -> dict[str, list]:
    """The objects' values field by field (one C-level pass per field), read from the instances'
    dicts: foreign-key ids are data descriptors, and going through them for 100,000 lines × 4 keys
    × 2 tables was a tenth of a write."""
    states = list(map(vars, objs))
    try:
        return {f.attname: list(map(operator.itemgetter(f.attname), states)) for f in fields}
    except KeyError:  # an instance with deferred fields: let the model load them
        return {f.attname: list(map(operator.attrgetter(f.attname), objs)) for f in fields}


def _insert(model, each: dict[str, Sequence], same: dict, count: int, *, returning: bool = False) -> list:
    """Write `count` rows into the model's table: `each` holds a column of values per attname, `same`
    one value per attname for every row. Returns the new primary keys if `returning`."""
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    columns = [(by_attname[name], values) for name, values in each.items()]
    fixed = [(by_attname[name], value) for name, value in same.items()]
    if connection.vendor == "postgresql":
        return _copy_into(model, columns, fixed, count, returning=returning)
    # Dates in the backend's own format (SQLite keeps naive UTC text); everything else as it is.
    values = [[_db_value(f, value) for value in column] if isinstance(f, (models.DateTimeField, models.DateField))
              else column for f, column in columns]
    values += [[_db_value(f, value)] * count for f, value in fixed]
    rows = list(zip(*values, strict=True))
    quote = connection.ops.quote_name
    names = [f.column for f, _ in columns + fixed]
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in names)}) VALUES "
    one = "(" + ", ".join(["%s"] * len(names)) + ")"
    size = _chunk_size(len(names))
    ids = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            part = rows[start:start + size]
            sql = head + ", ".join([one] * len(part))
            if returning:
                sql += f" RETURNING {quote(model._meta.pk.column)}"
            cursor.execute(sql, [value for row in part for value in row])
            if returning:
                ids += [row[0] for row in cursor.fetchall()]
    return ids


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")


def _copy_text(value) -> str:
    # COPY's text format: \N for NULL, backslash escapes in text. int, Decimal and aware datetimes read
    # back exactly from their str().
    if value is None:
        return "\\N"
    return str(value).translate(_COPY_ESCAPES)


def _copy_texts(values: Sequence) -> Sequence[str]:
    """A column of values as COPY text. Most columns are all numbers, all NULL or all plain text
    (names, notes: few distinct values), each converted in one C-level pass; others value by value."""
    kinds = set(map(type, values))
    if kinds <= {int, Decimal}:
        return list(map(str, values))
    if kinds == {type(None)}:  # share, enterprise: unset on almost every line
        return ["\\N"] * len(values)
    if kinds == {str}:
        if any(_COPY_SPECIAL.search(value) for value in set(values)):
            return [value.translate(_COPY_ESCAPES) for value in values]
        return values
    # Dates and the like: a bulk write stamps one `when` on every row, so convert each distinct value once.
    try:
        texts = {value: _copy_text(value) for value in set(values)}
    except TypeError:  # unhashable values
        return list(map(_copy_text, values))
    return list(map(texts.__getitem__, values))


def _copy_into(model, columns: list[tuple], fixed: list[tuple], count: int, *, returning: bool = False) -> list:
    """PostgreSQL: COPY … FROM STDIN, several times faster than multi-row INSERT. The text is built
    column by column (a column's values share a type), then joined row by row in C. When ids are
    wanted they are drawn from the table's own sequence first, then written with the rows."""
    quote = connection.ops.quote_name
    table = model._meta.db_table
    names = [f.column for f, _ in columns] + [f.column for f, _ in fixed]
    texts = [_copy_texts(values) for _, values in columns] + [[_copy_text(value)] * count for _, value in fixed]
    ids: list = []
    with connection.cursor() as cursor:
        if returning:
            pk = model._meta.pk.column
            # The sequence's name first: inside the series PostgreSQL would look it up once per row
            # (that lookup was 85 % of drawing 100,000 ids).
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [quote(table), pk])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
            ids = [row[0] for row in cursor.fetchall()]
            names.insert(0, pk)
            texts.insert(0, list(map(str, ids)))
        sql = f"COPY {quote(table)} ({', '.join(quote(name) for name in names)}) FROM STDIN"
        lines = list(map("\t".join, zip(*texts, strict=True)))
        size = 20000
        for start in range(0, count, size):
            cursor.cursor.copy_expert(sql, io.StringIO("\n".join(lines[start:start + size]) + "\n"))
    return ids


def _update_rows(model, objs: Sequence, attnames: Sequence[str]) -> None:
    """UPDATE … WHERE id = … for many rows, batched (bulk_update builds huge CASE expressions)."""
    if not objs:
        return
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name.removesuffix("_id")) if name.endswith("_id") else model._meta.get_field(name)
              for name in attnames]
    sql = (f"UPDATE {quote(model._meta.db_table)} SET "
           + ", ".join(f"{quote(f.column)} = %s" for f in fields) + f" WHERE {quote(model._meta.pk.column)} = %s")
    params = [[_db_value(f, getattr(obj, f.attname)) for f in fields] + [obj.pk] for obj in objs]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One UPDATE … FROM (VALUES …) per few thousand rows instead of a statement per row.
            from psycopg2.extras import execute_values

            pk = model._meta.pk
            names = ["pk", *(f"v{i}" for i in range(len(fields)))]
            template = "(" + ", ".join(f"%s::{f.db_type(connection)}" for f in [pk, *fields]) + ")"
            execute_values(
                cursor.cursor,
                f"UPDATE {quote(model._meta.db_table)} AS t SET "
                + ", ".join(f"{quote(f.column)} = v.v{i}" for i, f in enumerate(fields))
                + f" FROM (VALUES %s) AS v({', '.join(names)}) WHERE t.{quote(pk.column)} = v.pk",
                [[row[-1], *row[:-1]] for row in params], template=template, page_size=5000,
            )
        else:
            cursor.executemany(sql, params)


def _delete_rows(model, pks: Sequence[int]) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for start in range(0, len(pks), 5000):
            part = list(pks[start:start + 5000])
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} IN "
                           f"({', '.join(['%s'] * len(part))})", part)


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
        changes = replace_statements(statements=[(current, lines)], actor=actor, source=source, reason=reason,
                                     batch_id=batch_id)[current.pk]
        ledger_year.__dict__.update(current.__dict__)
    return changes


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
) -> dict[int, LineChanges]:
    """Make each statement the complete set of lines of its village-year, for one or many years at once.

    The shared core of every write of lines (a form's one year, an import's thousands): it checks the
    lines, loads the stored lines of all the years in one query, diffs, writes lines and their history
    in bulk, recomputes the figures and bumps the version of the years that changed (with their own
    history), and records `event_action` for them. The caller has locked the `LedgerYear` rows and
    checked their status and version, and holds the transaction. With `dry_run` nothing is written:
    the result says what would change.
    """
    when = when or timezone.now()
    user = actor if getattr(actor, "pk", None) else None
    allowed = _items_by_system({ledger_year.system_id for ledger_year, _ in statements})
    problems = []
    for ledger_year, lines in statements:
        problems += [f"{ledger_year}：{p}" for p in line_problems(ledger_year, lines, allowed[ledger_year.system_id])]
    if problems:
        raise LedgerError("；".join(problems))

    # Years inserted by this same write (`ledger_years_open_many`): id → the lines whose figures they
    # carry (None: no figures yet). They have no lines yet, so they are neither read nor diffed.
    inserted = {ledger_year.pk: ledger_year.__dict__["_inserted_with"] for ledger_year, _ in statements
                if "_inserted_with" in ledger_year.__dict__}
    if not dry_run:  # once written, they are like any other year
        for ledger_year, _ in statements:
            ledger_year.__dict__.pop("_inserted_with", None)
    ids = [ledger_year.pk for ledger_year, _ in statements if ledger_year.pk not in inserted]
    existing: dict[int, list[LedgerLine]] = {pk: [] for pk in ids}
    for start in range(0, len(ids), 5000):  # stays under SQLite's limit of query parameters
        for line in LedgerLine.objects.filter(ledger_year_id__in=ids[start:start + 5000]):
            existing[line.ledger_year_id].append(line)

    result: dict[int, LineChanges] = {}
    combined = LineChanges()
    touched: list[LedgerYear] = []  # lines changed
    updated: list[LedgerYear] = []  # figures/version to write
    for ledger_year, lines in statements:
        stored = existing.get(ledger_year.pk)
        changes = (diff_lines(stored, lines, ledger_year.pk) if stored is not None
                   else LineChanges(created=[_new_line(ledger_year.pk, line) for line in lines]))
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
    _update_rows(LedgerYear, updated, [*LedgerYear.FIGURES, "version", "updated_by_id", "updated_at"])
    history_create(LedgerYear, updated, history_type="~", user_id=getattr(user, "pk", None), reason=reason,
                   when=when)
    if event_action:
        statuses = [ledger_year.status for ledger_year in touched]
        insert_values(LedgerYearEvent, count=len(touched), when=when,
                      each={"ledger_year_id": [ledger_year.pk for ledger_year in touched], "from_status": statuses,
                            "to_status": statuses},
                      same={"action": event_action, "actor_id": getattr(user, "pk", None), "reason": reason})
    return result


def _items_by_system(system_ids: Iterable[int]) -> dict[int, set[int]]:
    allowed: dict[int, set[int]] = {system_id: set() for system_id in system_ids}
    for pk, system_id in LineItem.objects.filter(system_id__in=allowed).values_list("pk", "system_id"):
        allowed[system_id].add(pk)
    return allowed


def ledger_years_open_many(
    *, keys: Iterable[tuple[Village, int]], actor=None, when=None, initial_status: str = LedgerYear.Status.DRAFT,
    lines_by_key: dict[tuple[int, int], Sequence[LineInput]] | None = None,
    figures_by_key: dict[tuple[int, int], dict] | None = None,
) -> tuple[dict[tuple[int, int], LedgerYear], set[tuple[int, int]]]:
    """The village-years for (village, year) pairs, locked for update, and the keys of those created
    here (as drafts under their year's accounting system, with a 新建 event). With `lines_by_key`
    the new years get the figures of the lines the caller is about to write (see `replace_statements`).

    For bulk writers (imports): a few queries whatever the number of years. Call inside a transaction.
    """
    when = when or timezone.now()
    user = actor if getattr(actor, "pk", None) else None
    wanted = {(village.pk, year): village for village, year in keys}
    found = _locked_years(wanted)
    missing = [key for key in wanted if key not in found]
    if missing:
        systems = {}
        for _, year in missing:
            if year not in systems:
                try:
                    systems[year] = AccountingSystem.for_year(year)
                except AccountingSystem.DoesNotExist as exc:
                    raise LedgerError(f"{year} 年没有适用的会计制度。") from exc
        submitted = when if initial_status != LedgerYear.Status.DRAFT else None
        approved = initial_status == LedgerYear.Status.APPROVED
        defaults = _field_defaults(LedgerYear)
        defaults.update(updated_by_id=getattr(user, "pk", None), status=initial_status, submitted_at=submitted,
                        approved_at=when if approved else None,
                        approved_by_id=getattr(user, "pk", None) if approved else None)
        new = [
            _unsaved(LedgerYear, defaults, village_id=village_id, year=year, system_id=systems[year].pk,
                     town_id=wanted[(village_id, year)].town_id, county_id=wanted[(village_id, year)].town.county_id)
            for village_id, year in missing
        ]
        for ledger_year in new:
            # The figures of the lines about to be written, so that the insert is the only write;
            # `figures_by_key` when the caller has them already (an import's plan: the same lines).
            key = (ledger_year.village_id, ledger_year.year)
            lines = lines_by_key[key] if lines_by_key is not None else None
            if lines is not None and figures_by_key is not None:
                ledger_year.__dict__.update(figures_by_key[key])
            elif lines is not None:
                set_figures(ledger_year, lines)
            ledger_year._inserted_with = lines  # read (and removed) by `replace_statements`
        fast_create(LedgerYear, new, when=when)
        history_copy(LedgerYear, [ledger_year.pk for ledger_year in new], history_type="+",
                     user_id=getattr(user, "pk", None), reason="", when=when)
        insert_values(LedgerYearEvent, count=len(new), when=when,
                      each={"ledger_year_id": [ledger_year.pk for ledger_year in new],
                            "to_status": [ledger_year.status for ledger_year in new]},
                      same={"action": LedgerYearEvent.Action.CREATE, "actor_id": getattr(user, "pk", None)})
        found.update({(ledger_year.village_id, ledger_year.year): ledger_year for ledger_year in new})
    return found, set(missing)


def _locked_years(keys) -> dict[tuple[int, int], LedgerYear]:
    """Existing village-years for (village id, year) keys, one query per year and chunk, rows locked."""
    by_year: dict[int, list[int]] = {}
    for village_id, year in keys:
        by_year.setdefault(year, []).append(village_id)
    found = {}
    for year, village_ids in by_year.items():
        for start in range(0, len(village_ids), 5000):
            rows = LedgerYear.objects.select_for_update().filter(year=year, village_id__in=village_ids[start:start + 5000])
            for ledger_year in rows:
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
    allowed_from, _ = TRANSITIONS[action]
    with transaction.atomic():
        current = LedgerYear.objects.select_for_update().get(pk=ledger_year.pk)
        if current.status not in allowed_from:
            raise LedgerError(
                f"{current} 当前状态为“{current.get_status_display()}”，不能执行“{LedgerYearEvent.Action(action).label}”。"
            )
        ledger_years_transition(ledger_years=[current], action=action, actor=actor, reason=reason, when=when)
        ledger_year.__dict__.update(current.__dict__)
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
    reason = reason.strip()
    if action in REASON_REQUIRED and not reason:
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
    _update_rows(LedgerYear, moving, fields)
    history_create(LedgerYear, moving, history_type="~", user_id=getattr(user, "pk", None), reason=reason, when=when)
    insert_values(LedgerYearEvent, count=len(moving), when=when,
                  each={"ledger_year_id": [ledger_year.pk for ledger_year in moving], "from_status": from_statuses},
                  same={"action": event_action or action, "to_status": to_status, "actor_id": getattr(user, "pk", None),
                        "reason": reason})
    return moving


BULK_ACTIONS = (LedgerYearEvent.Action.SUBMIT, LedgerYearEvent.Action.APPROVE)


def town_year_transition(*, town, year: int, action: str, actor=None) -> int:
    """全部提交 / 全部审核通过: the step for every village-year of the town and year that can take it
    (drafts with at least one amount; submitted years). Returns how many moved. Role checks belong
    to the caller; 退回 and 重新打开 need a reason per year and are not offered in bulk."""
    if action not in BULK_ACTIONS:
        raise LedgerError("只能批量提交或批量审核通过。")
    allowed_from, _ = TRANSITIONS[action]
    with transaction.atomic():
        years = LedgerYear.objects.select_for_update().filter(town=town, year=year, status__in=allowed_from)
        if action == LedgerYearEvent.Action.SUBMIT:
            years = years.filter(models.Exists(LedgerLine.objects.filter(ledger_year=models.OuterRef("pk"))))
        return len(ledger_years_transition(ledger_years=list(years.order_by("pk")), action=action, actor=actor))


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
        years, new_keys = ledger_years_open_many(keys=[(s.village, s.year) for s in statements], actor=actor,
                                                 when=when, initial_status=initial_status,
                                                 lines_by_key={(s.village.pk, s.year): s.lines for s in statements})
        locked = [ly for key, ly in years.items() if ly.is_locked and key not in new_keys]
        if locked:
            names = "、".join(str(ly) for ly in locked[:20])
            raise LedgerLocked(f"以下村年度账已审核锁定，不能修改：{names}" + (" 等" if len(locked) > 20 else ""))
        results = replace_statements(
            statements=[(years[(s.village.pk, s.year)], s.lines) for s in statements], actor=actor, source=source,
            reason=reason, batch_id=batch_id, when=when,
        )
    return {key: results[years[key].pk] for key in keys}


# --- Imports of ledger files -------------------------------------------------------------------

@dataclass
class ImportCheck:
    """The outcome of reading a file: how it was read, what it would do, and every problem."""

    file_format: str = ""
    problems: list = field(default_factory=list)  # ledger.importing.parser.Problem
    notes: list[str] = field(default_factory=list)
    parsed: object = None  # ledger.importing.parser.ParsedFile
    plan: object = None  # ledger.importing.planner.Plan

    @property
    def ok(self) -> bool:
        return not self.problems


@contextmanager
def _bulk_work():
    """Pause Python's cyclic garbage collector while an import builds and writes ~10⁶ small objects
    (cells, lines, rows) that hold no cycles: its full passes over them cost a third of the time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_check(*, data: bytes, villages=None, town=None, year: int | None = None) -> ImportCheck:
    """Read a ledger file and compare it with the database, writing nothing.

    `villages` is the scope the file may write to (default: all); `town` and `year` are what the
    uploader said, used where the file does not say it and checked where it does.
    """
    with _bulk_work():
        return _import_check(data=data, villages=villages, town=town, year=year)


def _import_check(*, data: bytes, villages, town, year) -> ImportCheck:
    from villages.models import Town

    from .importing.parser import Catalog, Places, Problem, parse_sheets
    from .importing.planner import plan_import
    from .importing.reader import FileRejected, read_sheets

    check = ImportCheck()
    try:
        check.file_format, sheets = read_sheets(data)
    except FileRejected as exc:
        check.problems = exc.problems or [Problem("", None, "", "", exc.message)]
        return check
    villages = (villages if villages is not None else Village.objects.all()).select_related("town")
    towns = Town.objects.filter(pk__in=villages.values("town_id"))
    parsed = parse_sheets(sheets, catalog=Catalog(), places=Places(villages, towns), town=town, year=year)
    del sheets
    check.parsed, check.notes = parsed, parsed.notes
    check.problems = list(parsed.problems)
    if not check.problems and not parsed.statements:
        check.problems.append(Problem("", None, "", "", "文件中没有任何村的金额，没有可导入的内容"))
    if not check.problems:
        check.plan = plan_import(parsed)
        check.problems += check.plan.problems
    return check


def _scope_of(batch: ImportBatch):
    from villages.access import visible_villages

    return visible_villages(batch.created_by) if batch.created_by_id else Village.objects.all()


def import_batch_create(*, data: bytes, filename: str, actor=None, town=None, year: int | None = None,
                        submit: bool = False) -> ImportBatch:
    """Keep an uploaded file (who, when, the file, its hash) as a new import batch; nothing is read yet.

    With `submit` the village-years the import writes are submitted for review (see ImportBatch.submit).
    """
    import hashlib
    import os

    from django.core.files.base import ContentFile

    batch = ImportBatch(created_by=actor if getattr(actor, "pk", None) else None,
                        filename=os.path.basename(filename)[:255] or "upload", sha256=hashlib.sha256(data).hexdigest(),
                        size=len(data), town=town, year=year, submit=submit)
    batch.file.save(batch.filename, ContentFile(data), save=False)
    batch.save()
    return batch


def _set_progress(batch: ImportBatch, progress: int, **fields) -> None:
    # Outside the import's transaction, so that a polling page sees it at once.
    fields["progress"] = progress
    ImportBatch.objects.filter(pk=batch.pk).update(**fields)
    for name, value in fields.items():
        setattr(batch, name, value)


def _batch_data(batch: ImportBatch) -> bytes:
    with batch.file.open("rb") as handle:
        return handle.read()


def _record_check(batch: ImportBatch, check: ImportCheck) -> None:
    batch.file_format = check.file_format
    batch.errors = [problem.as_dict() for problem in check.problems]
    batch.message = "\n".join(check.notes)
    if check.parsed is not None:
        batch.rows_read = check.parsed.rows_read
        batch.line_count = check.parsed.line_count
    if check.plan is not None:
        batch.preview = check.plan.rows
        batch.years_created = check.plan.count("created")
        batch.years_changed = check.plan.count("changed")
        batch.years_unchanged = check.plan.count("unchanged")
        totals = check.plan.totals
        batch.lines_created, batch.lines_changed, batch.lines_deleted = (
            totals["lines_created"], totals["lines_changed"], totals["lines_deleted"])


def import_batch_check(*, batch: ImportBatch) -> ImportBatch:
    """Read the batch's file and store the preview (status 待确认) or every problem (status 有错误)."""
    _set_progress(batch, 10, status=ImportBatch.Status.RUNNING if batch.status == ImportBatch.Status.QUEUED
                  else batch.status)
    check = import_check(data=_batch_data(batch), villages=_scope_of(batch), town=batch.town, year=batch.year)
    _record_check(batch, check)
    batch.status = ImportBatch.Status.READY if check.ok else ImportBatch.Status.INVALID
    batch.progress = 100 if not check.ok else 0
    batch.save()
    return batch


def import_batch_apply(*, batch: ImportBatch, actor=None, check: ImportCheck | None = None) -> ImportBatch:
    """Write a checked import: every village-year in the file gets the file's statement, in one transaction.

    The file is read again (the database may have changed since the preview); any problem, including
    a village-year approved since, leaves everything as it was and the batch 有错误. Lines and their
    history (source 导入, this batch's id), the figures, the versions and the 导入 events are written
    in bulk; what undo needs is kept on the batch.
    """
    when = timezone.now()
    _set_progress(batch, 5, status=ImportBatch.Status.RUNNING)
    if check is None:
        check = import_check(data=_batch_data(batch), villages=_scope_of(batch), town=batch.town, year=batch.year)
    _record_check(batch, check)
    if not check.ok:
        batch.status, batch.progress = ImportBatch.Status.INVALID, 100
        batch.save()
        return batch
    if not check.plan.count("created") and not check.plan.count("changed"):
        # The file says what the database already says (the plan was made just now): nothing to write.
        batch.undo_data = {"created": [], "before": {}, "versions": {}}
        batch.status, batch.progress, batch.applied_at = ImportBatch.Status.APPLIED, 100, when
        batch.save()
        return batch
    _set_progress(batch, 40)
    parsed = check.parsed
    reason = f"导入 {batch.filename}"[:100]
    try:
        with _bulk_work(), transaction.atomic():
            # One list per village-year, passed to both calls: the new years' figures are computed once.
            lines_by_key = {key: list(lines.values()) for key, lines in parsed.statements.items()}
            years, new_keys = ledger_years_open_many(
                keys=[(parsed.villages[village_id], year) for village_id, year in parsed.statements],
                actor=actor, when=when, lines_by_key=lines_by_key, figures_by_key=check.plan.figures,
            )
            locked = [ly for ly in years.values() if ly.is_locked]
            if locked:
                raise LedgerLocked("；".join(f"{ly} 已审核锁定，不能导入覆盖" for ly in locked[:50]))
            statements = [(years[key], lines) for key, lines in lines_by_key.items()]
            # What undo puts back: the stored lines of the years that existed before this import.
            before: dict[int, list] = {ly.pk: [] for ly, _ in statements}
            old_ids = [ly.pk for key, ly in years.items() if key not in new_keys]
            for start in range(0, len(old_ids), 5000):
                rows = LedgerLine.objects.filter(ledger_year_id__in=old_ids[start:start + 5000]).values_list(
                    "ledger_year_id", "item_id", "name", "amount", "note", "share_id", "enterprise_id")
                for ledger_year_id, item_id, name, amount, note, share_id, enterprise_id in rows.iterator(5000):
                    before[ledger_year_id].append([item_id, name, str(amount), note, share_id, enterprise_id])
            results = replace_statements(statements=statements, actor=actor, source="import", reason=reason,
                                         batch_id=batch.pk, event_action=LedgerYearEvent.Action.IMPORT, when=when)
            touched = {ly.pk: ly for ly, _ in statements if results[ly.pk].any}
            created = [ly.pk for key, ly in years.items() if key in new_keys and ly.pk in touched]
            created_set = set(created)
            submitted = []
            if batch.submit:  # only what this import wrote: an unchanged year is left as it is
                submitted = ledger_years_transition(ledger_years=list(touched.values()),
                                                    action=LedgerYearEvent.Action.SUBMIT, actor=actor, reason=reason,
                                                    when=when)
            batch.undo_data = {
                "created": created,
                "before": {str(pk): before[pk] for pk in touched if pk not in created_set},
                "versions": {str(pk): ly.version for pk, ly in touched.items()},
                # Years that were drafts before: undo puts them back to 草稿.
                "submitted": [ly.pk for ly in submitted if ly.pk not in created_set],
            }
            batch.status, batch.progress, batch.applied_at = ImportBatch.Status.APPLIED, 100, when
            batch.save()
    except LedgerError as exc:
        from .importing.parser import Problem

        batch.errors = [Problem("", None, "", "", str(exc)).as_dict()]
        batch.status, batch.progress = ImportBatch.Status.INVALID, 100
        batch.save()
    return batch


def import_batch_undo(*, batch: ImportBatch, actor=None) -> ImportBatch:
    """Put back what an import replaced, while none of its village-years is approved or edited since.

    Years the import created are removed; the others get their earlier lines back (history source
    导入, this batch's id, a 撤销导入 event).
    """
    if batch.status != ImportBatch.Status.APPLIED:
        raise LedgerError("只有已导入的批次可以撤销。")
    when = timezone.now()
    versions = {int(pk): version for pk, version in batch.undo_data.get("versions", {}).items()}
    created = set(batch.undo_data.get("created", []))
    before = {int(pk): lines for pk, lines in batch.undo_data.get("before", {}).items()}
    reason = f"撤销导入 {batch.filename}"[:100]
    with transaction.atomic():
        current = {ly.pk: ly for ly in LedgerYear.objects.select_for_update().filter(pk__in=list(versions))}
        problems = []
        for pk, ly in current.items():
            if ly.is_locked:
                problems.append(f"{ly} 已审核锁定")
            elif ly.version != versions[pk]:
                problems.append(f"{ly} 在导入后又被修改过")
        if problems:
            raise LedgerLocked("不能撤销：" + "；".join(problems[:50]) + "。")
        statements = []
        for pk, ly in current.items():
            lines = [] if pk in created else [
                LineInput(item_id=item_id, name=name, amount=Decimal(amount), note=note, share_id=share_id,
                          enterprise_id=enterprise_id)
                for item_id, name, amount, note, share_id, enterprise_id in before.get(pk, [])
            ]
            statements.append((ly, lines))
        replace_statements(statements=statements, actor=actor, source="import", reason=reason, batch_id=batch.pk,
                           event_action=LedgerYearEvent.Action.UNDO_IMPORT, when=when)
        resubmitted = set(batch.undo_data.get("submitted", []))
        ledger_years_transition(ledger_years=[ly for pk, ly in current.items() if pk in resubmitted],
                                action=LedgerYearEvent.Action.REJECT, actor=actor, reason=reason, when=when,
                                event_action=LedgerYearEvent.Action.UNDO_IMPORT)
        # Village-years that only existed because of this import go again, so they do not rank as 空壳村.
        LedgerYear.objects.filter(pk__in=[pk for pk in created if pk in current]).delete()
        batch.status, batch.undone_at = ImportBatch.Status.UNDONE, when
        batch.undone_by = actor if getattr(actor, "pk", None) else None
        batch.save()
    return batch


def import_ledger_file(*, data: bytes, filename: str, town=None, year: int | None = None, dry_run: bool = False,
                       actor=None, submit: bool = False) -> tuple[ImportCheck, ImportBatch | None]:
    """Check a file and, unless `dry_run` or a problem is found, keep it as a batch and write it.

    What `manage.py import_ledger` does; on any problem nothing is written (not even the batch).
    """
    check = import_check(data=data, town=town, year=year)
    if not check.ok or dry_run:
        return check, None
    batch = import_batch_create(data=data, filename=filename, actor=actor, town=town, year=year, submit=submit)
    batch = import_batch_apply(batch=batch, actor=actor, check=check)
    if batch.status != ImportBatch.Status.APPLIED:
        from .importing.parser import Problem

        check.problems = [Problem(**error) for error in batch.errors]
    return check, batch


def town_by_code_or_name(text: str):
    """The town a command line names, by 9/12-digit code or by name; LedgerError if none or several."""
    from villages.models import Town

    text = text.strip()
    if text.isdigit():
        town = Town.objects.filter(code=text.ljust(12, "0")[:12]).first()
    else:
        matches = list(Town.objects.filter(name=text)[:2])
        if len(matches) > 1:
            raise LedgerError(f"有多个乡镇名为“{text}”，请使用乡镇的区划代码。")
        town = matches[0] if matches else None
    if town is None:
        raise LedgerError(f"找不到乡镇“{text}”。")
    return town
