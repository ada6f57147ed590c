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
