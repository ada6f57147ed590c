"""Dashboards read from the replica when one is configured; writes and other pages never do."""

from config.db_routers import ReplicaRouter, read_db, reading_replica
from ledger.models import LedgerYear


def test_without_a_replica_everything_uses_the_primary():
    with reading_replica():
        assert read_db() == "default"
    assert ReplicaRouter().db_for_read(LedgerYear) == "default"


def test_with_a_replica_only_dashboard_reads_go_there(monkeypatch):
    import config.db_routers

    monkeypatch.setattr(config.db_routers, "replica_configured", lambda: True)
    router = ReplicaRouter()
    assert router.db_for_read(LedgerYear) == "default"
    with reading_replica():
        assert router.db_for_read(LedgerYear) == "replica"
        assert router.db_for_write(LedgerYear) == "default"
    assert router.db_for_read(LedgerYear) == "default"
    assert not router.allow_migrate("replica", "ledger")


def test_dashboard_pages_read_inside_the_replica_context(client, people, world, monkeypatch):
    import dashboards.views as views

    entered = []
    real_context = views.reading_replica

    def spy():
        entered.append(True)
        return real_context()

    monkeypatch.setattr(views, "reading_replica", spy)
    client.force_login(people["carol"])
    assert client.get("/dashboards/").status_code == 200
    assert entered == [True]
