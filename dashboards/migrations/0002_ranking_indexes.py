"""Covering indexes for province-wide village rankings (PostgreSQL only).

The village league table ranks every village of a year with window functions. With these indexes
PostgreSQL reads each year already in rank order from the index alone (no heap visits, no sort).
They live on ledger's table but belong to the dashboards' reads, hence here; SQLite databases are
small enough without them.
"""

from django.db import migrations

FIGURES = ("operating_income", "total_income")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for figure in FIGURES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS dash_ly_rank_{figure} ON ledger_ledgeryear "
            f"(year, status, {figure} DESC) INCLUDE (id, village_id, town_id, county_id, operating_income, total_income)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for figure in FIGURES:
        schema_editor.execute(f"DROP INDEX IF EXISTS dash_ly_rank_{figure}")


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0001_tier_settings"),
        ("ledger", "0002_reference_data"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
