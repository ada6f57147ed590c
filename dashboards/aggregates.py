"""A median aggregate for the town league table, exact on PostgreSQL and available on SQLite."""

import statistics

from django.db.models import Aggregate, DecimalField

from ledger.models import MONEY


class Median(Aggregate):
    """The median of a money column, in the same GROUP BY as the sums.

    PostgreSQL: the mean of the lower and upper middle values (PERCENTILE_DISC keeps numeric exact,
    where PERCENTILE_CONT would go through floating point). SQLite: a Python aggregate registered on
    each connection (see `DashboardsConfig.ready`).
    """

    function = "DASHBOARDS_MEDIAN"
    name = "Median"
    output_field = DecimalField(**MONEY)
    allow_distinct = False

    def as_postgresql(self, compiler, connection, **extra_context):
        expression_sql, params = compiler.compile(self.source_expressions[0])
        sql = (
            f"ROUND(((PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY {expression_sql})) + "
            f"(PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY {expression_sql} DESC))) / 2, 2)"
        )
        return sql, (*params, *params)


class SQLiteMedian:
    def __init__(self):
        self.values = []

    def step(self, value):
        if value is not None:
            self.values.append(value)

    def finalize(self):
        return statistics.median(self.values) if self.values else None


def register_sqlite_median(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("DASHBOARDS_MEDIAN", 1, SQLiteMedian)
