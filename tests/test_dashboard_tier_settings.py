"""The tier settings form refuses amounts no county line can be (1e309, 17 digits, above 100亿元) with a
Chinese message and the typing kept, instead of failing with a server error; the downloads' names."""

from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.urls import reverse

from dashboards.models import TierScheme
from ledger.spreadsheets import xlsx_response

from . import dashboard_data

WAN = Decimal(10000)


def tier_post(tier_line: str, weak_line: str = "10") -> dict:
    return {
        "weak_metric": "operating_income", "weak_line": weak_line, "shell_metric": "operating_income",
        "shell_line": "5", "tiers-TOTAL_FORMS": "1", "tiers-INITIAL_FORMS": "0", "tiers-MIN_NUM_FORMS": "0",
        "tiers-MAX_NUM_FORMS": "8", "tiers-0-label": "强村", "tiers-0-metric": "total_income",
        "tiers-0-min_amount": tier_line,
    }


@pytest.mark.parametrize("typed", [
    "1e309",  # beyond what a Decimal computes with
    "12345678901234567",  # 17 digits: more than the money column holds
    "1e20", "1000000.01",  # just above 100亿元 (1,000,000 万元)
    "99999999999999999999999999999999",
])
@pytest.mark.parametrize("field", ["tier", "weak"])
def test_an_impossible_line_is_refused_in_chinese_and_nothing_is_saved(client, people, world, typed, field):
    client.force_login(people["carol"])
    url = reverse("dashboards:tier_settings", args=[world["yangzhong"].pk])
    client.get(url)  # the county's default scheme
    data = tier_post(typed) if field == "tier" else tier_post("350", weak_line=typed)
    response = client.post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert f"“{typed}”" in body and ("上限 100亿元" in body or "科学计数法" in body)
    assert f'value="{typed}"' in body  # the typing stays on screen
    scheme = TierScheme.objects.get(county=world["yangzhong"])
    assert [t.label for t in scheme.thresholds.all()] == ["500万元以上", "300万元以上", "150万元以上"]
    assert scheme.weak_line == 10 * WAN


def test_a_line_of_exactly_100_yi_yuan_is_accepted(client, people, world):
    client.force_login(people["carol"])
    url = reverse("dashboards:tier_settings", args=[world["yangzhong"].pk])
    assert client.post(url, tier_post("1000000")).status_code == 302
    threshold = TierScheme.objects.get(county=world["yangzhong"]).thresholds.get()
    assert threshold.min_amount == Decimal("10000000000.00")  # 100亿元


def test_a_download_keeps_its_chinese_name_and_has_an_ascii_fallback():
    response = xlsx_response(b"PK", "村排名-扬中市-2021.xlsx")
    header = response["Content-Disposition"]
    fallback, encoded = header.split("; ")[1:]
    assert header.startswith("attachment; ")
    assert fallback == 'filename="2021.xlsx"'  # what an old client that reads no filename* saves it as
    assert encoded.startswith("filename*=UTF-8''") and encoded.isascii()
    assert unquote(encoded.removeprefix("filename*=UTF-8''")) == "村排名-扬中市-2021.xlsx"


def test_dashboard_exports_are_named_after_the_table_scope_and_year(client, people, world):
    dashboard_data.build(world)
    client.force_login(people["carol"])
    response = client.get(reverse("dashboards:villages"), {"year": 2021, "export": "xlsx"})
    encoded = response["Content-Disposition"].split("filename*=UTF-8''")[1]
    name = unquote(encoded)
    assert name.startswith("村排名-扬中市-2021-") and name.endswith(".xlsx")
