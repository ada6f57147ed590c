"""Administrators keep roles and accounts inside their own scope, and town users keep their records in
their town (issue #12 items 15–16).

The attack that was found: `yz_admin` (系统管理员 of 扬中市) listed 沁阳市's users, made a 沁阳市 user a
八桥镇 cadre, and emptied its own county to read the whole province.
"""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from ledger.roles import grant_role_permissions
from villages.models import Enterprise, PartyOrganization, UserRole

from .factories import make_user


@pytest.fixture
def admins(people, world):
    yz_admin = make_user("yz_admin", "admin", county=world["yangzhong"])
    baqiao_admin = make_user("baqiao_admin", "admin", town=world["baqiao"])
    qinyang_staff = make_user("qinyang_staff", "staff", county=world["qinyang"])
    newcomer = make_user("newcomer")
    for user in (yz_admin, baqiao_admin, qinyang_staff, people["alice"], people["erin"]):
        grant_role_permissions(user)
    return {**people, "yz_admin": yz_admin, "baqiao_admin": baqiao_admin, "qinyang_staff": qinyang_staff,
            "newcomer": newcomer}


def options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
    return [text for text in re.findall(r"<option[^>]*>([^<]*)</option>", select) if text != "---------"]


def role_form(user, role, county=None, town=None):
    return {"user": user.pk, "role": role, "county": getattr(county, "pk", ""), "town": getattr(town, "pk", "")}


def test_county_admin_lists_only_its_countys_roles(client, admins):
    client.force_login(admins["yz_admin"])
    page = client.get(reverse("admin:villages_userrole_changelist")).content.decode()
    for mine in ("alice", "erin", "carol", "dave"):
        assert mine in page
    assert "qinyang_staff" not in page and "oscar" not in page
    assert "沁阳市" not in page  # not even as a filter choice


def test_county_admin_cannot_open_or_change_a_role_of_another_county(client, admins, world):
    client.force_login(admins["yz_admin"])
    target = admins["qinyang_staff"].role
    url = reverse("admin:villages_userrole_change", args=[target.pk])
    assert client.get(url).status_code == 302  # "does not exist" for this administrator
    client.post(url, role_form(admins["qinyang_staff"], "cadre", world["yangzhong"], world["baqiao"]))
    target.refresh_from_db()
    assert (target.role, target.county, target.town) == ("staff", world["qinyang"], None)


def test_county_admin_is_offered_only_its_county_its_towns_and_its_users(client, admins):
    client.force_login(admins["yz_admin"])
    page = client.get(reverse("admin:villages_userrole_add")).content.decode()
    assert options(page, "county") == ["扬中市"]
    assert sorted(options(page, "town")) == sorted(["八桥镇", "新坝镇"])
    users = options(page, "user")
    assert "newcomer" in users and "alice" in users
    # Not another county's, not its own, not the superuser's.
    assert not {"qinyang_staff", "oscar", "yz_admin", "admin"} & set(users)


@pytest.mark.parametrize("where", ["other county", "other county's town", "no county"])
def test_county_admin_cannot_give_a_role_outside_or_wider_than_its_own(client, admins, world, where):
    county, town = {"other county": (world["qinyang"], None),
                    "other county's town": (world["yangzhong"], world["ziling"]),
                    "no county": (None, None)}[where]
    client.force_login(admins["yz_admin"])
    response = client.post(reverse("admin:villages_userrole_add"), role_form(admins["newcomer"], "admin", county, town))
    assert response.status_code == 200
    assert not UserRole.objects.filter(user=admins["newcomer"]).exists()


def test_county_admin_gives_and_changes_roles_inside_its_county(client, admins, world):
    client.force_login(admins["yz_admin"])
    response = client.post(reverse("admin:villages_userrole_add"),
                           role_form(admins["newcomer"], "cadre", world["yangzhong"], world["xinba"]))
    assert response.status_code == 302
    assert admins["newcomer"].role.town == world["xinba"]
    erin = admins["erin"].role
    response = client.post(reverse("admin:villages_userrole_change", args=[erin.pk]),
                           role_form(admins["erin"], "reviewer", world["yangzhong"], world["baqiao"]))
    assert response.status_code == 302
    erin.refresh_from_db()
    assert (erin.role, erin.town) == ("reviewer", world["baqiao"])


