"""Raw SQL for the reads the ORM cannot say (window ranks filtered after ranking, pages cut after ranking).

Values go in as NAMED parameters (`%(year)s`), collected in a `Params`; identifiers (figure columns,
table names, the scope's column) come only from fixed lists and are quoted by the backend. Both
psycopg2 and Django's SQLite backend take a dict of parameters in `cursor.execute(sql, params)`.
"""

import re
from collections.abc import Iterable, Sequence

from django.db import connections
from django.db.models import QuerySet

from config.db_routers import read_db
from ledger.figures import FIGURE_NAMES

# The columns a scope may filter LedgerYear on (Scope.ledger_filter).
SCOPE_COLUMNS = ("town_id", "county_id")
# A positional placeholder (or an escaped percent sign) in SQL that Django compiled.
_PLACEHOLDER = re.compile(r"%[%s]")


class Params(dict):
    """The named parameters of one statement; each method returns the SQL that refers to its values."""

    def value(self, name: str, value) -> str:
        assert name.isidentifier() and self.get(name, value) == value, name
        self[name] = value
        return f"%({name})s"

    def values(self, name: str, values: Iterable) -> str:
        """A list for `IN (…)`: one parameter per value, `name_0, name_1, …`."""
        return ", ".join(self.value(f"{name}_{i}", v) for i, v in enumerate(values))

    def queryset(self, name: str, queryset: QuerySet, *, using: str) -> str:
        """A queryset as a subquery, its positional parameters renamed `name_0, name_1, …`."""
        sql, params = queryset.query.get_compiler(using=using).as_sql()
        numbered = iter(enumerate(params))

        def rename(match: re.Match) -> str:
            if match.group() == "%%":
                return "%%"
            index, param = next(numbered)
            return self.value(f"{name}_{index}", param)

        sql = _PLACEHOLDER.sub(rename, sql)
        assert next(numbered, None) is None, "every parameter has its placeholder"
        return sql


def figure_column(code: str, quote) -> str:
    """A figure's column on LedgerYear, from the fixed list of figures only."""
    if code not in FIGURE_NAMES:
        raise ValueError(f"unknown figure {code!r}")
    return quote(code)


def scope_condition(ledger_filter: dict[str, int], params: Params, quote, *, alias: str = "") -> str:
    """` AND town_id = %(scope_id)s` (or the county's column) for a scope; empty for the province."""
    sql = ""
    for column, value in ledger_filter.items():
        assert column in SCOPE_COLUMNS, column
        sql += f" AND {alias + '.' if alias else ''}{quote(column)} = {params.value('scope_id', value)}"
    return sql


def fetch_all(sql: str, params: Params) -> Sequence[tuple]:
    """Run one statement on the database the page reads from (the replica, for dashboard pages)."""
    with connections[read_db()].cursor() as cursor:
        cursor.execute(sql, dict(params))
        return cursor.fetchall()
