"""Bulk writes for any model: multi-row INSERT (COPY on PostgreSQL), UPDATE and DELETE in few statements,
and the django-simple-history rows that go with them.

This is the one door for writers that handle thousands of rows (`ledger.services`): `bulk_create` and
`bulk_update` spend ~0.2 ms per row in Python and build CASE chains, which made an import of 100,000
lines take minutes (bench/import_bench.py). Nothing here knows the ledger: it takes models, instances
or columns of values. No signals, no `save()`; the callers write the history rows themselves.
"""

import operator
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal

from django.db import connection, models
from django.db.models.base import ModelState
from django.utils import timezone
from psycopg2.extras import execute_values

__all__ = [
    "CHUNK_SIZE", "chunked", "delete_rows", "fast_create", "field_defaults", "history_copy", "history_create",
    "insert_values", "unsaved", "update_rows",
]

# Ids per `IN (…)` query and rows per fetch or statement: stays under SQLite's limit of query
# parameters (32,766) and keeps each round trip a few thousand rows.
CHUNK_SIZE = 5000
# Runs of consecutive ids per INSERT … SELECT of `history_copy`.
ID_RUNS_PER_STATEMENT = 200
# Rows of a COPY … FROM STDIN made at a time on PostgreSQL, and bytes handed to the driver per read.
COPY_ROWS_PER_SLICE = 5000
COPY_READ_SIZE = 1 << 16


def chunked(items: Sequence, size: int = CHUNK_SIZE) -> Iterator[Sequence]:
    """`items` in consecutive slices of at most `size` (the last one shorter)."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def field_defaults(model) -> dict:
    """Every concrete field's default by attname (None where there is none), for `unsaved`."""
    return {f.attname: f.get_default() for f in model._meta.concrete_fields}


def unsaved(model, defaults: dict, **values):
    """An unsaved instance built without Model.__init__, for bulk writers that make thousands (its field
    loop and descriptors were a tenth of an import: 100,000 lines, 12,500 village-years). `defaults`
    (from `field_defaults`, once per batch) and `values` must set every concrete field between them."""
    obj = model.__new__(model)
    obj._state = ModelState()
    obj.__dict__.update(defaults)
    obj.__dict__.update(values)
    return obj


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
                 extra: dict | None = None, by: str = "pk") -> None:
    """History rows for rows this transaction has just inserted, copied by the database itself
    (INSERT … SELECT): an import's 100,000 new lines are not sent a second time as history rows.

    `pks` are the rows' ids, or with `by` the values of another column (a foreign key's attname) that
    picks exactly those rows: the lines of village-years that had none before this write."""
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
    column = quote(model._meta.pk.column if by == "pk" else source[by])
    ranges = _id_ranges(pks)
    with connection.cursor() as cursor:
        # Ids drawn in one go are one run of numbers; a few hundred runs per statement otherwise.
        for part in chunked(ranges, ID_RUNS_PER_STATEMENT):
            cursor.execute(head + " OR ".join([f"{column} BETWEEN %s AND %s"] * len(part)),
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
    """PostgreSQL: COPY … FROM STDIN, several times faster than multi-row INSERT. When ids are wanted
    they are drawn from the table's own sequence first, then written with the rows. One COPY for all
    rows, its text made a slice of rows at a time while the server stores the slice before (see
    `_CopyText`)."""
    quote = connection.ops.quote_name
    table = model._meta.db_table
    names = [f.column for f, _ in columns] + [f.column for f, _ in fixed]
    values = [column for _, column in columns]
    same = [_copy_text(value) for _, value in fixed]
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
            values.insert(0, ids)
        sql = f"COPY {quote(table)} ({', '.join(quote(name) for name in names)}) FROM STDIN"
        # The driver's own cursor: its errors wrapped as Django's (IntegrityError …), as the ORM's are.
        with connection.wrap_database_errors:
            cursor.cursor.copy_expert(sql, _CopyText(values, same, count), size=COPY_READ_SIZE)
    return ids


class _CopyText:
    """The rows of a COPY as a file the driver reads: each slice of `COPY_ROWS_PER_SLICE` rows is made
    when the driver has sent the one before, so the server stores a slice while the next is made
    (the two cores work at once) and the whole text is never in memory. A slice's text is built column
    by column (a column's values share a type, converted in one C-level pass), then joined row by row
    in C."""

    def __init__(self, values: list[Sequence], same: list[str], count: int):
        self.values, self.same, self.count = values, same, count
        self.start = 0
        self.buffer = b""

    def _next_slice(self) -> bytes:
        start, end = self.start, min(self.start + COPY_ROWS_PER_SLICE, self.count)
        self.start = end
        size = end - start
        texts = [_copy_texts(column[start:end]) for column in self.values] + [[text] * size for text in self.same]
        return ("\n".join(map("\t".join, zip(*texts, strict=True))) + "\n").encode()

    def read(self, size: int = -1) -> bytes:
        while (size < 0 or len(self.buffer) < size) and self.start < self.count:
            self.buffer += self._next_slice()
        if size < 0:
            size = len(self.buffer)
        chunk, self.buffer = self.buffer[:size], self.buffer[size:]
        return chunk


def update_rows(model, objs: Sequence, attnames: Sequence[str]) -> None:
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
            pk = model._meta.pk
            names = ["pk", *(f"v{i}" for i in range(len(fields)))]
            template = "(" + ", ".join(f"%s::{f.db_type(connection)}" for f in [pk, *fields]) + ")"
            with connection.wrap_database_errors:
                execute_values(
                    cursor.cursor,
                    f"UPDATE {quote(model._meta.db_table)} AS t SET "
                    + ", ".join(f"{quote(f.column)} = v.v{i}" for i, f in enumerate(fields))
                    + f" FROM (VALUES %s) AS v({', '.join(names)}) WHERE t.{quote(pk.column)} = v.pk",
                    [[row[-1], *row[:-1]] for row in params], template=template, page_size=CHUNK_SIZE,
                )
        else:
            cursor.executemany(sql, params)


def delete_rows(model, pks: Sequence[int]) -> None:
    """DELETE … WHERE id IN (…), a few thousand ids per statement; no signals, no cascades in Python."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for part in chunked(list(pks)):
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} IN "
                           f"({', '.join(['%s'] * len(part))})", part)

