"""Two officials publishing at the same moment get consecutive numbers, never the same one."""

import threading

import pytest
from django.apps import apps
from django.db import connection, connections

from dashboards.issues import IssueSpec, issue_preview, issue_publish
from dashboards.models import LeagueIssue
from ledger import metrics
from ledger.systems import sync_reference_data

from . import dashboard_data


@pytest.mark.django_db(transaction=True)
def test_simultaneous_publishing_numbers_each_issue_once(world):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("an in-memory SQLite test database refuses a second writer at once instead of waiting "
                    "(a SQLite file waits: IMMEDIATE transactions); the county's row lock is PostgreSQL's")
    # A transactional test before this one (the browser tests) emptied every table, the accounting
    # systems of data migration 0002 included: put the reference data back first.
    sync_reference_data(apps)
    metrics.clear_cache()
    dashboard_data.build(world)
    specs = [IssueSpec(county=world["yangzhong"], town=None, table="villages", metric=metric, sort="value", year=2021)
             for metric in ("operating_income", "total_income")]
    digests = [issue_preview(spec=spec).digest for spec in specs]
    start, errors = threading.Barrier(2, timeout=60), []

    def publish(spec, digest):
        try:
            start.wait()
            issue_publish(spec=spec, title="比拼晾晒", issuing_unit="扬中市农业农村局", digest=digest)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publish, args=pair) for pair in zip(specs, digests, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(LeagueIssue.objects.values_list("number", flat=True)) == [1, 2]
