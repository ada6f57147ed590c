"""Every entry URL × every role of the `people` fixture, including an outsider, a user without a role
and an anonymous visitor: out of scope is 404 (existence not revealed), in scope without the right is
403, anonymous is sent to the login page."""

import pytest
from django.urls import reverse

from ledger.models import LedgerYear

from .entry_helpers import statement_data, transition_url, village_year_url
from .factories import make_ledger_year

ROLES = ["anonymous", "alice", "bob", "carol", "dave", "erin", "oscar", "nobody", "admin"]
IN_SCOPE = {"alice", "bob", "carol", "dave", "admin"}  # who may see 八桥镇


def login(client, people, who):
    if who != "anonymous":
        client.force_login(people[who])


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ROLES)
def test_home_sends_each_role_where_its_work_is(client, people, world, who):
    login(client, people, who)
    response = client.get(reverse("home"))
    if who == "anonymous":
        assert_login_redirect(response)
        return
    if who == "nobody":
        assert response.status_code == 200
        assert "尚未分配角色" in response.content.decode()
        return
    expected = {
        "alice": reverse("ledger:town_villages", kwargs={"pk": world["baqiao"].pk}),
        "bob": reverse("ledger:town_villages", kwargs={"pk": world["baqiao"].pk}),
        "erin": reverse("ledger:town_villages", kwargs={"pk": world["xinba"].pk}),
        "oscar": reverse("ledger:town_villages", kwargs={"pk": world["ziling"].pk}),
        # Officials read the dashboards; staff land on the imports.
        "carol": reverse("dashboards:overview"),
        "dave": reverse("ledger:import_list"),
        "admin": reverse("ledger:town_list"),
    }
    assert response.status_code == 302
    assert response["Location"] == expected[who]


@pytest.mark.parametrize("who", ROLES)
def test_town_list_shows_only_towns_in_scope(client, people, world, who):
    login(client, people, who)
    response = client.get(reverse("ledger:town_list"))
    if who == "anonymous":
        assert_login_redirect(response)
        return
    assert response.status_code == 200
    page = response.content.decode()
    assert ("八桥镇" in page) == (who in IN_SCOPE)
    assert ("紫陵镇" in page) == (who in {"oscar", "admin"})


@pytest.mark.parametrize("who", ROLES)
def test_town_village_list_is_404_outside_scope(client, people, world, who):
    login(client, people, who)
    response = client.get(reverse("ledger:town_villages", kwargs={"pk": world["baqiao"].pk}))
    if who == "anonymous":
        assert_login_redirect(response)
    elif who in IN_SCOPE:
        assert response.status_code == 200
        assert "长胜村" in response.content.decode()
    else:
        assert response.status_code == 404
        assert "长胜村" not in response.content.decode()


@pytest.mark.parametrize("who", ROLES)
def test_village_year_page_is_404_outside_scope(client, people, world, who):
    village = world["villages"]["长胜村"]
    make_ledger_year(village, 2025, {"operating_revenue": "1000000"})
    login(client, people, who)
    response = client.get(village_year_url(village, 2025))
    if who == "anonymous":
        assert_login_redirect(response)
    elif who in IN_SCOPE:
        assert response.status_code == 200
        page = response.content.decode()
        assert "长胜村 2025 年收益及收益分配" in page
        # Only the cadre (and the administrator) get inputs.
        assert ('name="version"' in page) == (who in {"alice", "admin"})
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("who", ROLES)
def test_only_cadre_and_admin_can_save_amounts(client, people, world, who):
    village = world["villages"]["长胜村"]
    login(client, people, who)
    response = client.post(village_year_url(village, 2025), statement_data(2025, {"operating_revenue": "12"}))
    saved = LedgerYear.objects.filter(village=village, year=2025).first()
    if who == "anonymous":
        assert_login_redirect(response)
    elif who in {"alice", "admin"}:
        assert response.status_code == 302
        assert saved.operating_income == 120000
        return
    elif who in IN_SCOPE:
        assert response.status_code == 403
    else:
        assert response.status_code == 404
    assert saved is None


@pytest.mark.parametrize("who", ROLES)
def test_only_cadre_and_admin_can_submit(client, people, world, who):
    village = world["villages"]["长胜村"]
    ly = make_ledger_year(village, 2025, {"operating_revenue": "1000000"})
    login(client, people, who)
    response = client.post(transition_url(village, 2025), {"action": "submit"})
    ly.refresh_from_db()
    if who == "anonymous":
        assert_login_redirect(response)
    elif who in {"alice", "admin"}:
        assert response.status_code == 302
        assert ly.status == "submitted"
        return
    elif who in IN_SCOPE:
        assert response.status_code == 403
    else:
        assert response.status_code == 404
    assert ly.status == "draft"


@pytest.mark.parametrize("who", ROLES)
def test_only_reviewer_and_admin_can_approve(client, people, world, who):
    village = world["villages"]["长胜村"]
    ly = make_ledger_year(village, 2025, {"operating_revenue": "1000000"}, status="submitted")
    login(client, people, who)
    response = client.post(transition_url(village, 2025), {"action": "approve"})
    ly.refresh_from_db()
    if who == "anonymous":
        assert_login_redirect(response)
    elif who in {"bob", "admin"}:
        assert response.status_code == 302
        assert ly.status == "approved"
        return
    elif who in IN_SCOPE:
        assert response.status_code == 403
    else:
        assert response.status_code == 404
    assert ly.status == "submitted"


@pytest.mark.parametrize("who", ROLES)
def test_only_reviewer_and_admin_can_reopen(client, people, world, who):
    village = world["villages"]["长胜村"]
    ly = make_ledger_year(village, 2024, {"operating_revenue": "1000000"}, status="approved")
    login(client, people, who)
    response = client.post(transition_url(village, 2024), {"action": "reopen", "reason": "发现漏记租金"})
    ly.refresh_from_db()
    if who == "anonymous":
        assert_login_redirect(response)
    elif who in {"bob", "admin"}:
        assert response.status_code == 302
        assert ly.status == "draft"
        return
    elif who in IN_SCOPE:
        assert response.status_code == 403
    else:
        assert response.status_code == 404
    assert ly.status == "approved"


@pytest.mark.parametrize("who", ["alice", "carol", "admin"])
def test_transition_on_a_year_nobody_entered_is_404(client, people, world, who):
    client.force_login(people[who])
    response = client.post(transition_url(world["villages"]["长胜村"], 2025), {"action": "submit"})
    assert response.status_code == 404


def test_unknown_village_and_impossible_years_are_404(client, people, world):
    client.force_login(people["admin"])
    village = world["villages"]["长胜村"]
    assert client.get(reverse("ledger:village_year", kwargs={"village_pk": 999999, "year": 2025})).status_code == 404
    assert client.get(village_year_url(village, 1999)).status_code == 404
    assert client.get(village_year_url(village, 2100)).status_code == 404
    assert client.get(reverse("ledger:town_villages", kwargs={"pk": 999999})).status_code == 404
