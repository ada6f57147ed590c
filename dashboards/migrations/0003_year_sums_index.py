"""A covering index for the overview's yearly figures (PostgreSQL only).

The overview's trend adds up every year of its scope. One GROUP BY over the years made PostgreSQL
scan the whole table (about 45 ms for a province of 250,000 village-years); read one year at a
time from this index (`selectors.yearly_trend`), the same sums take about 27 ms. It also holds
what the headline needs of its year (投资收益, 补助收入, the latest change), so that no query of
the overview reads the table itself. The ranking indexes of 0002 hold some of these columns, but
are wide enough that reading them is no faster than the table.
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS dash_ly_year_sums ON ledger_ledgeryear (year, status) "
        "INCLUDE (total_income, operating_income, investment_income, subsidy_income, updated_at)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS dash_ly_year_sums")


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0002_ranking_indexes"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
