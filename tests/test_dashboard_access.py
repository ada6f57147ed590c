"""Who sees which dashboards: every URL × role, 404 outside the user's part of the map."""

import pytest
from django.urls import reverse

from . import dashboard_data


@pytest.fixture
def baqiao(world, people):
    return dashboard_data.build(world)


TABLES = ("overview", "villages", "towns", "tiers", "organizations")


def urls(world, baqiao):
    """(url name, url) for every dashboard page, in 扬中市 (county scope, 八桥镇, 新坝镇) and in 沁阳市."""
    yangzhong, qinyang = world["yangzhong"], world["qinyang"]
    out = []
    for name in TABLES:
        out += [(name, "county_yangzhong", reverse(f"dashboards:{name}") + f"?county={yangzhong.pk}"),
                (name, "town_baqiao", reverse(f"dashboards:{name}") + f"?town={world['baqiao'].pk}"),
                (name, "town_xinba", reverse(f"dashboards:{name}") + f"?town={world['xinba'].pk}"),
                (name, "county_qinyang", reverse(f"dashboards:{name}") + f"?county={qinyang.pk}")]
    out += [("village", "town_baqiao", reverse("dashboards:village", args=[baqiao["八桥村"].pk])),
            ("village", "town_xinba", reverse("dashboards:village", args=[world["villages"]["新坝村"].pk])),
            ("village", "town_ziling", reverse("dashboards:village", args=[world["villages"]["宋寨村"].pk]))]
    out += [(name, "town_ziling", reverse(f"dashboards:{name}") + f"?town={world['ziling'].pk}") for name in TABLES]
    return out


# Which scopes each person may open.
ALLOWED = {
    "alice": {"town_baqiao"},                       # 八桥镇 cadre
    "bob": {"town_baqiao"},                         # 八桥镇 reviewer
    "carol": {"county_yangzhong", "town_baqiao", "town_xinba"},  # 扬中市 official
    "dave": {"county_yangzhong", "town_baqiao", "town_xinba"},   # 扬中市 staff
    "erin": {"town_xinba"},
    "oscar": {"town_ziling"},  # 紫陵镇 cadre: their town, not their county
    "nobody": set(),
    "admin": {"county_yangzhong", "town_baqiao", "town_xinba", "county_qinyang", "town_ziling"},
}


@pytest.mark.parametrize("person", sorted(ALLOWED))
def test_every_dashboard_url_is_404_outside_the_users_scope(client, people, world, baqiao, person):
    client.force_login(people[person])
    for name, scope, url in urls(world, baqiao):
        status = client.get(url).status_code
        expected = 200 if scope in ALLOWED[person] else 404
        assert status == expected, (person, name, scope, status)


def test_anonymous_users_are_sent_to_login(client, world):
    response = client.get(reverse("dashboards:overview"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_town_user_defaults_to_their_town(client, people, baqiao):
    client.force_login(people["alice"])
    response = client.get(reverse("dashboards:overview"))
    assert response.context["page"].scope.level == "town"
    assert "新坝村" not in response.content.decode()


def test_official_defaults_to_their_county_and_never_sees_other_counties(client, people, baqiao):
    client.force_login(people["carol"])
    response = client.get(reverse("dashboards:villages"), {"year": 2021, "submitted": "1"})
    body = response.content.decode()
    assert response.context["page"].scope.county.name == "扬中市"
    assert "宋寨村" not in body and "新坝村" in body


def test_only_county_officials_edit_tiers(client, people, world):
    url = reverse("dashboards:tier_settings", args=[world["yangzhong"].pk])
    client.force_login(people["alice"])
    assert client.get(url).status_code == 403
    client.force_login(people["carol"])
    assert client.get(url).status_code == 200
    assert client.get(reverse("dashboards:tier_settings", args=[world["qinyang"].pk])).status_code == 404
