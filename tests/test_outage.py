"""When the database goes away (issue #12 item 19): a Chinese error page, a save that keeps the typing,
connections checked before reuse, and a background worker that lives through a PostgreSQL restart."""

import re
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection
from django.template.loader import get_template
from django.test import Client

from ledger.models import LedgerYear

from .entry_helpers import statement_data, village_year_url
from .factories import make_ledger_year


@pytest.fixture
def reference_data(transactional_db):
    # A transactional test empties every table afterwards (the accounting systems of data migration 0002
    # included), so put the reference data back first, as the browser tests do.
    from django.apps import apps

    from ledger import metrics
    from ledger.systems import sync_reference_data

    sync_reference_data(apps)
    metrics.clear_cache()


WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.I)


@contextmanager
def database_goes_away(*, at_first_write: bool = False):
    """Every query raises OperationalError, as with the server gone; with `at_first_write`, from the first
    INSERT/UPDATE/DELETE on (the save begins, then the connection drops), reads before it still work."""
    state = {"down": not at_first_write, "refused": 0}

    def wrapper(execute, sql, params, many, context):
        if not state["down"] and WRITES.match(sql):
            state["down"] = True
        if state["down"]:
            state["refused"] += 1
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield state


def test_the_error_pages_are_chinese_and_need_no_database_nor_request():
    for name in ("500.html", "400.html", "403.html", "404.html"):
        with database_goes_away() as state:
            page = get_template(name).render()  # no context processors, no request: as Django renders 500
        assert state["refused"] == 0, name
        assert '<html lang="zh-hans">' in page and "Server Error" not in page and "Not Found" not in page
    assert "服务器" in get_template("500.html").render()
    assert "页面不存在" in get_template("404.html").render()


def test_a_page_during_an_outage_is_the_chinese_500_page(people, world):
    client = Client(raise_request_exception=False)
    client.force_login(people["alice"])
    with database_goes_away() as state:
        response = client.get(village_year_url(world["villages"]["长胜村"], 2025))
    assert state["refused"] > 0
    assert response.status_code == 500
    page = response.content.decode()
    assert "数据库" in page and "稍后" in page and "Server Error (500)" not in page


def test_unknown_address_gives_the_chinese_404_page(client, people):
    client.force_login(people["alice"])
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


# Outside a test transaction, so that the save's own transaction is rolled back as on a real server.
def test_a_save_that_loses_the_database_keeps_the_typing_and_says_so(reference_data, client, people, world):
    village = world["villages"]["长胜村"]
    stored = make_ledger_year(village, 2025, {"operating_revenue": "1000000"})
    client.force_login(people["alice"])
    data = statement_data(2025, {"operating_revenue": "123.4567", ("investment_income", "园区分红"): ("6", "第二季度")},
                          version=stored.version, explanation="补记园区分红")
    with database_goes_away(at_first_write=True) as state:
        response = client.post(village_year_url(village, 2025), data)
    assert state["refused"] > 0  # the save reached the database and was refused
    assert response.status_code == 503
    page = response.content.decode()
    assert "数据库暂时无法连接，您填写的内容尚未保存，请稍后再点保存。" in page
    for typed in ('value="123.4567"', 'value="园区分红"', 'value="第二季度"', "补记园区分红"):
        assert typed in page, typed
    ledger_year = LedgerYear.objects.get(village=village, year=2025)
    assert ledger_year.version == stored.version
    assert [line.amount for line in ledger_year.lines.all()] == [1000000]


def test_persistent_connections_are_checked_before_reuse(settings):
    for alias in settings.DATABASES:
        assert settings.DATABASES[alias]["CONN_HEALTH_CHECKS"] is True


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a server that can cut the connection")
def test_after_the_server_cuts_every_connection_the_next_request_reconnects(client, people):
    from django.core.signals import request_started

    if not connection.settings_dict["CONN_MAX_AGE"]:
        pytest.skip("connections are not persistent here")

    def backend_pid():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    pid = backend_pid()
    killer = connection.get_new_connection(connection.get_connection_params())
    try:
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        killer.close()
    request_started.send(sender=None)  # what the next request does first: close_old_connections()
    assert backend_pid() != pid  # a new connection, where a dead one would raise OperationalError
