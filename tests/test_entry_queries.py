"""The entry pages read in a fixed number of queries, however many villages, lines or changes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .entry_helpers import statement_data, village_year_url
from .factories import make_ledger_year, make_village


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def busy_town(world):
    """八桥镇 with 30 villages, each with six years of accounts."""
    for n in range(30):
        village = make_village(world["baqiao"], 230 + n, f"测试{n}村")
        for year in range(2020, 2026):
            make_ledger_year(village, year, {"operating_revenue": 100000 + n, "admin_expense": 1000},
                             status="approved" if year < 2025 else "draft")
    return world


def test_town_village_list_query_count_does_not_grow_with_villages(client, people, busy_town):
    client.force_login(people["alice"])
    url = reverse("ledger:town_villages", kwargs={"pk": busy_town["baqiao"].pk}) + "?year=2025"
    with_many = count_queries(client, url)
    filtered = count_queries(client, url + "&status=draft&q=测试1")
    assert with_many <= 8
    assert filtered <= 8


def test_town_list_query_count_is_fixed(client, people, busy_town):
    client.force_login(people["carol"])
    assert count_queries(client, reverse("ledger:town_list")) <= 7


def test_village_year_page_query_count_does_not_grow_with_lines_and_history(client, people, world):
    client.force_login(people["alice"])
    village = world["villages"]["长胜村"]
    make_ledger_year(village, 2024, {"operating_revenue": "1000000"}, status="approved")
    url = village_year_url(village, 2025)
    client.post(url, statement_data(2025, {"operating_revenue": "100"}))
    few = count_queries(client, url)
    for version in range(1, 11):  # the first save was 第 1 版
        amounts = {("operating_revenue", f"项目{n}"): str(10 + n + version) for n in range(8)}
        assert client.post(url, statement_data(2025, amounts, version=version,
                                                  explanation="分项目录入")).status_code == 302
    many = count_queries(client, url)
    assert many == few
    assert many <= 16
