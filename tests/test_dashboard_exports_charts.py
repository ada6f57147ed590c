"""Exports (xlsx, formula-like names neutralised), charts (plotly JSON with the data, from local files),
tier settings page, and the synthetic world."""

import json
import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from openpyxl import load_workbook

from dashboards import charts
from dashboards.models import TierScheme
from dashboards.synthetic import generate_synthetic
from ledger.models import LedgerLine, LedgerYear
from villages.models import Village

from . import dashboard_data
from .factories import make_ledger_year, make_village

WAN = Decimal(10000)


@pytest.fixture
def baqiao(world, people):
    return dashboard_data.build(world)


def sheet_rows(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(BytesIO(response.content))
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


@pytest.mark.parametrize("name", ["villages", "towns", "tiers", "organizations"])
def test_every_table_exports_to_xlsx(client, people, baqiao, name):
    client.force_login(people["carol"])
    rows = sheet_rows(client.get(reverse(f"dashboards:{name}"), {"year": 2021, "export": "xlsx"}))
    assert "扬中市 2021年" in rows[0][0]
    assert len(rows) >= 2


def test_village_export_has_ranks_and_amounts_in_wan(client, people, baqiao):
    client.force_login(people["carol"])
    rows = sheet_rows(client.get(reverse("dashboards:villages"), {"year": 2021, "export": "xlsx"}))
    header, first = rows[1], rows[2]
    assert header[:4] == ["名次", "上年名次", "名次变化", "村"]
    assert first[:4] == [1, 2, 1, "八桥村"] and first[6] == 400


def test_exports_neutralise_formula_like_names(client, people, world):
    village = make_village(world["baqiao"], 230, "=HYPERLINK(\"http://x\")村")
    make_ledger_year(village, 2021, {"operating_revenue": 10 * WAN}, status="approved")
    client.force_login(people["carol"])
    rows = sheet_rows(client.get(reverse("dashboards:villages"), {"year": 2021, "export": "xlsx"}))
    names = [row[3] for row in rows[2:]]
    assert names == ["'=HYPERLINK(\"http://x\")村"]


def test_village_profile_exports_its_statement(client, people, baqiao):
    client.force_login(people["carol"])
    rows = sheet_rows(client.get(reverse("dashboards:village", args=[baqiao["八桥村"].pk]), {"export": "xlsx"}))
    by_label = {row[0]: row[1:] for row in rows[2:]}
    assert by_label["总收入"] == [400, 520]  # 2020, 2021 in 万元


def chart_blocks(html):
    return {m.group(1): json.loads(m.group(2)) for m in re.finditer(
        r'<script type="application/json" data-chart-for="([^"]+)">(.*?)</script>', html, re.S)}


def test_overview_charts_carry_the_data_and_load_plotly_from_our_static_files(client, people, baqiao):
    client.force_login(people["carol"])
    html = client.get(reverse("dashboards:overview"), {"year": 2021}).content.decode()
    assert '<script src="/static/js/plotly.min.js"' in html
    assert "cdn" not in html.lower()
    assert "<script>" not in html  # no inline scripts: the CSP of issue 6 forbids them
    blocks = chart_blocks(html)
    assert set(blocks) >= {"chart-ranking", "chart-tiers", "chart-trend", "chart-treemap", "chart-composition"}
    ranking = blocks["chart-ranking"]["data"][0]
    assert ranking["y"][-1] == "八桥村" and ranking["x"][-1] == 400.0  # first place on top, 万元
    tiers = {trace["name"]: trace["x"] for trace in blocks["chart-tiers"]["data"]}
    assert tiers["500万元以上"] == [1] and tiers["300万元以上"] == [4] and tiers["150万元以上"] == [3]
    treemap = blocks["chart-treemap"]["data"][0]
    assert "八桥村" in treemap["labels"] and "八桥镇" in treemap["labels"]
    for figure in blocks.values():
        charts.validate(json.dumps(figure))  # plotly's schema accepts every chart


def test_village_profile_charts_validate(client, people, baqiao):
    client.force_login(people["carol"])
    html = client.get(reverse("dashboards:village", args=[baqiao["幸福村"].pk])).content.decode()
    blocks = chart_blocks(html)
    assert blocks["chart-rank"]["data"][0]["y"] == [5, 3]
    for figure in blocks.values():
        charts.validate(json.dumps(figure))


def test_chart_json_cannot_close_its_script_block(client, people, world):
    hostile = "</script><script>alert(1)</script>村"
    village = make_village(world["baqiao"], 231, hostile)
    make_ledger_year(village, 2021, {"operating_revenue": 10 * WAN}, status="approved")
    client.force_login(people["carol"])
    html = client.get(reverse("dashboards:overview"), {"year": 2021}).content.decode()
    assert "<script>alert(1)" not in html  # neither the chart blocks nor the tables let the name out
    # The chart the page embeds still carries the name as it is, for plotly to draw as text.
    assert chart_blocks(html)["chart-ranking"]["data"][0]["y"] == [hostile]


def test_plotly_js_is_found_in_the_installed_package():
    path = finders.find("js/plotly.min.js")
    assert path and path.endswith("plotly.min.js")
    with open(path, encoding="utf-8") as handle:
        assert "plotly.js" in handle.read(300).lower()


def test_official_edits_tiers_in_wan(client, people, world, baqiao):
    client.force_login(people["carol"])
    url = reverse("dashboards:tier_settings", args=[world["yangzhong"].pk])
    client.get(url)
    data = {
        "weak_metric": "operating_income", "weak_line": "１０", "shell_metric": "operating_income",
        "shell_line": "5", "tiers-TOTAL_FORMS": "3", "tiers-INITIAL_FORMS": "0", "tiers-MIN_NUM_FORMS": "0",
        "tiers-MAX_NUM_FORMS": "8",
        "tiers-0-label": "强村", "tiers-0-metric": "total_income", "tiers-0-min_amount": "350",
        "tiers-1-label": "", "tiers-1-metric": "total_income", "tiers-1-min_amount": "",
        "tiers-2-label": "", "tiers-2-metric": "total_income", "tiers-2-min_amount": "",
    }
    assert client.post(url, data).status_code == 302
    scheme = TierScheme.objects.get(county=world["yangzhong"])
    assert [(t.label, t.min_amount) for t in scheme.thresholds.all()] == [("强村", 350 * WAN)]
    assert scheme.weak_line == 10 * WAN and scheme.updated_by == people["carol"]
    html = client.get(reverse("dashboards:overview"), {"year": 2021}).content.decode()
    assert "强村" in html


def test_bad_tier_input_keeps_what_the_official_typed(client, people, world):
    client.force_login(people["carol"])
    url = reverse("dashboards:tier_settings", args=[world["yangzhong"].pk])
    data = {
        "weak_metric": "operating_income", "weak_line": "十万", "shell_metric": "operating_income",
        "shell_line": "5", "tiers-TOTAL_FORMS": "1", "tiers-INITIAL_FORMS": "0", "tiers-MIN_NUM_FORMS": "0",
        "tiers-MAX_NUM_FORMS": "8", "tiers-0-label": "强村", "tiers-0-metric": "total_income",
        "tiers-0-min_amount": "350",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "不是有效的数字" in body and 'value="十万"' in body and 'value="强村"' in body


def test_synthetic_world_is_deterministic_and_written_through_the_service(db):
    generate_synthetic(counties=1, towns_per_county=2, villages_per_town=5, years=3, seed=7)
    first = list(LedgerYear.objects.order_by("village__code", "year").values_list(
        "village__code", "year", "status", "operating_income", "total_income"))
    assert len(first) == 30
    assert LedgerLine.history.filter(history_type="+").count() == LedgerLine.objects.count()
    # A second run adds nothing; the same seed in a fresh database gives the same figures.
    generate_synthetic(counties=1, towns_per_county=2, villages_per_town=5, years=3, seed=7)
    assert LedgerYear.objects.count() == 30
    LedgerLine.objects.all().delete()
    LedgerYear.objects.all().delete()
    generate_synthetic(counties=1, towns_per_county=2, villages_per_town=5, years=3, seed=7)
    again = list(LedgerYear.objects.order_by("village__code", "year").values_list(
        "village__code", "year", "status", "operating_income", "total_income"))
    assert again == first
    assert Village.objects.count() == 10


def test_province_overview_treemap_stops_at_the_counties(client, people, baqiao, world):
    client.force_login(people["admin"])
    html = client.get(reverse("dashboards:overview"), {"year": 2021}).content.decode()
    treemap = chart_blocks(html)["chart-treemap"]["data"][0]
    # One box per county, sized by its 总收入 in 万元; no town or village boxes across the province.
    assert dict(zip(treemap["labels"][1:], treemap["values"][1:], strict=True)) == {"扬中市": 2430.0, "沁阳市": 999.0}
    assert set(treemap["parents"][1:]) == {"scope"}
    charts.validate(json.dumps(chart_blocks(html)["chart-treemap"]))
