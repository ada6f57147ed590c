import pytest
from django.urls import reverse

from . import dashboard_data


@pytest.fixture
def baqiao(world, people):
    return dashboard_data.build(world)


def test_smoke_every_page_renders_for_official(client, people, baqiao, world):
    client.force_login(people["carol"])
    for name in ("overview", "villages", "towns", "tiers", "organizations"):
        response = client.get(reverse(f"dashboards:{name}"), {"year": 2021})
        assert response.status_code == 200, name
    response = client.get(reverse("dashboards:village", args=[baqiao["八桥村"].pk]))
    assert response.status_code == 200
    response = client.get(reverse("dashboards:tier_settings", args=[world["yangzhong"].pk]))
    assert response.status_code == 200


def test_province_town_table_past_its_last_page_shows_the_last_page_with_drill_down_links(client, people, baqiao,
                                                                                          world):
    client.force_login(people["admin"])
    html = client.get(reverse("dashboards:towns"), {"year": 2021, "submitted": "1", "page": 99}).content.decode()
    rows = html.split("<tbody>")[1].split("</tbody>")[0]
    assert rows.count("<tr>") == 3  # 新坝镇, 紫陵镇 and 八桥镇: every town, on the one page there is
    # Each town drills down to its overview, keeping the year, the figure and the submitted switch.
    assert f'?town={world["baqiao"].pk}&amp;year=2021&amp;metric=operating_income&amp;submitted=1">八桥镇</a>' in rows
    assert '<span class="muted">扬中市</span>' in rows  # the county of each town, across the province