def test_nobody_changes_their_own_role(client, admins, world):
    own = admins["yz_admin"].role
    client.force_login(admins["yz_admin"])
    url = reverse("admin:villages_userrole_change", args=[own.pk])
    response = client.post(url, role_form(admins["yz_admin"], "admin"))  # county emptied: everywhere
    assert response.status_code == 403
    page = client.get(url).content.decode()
    assert 'name="county"' not in page  # shown read-only
    client.post(reverse("admin:villages_userrole_changelist"),
                {"action": "delete_selected", "_selected_action": [own.pk], "post": "yes"})
    own.refresh_from_db()
    assert own.county == world["yangzhong"]
    dashboards = client.get(f"/dashboards/?county={world['qinyang'].pk}")
    assert "紫陵镇" not in dashboards.content.decode()


def test_town_admin_cannot_make_a_county_wide_role(client, admins, world):
    client.force_login(admins["baqiao_admin"])
    response = client.post(reverse("admin:villages_userrole_add"),
                           role_form(admins["newcomer"], "official", world["yangzhong"]))
    assert response.status_code == 200
    assert not UserRole.objects.filter(user=admins["newcomer"]).exists()
    page = client.get(reverse("admin:villages_userrole_changelist")).content.decode()
    assert "alice" in page and "erin" not in page and "carol" not in page


def test_user_admin_is_scoped_and_grants_no_privileges_to_non_superusers(client, admins):
    yz_admin = admins["yz_admin"]
    # Should anyone give an administrator the account permissions, the accounts stay in its scope.
    yz_admin.user_permissions.add(*Permission.objects.filter(content_type__app_label="auth",
                                                             codename__in=["view_user", "change_user"]))
    client.force_login(yz_admin)
    page = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "alice" in page and "newcomer" in page
    assert "qinyang_staff" not in page and "oscar" not in page
    oscar = admins["oscar"]
    assert client.get(reverse("admin:auth_user_change", args=[oscar.pk])).status_code == 302
    url = reverse("admin:auth_user_change", args=[yz_admin.pk])
    client.post(url, {"username": "yz_admin", "is_active": "on", "is_staff": "on", "is_superuser": "on",
                      "date_joined_0": "2025-01-01", "date_joined_1": "00:00:00"})
    yz_admin.refresh_from_db()
    assert not yz_admin.is_superuser


def test_cadre_cannot_add_county_wide_enterprises_or_party_organisations(client, admins, world):
    client.force_login(admins["alice"])
    base = {"kind": "private", "county": world["yangzhong"].pk, "credit_code": "", "industry": "", "note": ""}
    response = client.post(reverse("admin:villages_enterprise_add"), {**base, "name": "无镇公司", "town": ""})
    assert response.status_code == 200
    assert not Enterprise.objects.filter(name="无镇公司").exists()
    page = client.get(reverse("admin:villages_enterprise_add")).content.decode()
    assert "新坝镇" not in page
    response = client.post(reverse("admin:villages_enterprise_add"),
                           {**base, "name": "本镇公司", "town": world["baqiao"].pk})
    assert response.status_code == 302
    assert Enterprise.objects.get(name="本镇公司").town == world["baqiao"]

    inline = {"memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
              "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000"}
    org = {**inline, "kind": "alliance", "county": world["yangzhong"].pk, "industry": "", "note": ""}
    response = client.post(reverse("admin:villages_partyorganization_add"), {**org, "name": "全县联盟", "town": ""})
    assert response.status_code == 200
    assert not PartyOrganization.objects.filter(name="全县联盟").exists()
    response = client.post(reverse("admin:villages_partyorganization_add"),
                           {**org, "name": "八桥联盟", "town": world["baqiao"].pk})
    assert response.status_code == 302
    assert PartyOrganization.objects.get(name="八桥联盟").town == world["baqiao"]


def test_county_staff_may_still_add_county_wide_enterprises(client, admins, world):
    grant_role_permissions(admins["dave"])
    client.force_login(admins["dave"])
    response = client.post(reverse("admin:villages_enterprise_add"), {
        "name": "全县强村公司", "kind": "strong_village_company", "county": world["yangzhong"].pk, "town": "",
        "credit_code": "", "industry": "", "note": ""})
    assert response.status_code == 302


def test_admin_warns_when_the_credit_code_type_does_not_fit_the_kind(client, admins, world):
    client.force_login(admins["admin"])
    response = client.post(reverse("admin:villages_enterprise_add"), {
        "name": "永兴农民专业合作社", "kind": "specialized_coop", "county": world["yangzhong"].pk,
        "town": world["baqiao"].pk, "credit_code": "91350100M000100Y43", "industry": "", "note": ""}, follow=True)
    assert Enterprise.objects.filter(name="永兴农民专业合作社").exists()  # warned, not refused
    page = response.content.decode()
    assert "前两位为 91（企业）" in page and "农民专业合作社" in page
