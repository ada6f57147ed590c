"""What each dashboard page shows a user, read from its HTML: ranks, sums, names in order, tier counts.

The figures are 八桥镇's 2021 (tests/dashboard_data.py), as a 扬中市 official sees them: approved data
only unless 含已提交未审核数据 is ticked. 经营性收入 2021 in 万元: 八桥村 400, 长胜村 300, 幸福村 290,
永胜村 270, 红旗村 250, 永兴村 150, 红光村 130, 利民村 6 (2020: 300, 310, 200, 250, 260, 120, 140, 5,
and 新坝村 3); 总收入 2021: 520, 380, 350, 330, 310, 200, 180, 160.
"""

import html as html_lib
import re

import pytest
from django.urls import reverse

from villages.models import PartyOrganization, PartyOrganizationMembership

from . import dashboard_data

BAQIAO_ORDER = ["八桥村", "长胜村", "幸福村", "永胜村", "红旗村", "永兴村", "红光村", "利民村"]


@pytest.fixture
def baqiao(world, people):
    return dashboard_data.build(world)


def text(fragment: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def table_rows(page: str, section: str = "tbody", table_class: str = "league") -> list[list[str]]:
    """The cells' text of each row of the first table of that class, in `tbody` or `tfoot`."""
    table = page.split(f'<table class="{table_class}">', 1)[1].split("</table>", 1)[0]
    body = table.split(f"<{section}>", 1)[1].split(f"</{section}>", 1)[0]
    return [[text(cell) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def get(client, name, params=None, args=None) -> str:
    response = client.get(reverse(f"dashboards:{name}", args=args), params or {})
    assert response.status_code == 200
    return response.content.decode()


def test_overview_shows_the_county_headline_tiers_towns_and_top_villages(client, people, baqiao):
    client.force_login(people["carol"])
    page = get(client, "overview", {"year": 2021})
    kpis = [text(k) for k in re.findall(r'<div class="kpi">(.*?)</div>', page, re.S)]
    assert kpis == [
        "报送村数 8 共 9 个村（社区），1 个村未报送",
        # Like with like: the 8 villages that reported both years (新坝村's 2021 is only submitted):
        # 2021 2430万 against their 2020 2165万; 经营性收入 1796万 against 1585万.
        "村级集体经济总收入 2,430.00 万元 · 同比 12.2%（8 个两年均报送的村）",
        "村均经营性收入 224.50 万元 · 同比 13.3%（同口径 8 个村）",
        "薄弱村（含空壳村） 1 其中空壳村 0",
    ]
    chips = [text(c) for c in re.findall(r'<span class="tier-chip">(.*?)</span>', page, re.S)]
    assert chips == ["500万元以上 1 个村 （总收入 ≥ 500 万元）", "300万元以上 4 个村 （总收入 ≥ 300 万元）",
                     "150万元以上 3 个村 （总收入 ≥ 150 万元）", "未达梯队 0 个村"]
    # The towns of the county: only 八桥镇 has approved 2021 figures; 新坝镇's are only submitted, so it
    # is listed as 未报送 (not left out), unranked.
    assert table_rows(page) == [["1", "八桥镇", "8", "1,796.00", "224.50", "260.00", "13.3%", "1"],
                                ["—", "新坝镇 未报送", "0", "本年度尚无已报送的村"]]
    top = [text(li) for li in re.findall(r"<li>(.*?)</li>", page.split('class="top-list"')[1].split("</ol>")[0])]
    assert top[:3] == ["八桥村 八桥镇 400.00 万元", "长胜村 八桥镇 300.00 万元", "幸福村 八桥镇 290.00 万元"]
    assert len(top) == 8 and top[-1] == "利民村 八桥镇 6.00 万元"


def test_town_overview_lists_its_villages_ranked_with_tiers_and_the_weak_village(client, people, baqiao):
    client.force_login(people["alice"])  # 八桥镇 cadre: her town
    rows = table_rows(get(client, "overview", {"year": 2021}))
    assert [r[1] for r in rows] == [*BAQIAO_ORDER[:-1], "利民村 薄弱村"]
    assert rows[0] == ["1", "八桥村", "400.00", "33.3%", "↑1", "500万元以上"]
    assert rows[2] == ["3", "幸福村", "290.00", "45.0%", "↑2", "300万元以上"]
    assert rows[7] == ["8", "利民村 薄弱村", "6.00", "20.0%", "–", "150万元以上"]


def test_village_table_ranks_the_county_with_last_years_ranks(client, people, baqiao):
    client.force_login(people["carol"])
    rows = table_rows(get(client, "villages", {"year": 2021}))
    assert [r[2] for r in rows] == [*BAQIAO_ORDER[:-1], "利民村 薄弱村"]
    assert [r[0] for r in rows] == ["1", "2", "3", "4", "5", "6", "7", "8"]
    # Rank change against 2020 (长胜 1, 八桥 2, 红旗 3, 永胜 4, 幸福 5, 红光 6, 永兴 7, 利民 8, 新坝 9).
    assert [r[1] for r in rows] == ["↑1", "↓1", "↑2", "–", "↓2", "↑1", "↓1", "–"]
    assert rows[1] == ["2", "↓1", "长胜村", "八桥镇", "300.00", "310.00", "-3.2%", "300万元以上", "已审核"]


def test_village_table_with_submitted_data_puts_xinba_first_and_filters_keep_ranks(client, people, baqiao, world):
    client.force_login(people["carol"])
    rows = table_rows(get(client, "villages", {"year": 2021, "submitted": "1"}))
    assert rows[0][:3] == ["1", "↑8", "新坝村"] and rows[0][-1] == "已提交"
    # A name filter narrows the rows, never the ranks: 八桥村 stays second in the county.
    rows = table_rows(get(client, "villages", {"year": 2021, "submitted": "1", "q": "八桥"}))
    assert [(r[0], r[2]) for r in rows] == [("2", "八桥村")]
    # So does the 薄弱村 filter.
    assert [(r[0], r[2]) for r in table_rows(get(client, "villages", {"year": 2021, "weak": "on"}))] == [
        ("8", "利民村 薄弱村")]


def test_town_table_shows_each_towns_sum_mean_median_shares_and_growth(client, people, baqiao):
    client.force_login(people["carol"])
    rows = table_rows(get(client, "towns", {"year": 2021}))
    # 合计 1796, 村均 224.5, 中位数 (250 + 270) / 2, 最高 400; over 500/300/150万 总收入: 1, 5 and 8 of 8.
    assert rows == [["1", "八桥镇", "8", "1,796.00", "224.50", "260.00", "400.00", "12.5%", "62.5%", "100.0%",
                     "1", "0", "13.3%", "13.3%"],
                    ["—", "新坝镇 未报送", "0", "本年度尚无已报送的村"]]
    rows = table_rows(get(client, "towns", {"year": 2021, "submitted": "1"}))
    assert [(r[0], r[1], r[4]) for r in rows] == [("1", "新坝镇", "900.00"), ("2", "八桥镇", "224.50")]


def test_tiers_page_counts_baqiao_2021_as_the_report_states(client, people, baqiao):
    client.force_login(people["carol"])
    page = get(client, "tiers", {"year": 2021})
    # 八桥镇 2021: one village ≥500万 总收入, four ≥300万, the rest ≥150万; one 薄弱村, no 空壳村.
    # 新坝镇 has no approved 2021 figures: listed as 未报送 with no villages, not left out.
    assert table_rows(page) == [["新坝镇 未报送", "0", "0", "0", "0", "0", "0", "0"],
                                ["八桥镇", "8", "1", "4", "3", "0", "1", "0"]]
    # The 合计 row is complete: the villages too, and they add up to the tiers.
    assert table_rows(page, "tfoot") == [["合计", "8", "1", "4", "3", "0", "1", "0"]]
    # The lines, as set: 空壳村 by the national definition, 经营收益 below 5万.
    assert "经营性收入 &lt; 10 万元" in page and "经营收益 &lt; 5 万元" in page


def test_organizations_page_ranks_clusters_by_the_sum_of_their_villages(client, people, baqiao, world):
    yangzhong = world["yangzhong"]
    strong = PartyOrganization.objects.create(name="厂房组团", kind="cluster", county=yangzhong)
    weak = PartyOrganization.objects.create(name="农产品联合党委", kind="joint_committee", county=yangzhong, industry="蔬菜")
    for organization, names in ((strong, ["八桥村", "长胜村"]), (weak, ["利民村"])):
        for name in names:
            PartyOrganizationMembership.objects.create(organization=organization, village=baqiao[name])
    client.force_login(people["carol"])
    rows = table_rows(get(client, "organizations", {"year": 2021}))
    # 400 + 300 万 over 2 villages (2020: 300 + 310); 利民村's 6万 (2020: 5万).
    assert rows == [["1", "厂房组团", "组团", "", "2", "2", "700.00", "350.00", "14.8%"],
                    ["2", "农产品联合党委", "联合党委", "蔬菜", "1", "1", "6.00", "6.00", "20.0%"]]


def test_village_profile_shows_ranks_over_the_years_and_the_statement(client, people, baqiao):
    client.force_login(people["carol"])
    page = get(client, "village", args=[baqiao["八桥村"].pk])
    assert table_rows(page) == [
        ["2020", "300.00", "2 / 9", "2 / 8", "300万元以上", "已审核"],
        ["2021", "400.00", "1 / 8", "1 / 8", "500万元以上", "已审核"],
    ]
    statement = {row[0]: row[1:] for row in table_rows(page, table_class="statement")}
    assert statement["总收入"] == ["400.00", "520.00"]
    assert statement["补助收入"] == ["100.00", "120.00"]


def test_tier_settings_page_shows_the_countys_lines_in_wan(client, people, world):
    client.force_login(people["carol"])
    page = get(client, "tier_settings", args=[world["yangzhong"].pk])
    assert re.findall(r'name="tiers-\d-label"[^>]*value="([^"]*)"', page) == ["500万元以上", "300万元以上", "150万元以上"]
    assert re.findall(r'name="tiers-\d-min_amount"[^>]*value="([^"]*)"', page) == ["500", "300", "150"]
    assert 'name="weak_line" value="10"' in page and 'name="shell_line" value="5"' in page


def test_province_town_table_past_its_last_page_shows_the_last_page_with_drill_down_links(client, people, baqiao,
                                                                                          world):
    client.force_login(people["admin"])
    html = client.get(reverse("dashboards:towns"), {"year": 2021, "submitted": "1", "page": 99}).content.decode()
    rows = html.split("<tbody>")[1].split("</tbody>")[0]
    assert rows.count("<tr>") == 3  # 新坝镇, 紫陵镇 and 八桥镇: every town, on the one page there is
    # Each town drills down to its overview, keeping the year, the figure and the submitted switch.
    assert f'?town={world["baqiao"].pk}&amp;year=2021&amp;metric=operating_income&amp;submitted=1">八桥镇</a>' in rows
    assert '<span class="muted">扬中市</span>' in rows  # the county of each town, across the province


@pytest.mark.parametrize("person", ["carol", "admin"])  # a county's table, and the province's (ranked in SQL)
@pytest.mark.parametrize("number", ["10^23", "100000000000000000000000", "9" * 5000, "-3", "二", "1e5", ""])
@pytest.mark.parametrize("name", ["villages", "towns"])
def test_a_page_number_out_of_any_range_shows_a_page_instead_of_an_error(client, people, baqiao, name, number,
                                                                         person):
    client.force_login(people[person])
    response = client.get(reverse(f"dashboards:{name}"), {"year": 2021, "page": number})
    assert response.status_code == 200
    rows = table_rows(response.content.decode())
    assert rows and rows[0][0] == "1"  # the first (and only) page: rank 1 comes first


def test_dashboards_switch_to_english_with_the_language_switch(client, people, baqiao):
    client.force_login(people["carol"])
    assert "Below the tiers" not in get(client, "overview", {"year": 2021})  # Chinese by default
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = get(client, "overview", {"year": 2021})
    assert "Below the tiers" in page and "未达梯队" not in page  # the tier chips
    assert "Total income by source (2021)" in page  # a chart title built in Python
    towns = get(client, "towns", {"year": 2021})
    assert "Share of weak villages (fewest first)" in towns and "Export to Excel" in towns
    response = client.get(reverse("dashboards:villages"), {"year": 2021, "export": "xlsx"})
    assert "village-ranking" in response["Content-Disposition"]
