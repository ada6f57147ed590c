"""The town's village list: each village with the state of each year, filterable. (Where each role
lands is tested in test_entry_access.)"""

import re

import pytest
from django.urls import reverse

from .factories import make_ledger_year


@pytest.fixture
def town_with_years(world):
    villages = world["villages"]
    make_ledger_year(villages["长胜村"], 2024, {"operating_revenue": "100"}, status="approved")
    make_ledger_year(villages["长胜村"], 2025, {"operating_revenue": "100"}, status="submitted")
    make_ledger_year(villages["幸福村"], 2025, {"operating_revenue": "100"})
    return world


def village_list(client, world, **params):
    url = reverse("ledger:town_villages", kwargs={"pk": world["baqiao"].pk})
    return client.get(url, params).content.decode()


def row_of(page: str, name: str) -> str:
    start = page.index(f"<th scope=\"row\">{name}")
    return page[start:page.index("</tr>", start)]


def test_each_village_shows_the_state_of_each_year(client, people, town_with_years):
    client.force_login(people["alice"])
    page = village_list(client, town_with_years, year=2025)
    assert "已提交" in row_of(page, "长胜村") and "已审核" in row_of(page, "长胜村")
    assert "草稿" in row_of(page, "幸福村")
    assert "未填报" in row_of(page, "八桥村") and "草稿" not in row_of(page, "八桥村")
    changsheng = town_with_years["villages"]["长胜村"]
    assert reverse("ledger:village_year", kwargs={"village_pk": changsheng.pk, "year": 2025}) in page


@pytest.mark.parametrize(("status", "shown"), [
    ("none", {"八桥村"}), ("draft", {"幸福村"}), ("submitted", {"长胜村"}), ("approved", set()), ("", {"长胜村", "幸福村", "八桥村"}),
])
def test_filter_by_the_state_of_the_year(client, people, town_with_years, status, shown):
    client.force_login(people["bob"])
    page = village_list(client, town_with_years, year=2025, status=status)
    assert {name for name in ("长胜村", "幸福村", "八桥村") if f'<th scope="row">{name}' in page} == shown


def test_filter_by_name_or_code(client, people, town_with_years):
    client.force_login(people["alice"])
    page = village_list(client, town_with_years, year=2025, q="幸福")
    assert '<th scope="row">幸福村' in page and '<th scope="row">长胜村' not in page
    code = town_with_years["villages"]["八桥村"].code
    page = village_list(client, town_with_years, year=2025, q=code)
    assert '<th scope="row">八桥村' in page and '<th scope="row">幸福村' not in page


def test_approved_filter_follows_the_chosen_year(client, people, town_with_years):
    client.force_login(people["alice"])
    page = village_list(client, town_with_years, year=2024, status="approved")
    assert '<th scope="row">长胜村' in page and '<th scope="row">幸福村' not in page


def test_town_list_counts_villages_by_state(client, people, town_with_years):
    client.force_login(people["carol"])
    page = client.get(reverse("ledger:town_list"), {"year": 2025}).content.decode()
    row = page[page.index("八桥镇"):page.index("</tr>", page.index("八桥镇"))]
    # 3 villages: 1 未填报, 1 草稿, 0 已退回, 1 已提交, 0 已审核
    cells = [re.sub(r"<[^>]+>", "", cell.split("</td>")[0]) for cell in row.split('<td class="num">')[1:]]
    assert cells == ["3", "1", "1", "0", "1", "0"]
    assert "新坝镇" in page and "紫陵镇" not in page
