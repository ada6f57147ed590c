"""Dashboards read from the replica when one is configured; writes and other pages never do.

The replica here is a second connection to the test database under the alias "replica" (as
DATABASE_REPLICA_URL would configure it), so the test sees which connection each query really ran on.
"""

import pytest
from django.db import connections
from django.db.utils import load_backend
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import config.db_routers
from config.db_routers import REPLICA, ReplicaRouter, read_db, reading_replica
from dashboards.models import TierScheme
from ledger.models import LedgerYear

from . import dashboard_data
from .entry_helpers import village_year_url


def test_without_a_replica_everything_uses_the_primary():
    with reading_replica():
        assert read_db() == "default"
    assert ReplicaRouter().db_for_read(LedgerYear) == "default"


def test_with_a_replica_only_dashboard_reads_go_there(monkeypatch):
    monkeypatch.setattr(config.db_routers, "replica_configured", lambda: True)
    router = ReplicaRouter()
    assert router.db_for_read(LedgerYear) == "default"
    with reading_replica():
        assert router.db_for_read(LedgerYear) == "replica"
        assert router.db_for_write(LedgerYear) == "default"
    assert router.db_for_read(LedgerYear) == "default"
    assert not router.allow_migrate("replica", "ledger")


@pytest.fixture
def replica(transactional_db, monkeypatch):
    """A "replica" connection to the test database: its own connection, which sees what the test committed.

    It is registered as the connection of the alias "replica" and the router is told a replica is
    configured, as DATABASE_REPLICA_URL would; it is not added to settings.DATABASES, which the test
    framework reads once, at the start, to decide which aliases a test may use.
    The test is transactional (a second connection cannot see another's open transaction), so the
    tables start empty when another transactional test ran before: put the reference data back.
    """
    from django.apps import apps

    from ledger import metrics
    from ledger.systems import sync_reference_data

    sync_reference_data(apps)
    metrics.clear_cache()
    default = connections["default"]
    connection = load_backend(default.settings_dict["ENGINE"]).DatabaseWrapper(
        {**default.settings_dict}, alias=REPLICA)
    connections[REPLICA] = connection
    monkeypatch.setattr(config.db_routers, "replica_configured", lambda: True)
    yield connection
    if connection.connection is not None:
        connection.connection.close()  # Django keeps an in-memory SQLite database's connection open
    del connections[REPLICA]


@pytest.fixture
def baqiao_committed(replica, world, people):
    return dashboard_data.build(world)


def queries_on_each_database(client, method: str, url: str, data=None) -> dict[str, list[str]]:
    with (CaptureQueriesContext(connections["default"]) as default,
          CaptureQueriesContext(connections[REPLICA]) as on_replica):
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302), (url, response.status_code)
    return {"default": [q["sql"] for q in default], REPLICA: [q["sql"] for q in on_replica]}


def ledger_reads(sqls: list[str]) -> list[str]:
    table = LedgerYear._meta.db_table
    return [sql for sql in sqls if table in sql]


@pytest.mark.parametrize("name", ["overview", "villages", "towns", "tiers", "organizations"])
def test_dashboard_pages_read_their_figures_from_the_replica(client, people, baqiao_committed, name):
    client.force_login(people["carol"])
    ran = queries_on_each_database(client, "get", reverse(f"dashboards:{name}"), {"year": 2021})
    # Every figure the page shows (ORM reads and the raw ranking SQL alike) came from the replica;
    # the primary answered only the session and the user's role, before the page began.
    assert ledger_reads(ran[REPLICA])
    assert ledger_reads(ran["default"]) == []
    assert len(ran["default"]) <= 3


def test_village_profile_reads_from_the_replica(client, people, baqiao_committed):
    client.force_login(people["carol"])
    ran = queries_on_each_database(client, "get", reverse("dashboards:village", args=[baqiao_committed["八桥村"].pk]))
    assert ledger_reads(ran[REPLICA]) and ledger_reads(ran["default"]) == []


def test_tier_settings_are_written_on_the_primary_only(client, people, world, replica):
    client.force_login(people["carol"])
    url = reverse("dashboards:tier_settings", args=[world["yangzhong"].pk])
    data = {"weak_metric": "operating_income", "weak_line": "10", "shell_metric": "operating_income",
            "shell_line": "5", "tiers-TOTAL_FORMS": "1", "tiers-INITIAL_FORMS": "0", "tiers-MIN_NUM_FORMS": "0",
            "tiers-MAX_NUM_FORMS": "8", "tiers-0-label": "强村", "tiers-0-metric": "total_income",
            "tiers-0-min_amount": "350"}
    ran = queries_on_each_database(client, "post", url, data)
    assert ran[REPLICA] == []
    assert any(sql.startswith("INSERT") for sql in ran["default"])
    assert TierScheme.objects.get(county=world["yangzhong"]).thresholds.get().label == "强村"


def test_other_pages_read_from_the_primary(client, people, baqiao_committed):
    client.force_login(people["alice"])
    ran = queries_on_each_database(client, "get", village_year_url(baqiao_committed["八桥村"], 2021))
    assert ran[REPLICA] == []
    assert ledger_reads(ran["default"])
